/**
 * Value semantics and the reference's operator matrix (§2.3, §7.3/§7.4). Every case runs through
 * json-rules-engine, the compiled predicate and the indexed matcher; all three must agree.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseCondition } from "../../src/rulebook/condition/parser.js";
import { compileCondition } from "../../src/rulebook/condition/compile.js";
import { compilePredicate } from "../../src/engine/match/predicate.js";
import type { MatchFacts } from "../../src/engine/match/predicate.js";
import { createJreMatcher } from "../../src/engine/match/jre-evaluator.js";
import { createCompiledMatcher } from "../../src/engine/match/rule-index.js";

interface Opts {
  vars?: Record<string, unknown>;
  events?: Record<string, unknown>;
}

async function verdicts(condition: string, inputs: readonly unknown[], opts: Opts = {}): Promise<boolean[]> {
  const { ir } = compileCondition(parseCondition(condition), { vars: opts.vars ?? {} });
  const jre = createJreMatcher([{ id: "r", ir }]);
  const indexed = createCompiledMatcher([{ id: "r", ir }]);
  const pred = compilePredicate(ir);
  const out: boolean[] = [];
  for (const event of inputs) {
    const facts: MatchFacts = opts.events ? { event, events: opts.events } : { event };
    const j = (await jre.match(facts)).length === 1;
    const c = pred(facts);
    const x = indexed.match(facts).length === 1;
    assert.equal(c, j, `compiled vs json-rules-engine for ${condition} on ${JSON.stringify(event)}`);
    assert.equal(x, j, `indexed vs json-rules-engine for ${condition} on ${JSON.stringify(event)}`);
    out.push(j);
  }
  return out;
}

async function count(condition: string, inputs: readonly unknown[], opts: Opts = {}): Promise<number> {
  return (await verdicts(condition, inputs, opts)).filter(Boolean).length;
}

const xs = (...values: unknown[]) => values.map((x) => ({ x }));

describe("relational operators (e2e matrix)", () => {
  it("73 != event.x over [42, 42, 73] → 2", async () => {
    assert.equal(await count("73 != event.x", xs(42, 42, 73)), 2);
  });
  it("event.x < 200.001 over [164.0, 300.7] → 1", async () => {
    assert.equal(await count("event.x < 200.001", xs(164.0, 300.7)), 1);
  });
  it("event.x <= -10 over [-20, -9] → 1", async () => {
    assert.equal(await count("event.x <= -10", xs(-20, -9)), 1);
  });
  it("event.x == 3.0 matches int 3", async () => {
    assert.equal(await count("event.x == 3.0", xs(3)), 1);
  });
  it("multi-line string equality", async () => {
    assert.equal(await count('event.x == "Winter\\nis\\ncoming"', xs("Winter\nis\ncoming", "Winter is coming")), 1);
  });
  it("event.x >= 1.41421356237 over [1.41, 1.41421356237, 1.41421356238, 2] → 3", async () => {
    assert.equal(await count("event.x >= 1.41421356237", xs(1.41, 1.41421356237, 1.41421356238, 2)), 3);
  });
  it("event.best_number > vars.universe_meaning", async () => {
    assert.equal(await count("event.best_number > vars.universe_meaning", [{ best_number: 73 }], { vars: { universe_meaning: 42 } }), 1);
  });
  it("not event.nullified matches null", async () => {
    assert.equal(await count("not event.nullified", [{ nullified: null }]), 1);
  });
  it("event.nullable == false does not match null", async () => {
    assert.equal(await count("event.nullable == false", [{ nullable: null }]), 0);
  });
  it("event.x == null over [null, 'null'] → 1", async () => {
    assert.equal(await count("event.x == null", xs(null, "null")), 1);
  });
  it("event.s != null matches a string", async () => {
    assert.equal(await count("event.s != null", [{ s: "x" }, { s: null }, {}]), 1);
  });
  it("not a and not (b == 'Goodbye' or b != 'Hello there') → 1", async () => {
    const events = [
      { a: false, b: "Hello there" },
      { a: true, b: "Hello there" },
      { a: false, b: "Goodbye" },
      { b: "Hello there" },
      { a: false },
    ];
    assert.equal(await count('not event.a and not (event.b == "Goodbye" or event.b != "Hello there")', events), 1);
  });
  it("no coercion: '5' == 5, true == 1, 1 == true are false", async () => {
    assert.equal(await count("event.x == 5", xs("5")), 0);
    assert.equal(await count("event.x == true", xs(1)), 0);
    assert.equal(await count("event.x == 1", xs(true)), 0);
    assert.equal(await count('event.x > "4"', xs(5)), 0);
    assert.equal(await count("not (event.x > 4)", xs("abc")), 0, "a type clash is false in both polarities");
  });
  it("strings are case-sensitive", async () => {
    assert.equal(await count('event.x == "Fire and Blood"', xs("fire and blood", "Fire and Blood")), 1);
  });
  it("string ordering", async () => {
    assert.equal(await count('event.x < "b"', xs("a", "c", 1)), 1);
  });
});

describe("missing attributes never match, even negated", () => {
  const missing = [{}, { other: 1 }];
  for (const cond of [
    "event.x != 'GET'",
    "not event.x",
    'event.x is not search("abc")',
    "not (event.x > 50 or event.x < 10)",
    "event.x not in [1, 2]",
    "event.x not contains 1",
    'event.x is not select(">", 1)',
    'event.x is not selectattr("a", "==", 1)',
    "not (event.x == 1)",
    "event.x == event.y",
    "event.x != event.y",
  ]) {
    it(cond, async () => {
      assert.equal(await count(cond, missing), 0);
    });
  }
  it("not event.b does not fire on {bt: true}", async () => {
    assert.equal(await count("not event.b", [{ bt: true }]), 0);
  });
  it("not (event.i > 50 or event.i < 10) with i present", async () => {
    assert.deepEqual(await verdicts("not (event.i > 50 or event.i < 10)", [{ i: 30 }, { i: 60 }, { i: 5 }, {}]), [true, false, false, false]);
  });
  it("only is not defined matches absence; null counts as defined", async () => {
    assert.deepEqual(await verdicts("event.x is not defined", [{}, { x: null }, { x: 0 }]), [true, false, false]);
    assert.deepEqual(await verdicts("event.x is defined", [{}, { x: null }, { x: 0 }]), [false, true, true]);
    assert.deepEqual(await verdicts("not (event.x is defined)", [{}, { x: null }]), [true, false]);
  });
});

describe("bare values and constants", () => {
  it("a bare path matches boolean true only", async () => {
    assert.deepEqual(await verdicts("event.flag", [{ flag: true }, { flag: 1 }, { flag: "true" }, { flag: false }, {}]), [true, false, false, false, false]);
  });
  it("not <path> matches present falsy values", async () => {
    assert.deepEqual(
      await verdicts("not event.x", [{ x: null }, { x: false }, { x: 0 }, { x: "" }, { x: [] }, { x: {} }, { x: 1 }, { x: "a" }, { x: true }, {}]),
      [true, true, true, true, true, true, false, false, false, false],
    );
  });
  it("true / false literal conditions", async () => {
    assert.equal(await count("true", [{}, { a: 1 }]), 2);
    assert.equal(await count("false", [{}, { a: 1 }]), 0);
    assert.equal(await count("vars.on", [{}], { vars: { on: true } }), 1);
  });
  it("self reference", async () => {
    assert.deepEqual(await verdicts("event.x == event.y", [{ x: "Fred", y: "Fred" }, { x: "Fred", y: "Bob" }, { x: 3, y: 3.0 }]), [true, false, true]);
  });
  it("arithmetic against a binding", async () => {
    const events = { m_0: { i: 1 } };
    assert.deepEqual(await verdicts("event.i == events.m_0.i + 1", [{ i: 2 }, { i: 1 }, {}], { events }), [true, false, false]);
    assert.deepEqual(await verdicts("event.i == events.m_0.i + 1", [{ i: 2 }], { events: {} }), [false]);
  });
  it("arithmetic: * / extension, division by zero never matches", async () => {
    assert.deepEqual(await verdicts("event.a * 2 == event.b", [{ a: 2, b: 4 }, { a: 2, b: 5 }]), [true, false]);
    assert.deepEqual(await verdicts("event.a / event.b > 1", [{ a: 4, b: 2 }, { a: 4, b: 0 }, { a: "4", b: 2 }]), [true, false, false]);
    assert.deepEqual(await verdicts("event.a - 1 >= 0", [{ a: 1 }, { a: 0 }]), [true, false]);
  });
  it("lists compare deeply with numeric element equality", async () => {
    assert.deepEqual(await verdicts("event.x == [1, 2.0]", xs([1, 2], [1, 2, 3], [2, 1])), [true, false, false]);
  });
});

describe("membership (e2e matrix)", () => {
  it("data not in ['2','3','one',null] over '0','1','2' → 2", async () => {
    assert.equal(await count('event.data not in ["2", "3", "one", null]', ["0", "1", "2"].map((data) => ({ data }))), 2);
  });
  it("value in vars.mixed_types → 4", async () => {
    const vars = { mixed_types: [4, 2.7182, "Vhagar", true, "Stark"] };
    const values = ["Stark", "Martell", 4, 2.7182, -6000, true].map((value) => ({ value }));
    assert.equal(await count("event.value in vars.mixed_types", values, { vars }), 4);
  });
  it('mylist contains "jon" with "Jon" → no', async () => {
    assert.equal(await count('event.mylist contains "jon"', [{ mylist: ["Jon", "Arya"] }]), 0);
  });
  it("contains 4.5e+1 with 45 → yes; contains 6.99 with 6.9 → no", async () => {
    assert.equal(await count("event.mylist contains 4.5e+1", [{ mylist: [45] }]), 1);
    assert.equal(await count("event.mylist contains 6.99", [{ mylist: [6.9] }]), 0);
    assert.equal(await count("45 contains 4.5e+1", [{}]), 1);
  });
  it('[""] contains "" and list contains null', async () => {
    assert.equal(await count('[""] contains ""', [{}]), 1);
    assert.equal(await count('event.l contains ""', [{ l: [""] }]), 1);
    assert.equal(await count("event.l contains null", [{ l: [1, null] }, { l: [1] }]), 1);
    assert.equal(await count("event.l not contains null", [{ l: [1, null] }, { l: [1] }]), 1);
  });
  it("ned_stark in [null, 'dead', 0, false] with null → yes", async () => {
    assert.equal(await count('event.ned_stark in [null, "dead", 0, false]', [{ ned_stark: null }]), 1);
    assert.equal(await count('false in [null, "fred", false, 42]', [{}]), 1);
  });
  it("a literal on the left and a non-list side as one element", async () => {
    assert.deepEqual(await verdicts("[1, 2] contains event.x", xs(1, 3)), [true, false]);
    assert.deepEqual(await verdicts('"a" in event.tags', [{ tags: ["a"] }, { tags: "a" }, { tags: ["b"] }]), [true, true, false]);
    assert.deepEqual(await verdicts("event.x contains 1", xs(1, 2)), [true, false]);
  });
  it("keywords are case-insensitive", async () => {
    assert.equal(await count("event.x IN [1, 2]", xs(1)), 1);
    assert.equal(await count("event.x NOT IN [1, 2]", xs(1)), 0);
    assert.equal(await count("event.l Contains 1", [{ l: [1] }]), 1);
  });
  it("list literal with paths", async () => {
    assert.deepEqual(await verdicts("event.x in [1, event.y]", [{ x: 5, y: 5 }, { x: 1 }, { x: 2, y: 3 }]), [true, false, false]);
  });
});

describe("match / search / regex", () => {
  it("match is anchored, search and regex are not", async () => {
    assert.deepEqual(await verdicts('event.s is match("b")', [{ s: "abc" }, { s: "bcd" }]), [false, true]);
    assert.deepEqual(await verdicts('event.s is search("b")', [{ s: "abc" }, { s: "xyz" }]), [true, false]);
    assert.deepEqual(await verdicts('event.s is regex("b")', [{ s: "abc" }, { s: "xyz" }]), [true, false]);
  });
  it("ignorecase and multiline", async () => {
    assert.deepEqual(await verdicts('event.s is match("B", ignorecase=true)', [{ s: "bcd" }]), [true]);
    assert.deepEqual(await verdicts('event.s is match("b", multiline=true)', [{ s: "a\nbc" }]), [true]);
    assert.deepEqual(await verdicts('event.s is match("b")', [{ s: "a\nbc" }]), [false]);
  });
  it("regex escapes survive in strings", async () => {
    assert.deepEqual(await verdicts('event.s is search("\\d+\\.\\d")', [{ s: "v1.2" }, { s: "v12" }]), [true, false]);
  });
  it("non-strings are stringified; null and missing are false both ways", async () => {
    assert.deepEqual(await verdicts('event.n is search("4")', [{ n: 42 }, { n: 13 }]), [true, false]);
    assert.deepEqual(await verdicts('event.n is search("x")', [{ n: null }, {}]), [false, false]);
    assert.deepEqual(await verdicts('event.n is not search("x")', [{ n: null }, {}, { n: "y" }, { n: "x" }]), [false, false, true, false]);
  });
  it("pattern from a path", async () => {
    assert.deepEqual(await verdicts("event.s is search(event.p)", [{ s: "abc", p: "b" }, { s: "abc", p: "z" }, { s: "abc" }]), [true, false, false]);
    assert.deepEqual(await verdicts("event.s is search(vars.p)", [{ s: "abc" }], { vars: { p: "^a" } }), [true]);
  });
});

describe("select / selectattr", () => {
  const levels = [{ x: [10, 20, 30] }, { x: [30, 40] }, { x: [1, 2] }, { x: 30 }, { x: [] }, { x: null }, {}];
  it("is select: any element", async () => {
    assert.deepEqual(await verdicts('event.x is select(">", 25)', levels), [true, true, false, true, false, false, false]);
  });
  it("is not select: NOT(all elements) — [10,20,30] is not select('>', 25) matches", async () => {
    assert.deepEqual(await verdicts('event.x is not select(">", 25)', levels), [true, false, true, false, false, false, false]);
  });
  it("not (is select) = none; not (is not select) = all", async () => {
    assert.deepEqual(await verdicts('not (event.x is select(">", 25))', levels), [false, false, true, false, true, false, false]);
    assert.deepEqual(await verdicts('not (event.x is not select(">", 25))', levels), [false, true, false, true, true, false, false]);
  });
  it("select with regex ops is unanchored", async () => {
    assert.deepEqual(await verdicts('event.x is select("match", "b")', [{ x: ["abc"] }, { x: ["xyz"] }]), [true, false]);
  });
  it("select value from a binding", async () => {
    const events = { m_0: { request: { friend_name: "fred" } } };
    assert.deepEqual(
      await verdicts('event.friend_list.names is select("search", events.m_0.request.friend_name)', [{ friend_list: { names: ["alfred", "x"] } }, { friend_list: { names: ["x"] } }], { events }),
      [true, false],
    );
  });
  const people = (...ages: (number | undefined)[]) => ({ people: ages.map((age) => (age === undefined ? { person: {} } : { person: { age } })) });
  it("selectattr any / not all, elements lacking the key never satisfy", async () => {
    const inputs = [people(55, 20), people(60, 70), people(10), people(undefined), people(60, undefined), { people: { person: { age: 80 } } }, {}];
    assert.deepEqual(await verdicts('event.people is selectattr("person.age", ">", 50)', inputs), [true, true, false, false, true, true, false]);
    assert.deepEqual(await verdicts('event.people is not selectattr("person.age", ">", 50)', inputs), [true, false, true, true, true, false, false]);
  });
  it("selectattr in / contains", async () => {
    assert.deepEqual(await verdicts('event.people is selectattr("person.age", "in", [55, 25])', [people(55), people(30)]), [true, false]);
    const tags = [{ l: [{ t: ["a", "b"] }] }, { l: [{ t: ["c"] }] }];
    assert.deepEqual(await verdicts('event.l is selectattr("t", "contains", "a")', tags), [true, false]);
    assert.deepEqual(await verdicts('event.l is selectattr("t", "not contains", "a")', tags), [false, true]);
  });
  it("selectattr == null", async () => {
    assert.deepEqual(await verdicts('event.l is selectattr("a", "==", null)', [{ l: [{ a: null }] }, { l: [{ a: 1 }] }, { l: [{}] }]), [true, false, false]);
  });
});
