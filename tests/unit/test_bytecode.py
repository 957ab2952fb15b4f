"""The deploy build's bytecode step (layers/bytecode.py): every module of a SAM build gets
checked-hash bytecode for the template's runtime, a module that does not compile fails the step,
and a source changed after the build is never served stale."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from layers.bytecode import compile_tree, main, runtimes_of, uncompiled

ROOT = Path(__file__).resolve().parents[2]
HERE = f"python{sys.version_info.major}.{sys.version_info.minor}"
#: PEP 552: the flags word of a checked-hash .pyc (hash-based, check source)
CHECKED_HASH = 0b11


def a_build(root: Path, runtime: str = HERE) -> Path:
    """A directory laid out as ``sam build`` leaves it: a template, a layer and a function, no bytecode."""
    (root / "template.yaml").write_text(f"Globals:\n  Function:\n    Runtime: {runtime}\n")
    package = root / "CoreLayer" / "python" / "core_pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "answer.py").write_text("VALUE = 1\n")
    function = root / "ThingFunction" / "thing"
    function.mkdir(parents=True)
    (function / "__init__.py").write_text("")
    (function / "app.py").write_text("from core_pkg.answer import VALUE\n")
    return root


def flags_of(pyc: Path) -> int:
    return int.from_bytes(pyc.read_bytes()[4:8], "little")


def test_every_module_of_the_build_gets_checked_hash_bytecode(tmp_path: Path) -> None:
    build = a_build(tmp_path)
    assert len(uncompiled(build)) == 4

    assert main([str(build)]) == 0

    assert uncompiled(build) == []
    pyc = build / "CoreLayer" / "python" / "core_pkg" / "__pycache__" / f"answer.{sys.implementation.cache_tag}.pyc"
    assert flags_of(pyc) == CHECKED_HASH


def test_a_source_changed_after_the_build_is_compiled_again_not_served_stale(tmp_path: Path) -> None:
    build = a_build(tmp_path)
    assert compile_tree(build)
    module = build / "CoreLayer" / "python" / "core_pkg" / "answer.py"
    stat = module.stat()
    module.write_text("VALUE = 2\n")
    os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size and time: only the hash tells

    out = subprocess.run(
        [sys.executable, "-c", "from core_pkg.answer import VALUE; print(VALUE)"],
        env={**os.environ, "PYTHONPATH": str(module.parent.parent), "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        check=True,
    )

    assert out.stdout.strip() == "2"


def test_a_module_that_does_not_compile_fails_the_step_and_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build = a_build(tmp_path)
    broken = build / "ThingFunction" / "thing" / "broken.py"
    broken.write_text("def (:\n")

    assert main([str(build)]) == 1

    err = capsys.readouterr().err
    assert f"no bytecode for {broken}" in err
    assert "1 file(s) left uncompiled" in err


def test_another_interpreter_than_the_templates_runtime_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build = a_build(tmp_path, runtime="python3.99")

    assert main([str(build)]) == 2

    assert "the template runs python3.99" in capsys.readouterr().err
    assert uncompiled(build) != []  # nothing compiled for the wrong interpreter


def test_a_directory_sam_build_did_not_make_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path)]) == 2
    assert "run sam build first" in capsys.readouterr().err


def test_the_template_runs_one_python_the_makefile_compiles_with() -> None:
    runtimes = runtimes_of(ROOT / "template.yaml")

    assert len(runtimes) == 1
    (major, minor) = runtimes.pop()
    assert f"bin/python{major}.{minor} layers/bytecode.py" in (ROOT / "Makefile").read_text()
