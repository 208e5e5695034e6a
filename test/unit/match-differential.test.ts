/**
 * Differential test: a seeded PRNG builds random condition ASTs (missing attributes, nulls, mixed
 * types, lists, negations, select/selectattr, regexes, arithmetic, bindings), prints them to text,
 * parses and compiles them, then runs thousands of random events through json-rules-engine, the
 * compiled predicates and the indexed matcher. Every verdict must agree.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import type { CondNode, PathNode, PathRoot, PathSegment, SourceLoc } from "../../src/rulebook/condition/ast.js";
import { parseCondition } from "../../src/rulebook/condition/parser.js";
import { printCondition } from "../../src/rulebook/condition/print.js";
import { compileCondition } from "../../src/rulebook/condition/compile.js";
import { isHookbookError } from "../../src/core/errors.js";
import { compilePredicate } from "../../src/engine/match/predicate.js";
import type { MatchFacts } from "../../src/engine/match/predicate.js";
import { createJreMatcher } from "../../src/engine/match/jre-evaluator.js";
import { createCompiledMatcher } from "../../src/engine/match/rule-index.js";
import { mulberry32 } from "../helpers/random.js";

const SEED = Number(process.env.DIFF_SEED ?? 20240611);
const N_CONDITIONS = 300;
const N_EVENTS = 1500;

const rnd = mulberry32(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
const chance = (p: number) => rnd() < p;
const L: SourceLoc = { offset: 0, line: 1, col: 1 };

// ---- random events ---------------------------------------------------------------------------

const STRINGS = ["a", "b", "abc", "A", "3", "", "bca", "x-y", "a\nb"];
function scalar(): unknown {
  return pick([() => Math.floor(rnd() * 7) - 3, () => pick([0.5, 2.5, 3.0, -1.5]), () => pick(STRINGS), () => chance(0.5), () => null])();
}
function scalarList(): unknown[] {
  return Array.from({ length: Math.floor(rnd() * 4) }, scalar);
}
function element(): unknown {
  if (chance(0.1)) return scalar();
  const e: Record<string, unknown> = {};
  if (chance(0.8)) e.k = chance(0.2) ? scalarList() : scalar();
  if (chance(0.6)) e.n = chance(0.85) ? { m: scalar() } : scalar();
  return e;
}
function value(): unknown {
  return pick([scalar, scalar, scalar, scalarList, () => ({ k: scalar() })])();
}
function randomEvent(): Record<string, unknown> {
  const ev: Record<string, unknown> = {};
  for (const key of ["a", "b", "s", "n", "flag"]) if (chance(0.8)) ev[key] = value();
  if (chance(0.8)) ev.l = chance(0.8) ? scalarList() : value();
  if (chance(0.7)) ev.o = chance(0.8) ? { k: value(), n: chance(0.8) ? { m: value() } : value() } : value();
  if (chance(0.7)) ev.lo = chance(0.85) ? Array.from({ length: Math.floor(rnd() * 4) }, element) : element();
  if (chance(0.4)) ev["x-y"] = value();
  return ev;
}

// ---- random conditions -----------------------------------------------------------------------

const EVENT_PATHS: readonly (readonly PathSegment[])[] = [["a"], ["b"], ["s"], ["n"], ["flag"], ["l"], ["l", 0], ["l", -1], ["o", "k"], ["o", "n", "m"], ["lo"], ["x-y"], ["zz"]];
const BINDING_PATHS: readonly (readonly PathSegment[])[] = [["m_0", "a"], ["m_0", "s"], ["m_0", "l"]];
const VARS = { num: 2, str: "abc", list: [1, "a", null, 2.5], flag: true, pat: "^a" };
const VAR_PATHS: readonly (readonly PathSegment[])[] = [["num"], ["str"], ["list"], ["flag"]];
const PATTERNS = ["a", "^a", "b$", "A", "\\d", "a|b", "[ab]c", "^$"];

function path(): PathNode {
  const r = rnd();
  if (r < 0.75) return { type: "Path", root: pick<PathRoot>(["event", "event", "event", "fact"]), segments: pick(EVENT_PATHS), loc: L };
  if (r < 0.9) return { type: "Path", root: pick<PathRoot>(["events", "facts"]), segments: pick(BINDING_PATHS), loc: L };
  return { type: "Path", root: "vars", segments: pick(VAR_PATHS), loc: L };
}
function literal(): CondNode {
  const v = scalar();
  if (typeof v === "number") return { type: "Literal", value: v, kind: Number.isInteger(v) ? "int" : "float", loc: L };
  if (typeof v === "string") return { type: "Literal", value: v, kind: chance(0.2) && /^[a-z]+$/.test(v) && v !== "abc" ? "bareword" : "string", loc: L };
  if (typeof v === "boolean") return { type: "Literal", value: v, kind: "boolean", loc: L };
  return { type: "Literal", value: null, kind: "null", loc: L };
}
function list(): CondNode {
  return { type: "List", items: Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => (chance(0.15) ? path() : literal())), loc: L };
}
function valueNode(): CondNode {
  const r = rnd();
  if (r < 0.5) return path();
  if (r < 0.8) return literal();
  if (r < 0.9) return list();
  return { type: "Arithmetic", op: pick(["+", "-", "*", "/"] as const), left: path(), right: chance(0.5) ? literal() : path(), loc: L };
}
function str(value: string): CondNode {
  return { type: "Literal", value, kind: "string", loc: L };
}

function condition(depth: number): CondNode {
  const r = rnd();
  if (depth > 0 && r < 0.3) {
    return { type: "Logical", op: chance(0.5) ? "and" : "or", left: condition(depth - 1), right: condition(depth - 1), loc: L, opLoc: L };
  }
  if (depth > 0 && r < 0.42) return { type: "Not", operand: condition(depth - 1), loc: L };
  const kind = pick(["cmp", "cmp", "cmp", "member", "member", "defined", "search", "select", "selectattr", "bare"] as const);
  switch (kind) {
    case "cmp":
      return { type: "Compare", op: pick(["==", "!=", "<", "<=", ">", ">="] as const), left: chance(0.85) ? path() : literal(), right: valueNode(), loc: L };
    case "member": {
      const op = pick(["in", "not in", "contains", "not contains"] as const);
      const listSide = chance(0.7) ? list() : path();
      const left = op === "in" || op === "not in" ? (chance(0.85) ? path() : literal()) : chance(0.8) ? path() : list();
      const right = op === "in" || op === "not in" ? listSide : chance(0.6) ? literal() : path();
      return { type: "Membership", op, left, right, loc: L };
    }
    case "defined": {
      const p = path();
      return { type: "IsDefined", negated: chance(0.5), operand: p.root === "vars" ? { ...p, root: "event" } : p, loc: L };
    }
    case "search":
      return {
        type: "Search",
        kind: pick(["match", "search", "regex"] as const),
        negated: chance(0.5),
        operand: path(),
        pattern: chance(0.8) ? str(pick(PATTERNS)) : chance(0.5) ? { type: "Path", root: "vars", segments: ["pat"], loc: L } : { type: "Path", root: "event", segments: ["s"], loc: L },
        options: { ...(chance(0.3) ? { ignorecase: chance(0.5) } : {}), ...(chance(0.3) ? { multiline: chance(0.5) } : {}) },
        loc: L,
      };
    case "select": {
      const op = pick(["==", "!=", ">", ">=", "<", "<=", "regex", "search", "match"]);
      const v = op === "regex" || op === "search" || op === "match" ? str(pick(PATTERNS)) : chance(0.8) ? literal() : path();
      return { type: "Select", negated: chance(0.5), operand: path(), operator: str(op), value: v, loc: L };
    }
    case "selectattr": {
      const op = pick(["==", "!=", ">", ">=", "<", "<=", "regex", "search", "match", "in", "not in", "contains", "not contains"]);
      const v = op === "regex" || op === "search" || op === "match" ? str(pick(PATTERNS)) : op === "in" || op === "not in" ? list() : chance(0.8) ? literal() : path();
      const operand: CondNode = chance(0.8) ? { type: "Path", root: "event", segments: ["lo"], loc: L } : path();
      return { type: "SelectAttr", negated: chance(0.5), operand, key: str(pick(["k", "n.m", "zz"])), operator: str(op), value: v, loc: L };
    }
    case "bare":
      return chance(0.9) ? { ...path(), root: "event" } : { type: "Literal", value: chance(0.5), kind: "boolean", loc: L };
  }
}

/** Some conditions shaped like real rules so the index has buckets to use. */
function indexedCondition(): CondNode {
  const eq: CondNode = { type: "Compare", op: "==", left: { type: "Path", root: "event", segments: pick(EVENT_PATHS.slice(0, 4)), loc: L }, right: literal(), loc: L };
  return chance(0.5) ? eq : { type: "Logical", op: "and", left: eq, right: condition(1), loc: L, opLoc: L };
}

it(`compiled and indexed verdicts equal json-rules-engine verdicts (seed ${SEED})`, async () => {
  const rules: { id: string; ir: object; text: string }[] = [];
  let rejected = 0;
  while (rules.length < N_CONDITIONS) {
    const ast = rules.length % 5 === 0 ? indexedCondition() : condition(3);
    const text = printCondition(ast);
    const parsed = parseCondition(text, { precedence: chance(0.5) ? "ansible" : "conventional" });
    assert.equal(printCondition(parsed), text, "printer/parser round trip");
    try {
      const { ir } = compileCondition(parsed, { vars: VARS });
      rules.push({ id: `c${rules.length}`, ir, text });
    } catch (err) {
      // e.g. a constant used as a condition or constant arithmetic on strings
      if (!isHookbookError(err) || err.code !== "HB_ERR_CONDITION_SEMANTIC") throw err;
      rejected++;
    }
  }
  assert.ok(rejected < N_CONDITIONS, `too many generated conditions rejected: ${rejected}`);

  const jre = createJreMatcher(rules);
  const indexed = createCompiledMatcher(rules);
  const preds = rules.map((r) => compilePredicate(r.ir));
  let trueVerdicts = 0;
  for (let e = 0; e < N_EVENTS; e++) {
    const facts: MatchFacts = { event: randomEvent(), events: chance(0.8) ? { m_0: randomEvent() } : {} };
    const expected = await jre.match(facts);
    const direct = rules.filter((_, i) => (preds[i] as (f: MatchFacts) => boolean)(facts)).map((r) => r.id);
    if (direct.join() !== expected.join()) {
      const diff = rules.find((r) => direct.includes(r.id) !== expected.includes(r.id));
      assert.fail(`compiled ≠ json-rules-engine for ${diff?.text}\nIR ${JSON.stringify(diff?.ir)}\nfacts ${JSON.stringify(facts)}\ncompiled: ${direct.includes(diff?.id ?? "")}`);
    }
    assert.deepEqual(indexed.match(facts), expected, `indexed ≠ json-rules-engine for ${JSON.stringify(facts)}`);
    trueVerdicts += expected.length;
  }
  const share = trueVerdicts / (N_EVENTS * N_CONDITIONS);
  if (process.env.DIFF_DEBUG) console.log({ rejected, share, stats: indexed.stats });
  assert.ok(share > 0.05 && share < 0.95, `verdicts should be mixed, got ${share.toFixed(3)} true`);
  assert.ok(indexed.stats.indexed > 0 && indexed.stats.unindexed > 0, "both index paths exercised");
});
