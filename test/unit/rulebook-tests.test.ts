import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { Rulebook } from "../../src/rulebook/model.js";
import { loadRulebookText } from "../../src/rulebook/load.js";
import { compareTest } from "../../src/runtime/rulebook-tests/compare.js";
import type { ActualAction, TestRun } from "../../src/runtime/rulebook-tests/compare.js";
import { CoverageTracker, formatCoverage } from "../../src/runtime/rulebook-tests/coverage.js";
import { diffLists, renderDiff } from "../../src/runtime/rulebook-tests/diff.js";
import { formatFailures, formatOffset } from "../../src/runtime/rulebook-tests/format.js";
import { parseTestFile } from "../../src/runtime/rulebook-tests/load-test-file.js";
import type { RulebookTestCase } from "../../src/runtime/rulebook-tests/model.js";
import { checkReferences } from "../../src/runtime/rulebook-tests/references.js";
import { runTestFiles } from "../../src/runtime/rulebook-tests/run-test-files.js";
import type { RunTestFilesOptions } from "../../src/runtime/rulebook-tests/run-test-files.js";
import { formatMismatch, subsetMismatches } from "../../src/runtime/rulebook-tests/subset-match.js";

const RULEBOOK = `- name: rs
  hosts: all
  sources:
    - name: src
      hookbook.webhook: {}
  rules:
    - name: hot
      condition: event.temp > vars.limit
      throttle: {once_within: 5 minutes, group_by_attributes: [event.host]}
      actions:
        - debug: {msg: "hot {{ event.host }}"}
        - run_command: {command: ${JSON.stringify(process.execPath)}, args: [-e, "process.exit(0)"]}
    - name: either
      condition:
        any:
          - event.kind == "a"
          - event.kind == "b"
      action: {print_event: {}}
    - name: quiet
      condition: event.kind == "q"
      action: {none: {}}
    - name: off
      enabled: false
      condition: event.kind == "off"
      action: {none: {}}
`;

function tempDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "hb-rbtest-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const memIo = (files: Record<string, string>) => ({
  readText: async (path: string) => {
    const text = files[path];
    if (text === undefined) throw new Error("ENOENT");
    return text;
  },
});

async function parse(text: string, files: Record<string, string> = {}) {
  return parseTestFile("t/x.test.yml", text, memIo(files));
}

function rulebook(): Rulebook {
  const r = loadRulebookText("rb.yml", RULEBOOK, { vars: { limit: 80 } });
  assert.ok(r.rulebook, JSON.stringify(r.diagnostics));
  return r.rulebook;
}

async function run(paths: string[], extra: Partial<RunTestFilesOptions> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const result = await runTestFiles(paths, { out: (l) => void out.push(l), err: (l) => void err.push(l), ...extra });
  return { result, out: out.join("\n"), err: err.join("\n") };
}

describe("test file loading and validation", () => {
  test("a valid file: defaults, aliases, inline events and $advance", async () => {
    const r = await parse(`rulebook: ../rb.yml
tests:
  - name: one
    input:
      - &hot {host: n1, temp: 90}
      - $advance: 11 minutes
      - *hot
    expect_actions:
      - rs::hot::debug
      - action: rs::hot::run_command
        status: dry_run
        matching_events: {m: {host: n1}}
`);
    assert.deepEqual(r.diagnostics, []);
    const f = r.testFile!;
    assert.equal(f.dryRun, true);
    assert.deepEqual(f.rulebooks.map((x) => x.path), ["rb.yml"]);
    const t = f.tests[0]!;
    assert.equal(t.startMs, Date.parse("2026-01-01T00:00:00Z"));
    assert.deepEqual(t.input.map((i) => i.line.kind), ["event", "advance", "event"]);
    assert.deepEqual(t.input[1]!.line, { kind: "advance", ms: 660_000, line: 6 });
    assert.deepEqual((t.input[2]!.line as { event: unknown }).event, { host: "n1", temp: 90 });
    assert.equal(t.input[2]!.label, "line 7");
    assert.deepEqual(t.expectActions!.map((e) => [e.key, e.status, e.pos.line]), [["rs::hot::debug", undefined, 9], ["rs::hot::run_command", "dry_run", 10]]);
    assert.deepEqual(t.expectActions![1]!.matchingEvents, { m: { host: "n1" } });
  });

  test("vars_file then inline vars (inline wins); input_file in the events-file format; start_time", async () => {
    const r = await parse(
      `rulebook: rb.yml
vars_file: vars.yml
vars: {b: 2}
start_time: "2026-05-12T14:00:00+02:00"
dry_run: false
tests:
  - name: from file
    input_file: ev.jsonl
    start_time: "2026-05-12T14:00:00Z"
    expect_not_fired: [rs::quiet]
`,
      { "t/vars.yml": "a: 1\nb: 1\n", "t/ev.jsonl": '{"kind": "q"}\n\n# comment\n{"$advance": "5 seconds"}\n' },
    );
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.testFile!.vars, { a: 1, b: 2 });
    assert.equal(r.testFile!.dryRun, false);
    const t = r.testFile!.tests[0]!;
    assert.equal(t.startMs, Date.parse("2026-05-12T14:00:00Z"));
    assert.deepEqual(t.input.map((i) => [i.line.kind, i.label]), [["event", "ev.jsonl:1"], ["advance", "ev.jsonl:4"]]);
    assert.equal(t.expectActions, undefined, "expect_actions omitted: the action list is not checked");
  });

  test("every problem is a diagnostic with file:line:col", async () => {
    const r = await parse(`rulebook: rb.yml
start_time: "2026-05-12T14:00:00"
dry_runn: true
tests:
  - name: x
    input:
      - $advance: 10 minuts
      - {$advance: 1 minute, host: x}
      - 5
    expect_actions:
      - rs::hot
      - action: rs::hot::debug
        status: dryrun
        matching_events: [1]
  - name: y
    input: []
  - name: z
    input: []
    input_file: ev.jsonl
    expect_shutdown: maybe
`);
    assert.equal(r.testFile, undefined);
    const at = r.diagnostics.map((d) => `${d.line}:${d.col} ${d.code} ${d.message}`);
    const expect = [
      /^2:13 HB_ERR_TEST_FILE start_time .* with a zone/,
      /^3:1 HB_ERR_TEST_FILE unknown test file key 'dry_runn'/,
      /^7:19 HB_ERR_TEST_FILE \$advance must be a duration/,
      /^8:9 HB_ERR_TEST_FILE '\$advance' must be the only key/,
      /^9:9 HB_ERR_TEST_FILE each input item must be an event/,
      /^11:9 HB_ERR_TEST_FILE expected action 'rs::hot' must be 'ruleset::rule::action'/,
      /^13:17 HB_ERR_TEST_FILE status must be one of/,
      /^14:26 HB_ERR_TEST_FILE 'matching_events' must be a mapping/,
      /^15:5 HB_ERR_TEST_FILE test 'y' has no expectation/,
      /^19:5 HB_ERR_TEST_FILE test 'z' has both 'input' and 'input_file'/,
      /^20:22 HB_ERR_TEST_FILE expect_shutdown must be true or false/,
    ];
    assert.equal(at.length, expect.length, at.join("\n"));
    expect.forEach((re, i) => assert.match(at[i]!, re));
    assert.equal(r.diagnostics.find((d) => d.line === 3)!.hint, "did you mean 'dry_run'?");
    assert.ok(r.diagnostics.every((d) => d.file === "t/x.test.yml"));
  });

  test("structure: YAML errors, not a mapping, missing keys, duplicate test names, bad input_file lines", async () => {
    assert.match((await parse("rulebook: [a\n")).diagnostics[0]!.message, /not valid YAML/);
    assert.match((await parse("- a\n")).diagnostics[0]!.message, /must be a mapping/);
    const missing = await parse("vars: {}\n");
    assert.deepEqual(missing.diagnostics.map((d) => d.message), ["test file is missing required key 'rulebook'", "test file is missing required key 'tests'"]);
    const dup = await parse("rulebook: rb.yml\ntests:\n  - {name: a, input: [], expect_actions: []}\n  - {name: a, input: [], expect_actions: []}\n");
    assert.deepEqual(dup.diagnostics.map((d) => [d.line, d.message]), [[4, "test name 'a' is already used at line 3"]]);
    const bad = await parse("rulebook: rb.yml\ntests:\n  - {name: a, input_file: ev.jsonl, expect_actions: []}\n", { "t/ev.jsonl": '{"a": 1}\n[1]\n{"$advance": "soon"}\n' });
    assert.deepEqual(bad.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.code}`), ["t/ev.jsonl:2:1 HB_ERR_EVENTS_FILE", "t/ev.jsonl:3:1 HB_ERR_EVENTS_FILE"]);
    const unreadable = await parse("rulebook: rb.yml\ntests:\n  - {name: a, input_file: none.jsonl, expect_actions: []}\n");
    assert.match(unreadable.diagnostics[0]!.message, /cannot read input_file t\/none\.jsonl/);
  });

  test("references to rules and actions are checked against the rulebook, with suggestions", async () => {
    const r = await parse(`rulebook: rb.yml
tests:
  - name: t
    input: []
    expect_actions: [rs::hott::debug, rs::hot::print_event, rs::hot::debug]
    expect_fired: [rs::either]
    expect_not_fired: [rs::off]
`);
    const problems = checkReferences(r.testFile!, [rulebook()]);
    assert.deepEqual(
      problems.map((d) => [d.line, d.col, d.message, d.hint]),
      [
        [5, 22, "action 'rs::hott::debug' is not in the tested rulebook(s)", "did you mean 'rs::hot::debug'?"],
        [5, 39, "action 'rs::hot::print_event' is not in the tested rulebook(s)", "did you mean 'rs::either::print_event'?"],
        [7, 24, "enabled rule 'rs::off' is not in the tested rulebook(s)", "known: rs::hot, rs::either, rs::quiet"],
      ],
    );
  });
});

describe("subset matching of matching_events", () => {
  const actual = { m: { host: "n1", temp: 90, tags: ["a", "b"], labels: { "gpu-type": "a100" }, meta: { uuid: "u1" } } };
  test("every given key must match; extra actual keys (meta) are ignored", () => {
    assert.deepEqual(subsetMismatches({ m: { host: "n1" } }, actual), []);
    assert.deepEqual(subsetMismatches({ m: { tags: ["a", "b"], labels: {} } }, actual), []);
  });
  test("mismatches carry the path and both values; no type coercion", () => {
    const ms = subsetMismatches({ m: { host: "n2", temp: "90", tags: ["a"], labels: { "gpu-type": "h100" }, absent: null } }, actual, "matching_events");
    assert.deepEqual(ms.map(formatMismatch), [
      'matching_events.m.host: expected "n2", actual "n1"',
      'matching_events.m.temp: expected "90", actual 90',
      'matching_events.m.tags: expected ["a"], actual ["a","b"]',
      'matching_events.m.labels["gpu-type"]: expected "h100", actual "a100"',
      "matching_events.m.absent: expected null, actual (absent)",
    ]);
    assert.deepEqual(subsetMismatches({ m_1: {} }, actual, "matching_events").map(formatMismatch), ["matching_events.m_1: expected {}, actual (absent)"]);
    assert.deepEqual(subsetMismatches({ m: { tags: [{ x: 1 }, "b"] } }, actual).map((m) => m.path), ["m.tags[0]"]);
  });
});

describe("diff of action lists", () => {
  test("aligned on a longest common subsequence; order matters", () => {
    const ops = diffLists(["a", "b", "c"], ["a", "c", "b"]);
    assert.deepEqual(ops.map((o) => o.kind), ["equal", "delete", "equal", "insert"]);
    assert.ok(diffLists(["a", "b"], ["a", "b"]).every((o) => o.kind === "equal"));
    assert.deepEqual(diffLists([], ["x"]), [{ kind: "insert", b: 0 }]);
  });
  test("long unchanged runs are folded around the changes", () => {
    const a = Array.from({ length: 30 }, (_, i) => `x${i}`);
    const b = [...a.slice(0, 15), "new", ...a.slice(15)];
    const lines = renderDiff(diffLists(a, b), (op) => ({ marker: op.kind === "insert" ? "+" : op.kind === "delete" ? "-" : " ", text: op.kind === "delete" ? a[op.a]! : b[op.b]! }), 2);
    assert.deepEqual(lines.map((l) => `${l.marker}${l.text}`), [" … 13 unchanged", " x13", " x14", "+new", " x15", " x16", " … 13 unchanged"]);
  });
});

describe("comparison and failure report", () => {
  const pos = { file: "x.test.yml", line: 1, col: 1 };
  const act = (key: string, over: Partial<ActualAction> = {}): ActualAction => ({
    key,
    rule: key.split("::").slice(0, 2).join("::"),
    status: "successful",
    matchingEvents: { m: { host: "n1", meta: { uuid: "u" } } },
    inputIndex: 0,
    offsetMs: 0,
    firing: 0,
    ...over,
  });
  const testCase = (over: Partial<RulebookTestCase>): RulebookTestCase => ({
    name: "t",
    pos,
    input: [{ line: { kind: "event", event: {}, line: 5 }, pos: { ...pos, line: 5 }, label: "line 5" }],
    startMs: 0,
    expectFired: [],
    expectNotFired: [],
    ...over,
  });
  const runOf = (actions: ActualAction[]): TestRun => ({ actions, shutdowns: [], firedRules: new Set(actions.map((a) => a.rule)), output: [], warnings: [] });

  test("passes when keys, status and the matching_events subset match", () => {
    const t = testCase({ expectActions: [{ key: "rs::a::debug", pos }, { key: "rs::a::none", status: "successful", matchingEvents: { m: { host: "n1" } }, pos }] });
    assert.deepEqual(compareTest(t, runOf([act("rs::a::debug"), act("rs::a::none")])), []);
  });

  test("order matters, and the diff shows - expected / + actual with where each came from", () => {
    const t = testCase({ expectActions: [{ key: "rs::a::debug", pos: { ...pos, line: 9 } }, { key: "rs::b::debug", pos: { ...pos, line: 10 } }] });
    const failures = compareTest(t, runOf([act("rs::b::debug"), act("rs::a::debug", { inputIndex: undefined, offsetMs: 660_000 })]));
    assert.deepEqual(failures.map((f) => f.kind), ["actions"]);
    const text = formatFailures(t, failures).join("\n");
    assert.match(text, /expect_actions: the fired actions differ \(- expected, \+ actual\)/);
    assert.match(text, /\n {6}- rs::a::debug +# expected at line 9\n/);
    assert.match(text, /\n {8}rs::b::debug +# input line 5, \+0s\n/);
    assert.match(text, /\n {6}\+ rs::a::debug +# after the input, \+11m$/);
  });

  test("status and matching_events mismatches are reported with their path", () => {
    const t = testCase({ expectActions: [{ key: "rs::a::run_command", status: "dry_run", matchingEvents: { m: { host: "n2" } }, pos: { ...pos, line: 7 } }] });
    const failures = compareTest(t, runOf([act("rs::a::run_command", { status: "failed", message: "HB_ERR_ACTION_FAILED boom" })]));
    assert.deepEqual(failures.map((f) => f.kind), ["action-detail"]);
    assert.deepEqual(formatFailures(t, failures), [
      "    expect_actions[0] rs::a::run_command (line 7), from input line 5, +0s, failed: HB_ERR_ACTION_FAILED boom:",
      '      status: expected "dry_run", actual "failed"',
      '      matching_events.m.host: expected "n2", actual "n1"',
    ]);
  });

  test("expect_fired, expect_not_fired, expect_shutdown; omitted expect_actions is not checked", () => {
    const t = testCase({ expectFired: [{ key: "rs::q", pos }], expectNotFired: [{ key: "rs::a", pos }], expectShutdown: true });
    const failures = compareTest(t, runOf([act("rs::a::debug"), act("rs::a::none")]));
    assert.deepEqual(failures.map((f) => f.kind), ["fired", "not-fired", "shutdown"]);
    const text = formatFailures(t, failures).join("\n");
    assert.match(text, /expect_fired: rs::q did not fire/);
    assert.match(text, /expect_not_fired: rs::a fired \(line 1\): input line 5, \+0s$/m);
    assert.match(text, /expect_shutdown: expected a shutdown, there was none/);
    const shut = compareTest(testCase({ expectShutdown: false }), { ...runOf([]), shutdowns: [{ type: "Shutdown", ruleset: "rs", message: "bye", delay: 0, kind: "graceful" }] });
    assert.match(formatFailures(t, shut).join(), /expected no shutdown, got: rs \(graceful: bye\)/);
    assert.deepEqual(compareTest(testCase({}), { ...runOf([]), error: "HB_ERR_INTERNAL x" }).map((f) => f.kind), ["error"]);
  });

  test("virtual-time offsets", () => {
    assert.deepEqual([0, 5000, 660_000, 5_400_000, 90_061_000, 1500].map(formatOffset), ["+0s", "+5s", "+11m", "+1h30m", "+1d1h1m1s", "+1500ms"]);
  });
});

describe("coverage", () => {
  test("enabled rules of the tested rulebooks that no test fired; a rulebook counts once", () => {
    const rb = rulebook();
    const c = new CoverageTracker();
    c.record([rb], ["rs::hot"]);
    c.record([rb], ["rs::either", "other::rule"]);
    const result = c.result();
    assert.deepEqual(result, { total: 3, fired: 2, notFired: ["rs::quiet"] });
    assert.equal(formatCoverage(result), "coverage: 2/3 rules fired; not fired: rs::quiet");
    assert.equal(formatCoverage({ total: 1, fired: 1, notFired: [] }), "coverage: 1/1 rules fired");
  });
});

describe("runTestFiles", () => {
  const passing = `rulebook: rb.yml
vars: {limit: 80}
start_time: "2026-05-12T14:00:00Z"
tests:
  - name: throttled per host, again after the window
    input:
      - {host: n1, temp: 90}
      - {host: n1, temp: 91}
      - {host: n2, temp: 95}
      - $advance: 6 minutes
      - {host: n1, temp: 92}
    expect_actions:
      - rs::hot::debug
      - action: rs::hot::run_command
        status: dry_run
        matching_events: {m: {host: n1, meta: {rule_engine: {once_within_time_window: 5 minutes}}}}
      - rs::hot::debug
      - action: rs::hot::run_command
        matching_events: {m: {host: n2}}
      - rs::hot::debug
      - action: rs::hot::run_command
        matching_events: {m: {host: n1, meta: {received_at: "2026-05-12T14:06:00.000000Z"}}}
  - name: any binds the satisfied condition as m_<index>
    input: [{kind: b}]
    expect_actions:
      - action: rs::either::print_event
        matching_events: {m_1: {kind: b}}
    expect_not_fired: [rs::hot, rs::quiet]
`;

  test("a passing file: ok lines, summary, coverage, exit 0 (both evaluators)", async () => {
    const dir = tempDir({ "rb.yml": RULEBOOK, "rb.test.yml": passing });
    for (const evaluator of ["compiled", "json-rules-engine"] as const) {
      const { result, out, err } = await run([dir], { evaluator });
      assert.equal(result.exitCode, 0, out + err);
      assert.match(out, /^ok .*rb\.test\.yml › throttled per host, again after the window$/m);
      assert.match(out, /^ok .*rb\.test\.yml › any binds the satisfied condition as m_<index>$/m);
      assert.match(out, /^2 passed, 0 failed$/m);
      assert.match(out, /^coverage: 2\/3 rules fired; not fired: rs::quiet$/m);
      assert.equal(err, "");
    }
  });

  test("each test runs in a fresh engine: throttle state does not leak between tests", async () => {
    const t = `rulebook: rb.yml
vars: {limit: 80}
tests:
  - {name: first, input: [{host: n1, temp: 90}], expect_actions: [rs::hot::debug, rs::hot::run_command]}
  - {name: second, input: [{host: n1, temp: 90}], expect_actions: [rs::hot::debug, rs::hot::run_command]}
`;
    const dir = tempDir({ "rb.yml": RULEBOOK, "fresh.test.yaml": t });
    const { result, out } = await run([join(dir, "fresh.test.yaml")]);
    assert.equal(result.exitCode, 0, out);
  });

  test("--run-external runs run_command (status successful); --verbose lists actions and what they printed", async () => {
    const t = `rulebook: rb.yml
vars: {limit: 80}
tests:
  - name: real
    input: [{host: n1, temp: 90}]
    expect_actions: [rs::hot::debug, {action: rs::hot::run_command, status: successful}]
`;
    const dir = tempDir({ "rb.yml": RULEBOOK, "ext.test.yml": t });
    const { result, out } = await run([dir], { runExternal: true, verbose: true });
    assert.equal(result.exitCode, 0, out);
    assert.match(out, /^ {4}rs::hot::debug +# input line 5, \+0s$/m);
    assert.match(out, /^ {6}\| hot n1$/m);
  });

  test("a failing test: not ok, a readable diff, exit 1; coverage still counts what fired", async () => {
    const t = `rulebook: rb.yml
vars: {limit: 80}
tests:
  - name: wrong
    input: [{host: n1, temp: 90}, {kind: a}]
    expect_actions:
      - rs::either::print_event
      - action: rs::hot::run_command
        matching_events: {m: {host: n9}}
  - name: right
    input: [{kind: q}]
    expect_actions: [rs::quiet::none]
`;
    const dir = tempDir({ "rb.yml": RULEBOOK, "f.test.yml": t });
    const { result, out } = await run([dir]);
    assert.equal(result.exitCode, 1);
    assert.deepEqual([result.passed, result.failed], [1, 1]);
    assert.match(out, /^not ok .*f\.test\.yml › wrong$/m);
    assert.match(out, /^ {6}\+ rs::hot::debug +# input line 5, \+0s$/m);
    assert.match(out, /^ {6}- rs::either::print_event +# expected at line 7$/m);
    assert.match(out, /matching_events\.m\.host: expected "n9", actual "n1"/);
    assert.match(out, /^1 passed, 1 failed$/m);
    assert.match(out, /^coverage: 3\/3 rules fired$/m);
  });

  test("invalid test files, bad references and broken rulebooks: diagnostics on err, exit 2", async () => {
    const dir = tempDir({
      "rb.yml": RULEBOOK,
      "broken.yml": "- name: rs\n  hosts: all\n  sources: []\n  rules:\n    - name: r\n      condition: event.x = 1\n      action: {debug: {}}\n",
      "a/bad.test.yml": "rulebook: ../rb.yml\ntests:\n  - name: t\n    input: [{$advance: soon}]\n    expect_actions: []\n",
      "b/refs.test.yml": "rulebook: ../rb.yml\nvars: {limit: 1}\ntests:\n  - {name: t, input: [], expect_not_fired: [rs::hott]}\n",
      "c/broken.test.yml": "rulebook: [../broken.yml, ../missing.yml]\ntests:\n  - {name: t, input: [], expect_actions: []}\n",
      "d/broken-rb.test.yml": "rulebook: ../broken.yml\ntests:\n  - {name: t, input: [], expect_actions: []}\n",
      "e/ok.test.yml": "rulebook: ../rb.yml\nvars: {limit: 1}\ntests:\n  - {name: t, input: [], expect_actions: []}\n",
    });
    const { result, out, err } = await run([dir, join(dir, "nope")]);
    assert.equal(result.exitCode, 2);
    assert.equal(result.invalid, 5);
    assert.match(err, /a\/bad\.test\.yml:4:24: error HB_ERR_TEST_FILE \$advance must be a duration/);
    assert.match(err, /b\/refs\.test\.yml:4:45: error HB_ERR_TEST_FILE enabled rule 'rs::hott' .*did you mean 'rs::hot'/);
    assert.match(err, /c\/broken\.test\.yml:1:27: error HB_ERR_TEST_FILE rulebook .*missing\.yml does not exist/);
    assert.match(err, /broken\.yml:6:26: error HB_ERR_CONDITION_SYNTAX/);
    assert.match(err, /nope: error HB_ERR_TEST_FILE no such file or directory/);
    assert.match(out, /^ok .*e\/ok\.test\.yml › t$/m, "valid files still run");
    assert.match(out, /^1 passed, 0 failed$/m);
  });

  test("no test files found is an error (exit 2)", async () => {
    const dir = tempDir({ "rb.yml": RULEBOOK });
    const { result, err } = await run([dir]);
    assert.equal(result.exitCode, 2);
    assert.match(err, /no test files/);
  });
});
