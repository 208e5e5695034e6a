// The numbered examples (examples/NN_name/) are the engine's conformance suite: each folder has a
// rulebook, a `hookbook test` file and a README (reference: eda-rulebook-semantics.md §7.3/§7.4).
// Runs them in-process through runTestFiles with both evaluators; every test must pass.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";
import { runTestFiles } from "../../src/runtime/rulebook-tests/run-test-files.js";

const repo = resolve(import.meta.dirname, "../..");
const examplesDir = join(repo, "examples");
const SCHEMA_LINE = "# yaml-language-server: $schema=../../src/rulebook/schema/rulebook.schema.json";

/** examples/NN_name folders (not examples/receiver, examples/walkthrough). */
const folders = readdirSync(examplesDir)
  .filter((name) => /^\d{2}_[a-z0-9_]+$/.test(name) && statSync(join(examplesDir, name)).isDirectory())
  .sort();

describe("examples/ conformance suite", () => {
  test("there are numbered example folders, numbered 01.. without gaps or duplicates", () => {
    assert.ok(folders.length >= 45, `expected at least 45 example folders, found ${folders.length}`);
    assert.deepEqual(
      folders.map((f) => Number(f.slice(0, 2))),
      folders.map((_, i) => i + 1),
      `folders: ${folders.join(", ")}`,
    );
  });

  test("each folder has rulebook.yml (with the schema line), rulebook.test.yml and README.md", () => {
    for (const f of folders) {
      for (const file of ["rulebook.yml", "rulebook.test.yml", "README.md"]) {
        assert.ok(existsSync(join(examplesDir, f, file)), `${f}/${file} is missing`);
      }
      const firstLine = readFileSync(join(examplesDir, f, "rulebook.yml"), "utf8").split("\n")[0];
      assert.equal(firstLine, SCHEMA_LINE, `${f}/rulebook.yml first line`);
      assert.match(readFileSync(join(examplesDir, f, "rulebook.test.yml"), "utf8"), /^rulebook: rulebook\.yml$/m, `${f}/rulebook.test.yml`);
    }
  });

  test("examples/README.md lists every example folder", () => {
    const index = readFileSync(join(examplesDir, "README.md"), "utf8");
    for (const f of folders) assert.ok(index.includes(`[${f}](${f}/)`), `examples/README.md does not list ${f}`);
  });

  for (const evaluator of ["compiled", "json-rules-engine"] as const) {
    test(`every example test passes (${evaluator} evaluator)`, async () => {
      const lines: string[] = [];
      const result = await runTestFiles([examplesDir], {
        evaluator,
        out: (line) => void lines.push(line),
        err: (line) => void lines.push(`[err] ${line}`),
      });
      const report = lines.join("\n");
      assert.equal(result.invalid, 0, `invalid test files or rulebooks:\n${report}`);
      assert.equal(result.failed, 0, `failing example tests:\n${report}`);
      assert.equal(result.exitCode, 0, report);
      // Every folder contributes at least one passing test, so this cannot pass vacuously.
      assert.ok(result.passed >= folders.length, `only ${result.passed} tests passed for ${folders.length} example folders:\n${report}`);
      const filesWithResults = new Set(result.results.map((r) => resolve(r.file)));
      for (const f of folders) {
        assert.ok(filesWithResults.has(join(examplesDir, f, "rulebook.test.yml")), `no test ran for ${f}:\n${report}`);
      }
    });
  }
});
