"""Compile a SAM build's Python to bytecode, so that a cold start on Lambda does not compile it.

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
"""

from __future__ import annotations

import argparse
import compileall
import py_compile
import re
import sys
from pathlib import Path

RUNTIME = re.compile(r"^\s*Runtime:\s*python(\d+)\.(\d+)\s*$", re.MULTILINE)


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build_dir", type=Path, help="sam build's output, e.g. .aws-sam/build")
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
