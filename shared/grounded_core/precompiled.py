"""Strings the standard library compiles as a function starts, compiled once at build time.

Making a dataclass compiles the source of its methods (``dataclasses`` writes it as text and
``exec``s it), evaluating a string annotation compiles it (``typing.ForwardRef``), and making a
named tuple compiles its ``__new__`` (``collections.namedtuple``). Importing an HTTP function does
that ~90, ~950 and ~30 times, for FastAPI's, pydantic's and Starlette's classes as much as the
core's: about a fifth of its import on Python 3.13, the same strings at every cold start, which no
``.pyc`` keeps.

``make sam-build`` records them (``layers/bytecode.py --strings-with`` imports each function of the
build with :func:`record`, in a Python of the runtime's version with the dependencies layer's packages) into
``precompiled.marshal`` in the function's code (``/var/task``). In Lambda ``grounded_core.startup``
calls :func:`install` first: those three modules' ``exec``, ``compile`` and ``eval`` then take the
code of a string the file holds from the file, and compile any other string as before. A file
written by another Python version is ignored (code objects are per version, like ``.pyc`` files).
As the first invocation ends, :func:`uninstall` gives the three modules their built-ins back and
lets the codes go.

No ``from __future__`` import here, on purpose: ``compile``, ``exec`` and ``eval`` called from this
module inherit its compiler flags, which must be those of the modules it stands in for (none) — a
dataclass's ``__init__`` would otherwise get its annotations as strings.
"""

import builtins
import importlib
import importlib.util
import marshal
import os
import sys
from collections.abc import Iterable
from types import CodeType
from typing import Any

#: the module whose built-in is taken over, and the built-in; ``dataclasses`` last, as importing it
#: makes named tuples (``inspect``'s, ``dis``'s)
HOOKED = (("collections", "eval"), ("typing", "compile"), ("dataclasses", "exec"))
#: the codes' file, in the function's code (``LAMBDA_TASK_ROOT``), as ``make sam-build`` leaves it
FILE_NAME = "precompiled.marshal"
#: names another file to read (``bench/cold_start.py``, the tests)
FILE_VARIABLE = "GROUNDED_PRECOMPILED"


class _State:
    #: ``(mode, source)``: its code
    codes: dict[tuple[str, str], CodeType] = {}
    #: the modules whose built-in compiled them (a function that makes no dataclass does not
    #: import ``dataclasses`` for this)
    modules: set[str] = set()
    #: what is compiled is kept (:func:`record`)
    recording = False


def _code(source: str, mode: str, module: str) -> CodeType:
    code = _State.codes.get((mode, source))
    if code is None:
        code = builtins.compile(source, "<string>", mode, dont_inherit=True)
        if _State.recording:
            _State.codes[(mode, source)] = code
            _State.modules.add(module)
    return code


def _caller_namespaces(globals: Any, locals: Any) -> tuple[Any, Any]:
    """What ``exec`` and ``eval`` default to: the caller's namespaces (two frames up)."""
    if globals is None:
        frame = sys._getframe(2)
        return frame.f_globals, frame.f_locals if locals is None else locals
    return globals, locals


def _exec(source: Any, globals: Any = None, locals: Any = None, /, **options: Any) -> None:
    globals, locals = _caller_namespaces(globals, locals)
    if type(source) is str and not options:
        source = _code(source, "exec", "dataclasses")
    builtins.exec(source, globals, locals, **options)


def _eval(source: Any, globals: Any = None, locals: Any = None, /) -> Any:
    globals, locals = _caller_namespaces(globals, locals)
    if type(source) is str:
        source = _code(source, "eval", "collections")
    return builtins.eval(source, globals, locals)


def _compile(
    source: Any, filename: Any, mode: str, flags: int = 0, dont_inherit: bool = False, optimize: int = -1
) -> Any:
    if type(source) is str and filename == "<string>" and not flags and optimize == -1:
        return _code(source, mode, "typing")
    return builtins.compile(source, filename, mode, flags, dont_inherit, optimize)


_HOOKS = {"exec": _exec, "compile": _compile, "eval": _eval}


def _hook(modules: Iterable[str]) -> None:
    for module, name in HOOKED:
        if module in modules:
            setattr(importlib.import_module(module), name, _HOOKS[name])


def _read(path: str) -> tuple[set[str], dict[tuple[str, str], CodeType]] | None:
    """The modules and codes of ``path``; ``None`` for a missing file or one of another Python."""
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError:
        return None
    magic = importlib.util.MAGIC_NUMBER
    if not data.startswith(magic):
        return None
    modules, codes = marshal.loads(data[len(magic) :])
    return set(modules), codes


def default_file() -> str | None:
    """The file :data:`FILE_VARIABLE` names, else the function's own."""
    task_root = os.environ.get("LAMBDA_TASK_ROOT")
    return os.environ.get(FILE_VARIABLE) or (os.path.join(task_root, FILE_NAME) if task_root else None)


def install(path: str | None = None) -> bool:
    """Take over the three built-ins with the codes of ``path`` (by default :func:`default_file`);
    ``False``, and nothing changed, without a file for this Python."""
    path = path or default_file()
    read = _read(path) if path else None
    if read is None:
        return False
    _State.modules, _State.codes = read
    _hook(_State.modules)
    return True


def uninstall() -> None:
    """The three modules' built-ins back, and the codes let go."""
    for module, name in HOOKED:
        namespace = vars(sys.modules[module]) if module in sys.modules else {}
        if namespace.get(name) is _HOOKS[name]:
            del namespace[name]
    _State.codes, _State.modules = {}, set()
    _State.recording = False


def record(path: str, modules: Iterable[str]) -> int:
    """Import ``modules`` (a function's handler module), build every model and route they
    defer, and add what was compiled on the way to ``path``'s codes; the count of codes after."""
    _State.codes, _State.modules, _State.recording = {}, set(), True
    _hook({module for module, _ in HOOKED})
    for module in modules:
        importlib.import_module(module)
    if "grounded_core.model" in sys.modules:
        sys.modules["grounded_core.model"].build_deferred_models()
    if "grounded_core.http.routes" in sys.modules:
        sys.modules["grounded_core.http.routes"].build_deferred_routes()
    recorded, used = _State.codes, _State.modules
    uninstall()
    before = _read(path) if os.path.exists(path) else None
    if before is not None:
        used, recorded = used | before[0], {**before[1], **recorded}
    with open(path, "wb") as file:
        file.write(importlib.util.MAGIC_NUMBER + marshal.dumps((tuple(sorted(used)), recorded)))
    return len(recorded)
