import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseCondition } from "../../src/rulebook/condition/parser.js";
import { compileCondition } from "../../src/rulebook/condition/compile.js";
import type { CompileContext } from "../../src/rulebook/condition/compile.js";
import { isHookbookError } from "../../src/core/errors.js";
import type { ErrorCode } from "../../src/core/errors.js";
import { formatIrPath, parseIrPath } from "../../src/rulebook/condition/ir-path.js";

const compile = (text: string, ctx: Partial<CompileContext> = {}) => compileCondition(parseCondition(text), { vars: {}, ...ctx });

function throwsCode(text: string, code: ErrorCode, at?: { line: number; col: number }, vars: Record<string, unknown> = {}): void {
  assert.throws(
    () => compile(text, { vars }),
    (err: unknown) => {
      assert.ok(isHookbookError(err), `expected a HookbookError for ${text}`);
      assert.equal(err.code, code, `${text}: ${err.message}`);
      if (at) assert.deepEqual({ line: err.location?.line, col: err.location?.col }, at);
      return true;
    },
  );
}

describe("compileCondition: vars", () => {
  it("substitutes typed values", () => {
    const vars = { person: { age: 30, tags: ["a"] }, s: "5", f: 1.5, b: false, n: null };
    assert.deepEqual(compile("event.x == vars.person.age", { vars }).ir, { all: [{ fact: "event", path: "x", operator: "hb_eq", value: 30 }] });
    assert.deepEqual(compile("event.x == vars.s", { vars }).ir, { all: [{ fact: "event", path: "x", operator: "hb_eq", value: "5" }] });
    assert.deepEqual(compile("event.x in vars.person.tags", { vars }).ir, { all: [{ fact: "event", path: "x", operator: "hb_in", value: ["a"] }] });
    assert.deepEqual(compile("event.x == vars.n", { vars }).ir, { all: [{ fact: "event", path: "x", operator: "hb_eq", value: null }] });
  });
  it("a missing key is HB_ERR_VARS_MISSING naming the key", () => {
    try {
      compile("event.a == 1 and event.age > vars.person.age", { vars: { person: {} } });
      assert.fail("expected an error");
    } catch (err) {
      assert.ok(isHookbookError(err));
      assert.equal(err.code, "HB_ERR_VARS_MISSING");
      assert.match(err.message, /person\.age/);
      assert.deepEqual({ line: err.location?.line, col: err.location?.col }, { line: 1, col: 30 });
    }
  });
  it("vars.x is defined folds to a constant instead of failing", () => {
    assert.deepEqual(compile("vars.x is defined", { vars: { x: 1 } }).ir, { all: [] });
    assert.deepEqual(compile("vars.y is defined", { vars: { x: 1 } }).ir, { not: { all: [] } });
  });
  it("a constant object with a 'fact' key stays a literal", () => {
    const { ir } = compile("event.o == vars.o", { vars: { o: { fact: "event", path: "x" } } });
    assert.deepEqual(ir, { all: [{ fact: "event", path: "o", operator: "hb_eq", value: { fact: "hb_expr", params: { expr: { const: { fact: "event", path: "x" } } } } }] });
  });
});

describe("compileCondition: constants and folding", () => {
  it("folds constant comparisons with Drools semantics", () => {
    assert.deepEqual(compile("1 == 1.0").ir, { all: [] });
    assert.deepEqual(compile('"5" == 5').ir, { not: { all: [] } });
    assert.deepEqual(compile("vars.a + 1 == 3", { vars: { a: 2 } }).ir, { all: [] });
    assert.deepEqual(compile("not (vars.a > 1)", { vars: { a: "x" } }).ir, { not: { all: [] } });
  });
  it("drops constant-true conjuncts and constant-false disjuncts", () => {
    assert.deepEqual(compile("true and event.i == 1").ir, { all: [{ fact: "event", path: "i", operator: "hb_eq", value: 1 }] });
    assert.deepEqual(compile("false or event.i == 1").ir, { all: [{ fact: "event", path: "i", operator: "hb_eq", value: 1 }] });
    assert.deepEqual(compile("false and event.i == 1").ir, { not: { all: [] } });
  });
  it("non-boolean constants are not conditions", () => {
    throwsCode("abc", "HB_ERR_CONDITION_SEMANTIC", { line: 1, col: 1 });
    throwsCode("event.a == 1 and 5", "HB_ERR_CONDITION_SEMANTIC", { line: 1, col: 18 });
    throwsCode("vars.n", "HB_ERR_CONDITION_SEMANTIC", undefined, { n: 3 });
    throwsCode("[1, 2]", "HB_ERR_CONDITION_SEMANTIC");
    throwsCode("event.a + 1", "HB_ERR_CONDITION_SEMANTIC");
  });
  it("constant arithmetic that cannot be computed is an error", () => {
    throwsCode('event.a == "x" - 1', "HB_ERR_CONDITION_SEMANTIC", { line: 1, col: 12 });
  });
});

describe("compileCondition: semantic checks", () => {
  it("invalid select / selectattr operators", () => {
    throwsCode("event.x is select('~=', 1)", "HB_ERR_CONDITION_SEMANTIC", { line: 1, col: 19 });
    throwsCode("event.x is select('in', [1])", "HB_ERR_CONDITION_SEMANTIC");
    throwsCode("event.x is selectattr('a', 'like', 1)", "HB_ERR_CONDITION_SEMANTIC");
    throwsCode("event.x is selectattr(1, '==', 1)", "HB_ERR_CONDITION_SEMANTIC");
    assert.doesNotThrow(() => compile("event.x is selectattr('a', 'not in', [1])"));
  });
  it("regex patterns must be valid strings", () => {
    throwsCode("event.x is search('[')", "HB_ERR_CONDITION_SEMANTIC");
    throwsCode("event.x is match(5)", "HB_ERR_CONDITION_SEMANTIC");
    throwsCode("event.x is select('regex', '(')", "HB_ERR_CONDITION_SEMANTIC");
  });
  it("is defined needs a path; tests cannot be values", () => {
    throwsCode("5 is defined", "HB_ERR_CONDITION_SEMANTIC");
    throwsCode("event.a == 1 == true", "HB_ERR_CONDITION_SEMANTIC");
  });
});

describe("compileCondition: shapes", () => {
  it("returns the alias of an assignment", () => {
    const c = compile("events.first << event.i == 1");
    assert.equal(c.alias, "first");
    assert.equal(compile("event.i == 1").alias, undefined);
  });
  it("not is pushed to leaves with complementary operators", () => {
    assert.deepEqual(compile("not (event.a == 1 or event.b in [1])").ir, {
      all: [
        { fact: "event", path: "a", operator: "hb_ne", value: 1 },
        { fact: "event", path: "b", operator: "hb_not_in", value: [1] },
      ],
    });
    assert.deepEqual(compile("not (event.a is select('==', 1) and event.b is not selectattr('k', '==', 1))").ir, {
      any: [
        { fact: "event", path: "a", operator: "hb_select_none", value: { op: "==", value: 1 } },
        { fact: "event", path: "b", operator: "hb_selectattr_all", value: { key: "k", op: "==", value: 1 } },
      ],
    });
  });
  it("mirrors a literal left side", () => {
    assert.deepEqual(compile("10 >= event.x").ir, { all: [{ fact: "event", path: "x", operator: "hb_le", value: 10 }] });
    assert.deepEqual(compile("1 not in event.l").ir, { all: [{ fact: "event", path: "l", operator: "hb_not_contains", value: 1 }] });
  });
  it("binding references: explicit bindings and the default heuristic", () => {
    const leafOf = (text: string, ctx: Partial<CompileContext> = {}) => (compile(text, ctx).ir as unknown as { all: unknown[] }).all[0];
    assert.deepEqual(leafOf("events.m_0.i == 1"), { fact: "events", path: "m_0.i", operator: "hb_eq", value: 1 });
    assert.deepEqual(leafOf("events.first.i == 1"), { fact: "events", path: "first.i", operator: "hb_eq", value: 1 });
    assert.deepEqual(leafOf("events.flag == true"), { fact: "event", path: "flag", operator: "hb_eq", value: true });
    assert.deepEqual(leafOf("events.alert.status == 1", { bindings: [] }), { fact: "event", path: "alert.status", operator: "hb_eq", value: 1 });
    assert.deepEqual(leafOf("facts.first.i == 1", { bindings: ["first"] }), { fact: "events", path: "first.i", operator: "hb_eq", value: 1 });
    assert.deepEqual(leafOf("fact.i == 1"), { fact: "event", path: "i", operator: "hb_eq", value: 1 });
  });
});

describe("IR paths", () => {
  it("format and parse round-trip", () => {
    for (const segs of [["a", "b"], ["http://x", "y"], ["list", 0, -1], ["a.b", 'q"uote', "ü"], [0, "x"]]) {
      const s = formatIrPath(segs);
      assert.deepEqual(parseIrPath(s), segs, s);
    }
    assert.equal(formatIrPath(["alert", "labels", "gpu-type", 0]), 'alert.labels["gpu-type"][0]');
  });
});
