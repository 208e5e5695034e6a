import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { VirtualClock } from "../../src/core/clock.js";
import { Engine } from "../../src/engine/engine.js";
import type { EvaluatorKind } from "../../src/engine/matcher.js";
import { loadRulebookText } from "../../src/rulebook/load.js";

function engineFor(yaml: string, evaluator: EvaluatorKind = "compiled", clock = new VirtualClock(Date.UTC(2026, 4, 12))) {
  const r = loadRulebookText("rb.yml", yaml);
  assert.ok(r.rulebook, JSON.stringify(r.diagnostics));
  return { engine: new Engine({ rulebooks: [r.rulebook], clock, evaluator }), clock };
}

let n = 0;
const ev = (data: Record<string, unknown>, source?: string) => ({ data, uuid: `u${n++}`, receivedAt: Date.UTC(2026, 4, 12), ...(source ? { source } : {}) });

const rules = (body: string, extra = "") => `- name: rs
  hosts: all
${extra}  sources:
    - name: src
      hookbook.webhook: {}
  rules:
${body}`;

for (const evaluator of ["compiled", "json-rules-engine"] as const) {
  describe(`engine session (${evaluator})`, () => {
    test("first matching rule only, by default; meta info inserted; {m} binding", async () => {
      const { engine } = engineFor(
        rules(`    - name: r1
      condition: event.i == 1
      action: {debug: {}}
    - name: r2
      condition: event.i >= 1
      action: {print_event: {}}
`),
        evaluator,
      );
      const f = await engine.process(ev({ i: 1 }));
      assert.deepEqual(f.map((x) => x.rule), ["r1"]);
      const m = f[0]!.matchingEvents.m!;
      assert.equal(m.i, 1);
      assert.deepEqual((m.meta.source as Record<string, unknown>), { name: "src", type: "hookbook.webhook" });
      assert.match(String(m.meta.received_at), /^2026-05-12T00:00:00\.000000Z$/);
      assert.equal(m.meta.uuid, f[0]!.eventIds[0]);
      assert.equal((await engine.process(ev({ i: 2 }))).map((x) => x.rule).join(), "r2");
      assert.equal((await engine.process(ev({ j: 2 }))).length, 0, "missing attribute never matches");
    });

    test("match_multiple_rules fires every matching rule in file order", async () => {
      const { engine } = engineFor(
        rules(
          `    - name: r1
      condition: event.i == 1
      action: {debug: {}}
    - name: r11
      condition: event.i == 1
      action: {print_event: {}}
`,
          "  match_multiple_rules: true\n",
        ),
        evaluator,
      );
      assert.deepEqual((await engine.process(ev({ i: 1 }))).map((x) => x.rule), ["r1", "r11"]);
    });

    test("any binds m_<index> of the satisfied condition; condition: true matches all", async () => {
      const { engine } = engineFor(
        rules(`    - name: either
      condition:
        any:
          - event.i == 1
          - event.range2.i == 1
      action: {debug: {}}
    - name: always
      condition: true
      action: {none: {}}
`),
        evaluator,
      );
      const a = await engine.process(ev({ i: 1 }));
      assert.deepEqual(Object.keys(a[0]!.matchingEvents), ["m_0"]);
      const b = await engine.process(ev({ range2: { i: 1 } }));
      assert.deepEqual(Object.keys(b[0]!.matchingEvents), ["m_1"]);
      const c = await engine.process(ev({ x: 1 }));
      assert.deepEqual(c.map((x) => x.rule), ["always"]);
    });

    test("once_within per group with the meta.rule_engine annotation", async () => {
      const { engine, clock } = engineFor(
        rules(`    - name: t
      condition: event.level == "error"
      throttle: {once_within: 2 seconds, group_by_attributes: [event.host]}
      action: {debug: {}}
`),
        evaluator,
      );
      let fired = 0;
      for (let i = 0; i < 20; i++) fired += (await engine.process(ev({ level: "error", host: i % 2 ? "A" : "B" }))).length;
      assert.equal(fired, 2);
      await clock.advanceTo(clock.now() + 2_000);
      const again = await engine.process(ev({ level: "error", host: "A" }));
      assert.equal(again.length, 1);
      assert.deepEqual(again[0]!.matchingEvents.m!.meta.rule_engine, { once_within_time_window: "2 seconds" });
    });

    test("accumulate_within fires on the N-th event within the window, then resets", async () => {
      const { engine } = engineFor(
        rules(`    - name: acc
      condition: event.code == 205
      throttle: {accumulate_within: 1 minute, threshold: 3, group_by_attributes: [event.code]}
      action: {debug: {}}
`),
        evaluator,
      );
      const counts = [];
      for (let i = 0; i < 4; i++) counts.push((await engine.process(ev({ code: 205 }))).length);
      assert.deepEqual(counts, [0, 0, 1, 0]);
    });

    test("routing by source name; unrouted events skip the ruleset", async () => {
      const { engine } = engineFor(rules(`    - name: r
      condition: event.i == 1
      action: {debug: {}}
`), evaluator);
      assert.equal((await engine.process(ev({ i: 1 }, "src"))).length, 1);
      assert.equal((await engine.process(ev({ i: 1 }, "other"))).length, 0);
    });

    test("the firing key is deterministic and changes with the event id", async () => {
      const { engine } = engineFor(rules(`    - name: r
      condition: event.i == 1
      action: {debug: {}}
`), evaluator);
      const a = await engine.process({ data: { i: 1 }, uuid: "same", receivedAt: 0 });
      const b = await engine.process({ data: { i: 1 }, uuid: "same", receivedAt: 5 });
      const c = await engine.process({ data: { i: 1 }, uuid: "other", receivedAt: 0 });
      assert.equal(a[0]!.key, b[0]!.key);
      assert.notEqual(a[0]!.key, c[0]!.key);
    });

    test("hosts come from meta.hosts when present", async () => {
      const { engine } = engineFor(rules(`    - name: r
      condition: event.i == 1
      action: {debug: {}}
`), evaluator);
      assert.deepEqual((await engine.process(ev({ i: 1, meta: { hosts: "a, b" } })))[0]!.hosts, ["a", "b"]);
      assert.deepEqual((await engine.process(ev({ i: 1 })))[0]!.hosts, ["all"]);
    });
  });
}
