"""A deployed function's init and first invocation run without the garbage collector's passes
(``grounded_core.startup``); outside Lambda nothing changes. Each check runs in a fresh
interpreter, as a cold start does."""

from __future__ import annotations

import ast
from pathlib import Path

from local.template import load_template
from tests.unit.test_cold_start_imports import printed_by

ROOT = Path(__file__).resolve().parents[2]
IN_LAMBDA = {"AWS_LAMBDA_FUNCTION_NAME": "startup-test"}
OUTSIDE = {"AWS_LAMBDA_FUNCTION_NAME": None}

WRAPPED = """
import gc
from grounded_core.startup import entry_point
print(gc.isenabled())

@entry_point
def handler(event, context):
    if event == "fail":
        raise RuntimeError("the first invocation failed")
    return gc.isenabled()

try:
    print(handler({first!r}, None))
except RuntimeError:
    print("raised")
print(gc.isenabled(), gc.get_freeze_count() > 0, handler("again", None))
"""


def test_in_lambda_the_collector_is_off_until_the_first_invocation_ends() -> None:
    before, first, after, frozen, second = printed_by(WRAPPED.format(first="first"), IN_LAMBDA)
    assert (before, first) == ("False", "False")  # init and the first invocation
    assert (after, frozen, second) == ("True", "True", "True")  # init's objects frozen, then on


def test_a_first_invocation_that_fails_still_turns_the_collector_back_on() -> None:
    before, first, after, frozen, second = printed_by(WRAPPED.format(first="fail"), IN_LAMBDA)
    assert (before, first) == ("False", "raised")
    assert (after, frozen, second) == ("True", "True", "True")


def test_outside_lambda_the_collector_is_left_alone() -> None:
    """The local cloud and the tests import the functions in long-lived processes."""
    before, first, after, frozen, second = printed_by(WRAPPED.format(first="first"), OUTSIDE)
    assert (before, first, after, frozen, second) == ("True", "True", "True", "False", "True")


def test_every_function_turns_the_collector_off_before_anything_else() -> None:
    for package in sorted((ROOT / "functions").glob("*/__init__.py")):
        first = ast.parse(package.read_text()).body[0]
        assert isinstance(first, ast.Import), package
        assert [alias.name for alias in first.names] == ["grounded_core.startup"], package


def test_every_deployed_handler_ends_the_init_with_its_first_invocation() -> None:
    """Each handler the template names is wrapped by ``entry_point``; importing all of them leaves
    the collector off (no module turns it back on during init)."""
    handlers = sorted({resource.handler for resource in load_template(ROOT / "template.yaml").functions().values()})
    assert len(handlers) > 20
    code = "import gc, importlib\nfrom grounded_core.startup import entry_point\n"
    code += "wrapper = entry_point(print).__code__\n"
    for handler in handlers:
        module, attribute = handler.rsplit(".", 1)
        code += f"print({handler!r}, getattr(importlib.import_module({module!r}), {attribute!r}).__code__ is wrapper)\n"
    code += "print('collector-on', gc.isenabled())\n"
    printed = printed_by(code, IN_LAMBDA)
    assert printed[-2:] == ["collector-on", "False"]
    unwrapped = [name for name, wrapped in zip(printed[:-2:2], printed[1:-2:2], strict=True) if wrapped != "True"]
    assert unwrapped == []
