"""The async client's resources are generated from the sync ones (issue 14): same methods, same
parameters and return types, every call a coroutine — and the generated file is current."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

from grounded import _async_resources, resources

ROOT = Path(__file__).resolve().parents[2]


def resource_classes() -> list[tuple[type, type]]:
    pairs = []
    for name, sync in vars(resources).items():
        if inspect.isclass(sync) and issubclass(sync, resources._Resource) and sync is not resources._Resource:
            pairs.append((sync, getattr(_async_resources, f"Async{name}")))
    return pairs


def test_the_generated_async_resources_are_current() -> None:
    script = ROOT / "sdk" / "python" / "scripts" / "generate_async.py"
    checked = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr


def test_every_sync_method_has_an_async_twin_with_the_same_signature() -> None:
    assert len(resource_classes()) >= 12
    for sync, async_ in resource_classes():
        for name, method in vars(sync).items():
            if name.startswith("_") or not callable(method):
                continue
            twin = getattr(async_, name)
            assert inspect.signature(twin).parameters.keys() == inspect.signature(method).parameters.keys(), name
            if name == "iter":
                assert not inspect.iscoroutinefunction(twin)
                continue
            assert inspect.iscoroutinefunction(twin), f"{async_.__name__}.{name}"
            assert not inspect.iscoroutinefunction(method), f"{sync.__name__}.{name}"
