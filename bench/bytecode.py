"""Cold starts from source against cold starts from bytecode: what ``sam build`` alone ships, and
what ``make sam-build`` ships (``layers/bytecode.py`` compiles the build).

``sam build``'s Python builder leaves out every ``.pyc``, and Lambda's ``/var/task`` and ``/opt``
are read-only, so a function deployed from it compiles each module it imports from source at every
cold start, and cannot keep the result. This bench copies what a deployed function imports from —
the dependencies layer's packages (``layers/deps/requirements.txt`` and what they require, as
installed in this interpreter's environment: botocore too, which the layer ships because the X-Ray
SDK requires it, so it is found before the runtime's), the core layer (``shared/``) and the
function code (``functions/``) — without bytecode, and again compiled as ``layers/bytecode.py``
compiles the build. It times each function's cold path (``bench/cold_start.py``: the import and
the DynamoDB client its first request makes) from both copies in fresh interpreters that write no
bytecode, next to ``import boto3`` plus one client with its bytecode (the runtime's boto3 has it).

    .venv/bin/python bench/bytecode.py [--runs 5]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.cold_start import COLD_PATH, Measured, measure  # noqa: E402
from layers.bytecode import compile_tree, size_of  # noqa: E402
from local.template import load_template  # noqa: E402

#: an authorizer (every API request), an HTTP function and an SQS worker
FUNCTIONS = ("AuthorizerFunction", "TracesFunction", "NormalizeFunction")
NO_BYTECODE_WRITTEN = {"PYTHONDONTWRITEBYTECODE": "1"}


def layer_distributions(requirements: Path) -> list[metadata.Distribution]:
    """The installed distributions a ``pip install -r requirements`` brings: each requirement and,
    with its extras and this platform's markers, what it requires."""
    found: dict[str, metadata.Distribution] = {}
    lines = (line.split("#")[0].strip() for line in requirements.read_text().splitlines())
    pending = [(req, req.extras) for req in map(Requirement, filter(None, lines))]
    while pending:
        req, extras = pending.pop()
        name = canonicalize_name(req.name)
        if name in found:
            continue
        dist = metadata.distribution(req.name)
        found[name] = dist
        for line in dist.requires or []:
            sub = Requirement(line)
            if sub.marker is None or any(sub.marker.evaluate({"extra": extra}) for extra in ("", *extras)):
                pending.append((sub, sub.extras))
    return list(found.values())


def source_files(dist: metadata.Distribution) -> Iterator[tuple[Path, Path]]:
    """``(installed file, path in the layer)`` of a distribution's files, bytecode left out."""
    for file in dist.files or []:
        parts = Path(file).parts
        if ".." in parts or "__pycache__" in parts or file.suffix == ".pyc":
            continue
        yield Path(str(file.locate())), Path(file)


def deployed_paths(root: Path) -> list[str]:
    """The ``PYTHONPATH`` that finds a copy made by :func:`copy_deployed` in Lambda's order
    (function, then layers)."""
    return [str(root / "functions"), str(root / "core"), str(root / "deps")]


def copy_deployed(dest: Path) -> None:
    """What a deployed function imports from, as ``sam build`` lays it out, without bytecode."""
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "functions", dest / "functions", ignore=skip)
    shutil.copytree(ROOT / "shared", dest / "core", ignore=skip)
    for dist in layer_distributions(ROOT / "layers" / "deps" / "requirements.txt"):
        for installed, relative in source_files(dist):
            target = dest / "deps" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(installed, target)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    functions = load_template(ROOT / "template.yaml").functions()
    rows: list[tuple[str, Measured, Measured]] = []
    with tempfile.TemporaryDirectory(prefix="grounded-bytecode-") as scratch:
        source, compiled = Path(scratch) / "source", Path(scratch) / "compiled"
        copy_deployed(source)
        shutil.copytree(source, compiled)
        if not compile_tree(compiled):
            raise SystemExit("a module did not compile")
        modules = sum(1 for _ in source.rglob("*.py"))
        pyc_mb = size_of(compiled) / 1e6
        for logical_id in FUNCTIONS:
            probe = COLD_PATH.format(modules=functions[logical_id].module)
            from_source = measure(probe, deployed_paths(source), args.runs, sys.executable, NO_BYTECODE_WRITTEN)
            from_bytecode = measure(probe, deployed_paths(compiled), args.runs, sys.executable, NO_BYTECODE_WRITTEN)
            rows.append((f"{logical_id} ({functions[logical_id].module})", from_source, from_bytecode))
    baseline = min(base for _, *measured in rows for m in measured for base in m.baselines)
    print(f"{'':<42} {'from source':>11} {'x base':>7} {'bytecode':>9} {'x base':>7} {'saved':>6}")
    print(f"{'baseline: import boto3 + one client':<42} {'':>11} {'':>7} {baseline * 1000:>9.0f} {1.0:>7.2f}")
    for label, slow, fast in rows:
        saved = 1 - fast.cold.with_client / slow.cold.with_client
        print(
            f"{label:<42} {slow.cold.with_client * 1000:>11.0f} {slow.ratio:>7.2f}"
            f" {fast.cold.with_client * 1000:>9.0f} {fast.ratio:>7.2f} {saved:>6.0%}"
        )
    print(
        f"cold path ms (import + DynamoDB client), the fastest of {args.runs} fresh processes each, python"
        f" {sys.version.split()[0]}; x base: to the baseline runs made just before its own. {modules} modules"
        f" copied (function code, core, the dependencies layer); their bytecode is {pyc_mb:.1f} MB."
        " from source: as sam build alone ships them; bytecode: as make sam-build does"
    )


if __name__ == "__main__":
    main()
