"""``--reload``: serve the local cloud from a child process and start a new one when the code or
the template changes, the way ``uvicorn --reload`` does. The data is kept across the restart by
the state folder (local/persistence.py), so a reload keeps what was collected; ``--ephemeral``
reloads empty."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

#: what is watched, beside the template: the functions' code, the core, the state machines
WATCHED_FOLDERS = ("functions", "shared", "statemachines")
WATCHED_SUFFIXES = (".py", ".json", ".yaml", ".yml", ".asl.json")
POLL_SECONDS = 0.5


def _watched_files(template: Path) -> Iterator[Path]:
    yield template
    for folder in WATCHED_FOLDERS:
        root = template.parent / folder
        for directory, subfolders, files in os.walk(root):
            subfolders[:] = [name for name in subfolders if not name.startswith((".", "__pycache__"))]
            for name in files:
                if name.endswith(WATCHED_SUFFIXES):
                    yield Path(directory) / name


def snapshot(template: Path) -> dict[Path, float]:
    """Each watched file's modification time."""
    found = {}
    for path in _watched_files(template):
        try:
            found[path] = path.stat().st_mtime
        except FileNotFoundError:  # removed while walking
            continue
    return found


def changed(before: dict[Path, float], after: dict[Path, float]) -> list[Path]:
    return sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))


def run_with_reload(child_args: list[str], template: Path) -> int:
    """Run ``python -m local <child_args>`` and start it again whenever a watched file changes;
    stop it (and return) on Ctrl-C or SIGTERM."""
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    child = _start(child_args)
    seen = snapshot(template)
    while not stopping.wait(POLL_SECONDS):
        now = snapshot(template)
        edits = changed(seen, now)
        if not edits:
            continue
        seen = now
        where = ", ".join(str(path.relative_to(template.parent)) for path in edits[:3])
        print(f"Reloading: {where}{' …' if len(edits) > 3 else ''} changed", flush=True)
        _stop(child)
        child = _start(child_args)
    _stop(child)
    return 0


def _start(child_args: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "local", *child_args])


def _stop(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
