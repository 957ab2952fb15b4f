"""A deployed function's init and first invocation run without the garbage collector's passes.

Importing a function (FastAPI, pydantic, Powertools, the core) and making the AWS client of its
first request (the SDK reads its service model from JSON) allocate ~100,000 objects, nearly all of
which live as long as the execution environment: a few hundred are garbage. The collector still
passes over them as they are made, ~50 times on Python 3.13 and ~170 on 3.11: about 7 % of a
cold start on 3.13 (the template's runtime) and 13 % on 3.11, measured with ``gc.callbacks`` in
fresh interpreters (``bench/cold_start.py`` prints the cold starts with and without).

So every function's package imports this module first (``functions/<name>/__init__.py``): in
Lambda (``AWS_LAMBDA_FUNCTION_NAME`` set) it turns the collector off. :func:`entry_point` wraps
each handler; its first invocation runs with the collector still off (that is where the clients
are made and the function's models built), and as it ends, what init and that invocation made is
put out of the collector's sight for good (``gc.freeze()``) and the collector turned back on, for
every invocation after. Reference counting frees memory as usual throughout; what init and the
first invocation leave in reference cycles is frozen with the rest and never freed: ~650 objects
after importing the health function and serving a request, and 6 per request after that. Outside
Lambda (the local cloud, the tests) nothing changes.

In Lambda it also puts the build's precompiled strings in use (``grounded_core/precompiled.py``)
before the function imports anything else, until the first invocation ends.
"""

from __future__ import annotations

import functools
import gc
import os
from collections.abc import Callable
from typing import Any, TypeVar

from grounded_core import precompiled

Handler = TypeVar("Handler", bound=Callable[..., Any])
IN_LAMBDA = bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))


class _Init:
    #: the collector was turned off for init, and no invocation has ended yet
    collector_off = IN_LAMBDA and gc.isenabled()
    #: the build's precompiled strings are in use (grounded_core/precompiled.py)
    precompiled = False


if _Init.collector_off:
    gc.disable()
_Init.precompiled = IN_LAMBDA and precompiled.install()


def end_of_init() -> None:
    """What init made is kept out of the collector's passes, and the collector is on again; the
    precompiled strings are let go."""
    if _Init.precompiled:
        _Init.precompiled = False
        precompiled.uninstall()
    if _Init.collector_off:
        _Init.collector_off = False
        gc.freeze()
        gc.enable()


def entry_point(handler: Handler) -> Handler:
    """``handler``, whose first invocation ends the init (:func:`end_of_init`), however it ends."""

    @functools.wraps(handler)
    def invoked(event: Any, context: Any) -> Any:
        if not (_Init.collector_off or _Init.precompiled):
            return handler(event, context)
        try:
            return handler(event, context)
        finally:
            end_of_init()

    return invoked  # type: ignore[return-value]
