"""Powertools' batch processor without all of Powertools' event classes.

``aws_lambda_powertools.utilities.batch`` imports four record classes, each from its own module of
the ``data_classes`` package. Importing any module of a package first runs the package's
``__init__``, and that one imports every event class Powertools has (~40 modules, ~19 ms of an SQS
worker's cold start), where a worker uses ``SQSRecord`` alone.

Importing this module first puts a stand-in for that package in ``sys.modules``: the same path, so
its modules import as usual, and a name its ``__init__`` imports from one of them (``from .s3_event
import S3Event``) is imported from that module when first asked for. Asked for any other name, the
stand-in runs the real ``__init__`` in itself and is then the package as usual.

Every SQS worker's package imports this module (``functions/<name>/__init__.py``), which Lambda
runs before the handler's module imports the batch utility. Should the package already be
imported, or be laid out otherwise, nothing changes but the saving.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
import threading
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

PACKAGE = "aws_lambda_powertools.utilities.data_classes"
COMPLETING = threading.RLock()


class LazyPackage(ModuleType):
    """A package whose ``__init__`` only imports names from its own modules, imported one by one
    when asked for; anything else completes it by running the real ``__init__``."""

    def __init__(self, spec: ModuleSpec, origin: str, names: dict[str, str]) -> None:
        super().__init__(spec.name)
        self.__spec__ = spec
        self.__file__ = origin
        self.__path__ = list(spec.submodule_search_locations or [])
        self.__package__ = spec.name
        self.__loader__ = spec.loader
        self.__dict__["_lazy_names"] = names
        self.__dict__["_lazy_complete"] = False

    def __getattr__(self, name: str) -> Any:
        module = self.__dict__["_lazy_names"].get(name)
        if module is None:
            self._complete()
            if name not in self.__dict__:
                raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
            return self.__dict__[name]
        value = getattr(importlib.import_module(f"{self.__name__}.{module}"), name)
        setattr(self, name, value)
        return value

    def _complete(self) -> None:
        """Run the real ``__init__`` in the stand-in, once: another thread waits for it (the local
        cloud's functions share a process), and a name asked for while it runs is missing, as in
        any module being imported."""
        with COMPLETING:
            if not self.__dict__["_lazy_complete"]:
                self.__dict__["_lazy_complete"] = True
                self.__loader__.exec_module(self)  # type: ignore[union-attr]


def names_imported(source: str) -> dict[str, str]:
    """Each name an ``__init__`` imports from one of its package's modules: its module's name."""
    return {
        alias.asname or alias.name: node.module
        for node in ast.parse(source).body
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module
        for alias in node.names
    }


def defer_data_classes() -> None:
    if PACKAGE in sys.modules:
        return
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None or spec.loader is None:  # pragma: no cover - another layout
        return
    with open(spec.origin, encoding="utf-8") as source:
        names = names_imported(source.read())
    sys.modules[PACKAGE] = LazyPackage(spec, spec.origin, names)


defer_data_classes()
