"""Every route and every dependency of every HTTP function is ``async def``: it runs on the
invocation's own event loop. FastAPI sends a plain ``def`` to a thread pool and back, ~0.3 ms each;
with the access guard, the caller and the paging dependencies that was ~1 ms of CPU and 1-2 ms of
latency on every request (see ``grounded_core/http/app.py``)."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from local.template import load_template

ROOT = Path(__file__).resolve().parents[2]


def calls(dependant: Dependant) -> Iterator[Any]:
    """The route's endpoint and every dependency under it."""
    if dependant.call is not None:
        yield dependant.call
    for sub in dependant.dependencies:
        yield from calls(sub)


def http_functions() -> Iterator[tuple[str, Any]]:
    """Each HTTP function's module (the authorizer and the workers serve no routes)."""
    for source in load_template(ROOT / "template.yaml").functions().values():
        module = importlib.import_module(source.module)
        if getattr(module, "router", None) is not None:
            yield source.logical_id, module


def test_every_route_and_dependency_runs_on_the_event_loop() -> None:
    checked, blocking = 0, []
    for function, module in http_functions():
        app_wide = [dependency.dependency for dependency in module.app.router.dependencies]
        for route in module.router.routes:
            if not isinstance(route, APIRoute):
                continue
            for call in [*app_wide, *calls(route.dependant)]:
                checked += 1
                if not inspect.iscoroutinefunction(call):
                    name = getattr(call, "__name__", call)
                    blocking.append(f"{function} {sorted(route.methods)} {route.path}: {name}")
    assert checked > 300, checked
    assert blocking == []
