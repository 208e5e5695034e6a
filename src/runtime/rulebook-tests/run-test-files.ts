import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { EvaluatorKind } from "../../engine/matcher.js";
import { formatDiagnostic } from "../../rulebook/load.js";
import type { Diagnostic, Rulebook } from "../../rulebook/model.js";
import { loadRulebooks } from "../load-rulebooks.js";
import { compareTest } from "./compare.js";
import type { TestFailure } from "./compare.js";
import { CoverageTracker, formatCoverage } from "./coverage.js";
import type { Coverage } from "./coverage.js";
import { discoverTestFiles } from "../../rulebook/discover.js";
import { formatActualActions, formatFailures, formatWarnings } from "./format.js";
import { loadTestFile } from "./load-test-file.js";
import type { RulebookTestFile } from "./model.js";
import { checkReferences } from "./references.js";
import { runTestCase } from "./run-test.js";
import { TEST_FILE_ERROR } from "./test-file-parser.js";

export interface RunTestFilesOptions {
  /** Default "compiled". */
  readonly evaluator?: EvaluatorKind;
  /** Run external actions (run_command, post) even where a test file says dry_run (the default). */
  readonly runExternal?: boolean;
  /** Also list each test's actions, what they printed, and rulebook warnings. */
  readonly verbose?: boolean;
  /** Test results, the summary and coverage. */
  readonly out: (line: string) => void;
  /** Diagnostics of invalid test files and rulebooks. */
  readonly err: (line: string) => void;
  readonly limits?: { readonly commandTimeoutMs: number; readonly httpTimeoutMs: number };
}

export interface TestCaseResult {
  readonly file: string;
  readonly name: string;
  readonly passed: boolean;
  readonly failures: readonly TestFailure[];
}

export interface RunTestFilesResult {
  readonly passed: number;
  readonly failed: number;
  /** Paths, test files or rulebooks that could not be loaded. */
  readonly invalid: number;
  readonly results: readonly TestCaseResult[];
  readonly coverage: Coverage;
  /** 0 every test passed; 1 a test failed; 2 a test file or rulebook is invalid (or none found). */
  readonly exitCode: 0 | 1 | 2;
}

/**
 * `hookbook test [paths...]`: load every test file, run each test in a fresh engine on a virtual
 * clock, compare with its expectations, and report like a test runner (promtool test rules).
 */
export async function runTestFiles(paths: readonly string[], opts: RunTestFilesOptions): Promise<RunTestFilesResult> {
  const { out, err } = opts;
  const roots = paths.length > 0 ? paths : ["."];
  const { files, missing } = await discoverTestFiles(roots);
  let invalid = missing.length;
  for (const m of missing) err(`${m}: error ${TEST_FILE_ERROR} no such file or directory`);
  if (files.length === 0 && missing.length === 0) {
    err(`no test files (*.test.yml, *.test.yaml) under ${roots.join(", ")}`);
    invalid++;
  }
  const loader = new RulebookCache(opts);
  const coverage = new CoverageTracker();
  const results: TestCaseResult[] = [];

  for (const file of files) {
    const loaded = await loadTestFile(file);
    const testFile = loaded.testFile;
    const rulebooks = testFile ? await loader.load(testFile) : undefined;
    const refProblems = testFile && rulebooks ? checkReferences(testFile, rulebooks) : [];
    for (const d of [...loaded.diagnostics, ...refProblems]) err(formatDiagnostic(d));
    if (!testFile || !rulebooks || refProblems.length > 0) {
      invalid++;
      continue;
    }
    for (const test of testFile.tests) {
      const run = await runTestCase(test, {
        rulebooks,
        vars: testFile.vars,
        dryRun: testFile.dryRun && !opts.runExternal,
        evaluator: opts.evaluator ?? "compiled",
        ...(opts.limits ? { limits: opts.limits } : {}),
      });
      coverage.record(rulebooks, run.firedRules);
      const failures = compareTest(test, run);
      const passed = failures.length === 0;
      results.push({ file, name: test.name, passed, failures });
      out(`${passed ? "ok" : "not ok"} ${file} › ${test.name}`);
      if (!passed) out(formatFailures(test, failures).join("\n"));
      if (opts.verbose) {
        out(formatActualActions(test, run).join("\n"));
        const warnings = formatWarnings(run);
        if (warnings.length > 0) out(warnings.join("\n"));
      }
    }
  }

  const passed = results.filter((r) => r.passed).length;
  const failed = results.length - passed;
  const cov = coverage.result();
  out("");
  out(`${passed} passed, ${failed} failed`);
  out(formatCoverage(cov));
  if (invalid > 0) err(`${invalid} test file(s) or path(s) could not be loaded`);
  return { passed, failed, invalid, results, coverage: cov, exitCode: invalid > 0 ? 2 : failed > 0 ? 1 : 0 };
}

/** Rulebooks loaded once per (paths, vars): vars are substituted into conditions at load time. */
class RulebookCache {
  private readonly cache = new Map<string, Promise<Rulebook[] | undefined>>();
  constructor(private readonly opts: RunTestFilesOptions) {}

  load(testFile: RulebookTestFile): Promise<Rulebook[] | undefined> {
    const key = JSON.stringify([testFile.rulebooks.map((r) => resolve(r.path)), testFile.vars]);
    let hit = this.cache.get(key);
    if (!hit) {
      hit = this.loadUncached(testFile);
      this.cache.set(key, hit);
    }
    return hit;
  }

  private async loadUncached(testFile: RulebookTestFile): Promise<Rulebook[] | undefined> {
    const problems: Diagnostic[] = [];
    for (const ref of testFile.rulebooks) {
      const exists = await stat(ref.path).then(() => true, () => false);
      if (!exists) problems.push({ ...ref.pos, severity: "error", code: TEST_FILE_ERROR, message: `rulebook ${ref.path} does not exist`, hint: "paths are relative to the test file" });
    }
    if (problems.length > 0) {
      for (const d of problems) this.opts.err(formatDiagnostic(d));
      return undefined;
    }
    const loaded = await loadRulebooks(testFile.rulebooks.map((r) => r.path), testFile.vars);
    const errors = loaded.diagnostics.filter((d) => d.severity === "error");
    for (const d of loaded.diagnostics) if (d.severity === "error" || this.opts.verbose) this.opts.err(formatDiagnostic(d));
    if (errors.length > 0) return undefined;
    if (loaded.rulebooks.length === 0) {
      const at = testFile.rulebooks[0]?.pos ?? { file: testFile.file, line: 1, col: 1 };
      this.opts.err(formatDiagnostic({ ...at, severity: "error", code: TEST_FILE_ERROR, message: "no rulebook found at the given path(s)" }));
      return undefined;
    }
    return loaded.rulebooks;
  }
}
