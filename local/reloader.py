"""``--reload``, the way ``uvicorn --reload`` works, in two parts:

- an edit of the functions' code (``functions/``, ``shared/``: every function's code and layer
  folders) is loaded **in the running process**: the handlers' modules are forgotten and imported
  again (:meth:`local.runtime.LambdaRuntime.reload`), about a second;
- an edit of ``template.yaml`` or ``statemachines/`` needs a new deployment: the local cloud runs
  in a child process and a new one is started (the data is kept by the state folder,
  local/persistence.py; ``--ephemeral`` starts empty).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

#: what needs a new deployment, beside the template itself
REDEPLOYED_FOLDERS = ("statemachines",)
WATCHED_SUFFIXES = (".py", ".json", ".yaml", ".yml")
POLL_SECONDS = 0.5
#: the flag the supervisor gives the process it runs: reload code in place
RELOAD_CODE_FLAG = "--reload-code"


def _files(roots: Iterable[Path]) -> Iterator[Path]:
    for root in roots:
        if root.is_file():
            yield root
            continue
        for directory, subfolders, files in os.walk(root):
            subfolders[:] = [name for name in subfolders if not name.startswith((".", "__pycache__"))]
            for name in files:
                if name.endswith(WATCHED_SUFFIXES):
                    yield Path(directory) / name


def snapshot(roots: Iterable[Path]) -> dict[Path, float]:
    """Each watched file's modification time."""
    found = {}
    for path in _files(roots):
        try:
            found[path] = path.stat().st_mtime
        except FileNotFoundError:  # removed while walking
            continue
    return found


def changed(before: dict[Path, float], after: dict[Path, float]) -> list[Path]:
    return sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))


def _named(paths: list[Path], root: Path) -> str:
    shown = [str(path.relative_to(root)) if path.is_relative_to(root) else str(path) for path in paths[:3]]
    return ", ".join(shown) + (" …" if len(paths) > 3 else "")


class CodeWatcher:
    """Reloads the functions' code in this process when a file under ``roots`` changes."""

    def __init__(self, roots: list[Path], reload: Callable[[], object], shown_from: Path) -> None:
        self._roots, self._reload, self._shown_from = roots, reload, shown_from
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="code-watcher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        seen = snapshot(self._roots)
        while not self._stop.wait(POLL_SECONDS):
            now = snapshot(self._roots)
            edits = changed(seen, now)
            if not edits:
                continue
            seen = now
            started = time.monotonic()
            try:
                self._reload()
            except Exception as error:  # a syntax error, say: the next save tries again
                print(f"Reload failed ({type(error).__name__}: {error}); fix and save again", flush=True)
                continue
            took = time.monotonic() - started
            print(f"Reloaded code: {_named(edits, self._shown_from)} changed ({took:.1f}s)", flush=True)


def run_with_reload(child_args: list[str], template: Path) -> int:
    """Run ``python -m local <child_args>`` reloading code in place, and start it again whenever
    the template or a state machine changes; stop it (and return) on Ctrl-C or SIGTERM."""
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    roots = [template, *(template.parent / folder for folder in REDEPLOYED_FOLDERS)]
    arguments = [*child_args, RELOAD_CODE_FLAG]
    child = _start(arguments)
    seen = snapshot(roots)
    while not stopping.wait(POLL_SECONDS):
        now = snapshot(roots)
        edits = changed(seen, now)
        if not edits:
            continue
        seen = now
        print(f"Redeploying: {_named(edits, template.parent)} changed", flush=True)
        _stop(child)
        child = _start(arguments)
    _stop(child)
    return 0


def _start(arguments: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "local", *arguments])


def _stop(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
