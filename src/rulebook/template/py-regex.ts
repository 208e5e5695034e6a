/**
 * Python `re` on top of JS RegExp, for regex_replace / regex_search / regex_findall and the
 * match / search / regex tests. Pattern translation: `(?P<n>…)` → `(?<n>…)`, `(?P=n)` → `\k<n>`,
 * `\A` / `\Z` → start / end of input, leading global flags `(?aimsux)` → JS flags, `(?#…)`
 * comments dropped. Replacement strings use Python syntax (`\1`, `\g<1>`, `\g<name>`, `\n` …; `$`
 * is literal). Known differences: `\w`, `\d`, `\b` are ASCII-only and `$` does not match before a
 * final newline; verbose mode and scoped flags `(?i:…)` are rejected.
 */
import { templateRuntimeError } from "./template-error.js";

export interface RegexFlags {
  readonly ignoreCase?: boolean;
  readonly multiline?: boolean;
  readonly dotAll?: boolean;
}

const cache = new Map<string, RegExp>();

export function compilePyRegex(pattern: string, flags: RegexFlags = {}, global = false): RegExp {
  const key = `${flags.ignoreCase === true ? "i" : ""}${flags.multiline === true ? "m" : ""}${flags.dotAll === true ? "s" : ""}${global ? "g" : ""}:${pattern}`;
  const hit = cache.get(key);
  if (hit !== undefined) {
    hit.lastIndex = 0;
    return hit;
  }
  let source = pattern;
  const jsFlags = new Set<string>();
  if (flags.ignoreCase === true) jsFlags.add("i");
  if (flags.multiline === true) jsFlags.add("m");
  if (flags.dotAll === true) jsFlags.add("s");
  if (global) jsFlags.add("g");
  for (let m = /^\(\?([aiLmsux]+)\)/.exec(source); m !== null; m = /^\(\?([aiLmsux]+)\)/.exec(source)) {
    for (const f of m[1] ?? "") {
      if (f === "x") throw templateRuntimeError("regex verbose mode (?x) is not supported");
      if (f === "i" || f === "m" || f === "s") jsFlags.add(f);
    }
    source = source.slice(m[0].length);
  }
  let out = "";
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i] as string;
    if (ch === "\\") {
      const next = source[i + 1] ?? "";
      if (!inClass && next === "A") out += "(?<![\\s\\S])";
      else if (!inClass && next === "Z") out += "(?![\\s\\S])";
      else out += ch + next;
      i++;
    } else if (inClass) {
      if (ch === "]") inClass = false;
      out += ch;
    } else if (ch === "[") {
      inClass = true;
      out += ch;
      if (source[i + 1] === "^") out += source[++i] as string;
      if (source[i + 1] === "]") out += "\\" + (source[++i] as string);
    } else if (source.startsWith("(?P<", i)) {
      out += "(?<";
      i += 3;
    } else if (source.startsWith("(?P=", i)) {
      const end = source.indexOf(")", i);
      if (end === -1) throw templateRuntimeError(`bad regex pattern '${pattern}': missing ), unterminated name`);
      out += `\\k<${source.slice(i + 4, end)}>`;
      i = end;
    } else if (source.startsWith("(?#", i)) {
      const end = source.indexOf(")", i);
      i = end === -1 ? source.length : end;
    } else if (/^\(\?[aiLmsux-]+[:)]/.test(source.slice(i, i + 12))) {
      throw templateRuntimeError(`bad regex pattern '${pattern}': inline flags must be at the start and scoped flags are not supported`);
    } else {
      out += ch;
    }
  }
  let re: RegExp;
  try {
    re = new RegExp(out, [...jsFlags].join(""));
  } catch (err) {
    throw templateRuntimeError(`bad regex pattern '${pattern}': ${err instanceof Error ? err.message : String(err)}`);
  }
  if (cache.size > 500) cache.clear();
  cache.set(key, re);
  return re;
}

type ReplacementPart = string | { readonly group: number | string };

const REPLACEMENT_ESCAPES: Readonly<Record<string, string>> = {
  n: "\n",
  t: "\t",
  r: "\r",
  f: "\f",
  v: "\v",
  a: "\x07",
  b: "\b",
  "\\": "\\",
};

/** Parses a Python `re.sub` replacement template. */
export function parseReplacement(template: string): ReplacementPart[] {
  const parts: ReplacementPart[] = [];
  let literal = "";
  const flush = (): void => {
    if (literal !== "") parts.push(literal);
    literal = "";
  };
  for (let i = 0; i < template.length; i++) {
    const ch = template[i] as string;
    if (ch !== "\\") {
      literal += ch;
      continue;
    }
    const next = template[i + 1];
    if (next === undefined) throw templateRuntimeError("bad escape (end of replacement)");
    if (next === "g") {
      const m = /^<([^>]*)>/.exec(template.slice(i + 2));
      if (m === null) throw templateRuntimeError("missing group name in replacement (use \\g<name>)");
      const ref = m[1] ?? "";
      flush();
      parts.push({ group: /^\d+$/.test(ref) ? Number(ref) : ref });
      i += 1 + m[0].length;
    } else if (/[0-7]/.test(next) && /^[0-7]{3}/.test(template.slice(i + 1)) && next <= "3") {
      literal += String.fromCharCode(parseInt(template.slice(i + 1, i + 4), 8));
      i += 3;
    } else if (next === "0") {
      const m = /^0[0-7]{0,2}/.exec(template.slice(i + 1)) as RegExpExecArray;
      literal += String.fromCharCode(parseInt(m[0], 8));
      i += m[0].length;
    } else if (/[1-9]/.test(next)) {
      const m = /^\d\d?/.exec(template.slice(i + 1)) as RegExpExecArray;
      flush();
      parts.push({ group: Number(m[0]) });
      i += m[0].length;
    } else if (REPLACEMENT_ESCAPES[next] !== undefined) {
      literal += REPLACEMENT_ESCAPES[next];
      i++;
    } else if (/[A-Za-z]/.test(next)) {
      throw templateRuntimeError(`bad escape \\${next} in replacement`);
    } else {
      literal += "\\" + next;
      i++;
    }
  }
  flush();
  return parts;
}

function groupCount(re: RegExp): number {
  return (new RegExp(`${re.source}|`).exec("")?.length ?? 1) - 1;
}

/** Python `re.subn(pattern, repl, value, count)`. */
export function pySub(re: RegExp, replacement: string, value: string, count: number): { text: string; replaced: number } {
  const parts = parseReplacement(replacement);
  const groups = groupCount(re);
  for (const p of parts) {
    if (typeof p === "string") continue;
    if (typeof p.group === "number" ? p.group > groups : !re.source.includes(`(?<${p.group}>`)) {
      throw templateRuntimeError(`invalid group reference ${String(p.group)} in replacement`);
    }
  }
  let replaced = 0;
  const global = new RegExp(re.source, re.flags.includes("g") ? re.flags : re.flags + "g");
  const text = value.replace(global, (...args: unknown[]) => {
    const match = args[0] as string;
    if (count > 0 && replaced >= count) return match;
    replaced++;
    const last = args[args.length - 1];
    const named = typeof last === "object" && last !== null ? (last as Record<string, string | undefined>) : {};
    return parts
      .map((p) => (typeof p === "string" ? p : typeof p.group === "number" ? ((args[p.group] as string | undefined) ?? "") : (named[p.group] ?? "")))
      .join("");
  });
  return { text, replaced };
}

/** Python `re.findall`: whole matches, the single group, or a list of groups per match. */
export function pyFindall(re: RegExp, value: string): unknown[] {
  const global = new RegExp(re.source, re.flags.includes("g") ? re.flags : re.flags + "g");
  const out: unknown[] = [];
  for (const m of value.matchAll(global)) {
    if (m.length === 1) out.push(m[0]);
    else if (m.length === 2) out.push(m[1] ?? "");
    else out.push(m.slice(1).map((g) => g ?? ""));
  }
  return out;
}
