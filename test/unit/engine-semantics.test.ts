// Reference semantics (eda-rulebook-semantics.md §2.5–§3.4, cases of §7.3) through runScenario.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { EventsLine } from "../../src/cli/events-file.js";
import { sequentialIds } from "../../src/core/ids.js";
import type { EvaluatorKind } from "../../src/engine/matcher.js";
import { loadRulebookText } from "../../src/rulebook/load.js";
import { runScenario } from "../../src/runtime/scenario.js";
import type { ScenarioRecord } from "../../src/runtime/scenario.js";

type Line = Record<string, unknown> | { $advance: number };

async function run(yaml: string, input: Line[], evaluator: EvaluatorKind = "compiled"): Promise<ScenarioRecord[]> {
  const r = loadRulebookText("rb.yml", yaml);
  assert.ok(r.rulebook, JSON.stringify(r.diagnostics));
  const lines: EventsLine[] = input.map((l, i) => ("$advance" in l && typeof l.$advance === "number" ? { kind: "advance", ms: l.$advance, line: i + 1 } : { kind: "event", event: l as Record<string, unknown>, line: i + 1 }));
  const out = await runScenario({ rulebooks: [r.rulebook], vars: {}, lines, dryRun: true, evaluator, output: { print: () => undefined }, ids: sequentialIds(), startMs: Date.UTC(2026, 4, 12) });
  return out.records;
}

const acts = (records: ScenarioRecord[]) => records.map((r) => (r.type === "Action" ? `${r.ruleset}::${r.rule}::${r.action}` : `Shutdown:${r.ruleset}`));
const strip = (m: unknown) => Object.fromEntries(Object.entries(m as Record<string, Record<string, unknown>>).map(([k, v]) => [k, Object.fromEntries(Object.entries(v).filter(([kk]) => kk !== "meta"))]));
const matching = (r: ScenarioRecord | undefined) => (r && r.type === "Action" ? strip(r.matching_events) : undefined);

function rb(rules: string, opts = ""): string {
  return `- name: rs
  hosts: all
${opts}  sources:
    - name: src
      hookbook.webhook: {}
  rules:
${rules}`;
}

for (const evaluator of ["compiled", "json-rules-engine"] as const) {
  describe(`engine semantics (${evaluator})`, () => {
    test("all: distinct events in any order, m_0/m_1 by condition position (15)", async () => {
      const y = rb(`    - name: r
      condition:
        all:
          - event.nested.i == 1
          - event.nested.j == 1
      action: {debug: {}}
`);
      const recs = await run(y, [{ nested: { i: 0, j: 1 } }, { nested: { i: 1, j: 0 } }], evaluator);
      assert.deepEqual(acts(recs), ["rs::r::debug"]);
      assert.deepEqual(matching(recs[0]), { m_0: { nested: { i: 1, j: 0 } }, m_1: { nested: { i: 0, j: 1 } } });
      assert.deepEqual(acts(await run(y, [{ nested: { i: 1, j: 1 } }], evaluator)), [], "one event never fills two conditions");
    });

    test("all with a join on an earlier binding; partials kept; each combination fires once and is consumed (75/76)", async () => {
      const y = rb(`    - name: friends
      condition:
        all:
          - events.req << event.request.friend_name is defined
          - event.friend_list.names is select("search", events.req.request.friend_name)
      action: {print_event: {}}
`);
      const recs = await run(y, [{ friend_list: { names: ["fred", "barney"] } }, { request: { friend_name: "fred" } }], evaluator);
      assert.deepEqual(acts(recs), ["rs::friends::print_event"]);
      assert.deepEqual(Object.keys(matching(recs[0]) ?? {}), ["req", "m_1"]);
      const two = await run(y, [{ request: { friend_name: "wilma" } }, { request: { friend_name: "fred" } }, { friend_list: { names: ["fred"] } }, { friend_list: { names: ["wilma"] } }], evaluator);
      assert.equal(two.length, 2);
      assert.deepEqual(two.map((r) => (matching(r) as { req: { request: { friend_name: string } } }).req.request.friend_name), ["fred", "wilma"]);
    });

    test("all + timeout: only events within the window combine (54)", async () => {
      const y = rb(`    - name: r
      condition:
        all:
          - event.i == 1001
          - event.i == 1002
        timeout: 10 seconds
      action: {debug: {}}
`);
      assert.equal((await run(y, [{ i: 1001 }, { $advance: 5000 }, { i: 1002 }], evaluator)).length, 1);
      assert.equal((await run(y, [{ i: 1001 }, { $advance: 15_000 }, { i: 1002 }], evaluator)).length, 0);
    });

    test("default_events_ttl expires partial matches (77)", async () => {
      const y = rb(
        `    - name: r1
      condition:
        all:
          - event.i == 1
          - event.j == 2
      action: {debug: {}}
    - name: r2
      condition: event.k == 3
      action: {print_event: {}}
`,
        "  default_events_ttl: 2 seconds\n",
      );
      assert.deepEqual(acts(await run(y, [{ i: 1 }, { $advance: 4000 }, { j: 2 }, { $advance: 4000 }, { k: 3 }], evaluator)), ["rs::r2::print_event"]);
    });

    test("not_all + timeout fires at window end with the opener; complete sets do not fire (55)", async () => {
      const y = rb(`    - name: r
      condition:
        not_all:
          - event.i == 1001
          - event.i == 1002
        timeout: 10 seconds
      action: {debug: {}}
`);
      const recs = await run(y, [{ i: 1001 }, { $advance: 15_000 }, { i: 1002 }], evaluator);
      assert.deepEqual(acts(recs), ["rs::r::debug", "rs::r::debug"]);
      assert.deepEqual(matching(recs[0]), { m_0: { i: 1001 } });
      assert.deepEqual(matching(recs[1]), { m_1: { i: 1002 } });
      assert.equal(Date.parse(String((recs[1] as { rule_run_at: string }).rule_run_at)) - Date.UTC(2026, 4, 12), 25_000);
      assert.equal((await run(y, [{ i: 1001 }, { $advance: 3000 }, { i: 1002 }], evaluator)).length, 0);
    });

    test("not_all: each opener has its own window; a join completes only the window it matches", async () => {
      const y = rb(`    - name: no replacement
      condition:
        not_all:
          - event.interrupted is defined
          - event.ready == events.m_0.interrupted
        timeout: 3 minutes
      action: {debug: {}}
`);
      const recs = await run(y, [{ interrupted: "node-a" }, { $advance: 30_000 }, { interrupted: "node-b" }, { $advance: 30_000 }, { ready: "node-b" }], evaluator);
      assert.deepEqual(acts(recs), ["rs::no replacement::debug"], "node-b's window was completed; node-a's fired");
      assert.deepEqual(matching(recs[0]), { m_0: { interrupted: "node-a" } });
      assert.equal((await run(y, [{ interrupted: "node-a" }, { interrupted: "node-b" }], evaluator)).length, 2, "two openers, two firings");
    });

    test("set_fact: facts match event. conditions and fire every matching rule (04, 80/81 contrast)", async () => {
      const y = rb(`    - name: r1
      condition: event.i == 1
      action: {set_fact: {fact: {msg: hello world}}}
    - name: r2
      condition: event.msg == "hello world"
      action: {print_event: {}}
    - name: r3
      condition: event.msg is defined
      action: {debug: {}}
`);
      const recs = await run(y, [{ i: 1 }], evaluator);
      assert.deepEqual(acts(recs), ["rs::r1::set_fact", "rs::r2::print_event", "rs::r3::debug"]);
      const fact = (recs[1] as unknown as { matching_events: { m: { meta: { source: unknown } } } }).matching_events.m;
      assert.deepEqual(fact.meta.source, { name: "set_fact", type: "internal" });
    });

    test("post_event goes back into the ruleset as an event (05)", async () => {
      const y = rb(`    - name: r1
      condition: event.i == 1
      action: {post_event: {event: {msg: "posted {{ event.i }}"}}}
    - name: r2
      condition: event.msg == "posted 1"
      action: {print_event: {}}
`);
      assert.deepEqual(acts(await run(y, [{ i: 1 }], evaluator)), ["rs::r1::post_event", "rs::r2::print_event"]);
    });

    test("retract_fact then `is not defined` fires with the retracted fact (06/20), partial: false needs equality (78)", async () => {
      const y = (partial: string) =>
        rb(`    - name: r1
      condition: event.i == 1
      actions:
        - set_fact: {fact: {msg: hello, extra: 1}}
        - retract_fact: {fact: ${partial}}
    - name: r3
      condition: event.msg is not defined
      action: {debug: {}}
`);
      const recs = await run(y("{msg: hello}"), [{ i: 1 }], evaluator);
      assert.deepEqual(acts(recs), ["rs::r1::set_fact", "rs::r1::retract_fact", "rs::r3::debug"]);
      assert.deepEqual(matching(recs[2]), { m: { msg: "hello", extra: 1 } });
      assert.deepEqual(acts(await run(y("{msg: hello}, partial: false"), [{ i: 1 }], evaluator)), ["rs::r1::set_fact", "rs::r1::retract_fact"], "partial: false does not retract a superset");
    });

    test("set_fact into another ruleset (36)", async () => {
      const y = `- name: rs1
  hosts: all
  sources: [{name: a, hookbook.webhook: {}}]
  rules:
    - name: r1
      condition: event.i == 1
      action: {set_fact: {ruleset: rs2, fact: {j: 1}}}
    - name: r2
      condition: event.j == 1
      action: {debug: {}}
- name: rs2
  hosts: all
  sources: [{name: b, hookbook.webhook: {}}]
  rules:
    - name: r1
      condition: event.j == 1
      action: {debug: {}}
`;
      assert.deepEqual(acts(await run(y, [{ i: 1 }], evaluator)), ["rs1::r1::set_fact", "rs2::r1::debug"]);
    });

    test("once_after: one firing at window end with one event per group and the counts (56)", async () => {
      const y = rb(`    - name: r
      condition: event.level == "error"
      throttle: {once_after: 10 seconds, group_by_attributes: [event.host]}
      action: {debug: {}}
`);
      const recs = await run(y, [{ level: "error", host: "A" }, { level: "error", host: "B" }, { level: "error", host: "A" }, { level: "error", host: "B" }], evaluator);
      assert.deepEqual(acts(recs), ["rs::r::debug"]);
      const m = (recs[0] as unknown as { matching_events: Record<string, { host: string; meta: { rule_engine: Record<string, unknown> } }> }).matching_events;
      assert.deepEqual(Object.keys(m), ["m_0", "m_1"]);
      assert.deepEqual(m.m_0!.meta.rule_engine, { once_after_time_window: "10 seconds", events_in_window: 2 });
    });

    test("shutdown stops the run and emits one Shutdown per ruleset (38)", async () => {
      const y = rb(`    - name: r
      condition: event.i == 1
      action: {shutdown: {message: My rule has triggered a shutdown, delay: 1.5}}
    - name: after
      condition: event.i == 2
      action: {debug: {}}
`);
      const recs = await run(y, [{ i: 1 }, { i: 2 }], evaluator);
      assert.deepEqual(acts(recs), ["rs::r::shutdown", "Shutdown:rs"]);
      assert.equal((recs[0] as { message: string }).message, "My rule has triggered a shutdown");
      assert.equal((recs[0] as { delay: number }).delay, 1.5);
    });

    test("var_root rewrites the event for print_event and the audit record (27)", async () => {
      const y = rb(`    - name: r
      condition: event.webhook.payload.url is defined
      action: {print_event: {var_root: webhook.payload}}
`);
      const recs = await run(y, [{ webhook: { payload: { url: "http://x" } } }], evaluator);
      assert.deepEqual((recs[0] as { matching_events: unknown }).matching_events, { m: { url: "http://x" } });
    });

    test("actions of one firing run in order; the next firing after (59)", async () => {
      const y = rb(`    - name: r1
      condition: event.i == 1
      actions:
        - debug: {}
        - print_event: {}
        - none: {}
    - name: r2
      condition: event.i == 2
      action: {debug: {}}
`);
      assert.deepEqual(acts(await run(y, [{ i: 1 }, { i: 2 }], evaluator)), ["rs::r1::debug", "rs::r1::print_event", "rs::r1::none", "rs::r2::debug"]);
    });
  });
}
