import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseCondition } from "../../src/rulebook/condition/parser.js";
import { compileCondition } from "../../src/rulebook/condition/compile.js";
import { createCompiledMatcher } from "../../src/engine/match/rule-index.js";
import { createJreMatcher } from "../../src/engine/match/jre-evaluator.js";
import type { MatchFacts } from "../../src/engine/match/predicate.js";

function rules(...conditions: string[]) {
  return conditions.map((c, i) => ({ id: `r${i}`, ir: compileCondition(parseCondition(c), { vars: {} }).ir }));
}

async function agree(rs: ReturnType<typeof rules>, facts: MatchFacts): Promise<string[]> {
  const fast = createCompiledMatcher(rs).match(facts);
  const ref = await createJreMatcher(rs).match(facts);
  assert.deepEqual(fast, ref, `for ${JSON.stringify(facts.event)}`);
  return fast;
}

describe("createCompiledMatcher", () => {
  it("indexes top-level equality leaves and evaluates the rest always", () => {
    const m = createCompiledMatcher(
      rules('event.kind == "a" and event.n > 1', 'event.kind == "b"', "event.n > 5", 'event.kind in ["c", "d"]', 'not (event.kind == "a")', 'event.kind == "a" or event.n == 1'),
    );
    assert.deepEqual(m.stats, { indexed: 3, unindexed: 3, paths: 1 });
  });

  it("returns matches in input order, mixing indexed and unindexed rules", async () => {
    const rs = rules("event.n > 0", 'event.kind == "a"', "event.n is defined", 'event.kind == "a" and event.n == 2', 'event.kind in ["a", "b"]', "event.kind is defined");
    assert.deepEqual(await agree(rs, { event: { kind: "a", n: 2 } }), ["r0", "r1", "r2", "r3", "r4", "r5"]);
    assert.deepEqual(await agree(rs, { event: { kind: "b", n: 0 } }), ["r2", "r4", "r5"]);
    assert.deepEqual(await agree(rs, { event: { n: 1 } }), ["r0", "r2"]);
    assert.deepEqual(await agree(rs, { event: { kind: { a: 1 } } }), ["r5"]);
  });

  it("keeps Drools equality: 3 == 3.0, '3' != 3, null only equals null", async () => {
    const rs = rules("event.v == 3", 'event.v == "3"', "event.v == null", "event.v == true");
    assert.deepEqual(await agree(rs, { event: { v: 3.0 } }), ["r0"]);
    assert.deepEqual(await agree(rs, { event: { v: "3" } }), ["r1"]);
    assert.deepEqual(await agree(rs, { event: { v: null } }), ["r2"]);
    assert.deepEqual(await agree(rs, { event: { v: true } }), ["r3"]);
    assert.deepEqual(await agree(rs, { event: {} }), []);
  });

  it("prefers the most selective path", () => {
    const conds = Array.from({ length: 20 }, (_, i) => `event.status == "firing" and event.name == "n${i}"`);
    const m = createCompiledMatcher(rules(...conds));
    assert.deepEqual(m.stats, { indexed: 20, unindexed: 0, paths: 1 });
    assert.deepEqual(m.match({ event: { status: "firing", name: "n7" } }), ["r7"]);
    assert.deepEqual(m.match({ event: { status: "resolved", name: "n7" } }), []);
  });

  it("handles several indexed paths and non-object events", async () => {
    const rs = rules('event.a == 1', 'event.b == "x"', 'event.a == 1 and event.b == "x"', "true");
    assert.deepEqual(await agree(rs, { event: { a: 1, b: "x" } }), ["r0", "r1", "r2", "r3"]);
    assert.deepEqual(await agree(rs, { event: null }), ["r3"]);
    assert.deepEqual(await agree(rs, { event: "text" }), ["r3"]);
  });

  it("uses the events bindings", async () => {
    const rs = rules("event.i == events.m_0.i + 1", "events.m_0.i is defined");
    assert.deepEqual(await agree(rs, { event: { i: 2 }, events: { m_0: { i: 1 } } }), ["r0", "r1"]);
    assert.deepEqual(await agree(rs, { event: { i: 2 } }), []);
  });
});
