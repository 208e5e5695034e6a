/**
 * Jinja tests (`x is name(args)` and the test names of select/reject/selectattr/rejectattr):
 * defined undefined none boolean true false integer float number string mapping sequence iterable
 * callable odd even divisibleby eq/equalto/== ne/!= lt/lessthan/< le/<= gt/greaterthan/> ge/>= in
 * lower upper sameas escaped, plus the Ansible-style regex tests match / search / regex.
 * `defined`/`undefined` and the type checks accept undefined values (`u is string` is false);
 * every other test fails on them.
 */
import { type CallArgs, REQUIRED, bindArgs } from "./call-args.js";
import { compilePyRegex } from "./py-regex.js";
import { templateNameError, templateRuntimeError } from "./template-error.js";
import { Undefined, strict } from "./undefined.js";
import { isMapping, numeric, pyCompare, pyContains, pyEquals, typeName } from "./values.js";

type TestFn = (value: unknown, args: CallArgs) => boolean;

function one(name: string, fn: (value: unknown, other: unknown) => boolean): TestFn {
  return (value, args) => fn(value, bindArgs(`test '${name}'`, args, { other: REQUIRED }).values.other);
}

function none(name: string, fn: (value: unknown) => boolean): TestFn {
  return (value, args) => {
    bindArgs(`test '${name}'`, args, {});
    return fn(value);
  };
}

function integer(value: unknown, what: string): number {
  const n = numeric(value);
  if (n === undefined || !Number.isInteger(n)) throw templateRuntimeError(`${what} requires an integer, not ${typeName(value)}`);
  return n;
}

function regexTest(name: string, defaultMatchType: string): TestFn {
  return (value, args) => {
    const a = bindArgs(`test '${name}'`, args, { pattern: REQUIRED, ignorecase: false, multiline: false, match_type: defaultMatchType }).values;
    if (typeof value !== "string") return false;
    const re = compilePyRegex(String(a.pattern), { ignoreCase: a.ignorecase === true, multiline: a.multiline === true });
    const m = re.exec(value);
    if (m === null) return false;
    if (a.match_type === "match") return m.index === 0;
    if (a.match_type === "fullmatch") return m.index === 0 && m[0].length === value.length;
    return true;
  };
}

const eq = one("eq", (v, o) => pyEquals(v, o));
const ne = one("ne", (v, o) => !pyEquals(v, o));
const lt = one("lt", (v, o) => pyCompare(v, o, "<") < 0);
const le = one("le", (v, o) => pyCompare(v, o, "<=") <= 0);
const gt = one("gt", (v, o) => pyCompare(v, o, ">") > 0);
const ge = one("ge", (v, o) => pyCompare(v, o, ">=") >= 0);

const TESTS: ReadonlyMap<string, TestFn> = new Map<string, TestFn>([
  ["defined", none("defined", (v) => !(v instanceof Undefined))],
  ["undefined", none("undefined", (v) => v instanceof Undefined)],
  ["none", none("none", (v) => v === null)],
  ["boolean", none("boolean", (v) => typeof v === "boolean")],
  ["true", none("true", (v) => v === true)],
  ["false", none("false", (v) => v === false)],
  ["integer", none("integer", (v) => typeof v === "number" && Number.isInteger(v))],
  ["float", none("float", (v) => typeof v === "number" && !Number.isInteger(v))],
  ["number", none("number", (v) => typeof v === "number" || typeof v === "boolean")],
  ["string", none("string", (v) => typeof v === "string")],
  ["mapping", none("mapping", (v) => isMapping(v))],
  ["sequence", none("sequence", (v) => typeof v === "string" || Array.isArray(v) || isMapping(v))],
  ["iterable", none("iterable", (v) => typeof v === "string" || Array.isArray(v) || isMapping(v))],
  ["callable", none("callable", () => false)],
  ["escaped", none("escaped", () => false)],
  ["odd", none("odd", (v) => Math.abs(integer(v, "odd")) % 2 === 1)],
  ["even", none("even", (v) => integer(v, "even") % 2 === 0)],
  ["divisibleby", one("divisibleby", (v, o) => {
    const d = integer(o, "divisibleby");
    if (d === 0) throw templateRuntimeError("integer division or modulo by zero");
    return integer(v, "divisibleby") % d === 0;
  })],
  ["eq", eq], ["equalto", eq], ["==", eq],
  ["ne", ne], ["!=", ne],
  ["lt", lt], ["lessthan", lt], ["<", lt],
  ["le", le], ["<=", le],
  ["gt", gt], ["greaterthan", gt], [">", gt],
  ["ge", ge], [">=", ge],
  ["in", one("in", (v, o) => pyContains(o, v))],
  ["lower", none("lower", (v) => typeof v === "string" && v === v.toLowerCase() && v !== v.toUpperCase())],
  ["upper", none("upper", (v) => typeof v === "string" && v === v.toUpperCase() && v !== v.toLowerCase())],
  ["sameas", one("sameas", (v, o) => v === o)],
  ["match", regexTest("match", "match")],
  ["search", regexTest("search", "search")],
  ["regex", regexTest("regex", "search")],
]);

/** Type checks answer false for an undefined value, as in Jinja; the other tests fail on it. */
const ACCEPTS_UNDEFINED: ReadonlySet<string> = new Set([
  "defined", "undefined", "none", "boolean", "true", "false", "integer", "float", "number", "string",
  "mapping", "sequence", "callable", "escaped", "sameas",
]);

export function hasTest(name: string): boolean {
  return TESTS.has(name);
}

/** Runs test `name`; an Undefined `value` fails unless the test accepts it. */
export function runTest(name: string, value: unknown, args: CallArgs): boolean {
  const fn = TESTS.get(name);
  if (fn === undefined) throw templateNameError(`unknown test '${name}'`);
  return fn(ACCEPTS_UNDEFINED.has(name) ? value : strict(value), args);
}
