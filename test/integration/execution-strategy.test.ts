// execution_strategy sequential vs parallel, and named locks (reference §3.3, test 96).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { EventsLine } from "../../src/cli/events-file.js";
import { sequentialIds } from "../../src/core/ids.js";
import { loadRulebookText } from "../../src/rulebook/load.js";
import { runScenario } from "../../src/runtime/scenario.js";

function rulebook(strategy: string, locks: [string, string, string]): string {
  const job = (name: string, lock: string, sleepMs: number) => `    - name: ${name}
      condition: event.job == "${name}"
      action:
        run_command:
          command: ${JSON.stringify(process.execPath)}
          args: ["-e", "setTimeout(() => {}, ${sleepMs})"]
          lock: ${lock}
`;
  return `- name: jobs
  hosts: all
  execution_strategy: ${strategy}
  sources: [{name: s, hookbook.webhook: {}}]
  rules:
${job("test1", locks[0], 600)}${job("test2", locks[1], 10)}${job("test3", locks[2], 10)}`;
}

/** Each input line settles before the next: three lines finish in input order even in parallel. */
async function lineByLine(yaml: string): Promise<string[]> {
  const r = loadRulebookText("rb.yml", yaml);
  assert.ok(r.rulebook, JSON.stringify(r.diagnostics));
  const lines: EventsLine[] = ["test1", "test2", "test3"].map((job, i) => ({ kind: "event", event: { job }, line: i + 1 }));
  const out = await runScenario({ rulebooks: [r.rulebook], vars: {}, lines, dryRun: false, evaluator: "compiled", output: { print: () => undefined }, ids: sequentialIds() });
  return out.records.map((x) => (x.type === "Action" ? `${x.rule}:${x.status}` : "Shutdown"));
}

function fanOut(strategy: string, locks: [string, string, string]): string {
  return rulebook(strategy, locks).replace(
    "  rules:\n",
    `  rules:
    - name: start
      condition: event.go == true
      actions:
        - post_event: {event: {job: test1}}
        - post_event: {event: {job: test2}}
        - post_event: {event: {job: test3}}
`,
  );
}

async function order(yaml: string): Promise<string[]> {
  const r = loadRulebookText("rb.yml", yaml);
  assert.ok(r.rulebook, JSON.stringify(r.diagnostics));
  const out = await runScenario({ rulebooks: [r.rulebook], vars: {}, lines: [{ kind: "event", event: { go: true }, line: 1 }], dryRun: false, evaluator: "compiled", output: { print: () => undefined }, ids: sequentialIds() });
  return out.records.filter((x) => x.type === "Action" && x.action === "run_command").map((x) => (x.type === "Action" ? `${x.rule}:${x.status}` : ""));
}

describe("execution_strategy and locks", () => {
  test("sequential: firings complete in order, whatever they take", async () => {
    assert.deepEqual(await order(fanOut("sequential", ["red", "blue", "green"])), ["test1:successful", "test2:successful", "test3:successful"]);
  });

  // Only what the semantics guarantee is asserted: test2 and test3 take the same short time, so
  // their relative order is up to the scheduler.
  test("parallel, distinct locks: the slow first job finishes last", async () => {
    const done = await order(fanOut("parallel", ["red", "blue", "green"]));
    assert.equal(done.length, 3);
    assert.equal(done[2], "test1:successful");
  });

  test("parallel, shared lock: test2 waits for the slow test1; test3 does not", async () => {
    const done = await order(fanOut("parallel", ["red", "red", "green"]));
    assert.deepEqual([...done].sort(), ["test1:successful", "test2:successful", "test3:successful"]);
    assert.ok(done.indexOf("test3:successful") < done.indexOf("test1:successful"), done.join());
    assert.ok(done.indexOf("test1:successful") < done.indexOf("test2:successful"), done.join());
  });

  test("three separate input lines each settle before the next, even in parallel", async () => {
    assert.deepEqual(await lineByLine(rulebook("parallel", ["red", "blue", "green"])), ["test1:successful", "test2:successful", "test3:successful"]);
  });
});
