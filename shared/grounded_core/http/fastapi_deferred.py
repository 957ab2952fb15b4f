"""FastAPI imported with its own pydantic models built on first use, as Grounded's are.

Importing FastAPI builds the ~35 pydantic models of its OpenAPI document and its error models:
40-70 ms of every HTTP function's cold start, for models a function never uses (the deployed
OpenAPI document is a committed file, ``functions/docs/openapi.json``). Importing this module
first imports FastAPI with pydantic's ``defer_build`` on by default, so those models are built if
and when something validates or serializes with them (composing the document does, and works the
same). Three of them FastAPI rebuilds explicitly as it is imported (its recursive ``Schema``,
``Operation`` and ``Encoding``), so they are built all the same.

Every HTTP function's package imports this module (``functions/<name>/__init__.py``), which
Lambda runs before the handler's module imports FastAPI. Models defined afterwards, Grounded's
included, are untouched: the default is put back at once. Should pydantic move its defaults, or
FastAPI already be imported, nothing changes but the saving.
"""

from __future__ import annotations

import sys


def import_fastapi_deferred() -> None:
    if "fastapi" in sys.modules:
        return
    try:
        from pydantic._internal._config import config_defaults
    except ImportError:  # pragma: no cover - another pydantic layout: FastAPI is imported as usual
        return
    default = config_defaults["defer_build"]
    config_defaults["defer_build"] = True
    try:
        import fastapi  # noqa: F401
    finally:
        config_defaults["defer_build"] = default


import_fastapi_deferred()
