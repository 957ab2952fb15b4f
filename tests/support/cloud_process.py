"""Run the local cloud as its own process, exactly as ``make dev`` does (``python -m local``)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READY = re.compile(r"ready on (http://\S+)")


@contextmanager
def cloud_process(
    template: Path,
    *extra_args: str,
    timeout: float = 60.0,
    output: list[str] | None = None,
    state_dir: Path | None = None,
    stop_with: signal.Signals = signal.SIGTERM,
) -> Iterator[str]:
    """Start ``python -m local --port 0`` on ``template``; yield its URL once it says it is ready.
    ``output``, if given, collects what the process prints. Its data is kept in ``state_dir``
    (none given: ``--ephemeral``); it is stopped with ``stop_with`` (``SIGKILL``: a crash)."""
    keeping = ["--state-dir", str(state_dir)] if state_dir is not None else ["--ephemeral"]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "local",
            "--template",
            str(template),
            "--port",
            "0",
            "--log-level",
            "WARNING",
            *keeping,
            *extra_args,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    output = [] if output is None else output
    found = threading.Event()
    url: list[str] = []

    def read() -> None:  # keep draining so the process never blocks on a full pipe
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            match = READY.search(line)
            if match and not found.is_set():
                url.append(match.group(1))
                found.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        if not found.wait(timeout):
            raise AssertionError("the local cloud did not become ready:\n" + "".join(output[-40:]))
        yield url[0]
    finally:
        process.send_signal(stop_with)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
