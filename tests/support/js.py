"""The JavaScript workspace (``sdk/js``) from Python tests: built once per test session (``npm
ci`` when its packages are missing), and Node scripts run against the local cloud."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
JS = ROOT / "sdk" / "js"
_built = threading.Lock()
_state = {"built": False}


def node() -> str:
    found = shutil.which("node")
    if found is None:
        raise AssertionError("Node.js >= 20 is needed for the JavaScript SDK's tests (see README: Requirements)")
    return found


def _npm(*args: str) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise AssertionError("npm is needed for the JavaScript SDK's tests (it comes with Node.js >= 20)")
    done = subprocess.run([npm, *args], cwd=JS, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise AssertionError(f"npm {' '.join(args)} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}")


def ensure_built() -> None:
    """The packages' ``dist`` and the compiled tests in ``.build`` (incremental: fast when
    ``make test`` already built them)."""
    with _built:
        if _state["built"]:
            return
        node()
        if not (JS / "node_modules" / ".package-lock.json").exists():
            _npm("ci", "--no-audit", "--no-fund")
        _npm("run", "build")
        _npm("exec", "--", "tsc", "--project", "tsconfig.test.json")
        _state["built"] = True


def run_node(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``node args…`` in ``sdk/js``, with ``env`` added to this process's environment."""
    return subprocess.run(
        [node(), *args],
        cwd=JS,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
