"""Running a test module's ``__main__`` in a fresh interpreter: for checks that change process-wide
state (moto's classes, the garbage collector) which the tests' own local cloud shares."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_fresh(module: str, **environment: str) -> None:
    """``python -m module`` from the project root, with the project on the path; fails the test
    with the end of its stderr unless it exits 0."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(ROOT / part) for part in (".", "shared", "functions")),
        **environment,
    }
    run = subprocess.run([sys.executable, "-m", module], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr[-4000:]
