import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";

const repo = resolve(import.meta.dirname, "../..");

/** The built binary (CI builds it through npm ci's prepare script; locally run `npm run build`). */
function hookbook(args: string[]) {
  const r = spawnSync(process.execPath, [join(repo, "bin/hookbook.js"), ...args], { cwd: repo, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempTestFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "hb-test-cli-"));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** The walk-through rulebook (debug + run_command); the production one in rulebooks/ provisions and notifies. */
const shipped = join(repo, "examples/walkthrough/rulebooks/gpu-queue-depth.yml");
const firing = "{alert: {status: firing, labels: {alertname: GPUJobQueueDepthHigh, queue: training-a100, gpu_type: a100-80gb}}}";

describe("hookbook test (built binary)", () => {
  test("the shipped rulebook tests pass: ok lines, summary, full coverage, exit 0", () => {
    const r = hookbook(["test", "rulebooks", "examples/walkthrough"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    for (const name of ["gpu-queue-depth", "spot-interruption", "gpu-xid-errors", "gpu-sla-breach", "fleet-config-push"]) {
      assert.match(r.stdout, new RegExp(`^ok rulebooks/${name}\\.test\\.yml › `, "m"), name);
    }
    assert.match(r.stdout, /^ok examples\/walkthrough\/rulebooks\/gpu-queue-depth\.test\.yml › /m);
    assert.doesNotMatch(r.stdout, /^not ok/m);
    assert.match(r.stdout, /^\d+ passed, 0 failed$/m);
    assert.match(r.stdout, /^coverage: (\d+)\/\1 rules fired$/m);
  });

  test("the json-rules-engine evaluator gives the same results", () => {
    const r = hookbook(["test", "--evaluator", "json-rules-engine", "rulebooks", "examples/walkthrough"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^\d+ passed, 0 failed$/m);
    assert.match(r.stdout, /^coverage: (\d+)\/\1 rules fired$/m);
    assert.equal(hookbook(["test", "--evaluator", "nope", "rulebooks"]).code, 2);
  });

  test("a failing test: not ok, a -/+ diff and the differing matching_events path, exit 1", () => {
    const file = tempTestFile(
      "failing.test.yml",
      `rulebook: ${JSON.stringify(shipped)}
tests:
  - name: throttle forgotten
    input:
      - ${firing}
      - ${firing}
    expect_actions:
      - gpu capacity::scale up on deep queue::debug
      - action: gpu capacity::scale up on deep queue::run_command
        matching_events: {m: {alert: {labels: {queue: inference-h100}}}}
      - gpu capacity::scale up on deep queue::debug
`,
    );
    const r = hookbook(["test", file]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^not ok .*failing\.test\.yml › throttle forgotten$/m);
    assert.match(r.stdout, /^ +- gpu capacity::scale up on deep queue::debug +# expected at line 11$/m);
    assert.match(r.stdout, /matching_events\.m\.alert\.labels\.queue: expected "inference-h100", actual "training-a100"/);
    assert.match(r.stdout, /^0 passed, 1 failed$/m);
    assert.match(r.stdout, /^coverage: 1\/1 rules fired$/m);
  });

  test("an invalid test file: file:line:col diagnostic, exit 2", () => {
    const file = tempTestFile(
      "invalid.test.yml",
      `rulebook: ${JSON.stringify(shipped)}
tests:
  - name: typo
    input:
      - $advance: 11 minuts
    expect_not_fired: [gpu capacity::scale up on deep queues]
`,
    );
    const r = hookbook(["test", file]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.ok(r.stderr.includes(`${file}:5:19: error HB_ERR_TEST_FILE $advance must be a duration`), r.stderr);
    const refs = tempTestFile("refs.test.yml", `rulebook: ${JSON.stringify(shipped)}\ntests:\n  - {name: t, input: [], expect_not_fired: [gpu capacity::scale up on deep queues]}\n`);
    const r2 = hookbook(["test", refs]);
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, /refs\.test\.yml:3:45: error HB_ERR_TEST_FILE .*did you mean 'gpu capacity::scale up on deep queue'/);
  });
});
