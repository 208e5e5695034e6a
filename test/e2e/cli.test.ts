import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";

const repo = resolve(import.meta.dirname, "../..");

function hookbook(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [join(repo, "bin/hookbook.js"), ...args], { cwd: repo, encoding: "utf8", input, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("hookbook CLI (built binary)", () => {
  test("--help lists the commands", () => {
    const r = hookbook(["--help"]);
    assert.equal(r.code, 0);
    for (const c of ["validate", "run", "serve"]) assert.match(r.stdout, new RegExp(`\\b${c}\\b`));
  });

  test("validate: shipped rulebooks and the walk-through rulebook are valid (exit 0)", () => {
    const r = hookbook(["validate", "rulebooks", "examples/walkthrough/rulebooks"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /0 error\(s\), 0 warning\(s\)/);
  });

  test("validate: errors as file:line:col with codes, exit 1", () => {
    const dir = mkdtempSync(join(tmpdir(), "hb-cli-"));
    const file = join(dir, "bad.yml");
    writeFileSync(file, `- name: rs
  hosts: all
  sources: []
  rules:
    - name: r
      condition: event.i == == 1
      action:
        debugg: {}
`);
    const r = hookbook(["validate", file]);
    assert.equal(r.code, 1);
    const lines = r.stderr.split("\n").filter((l) => l.startsWith(file));
    assert.equal(lines.length, 2, r.stderr);
    assert.match(lines[0]!, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:6:\\d+: error HB_ERR_CONDITION_SYNTAX `));
    assert.match(lines[1]!, /:8:9: error HB_ERR_RULEBOOK_UNKNOWN_ACTION .*debug/);
  });

  test("run --events --dry-run prints one Action record per action, honouring the throttle and the virtual clock", () => {
    const r = hookbook(["run", "examples/walkthrough/rulebooks/gpu-queue-depth.yml", "--events", "examples/walkthrough/events.jsonl", "--dry-run"]);
    assert.equal(r.code, 0, r.stderr);
    const records = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(records.map((x) => `${x.rule}::${x.action}::${x.status}`), [
      "scale up on deep queue::debug::successful",
      "scale up on deep queue::run_command::dry_run",
      "scale up on deep queue::debug::successful",
      "scale up on deep queue::run_command::dry_run",
    ]);
    for (const rec of records) {
      assert.equal(rec.type, "Action");
      assert.equal(rec.ruleset, "gpu capacity");
      for (const k of ["action_uuid", "ruleset_uuid", "rule_uuid", "run_at", "rule_run_at", "matching_events"]) assert.ok(k in rec, k);
      const m = (rec.matching_events as { m: { meta: { source: unknown; uuid: string } } }).m;
      assert.deepEqual(m.meta.source, { name: "alertmanager", type: "hookbook.alertmanager" });
    }
    const t0 = Date.parse(String(records[0]!.rule_run_at));
    const t2 = Date.parse(String(records[2]!.rule_run_at));
    assert.equal(t2 - t0, 11 * 60_000, "the $advance line moved the virtual clock");
    assert.match(r.stderr, /queue training-a100 is deep/);
  });

  test("run: a bad events line is reported with its line number", () => {
    const r = hookbook(["run", "examples/walkthrough/rulebooks/gpu-queue-depth.yml", "--events", "-"], '{"i": 1}\nnot json\n');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /HB_ERR_EVENTS_FILE -:2:1/);
  });
});
