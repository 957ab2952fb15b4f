"""What the functions' cold starts leave out stays out (bench/cold_start.py measures the time; these
check the choices in fresh interpreters): FastAPI's probe for pydantic v1 models does not import
``pydantic.v1``, and the identity function imports the org erasure only when an org is deleted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = sorted(path.parent.name for path in (ROOT / "functions").glob("*/app.py"))


def modules_after_importing(*modules: str) -> set[str]:
    """The modules loaded by a fresh interpreter that imported ``modules`` (functions' ``app``s)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "functions"), str(ROOT / "shared")])}
    code = "import importlib, sys\n" + "".join(f"importlib.import_module({m!r})\n" for m in modules)
    code += "print('\\n'.join(sys.modules))"
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    return set(run.stdout.split())


def test_no_function_imports_pydantic_v1() -> None:
    loaded = modules_after_importing(*(f"{name}.app" for name in FUNCTIONS))
    assert {f"{name}.app" for name in FUNCTIONS} <= loaded
    assert "pydantic.v1" not in loaded


def test_the_identity_function_imports_the_org_erasure_only_when_used() -> None:
    assert "grounded_core.lifecycle.org_erasure" not in modules_after_importing("identity.app")
