/**
 * Python `fnmatch.fnmatchcase` (what `fnmatch.fnmatch` does on POSIX): `*` any run of characters
 * (including none, "/" and "."), `?` one character, `[seq]` one character in seq, `[!seq]` one
 * character not in seq. Inside brackets `a-z` is a range, a range whose ends are reversed is
 * dropped, a leading `]` or a leading/trailing `-` is literal; a `[` without a closing `]` is a
 * literal `[`. There is no backslash escaping. Case-sensitive; compares code points.
 *
 * Implemented as a small token matcher (not a RegExp) so no pattern can backtrack exponentially:
 * the classic star-backtracking loop is O(pattern × name).
 */
import { BoundedCache } from "../../core/bounded-cache.js";

type Token =
  | { readonly kind: "char"; readonly cp: number }
  | { readonly kind: "any" }
  | { readonly kind: "star" }
  | { readonly kind: "set"; readonly negate: boolean; readonly ranges: readonly (readonly [number, number])[] };

const cache = new BoundedCache<readonly Token[]>(1024);

function codePoints(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) out.push(ch.codePointAt(0) as number);
  return out;
}

const BANG = 0x21; // !
const STAR = 0x2a; // *
const DASH = 0x2d; // -
const QUESTION = 0x3f; // ?
const OPEN = 0x5b; // [
const CLOSE = 0x5d; // ]

function parseSet(content: readonly number[]): Token {
  let k = 0;
  let negate = false;
  if (content[0] === BANG) {
    negate = true;
    k = 1;
  }
  const ranges: [number, number][] = [];
  while (k < content.length) {
    const c = content[k] as number;
    if (k + 2 < content.length && content[k + 1] === DASH) {
      const hi = content[k + 2] as number;
      if (c <= hi) ranges.push([c, hi]); // a reversed range matches nothing and is dropped (as Python does)
      k += 3;
    } else {
      ranges.push([c, c]);
      k += 1;
    }
  }
  return { kind: "set", negate, ranges };
}

function tokenize(pattern: string): readonly Token[] {
  const p = codePoints(pattern);
  const n = p.length;
  const out: Token[] = [];
  let i = 0;
  while (i < n) {
    const c = p[i] as number;
    i += 1;
    if (c === STAR) {
      if (out[out.length - 1]?.kind !== "star") out.push({ kind: "star" });
    } else if (c === QUESTION) {
      out.push({ kind: "any" });
    } else if (c === OPEN) {
      let j = i;
      if (j < n && p[j] === BANG) j += 1;
      if (j < n && p[j] === CLOSE) j += 1;
      while (j < n && p[j] !== CLOSE) j += 1;
      if (j >= n) {
        out.push({ kind: "char", cp: OPEN });
      } else {
        out.push(parseSet(p.slice(i, j)));
        i = j + 1;
      }
    } else {
      out.push({ kind: "char", cp: c });
    }
  }
  return out;
}

function compile(pattern: string): readonly Token[] {
  return cache.get(pattern) ?? cache.set(pattern, tokenize(pattern));
}

function matchOne(t: Token, cp: number): boolean {
  switch (t.kind) {
    case "char":
      return t.cp === cp;
    case "any":
      return true;
    case "set": {
      const inSet = t.ranges.some(([lo, hi]) => cp >= lo && cp <= hi);
      return t.negate ? !inSet : inSet;
    }
    case "star":
      return false;
  }
}

/** True when the pattern contains a character fnmatch treats specially (`*`, `?`, `[`). */
export function hasGlobChars(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

/** Python `fnmatch.fnmatchcase(name, pattern)`. */
export function fnmatch(name: string, pattern: string): boolean {
  if (!hasGlobChars(pattern)) return name === pattern;
  const tokens = compile(pattern);
  const s = codePoints(name);
  let ti = 0;
  let si = 0;
  let starToken = -1;
  let starPos = 0;
  while (si < s.length) {
    const t = tokens[ti];
    if (t !== undefined && t.kind === "star") {
      starToken = ti;
      starPos = si;
      ti += 1;
    } else if (t !== undefined && matchOne(t, s[si] as number)) {
      ti += 1;
      si += 1;
    } else if (starToken >= 0) {
      ti = starToken + 1;
      starPos += 1;
      si = starPos;
    } else {
      return false;
    }
  }
  while (tokens[ti]?.kind === "star") ti += 1;
  return ti === tokens.length;
}

/** True when `name` equals any pattern or matches it as a glob (json_filter's test). */
export function matchesAny(name: string, patterns: readonly string[]): boolean {
  for (const p of patterns) if (name === p || fnmatch(name, p)) return true;
  return false;
}
