/**
 * String filters: lower upper capitalize title trim replace string center indent truncate wordcount
 * format escape/e safe urlencode b64encode b64decode regex_replace regex_search regex_findall
 * regex_escape basename dirname normpath. Like Jinja, the plain string filters turn any input into
 * text with Python's str() first (`123 | upper` is "123", `none | lower` is "none").
 */
import { type CallArgs, REQUIRED, bindArgs } from "./call-args.js";
import type { FilterFn } from "./filter-types.js";
import { basename, dirname, normpath } from "./posix-path.js";
import { pyStr } from "./py-format.js";
import { percentFormat } from "./py-percent.js";
import { compilePyRegex, pyFindall, pySub } from "./py-regex.js";
import { pyCapitalize, pyReplace, pySplitlines, pyStrip } from "./py-string.js";
import { checkSize, templateRuntimeError } from "./template-error.js";
import { chars, isMapping, iterate, numeric, typeName } from "./values.js";

function plain(name: string, fn: (s: string) => unknown): FilterFn {
  return (value, args) => {
    bindArgs(`filter '${name}'`, args, {});
    return fn(pyStr(value));
  };
}

function int(v: unknown, what: string): number {
  const n = numeric(v);
  if (n === undefined || !Number.isInteger(n)) throw templateRuntimeError(`${what} must be an integer, not ${typeName(v)}`);
  return n;
}

function text(v: unknown, what: string): string {
  if (typeof v !== "string") throw templateRuntimeError(`${what} must be a string, not ${typeName(v)}`);
  return v;
}

/** Jinja's title filter: words start after spaces, dashes and opening brackets. */
function jinjaTitle(s: string): string {
  return s
    .split(/([-\s({[<]+)/u)
    .filter((item) => item !== "")
    .map((item) => {
      const [first = "", ...rest] = item;
      return first.toUpperCase() + rest.join("").toLowerCase();
    })
    .join("");
}

function center(s: string, width: number): string {
  const len = chars(s).length;
  const marg = checkSize(width, "center") - len;
  if (marg <= 0) return s;
  const left = Math.floor(marg / 2) + (marg & width & 1);
  return " ".repeat(left) + s + " ".repeat(marg - left);
}

function indent(value: unknown, args: CallArgs): string {
  const a = bindArgs("filter 'indent'", args, { width: 4, first: false, blank: false }).values;
  const prefix = typeof a.width === "string" ? a.width : " ".repeat(checkSize(Math.max(0, int(a.width, "width")), "indent"));
  const lines = pySplitlines(pyStr(value) + "\n", false);
  let rv: string;
  if (a.blank === true) rv = lines.join("\n" + prefix);
  else rv = [lines[0] ?? "", ...lines.slice(1).map((l) => (l === "" ? l : prefix + l))].join("\n");
  return a.first === true ? prefix + rv : rv;
}

function truncate(value: unknown, args: CallArgs): string {
  const a = bindArgs("filter 'truncate'", args, { length: 255, killwords: false, end: "...", leeway: null }).values;
  const s = chars(pyStr(value));
  const length = int(a.length, "length");
  const end = pyStr(a.end);
  const leeway = a.leeway === null ? 5 : int(a.leeway, "leeway");
  if (s.length <= length + leeway) return s.join("");
  const cut = s.slice(0, Math.max(0, length - chars(end).length)).join("");
  if (a.killwords === true) return cut + end;
  const space = cut.lastIndexOf(" ");
  return (space < 0 ? cut : cut.slice(0, space)) + end;
}

const HTML_ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;" };
const escape = plain("escape", (s) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c));

const ALWAYS_SAFE = /[A-Za-z0-9_.\-~]/;

function urlQuote(s: string, forQuery: boolean): string {
  let out = "";
  for (const byte of new TextEncoder().encode(s)) {
    const ch = String.fromCharCode(byte);
    if (byte < 0x80 && (ALWAYS_SAFE.test(ch) || (!forQuery && ch === "/"))) out += ch;
    else if (forQuery && ch === " ") out += "+";
    else out += "%" + byte.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

function urlencode(value: unknown, args: CallArgs): string {
  bindArgs("filter 'urlencode'", args, {});
  if (typeof value === "string") return urlQuote(value, false);
  const pairs = isMapping(value) ? Object.entries(value) : iterate(value);
  return pairs
    .map((pair) => {
      if (!Array.isArray(pair) || pair.length !== 2) throw templateRuntimeError("urlencode expects a mapping or a list of pairs");
      return `${urlQuote(pyStr(pair[0]), true)}=${urlQuote(pyStr(pair[1]), true)}`;
    })
    .join("&");
}

function encodingOf(args: CallArgs, what: string): void {
  const enc = String(bindArgs(what, args, { encoding: "utf-8" }).values.encoding).toLowerCase().replace(/[-_]/g, "");
  if (enc !== "utf8") throw templateRuntimeError(`${what}: only the utf-8 encoding is supported`);
}

function b64decode(value: unknown, args: CallArgs): string {
  encodingOf(args, "filter 'b64decode'");
  const clean = text(value, "b64decode input").replace(/[^A-Za-z0-9+/=]/g, "");
  const data = clean.replace(/=+$/, "");
  if (data.includes("=") || data.length % 4 === 1 || clean.length % 4 !== 0) {
    throw templateRuntimeError("b64decode: incorrect padding or invalid base64 data");
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(clean, "base64"));
  } catch {
    throw templateRuntimeError("b64decode: the decoded bytes are not valid UTF-8");
  }
}

function regexFlags(a: Record<string, unknown>): { ignoreCase: boolean; multiline: boolean } {
  return { ignoreCase: a.ignore_case === true || a.ignorecase === true, multiline: a.multiline === true };
}

function regexReplace(value: unknown, args: CallArgs): string {
  const a = bindArgs("filter 'regex_replace'", args, {
    pattern: REQUIRED,
    replacement: "",
    count: 0,
    ignore_case: false,
    multiline: false,
    mandatory_count: 0,
  }).values;
  if (value === null) return "";
  const re = compilePyRegex(text(a.pattern, "pattern"), regexFlags(a));
  const { text: out, replaced } = pySub(re, text(a.replacement, "replacement"), pyStr(value), int(a.count, "count"));
  const mandatory = int(a.mandatory_count, "mandatory_count");
  if (mandatory > 0 && replaced < mandatory) {
    throw templateRuntimeError(`Regex replace failed: expected at least ${mandatory} replacements, but only found ${replaced}.`);
  }
  return out;
}

function regexSearch(value: unknown, args: CallArgs): unknown {
  const { values: a, rest } = bindArgs("filter 'regex_search'", args, { regex: REQUIRED }, true);
  const kw = bindArgs("filter 'regex_search'", { positional: [], keyword: args.keyword }, { regex: null, ignorecase: false, multiline: false }).values;
  const groups = rest.map((g) => {
    const ref = text(g, "regex_search group");
    const named = /^\\g<(\S+)>$/.exec(ref);
    if (named !== null) return /^\d+$/.test(named[1] ?? "") ? Number(named[1]) : (named[1] as string);
    const numbered = /^\\(\d+)$/.exec(ref);
    if (numbered !== null) return Number(numbered[1]);
    throw templateRuntimeError(`regex_search: unknown argument '${ref}'`);
  });
  const re = compilePyRegex(text(a.regex, "regex"), regexFlags(kw));
  const m = re.exec(text(value, "regex_search input"));
  if (m === null) return null;
  if (groups.length === 0) return m[0];
  return groups.map((g) => (typeof g === "number" ? (m[g] ?? null) : (m.groups?.[g] ?? null)));
}

function regexFindall(value: unknown, args: CallArgs): unknown[] {
  const a = bindArgs("filter 'regex_findall'", args, { regex: REQUIRED, multiline: false, ignorecase: false }).values;
  return pyFindall(compilePyRegex(text(a.regex, "regex"), regexFlags(a)), text(value, "regex_findall input"));
}

function path(name: string, fn: (p: string) => string): FilterFn {
  return (value, args) => {
    bindArgs(`filter '${name}'`, args, {});
    if (value === null) return "";
    return fn(text(value, `${name} input`));
  };
}

export const TEXT_FILTERS: ReadonlyMap<string, FilterFn> = new Map<string, FilterFn>([
  ["lower", plain("lower", (s) => s.toLowerCase())],
  ["upper", plain("upper", (s) => s.toUpperCase())],
  ["capitalize", plain("capitalize", pyCapitalize)],
  ["title", plain("title", jinjaTitle)],
  ["string", plain("string", (s) => s)],
  ["safe", plain("safe", (s) => s)],
  ["wordcount", plain("wordcount", (s) => (s.match(/\w+/g) ?? []).length)],
  ["escape", escape],
  ["regex_escape", plain("regex_escape", (s) => s.replace(/[()[\]{}?*+\-|^$\\.&~# \t\n\r\v\f]/g, "\\$&"))],
  ["trim", (value, args) => {
    const c = bindArgs("filter 'trim'", args, { chars: null }).values.chars;
    return pyStrip(pyStr(value), c === null ? null : text(c, "chars"), "both");
  }],
  ["replace", (value, args) => {
    const a = bindArgs("filter 'replace'", args, { old: REQUIRED, new: REQUIRED, count: null }).values;
    return pyReplace(pyStr(value), pyStr(a.old), pyStr(a.new), a.count === null ? -1 : int(a.count, "count"));
  }],
  ["center", (value, args) => center(pyStr(value), int(bindArgs("filter 'center'", args, { width: 80 }).values.width, "width"))],
  ["indent", indent],
  ["truncate", truncate],
  ["format", (value, args) => {
    if (args.positional.length > 0 && args.keyword.size > 0) throw templateRuntimeError("format: can't handle positional and keyword arguments at the same time");
    return percentFormat(text(value, "format string"), args.keyword.size > 0 ? Object.fromEntries(args.keyword) : [...args.positional]);
  }],
  ["urlencode", urlencode],
  ["b64encode", (value, args) => {
    encodingOf(args, "filter 'b64encode'");
    return Buffer.from(pyStr(value), "utf8").toString("base64");
  }],
  ["b64decode", b64decode],
  ["regex_replace", regexReplace],
  ["regex_search", regexSearch],
  ["regex_findall", regexFindall],
  ["basename", path("basename", basename)],
  ["dirname", path("dirname", dirname)],
  ["normpath", path("normpath", normpath)],
  ["e", escape],
]);
