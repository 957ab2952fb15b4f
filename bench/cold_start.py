"""Cold-start import cost: how long each function's handler module takes to import in a fresh
process, next to ``import boto3`` alone (which every Lambda Python runtime pays anyway).

Grounded's models are built on first use (``ApiModel``'s ``defer_build``), so part of the cost
moves to a cold start's first request: the second column adds building every model the function
imported — more than any one request builds, so import and first request together cost at most
that much.

    .venv/bin/python bench/cold_start.py [--runs 5]

Each figure is the median of ``--runs`` fresh interpreters. The environment mimics Lambda's
(AWS_LAMBDA_FUNCTION_NAME set, so Powertools' Tracer is live as it is when deployed).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from local.template import load_template  # noqa: E402

PROBE = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
BUILD_ALL = """
import sys, time
t = time.perf_counter()
import {module}
imported = time.perf_counter() - t
model = sys.modules.get("grounded_core.model")
pending = [model.ApiModel] if model else []
while pending:
    cls = pending.pop()
    pending.extend(cls.__subclasses__())
    if not cls.__pydantic_complete__:
        cls.model_rebuild()
print(imported, time.perf_counter() - t)
"""


def import_seconds(module: str, paths: list[str], runs: int) -> tuple[float, float]:
    """Median seconds to import ``module``, and to import it and build every model it loaded."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(paths),
        "PYTHONDONTWRITEBYTECODE": "",
        "AWS_LAMBDA_FUNCTION_NAME": "bench",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    imports, built = [], []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", BUILD_ALL.format(module=module)], env=env, capture_output=True, text=True, check=True
        )
        imported, with_models = (float(value) for value in out.stdout.strip().splitlines()[-1].split())
        imports.append(imported)
        built.append(with_models)
    return statistics.median(imports), statistics.median(built)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    functions = load_template(ROOT / "template.yaml").functions()
    baseline, _ = import_seconds("boto3", [], args.runs)
    print(f"{'module':<40} {'import ms':>10} {'x boto3':>8} {'+ models ms':>12} {'x boto3':>8}")
    print(f"{'boto3 (baseline)':<40} {baseline * 1000:>10.0f} {1.0:>8.2f}")
    for source in sorted(functions.values(), key=lambda s: s.logical_id):
        paths = [str(source.code_dir), *(str(d) for d in source.layer_dirs)]
        seconds, with_models = import_seconds(source.module, paths, args.runs)
        label = f"{source.logical_id} ({source.module})"
        print(
            f"{label:<40} {seconds * 1000:>10.0f} {seconds / baseline:>8.2f}"
            f" {with_models * 1000:>12.0f} {with_models / baseline:>8.2f}"
        )
    print(f"median of {args.runs} fresh processes each; python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
