import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { findUnparenthesizedAndOr, parseCondition } from "../../src/rulebook/condition/parser.js";
import { printCondition } from "../../src/rulebook/condition/print.js";
import { isHookbookError } from "../../src/core/errors.js";
import type { ErrorCode } from "../../src/core/errors.js";
import type { CondNode } from "../../src/rulebook/condition/ast.js";

const p = (text: string, precedence: "ansible" | "conventional" = "ansible") => printCondition(parseCondition(text, { precedence }));

function throwsAt(text: string, code: ErrorCode, line: number, col: number, precedence: "ansible" | "conventional" = "ansible"): void {
  assert.throws(
    () => parseCondition(text, { precedence }),
    (err: unknown) => {
      assert.ok(isHookbookError(err), `expected a HookbookError for ${text}`);
      assert.equal(err.code, code, `code for ${JSON.stringify(text)}: ${err.message}`);
      assert.deepEqual({ line: err.location?.line, col: err.location?.col }, { line, col }, `location for ${JSON.stringify(text)}: ${err.message}`);
      assert.ok(err.message.length > 0 && !err.message.includes("undefined"), `message: ${err.message}`);
      return true;
    },
  );
}

function literal(text: string): unknown {
  const node = parseCondition(`event.x == ${text}`);
  assert.equal(node.type, "Compare");
  const right = (node as Extract<CondNode, { type: "Compare" }>).right;
  assert.equal(right.type, "Literal");
  return (right as Extract<CondNode, { type: "Literal" }>).value;
}

describe("parseCondition: terms", () => {
  it("paths with dots, brackets and indexes", () => {
    const node = parseCondition(`fact.range["x"][1][-2].a['b c']`);
    assert.equal(node.type, "Path");
    assert.deepEqual(node.type === "Path" ? [node.root, node.segments] : undefined, ["fact", ["range", "x", 1, -2, "a", "b c"]]);
    assert.equal(p('event["http://x"].y'), 'event["http://x"].y');
    assert.equal(p("event.urls[\"a.b\"].c"), 'event.urls["a.b"].c');
    assert.equal(p("events.m_0.i"), "events.m_0.i");
    assert.equal(p("vars.person.age"), "vars.person.age");
  });
  it("literals", () => {
    assert.equal(literal("42"), 42);
    assert.equal(literal("-5"), -5);
    assert.equal(literal("3.14"), 3.14);
    assert.equal(literal("1.5e3"), 1500);
    assert.equal(literal("-6e3"), -6000);
    assert.equal(literal("2.12345e+2"), 212.345);
    assert.equal(literal('"a\\nb"'), "a\nb");
    assert.equal(literal("'it\\'s'"), "it's");
    assert.equal(literal('"\\d+"'), "\\d+");
    assert.equal(literal("true"), true);
    assert.equal(literal("True"), true);
    assert.equal(literal("False"), false);
    assert.equal(literal("null"), null);
  });
  it("bare words are strings (ansible quirk): abc, None, NULL", () => {
    assert.equal(literal("abc"), "abc");
    assert.equal(literal("None"), "None");
    assert.equal(literal("NULL"), "NULL");
  });
  it("lists may hold paths and signed numbers", () => {
    assert.equal(p('event.x in [1, "a", null, 2.5, vars.x, -3]'), '(event.x in [1, "a", null, 2.5, vars.x, -3])');
  });
  it("signed numbers versus subtraction", () => {
    assert.equal(p("event.i -5 > 0"), "((event.i - 5) > 0)");
    assert.equal(p("event.i == -5"), "(event.i == -5)");
    assert.equal(p("event.i - -5 == 0"), "((event.i - -5) == 0)");
  });
});

describe("parseCondition: operators and precedence", () => {
  it("ansible mode: and/or share one level, left-assoc", () => {
    assert.equal(p("event.a or event.b and event.c"), "((event.a or event.b) and event.c)");
    assert.equal(p("event.a and event.b or event.c"), "((event.a and event.b) or event.c)");
  });
  it("conventional mode: and binds tighter", () => {
    assert.equal(p("event.a or event.b and event.c", "conventional"), "(event.a or (event.b and event.c))");
    assert.equal(p("event.a and event.b or event.c and event.d", "conventional"), "((event.a and event.b) or (event.c and event.d))");
  });
  it("not binds looser than comparisons, tighter than and/or", () => {
    assert.equal(p("not event.i > 5"), "(not (event.i > 5))");
    assert.equal(p("not event.a and event.b"), "((not event.a) and event.b)");
    assert.equal(p("not not event.a"), "(not (not event.a))");
    assert.equal(p("not event.x in [1]"), "(not (event.x in [1]))");
  });
  it("arithmetic binds tighter than comparisons; * / tighter than + -", () => {
    assert.equal(p("event.i == events.first.i + 2"), "(event.i == (events.first.i + 2))");
    assert.equal(p("event.a + event.b * 2 > 3"), "((event.a + (event.b * 2)) > 3)");
    assert.equal(p("event.a - event.b - 1 == 0"), "(((event.a - event.b) - 1) == 0)");
  });
  it("comparison levels follow the reference table", () => {
    // >= is tighter than <=, which is tighter than < >, then !=, then ==
    assert.equal(p("event.a >= 1 == true"), "((event.a >= 1) == true)");
    assert.equal(p("event.a == event.b != true"), "(event.a == (event.b != true))");
  });
  it("is [not] forms", () => {
    assert.equal(p("event.x is defined"), "(event.x is defined)");
    assert.equal(p("event.x is not defined"), "(event.x is not defined)");
    assert.equal(p('event.u is match("a.*", ignorecase=true, multiline=false)'), '(event.u is match("a.*", ignorecase=true, multiline=false))');
    assert.equal(p("event.u is not search(vars.pat)"), "(event.u is not search(vars.pat))");
    assert.equal(p('event.u is regex("x")'), '(event.u is regex("x"))');
    assert.equal(p("event.l is select('>=', 10)"), '(event.l is select(">=", 10))');
    assert.equal(p("event.l is not selectattr('person.age', 'in', [55, 25])"), '(event.l is not selectattr("person.age", "in", [55, 25]))');
  });
  it("membership keywords are case-insensitive", () => {
    assert.equal(p("event.x IN [1]"), "(event.x in [1])");
    assert.equal(p("event.x Not In [1]"), "(event.x not in [1])");
    assert.equal(p("event.l CONTAINS 1"), "(event.l contains 1)");
    assert.equal(p("event.l not contains 1"), "(event.l not contains 1)");
  });
  it("literals on the left", () => {
    assert.equal(p("73 != event.x"), "(73 != event.x)");
    assert.equal(p("true != event.flat_earth"), "(true != event.flat_earth)");
    assert.equal(p("[1, 2] contains event.x"), "([1, 2] contains event.x)");
  });
  it("assignment", () => {
    const node = parseCondition("events.first << event.i == 1 and event.j == 2");
    assert.equal(node.type, "Assign");
    if (node.type === "Assign") {
      assert.deepEqual(node.alias, { root: "events", name: "first" });
      assert.equal(printCondition(node.condition), "((event.i == 1) and (event.j == 2))");
    }
    assert.equal(p("facts.f << fact.x is defined"), "facts.f << (fact.x is defined)");
  });
  it("round-trips through the printer", () => {
    for (const text of [
      'event.a.b["c-d"][0] == "x" and not (event.n > 1.5 or event.n < -2)',
      "event.x not in [1, 'two', null, true] or event.l contains vars.v",
      'event.s is not match("^a\\\\d", ignorecase=true) and event.t is defined',
      "events.m_1.i + 1 == event.i",
    ]) {
      const once = p(text);
      assert.equal(p(once), once);
      assert.equal(p(once, "conventional"), once);
    }
  });
});

describe("parseCondition: errors carry code and 1-based line/col", () => {
  it("bare prefix alone", () => {
    throwsAt("event is defined", "HB_ERR_CONDITION_SYNTAX", 1, 1);
    throwsAt("event.x == 1 and vars", "HB_ERR_CONDITION_SYNTAX", 1, 18);
  });
  it("unknown prefix", () => {
    throwsAt("xyz.a == 1", "HB_ERR_CONDITION_SYNTAX", 1, 1);
    throwsAt("event.a == 1 and evnt.b == 2", "HB_ERR_CONDITION_SYNTAX", 1, 18);
  });
  it("float index", () => {
    throwsAt("event.list[1.5] == 1", "HB_ERR_CONDITION_SYNTAX", 1, 12);
  });
  it("uppercase AND/OR and other trailing garbage", () => {
    throwsAt("event.a == 1 AND event.b == 2", "HB_ERR_CONDITION_SYNTAX", 1, 14);
    throwsAt("event.a == 1 event.b", "HB_ERR_CONDITION_SYNTAX", 1, 14);
    throwsAt("event.a = 1", "HB_ERR_CONDITION_SYNTAX", 1, 9);
  });
  it("unbalanced parentheses and brackets", () => {
    throwsAt("(event.a == 1", "HB_ERR_CONDITION_SYNTAX", 1, 14);
    throwsAt("event.a == 1)", "HB_ERR_CONDITION_SYNTAX", 1, 13);
    throwsAt("event.a in [1, 2", "HB_ERR_CONDITION_SYNTAX", 1, 17);
  });
  it("unterminated string", () => {
    throwsAt('event.a == "abc', "HB_ERR_CONDITION_SYNTAX", 1, 12);
  });
  it("missing operands", () => {
    throwsAt("event.a ==", "HB_ERR_CONDITION_SYNTAX", 1, 11);
    throwsAt("== 1", "HB_ERR_CONDITION_SYNTAX", 1, 1);
    throwsAt("", "HB_ERR_CONDITION_SYNTAX", 1, 1);
    throwsAt("event.a == 1 and", "HB_ERR_CONDITION_SYNTAX", 1, 17);
  });
  it("bad is-forms", () => {
    throwsAt("event.a is foo", "HB_ERR_CONDITION_SYNTAX", 1, 12);
    throwsAt("event.a is select('>')", "HB_ERR_CONDITION_SYNTAX", 1, 22);
    throwsAt("event.a is match()", "HB_ERR_CONDITION_SYNTAX", 1, 18);
    throwsAt('event.a is match("x", dotall=true)', "HB_ERR_CONDITION_SEMANTIC", 1, 23);
    throwsAt('event.a is match("x", ignorecase=1)', "HB_ERR_CONDITION_SEMANTIC", 1, 34);
  });
  it("assignment alias must be events.NAME / facts.NAME", () => {
    throwsAt("events.a.b << event.i == 1", "HB_ERR_CONDITION_SYNTAX", 1, 1);
    throwsAt("event.a << event.i == 1", "HB_ERR_CONDITION_SYNTAX", 1, 1);
    throwsAt("event.i == 1 << event.j", "HB_ERR_CONDITION_SYNTAX", 1, 14);
    throwsAt("events.a << events.b << event.i == 1", "HB_ERR_CONDITION_SYNTAX", 1, 22);
  });
  it("locations on later lines", () => {
    throwsAt("event.a == 1 and\n  event.b === 2", "HB_ERR_CONDITION_SYNTAX", 2, 13);
    throwsAt("event.a == 1\nand xyz.b == 2", "HB_ERR_CONDITION_SYNTAX", 2, 5);
  });
  it("errors carry a hint where one helps", () => {
    try {
      parseCondition("event.a == 1 AND event.b == 2");
      assert.fail("expected an error");
    } catch (err) {
      assert.ok(isHookbookError(err) && typeof err.hint === "string");
    }
  });
});

describe("findUnparenthesizedAndOr", () => {
  it("reports the operator that mixes", () => {
    assert.deepEqual(findUnparenthesizedAndOr("event.a or event.b and event.c"), { line: 1, col: 20 });
    assert.deepEqual(findUnparenthesizedAndOr("event.a and\nevent.b or event.c"), { line: 2, col: 9 });
  });
  it("is quiet when parenthesized or unmixed", () => {
    assert.equal(findUnparenthesizedAndOr("event.a or (event.b and event.c)"), undefined);
    assert.equal(findUnparenthesizedAndOr("(event.a or event.b) and event.c"), undefined);
    assert.equal(findUnparenthesizedAndOr("event.a and event.b and event.c"), undefined);
    assert.equal(findUnparenthesizedAndOr('event.and == "or" and event.or'), undefined);
  });
});
