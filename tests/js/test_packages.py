"""``npm pack`` of each package gives what a user installs: the packed tarballs install into an
empty project without the workspace, import as ESM under Node, and type-check from a strict
TypeScript consumer through their ``exports`` maps."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests.support.js import JS, ensure_built, node

CONSUMER = """
import { Grounded, GroundedError, GroundedJobError, NotFoundError, type SessionView } from "@grounded/client";
import { Tracing, TracingError, wrapOpenAI } from "@grounded/tracing";
import { createAnalytics, type Context } from "@grounded/analytics";

const grounded = new Grounded({ apiKey: "sk_live_x", baseUrl: "http://localhost:3001" });
const tracing = new Tracing({ client: grounded, agentId: "agt_1", flushOnExit: false });
const sessions: AsyncIterable<SessionView> = grounded.sessions.list({ agentId: "agt_1" });
const context: Context | null = null;
const checks: unknown[] = [sessions, context, wrapOpenAI, createAnalytics, GroundedJobError, NotFoundError];
if (!(new TracingError("x") instanceof GroundedError)) throw new Error("TracingError is a GroundedError");
try {
  tracing.startTrace({});
  throw new Error("startTrace without a stitch key must throw");
} catch (error) {
  if (!(error instanceof TracingError)) throw error;
}
await tracing.shutdown();
console.log(`ok ${checks.length} ${grounded.baseUrl}`);
"""


def npm(*args: str, cwd: Path) -> str:
    executable = shutil.which("npm")
    assert executable, "npm is needed"
    done = subprocess.run([executable, *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"npm {' '.join(args)}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def test_the_packed_packages_install_import_and_type_check(tmp_path: Path) -> None:
    ensure_built()
    packs = tmp_path / "packs"
    packs.mkdir()
    packed = json.loads(npm("pack", "--workspaces", "--json", "--pack-destination", str(packs), cwd=JS))
    names = {pack["name"]: {file["path"] for file in pack["files"]} for pack in packed}
    assert set(names) == {"@grounded/client", "@grounded/tracing", "@grounded/analytics"}
    for files in names.values():
        assert {"package.json", "README.md", "dist/index.js", "dist/index.d.ts"} <= files
        assert not any(path.startswith(("test/", "dist/test")) or path.endswith(".tsbuildinfo") for path in files)

    project = tmp_path / "app"
    project.mkdir()
    (project / "package.json").write_text(json.dumps({"name": "app", "private": True, "type": "module"}))
    tarballs = sorted(str(path) for path in packs.glob("*.tgz"))
    npm("install", "--offline", "--no-audit", "--no-fund", *tarballs, cwd=project)
    (project / "main.ts").write_text(CONSUMER)
    tsc = JS / "node_modules" / "typescript" / "bin" / "tsc"
    compiled = subprocess.run(
        [
            node(),
            str(tsc),
            "--strict",
            "--target",
            "ES2022",
            "--module",
            "NodeNext",
            "--moduleResolution",
            "NodeNext",
            "--typeRoots",
            str(JS / "node_modules" / "@types"),
            "--types",
            "node",
            "--lib",
            "ES2022,DOM",
            "--skipLibCheck",
            "false",
            "main.ts",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    ran = subprocess.run([node(), "main.js"], cwd=project, capture_output=True, text=True, check=False)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "ok 6 http://localhost:3001/api"
