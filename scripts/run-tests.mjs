#!/usr/bin/env node
// Runs every *.test.ts under the given folders (default: test/) with node's test runner and tsx.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

const roots = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const passthrough = process.argv.slice(2).filter((a) => a.startsWith("-"));

function collect(path, out) {
  const st = statSync(path);
  if (st.isFile()) {
    if (path.endsWith(".test.ts")) out.push(path);
    return out;
  }
  for (const entry of readdirSync(path).sort()) {
    if (entry === "node_modules" || entry.startsWith(".")) continue;
    collect(join(path, entry), out);
  }
  return out;
}

const files = [];
for (const root of roots.length > 0 ? roots : ["test"]) collect(root, files);
if (files.length === 0) {
  console.error("no test files found");
  process.exit(1);
}
// The spec reporter repeats every failure, with its error, after the summary, so the end of a CI log names it.
const reporter = passthrough.some((a) => a.startsWith("--test-reporter")) ? [] : ["--test-reporter=spec"];
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=2", "--test-timeout=120000", ...reporter, ...passthrough, ...files],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
