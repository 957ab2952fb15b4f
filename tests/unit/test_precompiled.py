"""A deployed function reads the strings it compiles as it starts (dataclasses' methods, string
annotations, named tuples) from the file ``make sam-build`` records for it
(``grounded_core/precompiled.py``, ``layers/bytecode.py --strings-with``), gets the same classes as when it
compiles them, and gives the built-ins back after its first invocation. Each check runs in a fresh
interpreter, as a cold start does."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from layers import bytecode
from tests.unit.test_cold_start_imports import printed_by

ROOT = Path(__file__).resolve().parents[2]
IN_LAMBDA = {"AWS_LAMBDA_FUNCTION_NAME": "precompiled-test"}

RECORD = "from grounded_core import precompiled\nprint(precompiled.record({path!r}, [{module!r}]))\n"

#: counts the strings compiled by ``dataclasses``, ``typing`` and ``collections`` (or by
#: ``grounded_core.precompiled`` for them): the compiling this module takes away
COUNTING = """
import builtins, sys
COMPILING = {"dataclasses", "typing", "collections", "grounded_core.precompiled"}
compiled = []
def counting(real):
    def call(source, *args, **kwargs):
        if type(source) is str and sys._getframe(1).f_globals.get("__name__") in COMPILING:
            compiled.append(source)
        return real(source, *args, **kwargs)
    return call
builtins.compile, builtins.exec, builtins.eval = map(counting, (builtins.compile, builtins.exec, builtins.eval))
"""


def recorded(tmp_path: Path, module: str) -> Path:
    path = tmp_path / f"{module}.marshal"
    (count,) = printed_by(RECORD.format(path=str(path), module=module))
    assert int(count) > 100  # FastAPI's, pydantic's and the core's classes
    return path


def test_a_function_compiles_none_of_the_strings_it_recorded(tmp_path: Path) -> None:
    path = recorded(tmp_path, "traces.app")
    code = COUNTING + (
        "import traces.app\n"
        "from grounded_core import model, startup\n"
        "from grounded_core.http import routes\n"
        "model.build_deferred_models()\n"
        "routes.build_deferred_routes()\n"
        "print(startup._Init.precompiled, len(compiled))\n"
    )
    assert printed_by(code, {**IN_LAMBDA, "GROUNDED_PRECOMPILED": str(path)}) == ["True", "0"]
    installed, compiled = printed_by(code, {**IN_LAMBDA, "GROUNDED_PRECOMPILED": str(tmp_path / "none")})
    assert installed == "False"
    assert int(compiled) > 100  # what the file saves


def test_the_classes_are_the_same_as_when_their_strings_are_compiled(tmp_path: Path) -> None:
    """The codes are compiled with no inherited flags, as the standard library compiles them (the
    recording module's ``from __future__ import annotations`` would make a dataclass's ``__init__``
    hold its annotations as strings)."""
    path = recorded(tmp_path, "traces.app")
    code = (
        "import __future__, traces.app\n"
        "from grounded_core.store.conditions import Update\n"
        "from grounded_core.ingest.models import TraceIn\n"
        "init = Update.__init__\n"
        "print(not init.__code__.co_flags & __future__.annotations.compiler_flag)\n"
        "print(sorted(init.__annotations__), init.__code__.co_code.hex(), init.__code__.co_flags)\n"
        "trace = {'agentId': 'a', 'sessionId': 's', 'startedAt': '2026-12-03T10:00:00Z', 'spans': []}\n"
        "print(TraceIn.model_validate(trace).agent_id)\n"
    )
    with_file = printed_by(code, {**IN_LAMBDA, "GROUNDED_PRECOMPILED": str(path)})
    assert with_file[0] == "True"  # no annotations flag
    assert with_file == printed_by(code, IN_LAMBDA)


def test_a_string_the_file_does_not_hold_is_compiled_as_before(tmp_path: Path) -> None:
    path = recorded(tmp_path, "health.app")
    code = (
        "import health.app\n"
        "import dataclasses, typing, collections\n"
        "@dataclasses.dataclass(frozen=True)\n"
        "class Unheard:\n"
        "    never_recorded_field: int = 3\n"
        "Pair = collections.namedtuple('Pair', ['never_recorded_left', 'never_recorded_right'])\n"
        "print(Unheard() == Unheard(3), Pair(1, 2).never_recorded_right)\n"
        "print(typing.ForwardRef('dict[str, never_recorded]')._evaluate({'never_recorded': int}, None,"
        " recursive_guard=frozenset()))\n"
    )
    assert printed_by(code, {**IN_LAMBDA, "GROUNDED_PRECOMPILED": str(path)}) == ["True", "2", "dict[str,", "int]"]


def test_the_first_invocation_gives_the_built_ins_back(tmp_path: Path) -> None:
    path = recorded(tmp_path, "health.app")
    code = (
        "import dataclasses, typing, collections\n"
        "import health.app\n"
        "from grounded_core.startup import entry_point\n"
        "taken = lambda: [name in vars(m) for m, name in ((dataclasses, 'exec'), (typing, 'compile'),"
        " (collections, 'eval'))]\n"
        "print(*taken())\n"
        "entry_point(lambda event, context: None)({}, None)\n"
        "print(*taken())\n"
    )
    printed = printed_by(code, {**IN_LAMBDA, "GROUNDED_PRECOMPILED": str(path)})
    assert printed[:3] == ["True", "True", "True"]  # through init
    assert printed[3:] == ["False", "False", "False"]  # after the first invocation


def test_a_file_of_another_python_or_outside_lambda_is_not_read(tmp_path: Path) -> None:
    path = recorded(tmp_path, "health.app")
    other = tmp_path / "other.marshal"
    other.write_bytes(b"\x00\x00\r\n" + path.read_bytes()[4:])  # another version's magic number
    code = (
        "import dataclasses, health.app\n"
        "from grounded_core import startup\n"
        "print(startup._Init.precompiled, 'exec' in vars(dataclasses))\n"
    )
    assert printed_by(code, {**IN_LAMBDA, "GROUNDED_PRECOMPILED": str(other)}) == ["False", "False"]
    outside = {"AWS_LAMBDA_FUNCTION_NAME": None, "GROUNDED_PRECOMPILED": str(path)}
    assert printed_by(code, outside) == ["False", "False"]  # the local cloud and the tests


def fake_build(tmp_path: Path, handlers: dict[str, str]) -> Path:
    """A SAM build of the health function under ``handlers``' logical ids, for this interpreter."""
    build = tmp_path / "build"
    resources = "".join(
        f"  {logical_id}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: {handler}\n"
        for logical_id, handler in handlers.items()
    )
    version = "{}.{}".format(*sys.version_info[:2])
    shutil.copytree(ROOT / "shared", build / "CoreLayer" / "python", ignore=shutil.ignore_patterns("__pycache__"))
    for logical_id in handlers:
        shutil.copytree(ROOT / "functions" / "health", build / logical_id / "health")
    (build / "template.yaml").write_text(
        f"Globals:\n  Function:\n    Runtime: python{version}\nResources:\n{resources}"
    )
    return build


def build_step(build: Path) -> int:
    return bytecode.main([str(build), "--strings-with", sys.executable])


def test_the_build_step_records_each_function_in_its_own_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build = fake_build(tmp_path, {"HealthFunction": "health.app.handler", "OtherFunction": "health.app.handler"})
    assert build_step(build) == 0
    assert "for 2 functions" in capsys.readouterr().out
    for logical_id in ("HealthFunction", "OtherFunction"):
        file = build / logical_id / "precompiled.marshal"
        (installed,) = printed_by(f"from grounded_core import precompiled\nprint(precompiled.install({str(file)!r}))\n")
        assert installed == "True"
    assert bytecode.uncompiled(build) == []  # then compiled to bytecode, as without strings


def test_the_build_step_names_a_function_that_does_not_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build = fake_build(tmp_path, {"HealthFunction": "health.app.handler", "BrokenFunction": "health.missing.handler"})
    assert build_step(build) == 1
    err = capsys.readouterr().err
    assert "BrokenFunction" in err
    assert "health.missing" in err
