"""Cold-start cost: how long each function takes, in a fresh process, to import its handler and
make the AWS client its first request makes, next to ``import boto3`` plus one client (what any
Python function that calls AWS pays; issue 19 measures against it).

The handlers make their AWS clients lazily, so the import alone leaves out the DynamoDB client
every first request makes (``grounded_core.aws.client("dynamodb")``, from botocore alone: no
function imports boto3): the "cold path" column is the import plus that, and its ratio is the
one to read. Grounded's models are built on first use (``ApiModel``'s and ``Page``'s
``defer_build``), and an HTTP function's routes when a request first has their path
(``grounded_core.http.routes``), so part of the cost moves to the first request too: the last
column adds building every model the function imported and every route it declared — more than
any one request builds (it builds its own route), so a cold start costs at most that much before
its own work.

    .venv/bin/python bench/cold_start.py [--runs 7] [--python PATH] [--own] [--no-precompiled]

``--own`` adds each HTTP function's own import, timed in a fresh process after the HTTP floor's
imports: what the function adds above its floor, in milliseconds. Not divided by a baseline, it
moves less from run to run than the ratios, so it is the figure to compare code changes by.

Two "floor" rows come first: what every function of a kind imports whatever its routes or work —
an HTTP function's FastAPI app (FastAPI, Starlette, Mangum, Powertools, the core's settings and
access guard) and an SQS worker's Powertools batch processor with the core's store — each with the
client. No function of that kind can start faster without dropping one of those libraries, so
they show how much of each function's ratio is its own.

Each figure is the fastest of ``--runs`` fresh interpreters. This VM's times move ±15-25 % from run
to run and drift over minutes, and noise only adds time. Between two runs of the bench on the same
code, a function's ratio moved by up to 0.56 with medians of 7 runs; with the fastest of 7, by 0.14
on average and at most 0.42. Read a single run's ratios to ±0.2, and compare code in alternated
runs. Every run of a function comes right after a run of the baseline, and its ratio is to the
fastest of those baseline runs, so a row's ratio can differ from its milliseconds over the overall
baseline. The environment mimics Lambda's: AWS_LAMBDA_FUNCTION_NAME set, so Powertools' Tracer is
live as it is when deployed and the garbage collector is off through init and the first invocation
(``grounded_core.startup``; ``--collector-on`` keeps it on, to see what that saves), and the plain
variables of the template's Globals. Modules are
imported from their bytecode, as a build from ``make sam-build`` ships them
(``layers/bytecode.py``); ``bench/bytecode.py`` measures what a build without it (``sam build``
alone) costs instead. Each function reads the strings it compiles as it starts from a file of
its own, recorded first for the interpreter measured, as ``make sam-build`` records a build's
(``layers/bytecode.py``, ``grounded_core/precompiled.py``); ``--no-precompiled`` compiles them at
every start, as before.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from layers.bytecode import record_function  # noqa: E402
from local.template import SamTemplate, load_template  # noqa: E402

BASELINE = """
import time
t = time.perf_counter()
import boto3
imported = time.perf_counter() - t
boto3.client("dynamodb")
print(imported, time.perf_counter() - t, time.perf_counter() - t)
"""
COLD_PATH = """
import sys, time
{before}
t = time.perf_counter()
import {modules}
imported = time.perf_counter() - t
if "grounded_core.store.table" in sys.modules:
    from grounded_core import aws
    aws.client("dynamodb")
with_client = time.perf_counter() - t
if "grounded_core.model" in sys.modules:
    sys.modules["grounded_core.model"].build_deferred_models()
if "grounded_core.http.routes" in sys.modules:
    sys.modules["grounded_core.http.routes"].build_deferred_routes()
print(imported, with_client, time.perf_counter() - t)
"""

#: ``--own``: an HTTP function's own import, timed after the imports of :data:`HTTP_FLOOR`
OWN_IMPORT = """
import time
{before}
import {floor}
t = time.perf_counter()
import {module}
print(time.perf_counter() - t)
"""

#: a request that also queues a message and stores a payload (the traces function's first) makes two
#: more clients after its first; the core's come from the first's session (its endpoint data read
#: once, the core's own copy), as boto3's come from its default session: timed after the first, in ms
MORE_CLIENTS = {
    "the core (grounded_core.aws)": "from grounded_core import aws\nmake = aws.client",
    "boto3": "import boto3\nmake = boto3.client",
}
MORE_CLIENTS_PROBE = """
import time
{make}
make("dynamodb")
t = time.perf_counter()
make("sqs"), make("s3")
print(time.perf_counter() - t)
"""


#: put before a probe's imports by ``--collector-on``: ``grounded_core.startup`` then cannot turn the
#: garbage collector off, so the probe measures a cold start as it was before that module
COLLECTOR_ON = "import gc; gc.disable = lambda: None"

#: what every HTTP function imports, whatever its routes
HTTP_FLOOR = ("grounded_core.startup", "grounded_core.http.fastapi_deferred", "grounded_core.http.app")
#: what every function of a kind imports (label: modules), measured like a function
FLOORS = {
    "floor: an HTTP function's app": HTTP_FLOOR,
    "floor: an SQS worker's batch": (
        "grounded_core.startup",
        "grounded_core.batch_deferred",
        "aws_lambda_powertools.utilities.batch",
        "grounded_core.observability",
        "grounded_core.store.table",
    ),
}


@dataclass(frozen=True)
class ColdStart:
    """Seconds of a cold start's steps (the fastest run's), each counted from the start of the import."""

    imported: float
    with_client: float
    with_models: float


@dataclass(frozen=True)
class Measured:
    """A probe's cold start and its ratios to the baseline, each run paired with a baseline run
    just before it (the VM's speed drifts over minutes; a pair shares the moment)."""

    cold: ColdStart
    ratio: float
    ratio_with_models: float
    baselines: list[float]


@dataclass(frozen=True)
class Precompiled:
    """Each probe's precompiled strings (``grounded_core.precompiled``), recorded for its modules
    in ``folder`` as ``layers/bytecode.py`` records a build's functions: a deployed function
    reads its own file."""

    folder: Path
    python: str
    off: bool = False

    def of(self, label: str, modules: Sequence[str], paths: list[str]) -> dict[str, str]:
        """The environment that points a probe of ``modules`` at its file (recorded once)."""
        if self.off:
            return {}
        file = self.folder / f"{label.replace(' ', '-').replace(':', '')}.marshal"
        if not file.exists():
            for module in modules:
                record_function(self.python, [Path(path) for path in paths], module, file)
        return {"GROUNDED_PRECOMPILED": str(file)}


@cache
def template_environment() -> dict[str, str]:
    """The plain environment variables template.yaml's Globals give every function: a deployed
    function has them."""
    return load_template(ROOT / "template.yaml").plain_global_variables()


def run_probe(
    probe: str, paths: list[str], python: str = sys.executable, env: dict[str, str] | None = None
) -> list[float]:
    """The three times ``probe`` prints, from one fresh ``python`` interpreter with the template's
    plain environment variables (``env``: more)."""
    environment = {
        **os.environ,
        **template_environment(),
        "PYTHONPATH": os.pathsep.join(paths),
        "PYTHONDONTWRITEBYTECODE": "",
        "AWS_LAMBDA_FUNCTION_NAME": "bench",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "TABLE_NAME": "bench",
        **(env or {}),
    }
    out = subprocess.run([python, "-c", probe], env=environment, capture_output=True, text=True, check=True)
    return [float(value) for value in out.stdout.strip().splitlines()[-1].split()]


def measure(probe: str, paths: list[str], runs: int, python: str, env: dict[str, str] | None = None) -> Measured:
    """``probe`` in ``runs`` fresh interpreters, each right after a fresh baseline."""
    samples, baselines = [], []
    for _ in range(runs):
        baselines.append(run_probe(BASELINE, [], python)[1])
        samples.append(run_probe(probe, paths, python, env))
    cold = ColdStart(*(min(column) for column in zip(*samples, strict=True)))
    base = min(baselines)
    return Measured(cold, ratio=cold.with_client / base, ratio_with_models=cold.with_models / base, baselines=baselines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--python",
        default=sys.executable,
        help="the interpreter to measure with: by default this one; Lambda's is python3.13, with only the"
        " dependencies layer's packages (layers/deps/requirements.txt) and boto3 installed",
    )
    parser.add_argument(
        "--own",
        action="store_true",
        help="also time each HTTP function's own import after its floor's, in fresh processes: what it"
        " adds above the floor, steadier than the ratios (an absolute figure, not divided by a noisy baseline)",
    )
    parser.add_argument(
        "--no-precompiled",
        action="store_true",
        help="compile at every start the strings make sam-build precompiles for each function"
        " (grounded_core.precompiled), to see what precompiling them saves",
    )
    parser.add_argument(
        "--collector-on",
        action="store_true",
        help="keep the garbage collector on through init and the first invocation (as it was before"
        " grounded_core.startup), to see what turning it off saves",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="precompiled-") as folder:
        run(args, Precompiled(Path(folder), args.python, off=args.no_precompiled))


def run(args: argparse.Namespace, strings: Precompiled) -> None:
    before = COLLECTOR_ON if args.collector_on else ""
    functions = load_template(ROOT / "template.yaml").functions()
    rows: list[tuple[str, Measured]] = []
    core = [str(ROOT / "shared")]
    for label, modules in FLOORS.items():
        probe = COLD_PATH.format(before=before, modules=", ".join(modules))
        rows.append((label, measure(probe, core, args.runs, args.python, strings.of(label, modules, core))))
    for source in sorted(functions.values(), key=lambda s: s.logical_id):
        paths = [str(source.code_dir), *(str(d) for d in source.layer_dirs)]
        precompiled = strings.of(source.logical_id, [source.module], paths)
        measured = measure(
            COLD_PATH.format(before=before, modules=source.module), paths, args.runs, args.python, precompiled
        )
        rows.append((f"{source.logical_id} ({source.module})", measured))
    baseline = min(base for _, measured in rows for base in measured.baselines)
    print(f"{'':<40} {'import':>7} {'cold path':>10} {'x base':>7} {'+ models':>9} {'x base':>7}")
    print(f"{'baseline: import boto3 + one client':<40} {'':>7} {baseline * 1000:>10.0f} {1.0:>7.2f}")
    for label, measured in rows:
        cold = measured.cold
        print(
            f"{label:<40} {cold.imported * 1000:>7.0f} {cold.with_client * 1000:>10.0f} {measured.ratio:>7.2f}"
            f" {cold.with_models * 1000:>9.0f} {measured.ratio_with_models:>7.2f}"
        )
    if args.own:
        print_own_imports(load_template(ROOT / "template.yaml"), before, args.runs, args.python, strings)
    print_more_clients(core, args.runs, args.python)
    print(
        f"ms, the fastest of {args.runs} fresh processes each; {version_of(args.python)};"
        f" the garbage collector {'on' if args.collector_on else 'off'} through init and the first invocation."
        " cold path: the import and the DynamoDB client its first request makes; + models: and every model"
        " it imported and every route it declared built. x base: to the baseline runs made just before its own."
        + (
            " Strings compiled at every start (--no-precompiled)."
            if args.no_precompiled
            else " The strings each function compiles as it starts precompiled, as make sam-build does."
        )
    )


def print_own_imports(template: SamTemplate, before: str, runs: int, python: str, strings: Precompiled) -> None:
    """Each HTTP function's own import: its module imported after the HTTP floor's, fastest of
    ``runs`` fresh processes (every function routed by the API imports that floor)."""
    routed = {route.function_id for route in template.http_routes()}
    floor = ", ".join(HTTP_FLOOR)
    print("\nown import of each HTTP function, after its floor's (ms):")
    for source in sorted(template.functions().values(), key=lambda s: s.logical_id):
        if source.logical_id not in routed:
            continue
        paths = [str(source.code_dir), *(str(d) for d in source.layer_dirs)]
        probe = OWN_IMPORT.format(before=before, floor=floor, module=source.module)
        precompiled = strings.of(source.logical_id, [source.module], paths)
        fastest = min(run_probe(probe, paths, python, precompiled)[0] for _ in range(runs))
        print(f"  {source.logical_id:<38} {fastest * 1000:>7.1f}")


def print_more_clients(core: list[str], runs: int, python: str) -> None:
    """The SQS and S3 clients made after the DynamoDB one, by the core and by boto3, fastest of
    ``runs`` fresh processes each."""
    print("\ntwo more clients (SQS, S3) after the first (ms):")
    for label, make in MORE_CLIENTS.items():
        fastest = min(run_probe(MORE_CLIENTS_PROBE.format(make=make), core, python)[0] for _ in range(runs))
        print(f"  {label:<38} {fastest * 1000:>7.1f}")


def version_of(python: str) -> str:
    return subprocess.run([python, "--version"], capture_output=True, text=True, check=True).stdout.strip()


if __name__ == "__main__":
    main()
