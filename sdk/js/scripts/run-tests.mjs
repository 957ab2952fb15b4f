// Runs node's test runner on every *.test.js under the folders given (portable across Node 20,
// which searches folders, and Node 22+, which takes globs).
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function tests(folder) {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return tests(path);
    return name.endsWith(".test.js") ? [path] : [];
  });
}

const files = process.argv.slice(2).flatMap(tests).sort();
if (files.length === 0) {
  console.error(`no tests under ${process.argv.slice(2).join(", ")}`);
  process.exit(1);
}
const run = spawnSync(process.execPath, ["--test", "--test-reporter=spec", ...files], { stdio: "inherit" });
process.exit(run.status ?? 1);
