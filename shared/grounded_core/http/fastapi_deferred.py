"""FastAPI imported with its own pydantic models built on first use, as Grounded's are.

Importing FastAPI builds the ~35 pydantic models of its OpenAPI document and its error models:
40-70 ms of every HTTP function's cold start, for models a function never uses (the deployed
OpenAPI document is a committed file, ``functions/docs/openapi.json``). Importing this module
first imports FastAPI with pydantic's ``defer_build`` on by default, so those models are built if
and when something validates or serializes with them (composing the document does, and works the
same). FastAPI also rebuilds three of them explicitly as it is imported (its recursive
``Schema``, ``Operation`` and ``Encoding``), which would build most of the document's models at
once (~14 ms): those calls are left out too, so the three are built on first use like the rest,
with their forward references resolved then, in their module.

Every HTTP function's package imports this module (``functions/<name>/__init__.py``), which
Lambda runs before the handler's module imports FastAPI. Models defined afterwards, Grounded's
included, are untouched: the default is put back at once. Should pydantic move its defaults, or
FastAPI already be imported, nothing changes but the saving.
"""

from __future__ import annotations

import sys
from typing import Any

#: the module whose explicit ``model_rebuild()`` calls are left for first use
OPENAPI_MODELS = "fastapi.openapi.models"


def import_fastapi_deferred() -> None:
    if "fastapi" in sys.modules:
        return
    try:
        from pydantic import BaseModel
        from pydantic._internal._config import config_defaults
    except ImportError:  # pragma: no cover - another pydantic layout: FastAPI is imported as usual
        return
    default = config_defaults["defer_build"]
    rebuild = BaseModel.__dict__["model_rebuild"]
    config_defaults["defer_build"] = True
    BaseModel.model_rebuild = classmethod(_rebuild_unless_openapi(rebuild.__func__))  # type: ignore[method-assign,assignment]
    try:
        import fastapi  # noqa: F401
    finally:
        config_defaults["defer_build"] = default
        BaseModel.model_rebuild = rebuild  # type: ignore[method-assign]


def _rebuild_unless_openapi(rebuild: Any) -> Any:
    """``BaseModel.model_rebuild`` that ignores the calls FastAPI's OpenAPI module makes itself;
    any other (pydantic's own build on first use included) goes on, from its caller's namespace."""

    def model_rebuild(cls: Any, *, _parent_namespace_depth: int = 2, **kwargs: Any) -> Any:
        if sys._getframe(1).f_globals.get("__name__") == OPENAPI_MODELS:
            return None
        return rebuild(cls, _parent_namespace_depth=_parent_namespace_depth + 1, **kwargs)

    return model_rebuild


import_fastapi_deferred()
