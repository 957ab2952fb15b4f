"""Compile at build time what a cold start on Lambda would compile: a SAM build's Python to
bytecode, and the strings its functions compile as they start.

``sam build``'s Python builder leaves every ``.pyc`` and ``__pycache__`` out of what it copies
and installs, and Lambda's ``/var/task`` and ``/opt`` are read-only: without this step every cold
start compiles each module it imports from source (FastAPI, pydantic, Powertools, the botocore the
dependencies layer brings, and Grounded's core) and cannot keep the result. ``bench/bytecode.py``
measures the difference.

    python3.13 layers/bytecode.py .aws-sam/build

Run it with the interpreter of the template's ``Runtime`` (bytecode is per minor version; it
refuses another). The files are checked-hash ``.pyc`` (PEP 552): they do not depend on the source
files' timestamps, which ``sam deploy``'s zip files do not keep, and a source file changed after
the build is compiled again rather than served stale. Every ``.py`` under the directory gets one:
one that does not compile, or is left without one, fails the step and is named. Standard library
only: it runs under a bare python3.13.

With ``--strings-with PYTHON`` it first records, for each function of the build, the strings
``dataclasses``, ``typing`` and ``collections`` compile as it starts, with their code, into
``precompiled.marshal`` in the function's code (Lambda's ``/var/task``; read by
``grounded_core/precompiled.py``): each function is imported by ``PYTHON`` in a fresh interpreter
with ``grounded_core.precompiled.record`` (its models and routes built too, as a first request
would). ``PYTHON`` is the runtime's version with the dependencies layer's packages installed
(``make sam-build`` makes one, ``.venv-lambda``): the build's own packages are compiled for
Lambda's arm64, and the strings depend on the packages' versions, not on the architecture.

    python3.13 layers/bytecode.py .aws-sam/build --strings-with .venv-lambda/bin/python
"""

from __future__ import annotations

import argparse
import compileall
import os
import py_compile
import re
import subprocess
import sys
from pathlib import Path

RUNTIME = re.compile(r"^\s*Runtime:\s*python(\d+)\.(\d+)\s*$", re.MULTILINE)
RESOURCE = re.compile(r"^  (\w+):\s*$")
HANDLER = re.compile(r"^      Handler:\s*([\w.]+)\.\w+\s*$")
CORE_LAYER = "CoreLayer"
#: as grounded_core.precompiled.FILE_NAME (this script imports nothing of the core)
STRINGS_FILE = "precompiled.marshal"
RECORD = "import sys\nfrom grounded_core import precompiled\nprint(precompiled.record(sys.argv[1], sys.argv[2:]))\n"


def runtimes_of(template: Path) -> set[tuple[int, int]]:
    """The Python versions (major, minor) the template's functions run on."""
    return {(int(major), int(minor)) for major, minor in RUNTIME.findall(template.read_text())}


def compile_tree(root: Path) -> bool:
    """Every ``.py`` under ``root`` compiled to checked-hash bytecode; ``False`` if one did not compile."""
    return bool(
        compileall.compile_dir(
            root,
            quiet=1,
            force=True,
            workers=0,
            invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH,
        )
    )


def uncompiled(root: Path, cache_tag: str | None = None) -> list[Path]:
    """The ``.py`` files under ``root`` with no bytecode for ``cache_tag`` (this interpreter's)."""
    tag = cache_tag or sys.implementation.cache_tag
    return [
        path
        for path in sorted(root.rglob("*.py"))
        if not (path.parent / "__pycache__" / f"{path.stem}.{tag}.pyc").is_file()
    ]


def size_of(root: Path) -> int:
    return sum(path.stat().st_size for path in root.rglob("*.pyc"))


def handlers_of(template: str) -> dict[str, str]:
    """Each function's logical id: its handler's module (the template as ``sam build`` writes it:
    a resource's name indented by two spaces, its properties by six)."""
    handlers: dict[str, str] = {}
    resource = None
    for line in template.splitlines():
        if named := RESOURCE.match(line):
            resource = named.group(1)
        elif resource and (handler := HANDLER.match(line)):
            handlers[resource] = handler.group(1)
    return handlers


def record_function(python: str, code_dirs: list[Path], module: str, out: Path) -> int:
    """``module`` imported by ``python`` with ``code_dirs`` on its path, its strings added to ``out``."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(path) for path in code_dirs),
        "PYTHONDONTWRITEBYTECODE": "1",
        "AWS_REGION": os.environ.get("AWS_REGION", "us-east-1"),
        "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        "PYDANTIC_DISABLE_PLUGINS": "__all__",
        "AWS_LAMBDA_FUNCTION_NAME": "precompile",  # imported as in Lambda (Powertools' tracer live)
    }
    for variable in ("LAMBDA_TASK_ROOT", "GROUNDED_PRECOMPILED"):
        env.pop(variable, None)  # what is recorded is compiled, not read from a file already there
    command = [python, "-c", RECORD, str(out), module]
    run = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if run.returncode != 0:
        raise RuntimeError(f"importing {module} failed:\n{run.stderr[-3000:]}")
    return int(run.stdout.split()[-1])


def record_strings(build: Path, template: str, python: str) -> str:
    """Each function's strings recorded into its code; what was recorded, said in a line.
    Raises ``RuntimeError`` naming a function that does not import."""
    handlers = handlers_of(template)
    if not handlers:
        raise RuntimeError("no function found in the template")
    counts, size = [], 0
    core = build / CORE_LAYER / "python"
    for logical_id, module in sorted(handlers.items()):
        out = build / logical_id / STRINGS_FILE
        out.unlink(missing_ok=True)
        try:
            counts.append(record_function(python, [build / logical_id, core], module, out))
        except RuntimeError as error:
            raise RuntimeError(f"{logical_id}: {error}") from None
        size += out.stat().st_size
    return (
        f"precompiled: {sum(counts)} strings for {len(handlers)} functions ({min(counts)}-{max(counts)} each,"
        f" {size / 1e6:.1f} MB), each in its {STRINGS_FILE}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build_dir", type=Path, help="sam build's output, e.g. .aws-sam/build")
    parser.add_argument(
        "--strings-with",
        metavar="PYTHON",
        help="first record each function's precompiled strings, importing it with PYTHON (the runtime's"
        " version, with the dependencies layer's packages)",
    )
    args = parser.parse_args(argv)
    build: Path = args.build_dir
    template = build / "template.yaml"
    if not template.is_file():
        print(f"{template} not found: run sam build first", file=sys.stderr)
        return 2
    wanted = runtimes_of(template)
    here = sys.version_info[:2]
    if wanted != {here}:
        names = ", ".join(f"python{major}.{minor}" for major, minor in sorted(wanted)) or "no Python runtime"
        print(f"the template runs {names}; this is python{here[0]}.{here[1]}: run it with that one", file=sys.stderr)
        return 2
    if args.strings_with:
        try:
            print(record_strings(build, template.read_text(), args.strings_with))
        except RuntimeError as error:
            print(error, file=sys.stderr)
            return 1
    compiled = compile_tree(build)
    missing = uncompiled(build)
    for path in missing[:20]:
        print(f"no bytecode for {path}", file=sys.stderr)
    if not compiled or missing:
        print(f"{len(missing)} file(s) left uncompiled under {build}", file=sys.stderr)
        return 1
    modules = sum(1 for _ in build.rglob("*.py"))
    print(f"bytecode: {modules} modules compiled under {build} ({size_of(build) / 1e6:.1f} MB of .pyc)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
