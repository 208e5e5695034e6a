/** Python `str` methods shared by the method table and the filters. */
import { templateRuntimeError } from "./template-error.js";
import { chars } from "./values.js";

/** Python's str.splitlines() line boundaries. */
// eslint-disable-next-line no-control-regex -- Python counts these control characters as line breaks
export const LINE_BREAK = /\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/;

export function pySplitlines(s: string, keepends: boolean): string[] {
  const out: string[] = [];
  const re = new RegExp(LINE_BREAK.source, "g");
  let start = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    out.push(s.slice(start, keepends ? m.index + m[0].length : m.index));
    start = m.index + m[0].length;
  }
  if (start < s.length) out.push(s.slice(start));
  return out;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

export function pyStrip(s: string, stripChars: string | null, side: "both" | "left" | "right"): string {
  const set = stripChars === null ? "\\s" : `[${escapeRegex(stripChars)}]`;
  if (stripChars === "") return s;
  let out = s;
  if (side !== "right") out = out.replace(new RegExp(`^${set}+`, "u"), "");
  if (side !== "left") out = out.replace(new RegExp(`${set}+$`, "u"), "");
  return out;
}

export function pySplit(s: string, sep: string | null, maxsplit: number): string[] {
  if (sep === "") throw templateRuntimeError("empty separator");
  if (sep === null) {
    const out: string[] = [];
    let rest = s.replace(/^\s+/, "");
    while (rest !== "") {
      if (maxsplit >= 0 && out.length === maxsplit) {
        out.push(rest);
        break;
      }
      const m = /\s+/.exec(rest);
      if (m === null) {
        out.push(rest);
        break;
      }
      out.push(rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
    }
    return out;
  }
  const parts = s.split(sep);
  if (maxsplit < 0 || parts.length <= maxsplit + 1) return parts;
  return [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(sep)];
}

export function pyRsplit(s: string, sep: string | null, maxsplit: number): string[] {
  if (maxsplit < 0) return pySplit(s, sep, maxsplit);
  if (sep === "") throw templateRuntimeError("empty separator");
  if (sep === null) {
    const out: string[] = [];
    let rest = s.replace(/\s+$/, "");
    while (rest !== "") {
      if (out.length === maxsplit) {
        out.unshift(rest);
        break;
      }
      const m = /\s+(?=\S*$)/.exec(rest);
      if (m === null) {
        out.unshift(rest);
        break;
      }
      out.unshift(rest.slice(m.index + m[0].length));
      rest = rest.slice(0, m.index);
    }
    return out;
  }
  const parts = s.split(sep);
  if (parts.length <= maxsplit + 1) return parts;
  const keep = parts.length - maxsplit;
  return [parts.slice(0, keep).join(sep), ...parts.slice(keep)];
}

export function pyReplace(s: string, old: string, replacement: string, count: number): string {
  if (count === 0) return s;
  if (old === "") {
    const cs = chars(s);
    const out: string[] = [];
    let n = 0;
    for (let i = 0; i <= cs.length; i++) {
      if (count < 0 || n < count) {
        out.push(replacement);
        n++;
      }
      if (i < cs.length) out.push(cs[i] as string);
    }
    return out.join("");
  }
  if (count < 0) return s.split(old).join(replacement);
  const parts = s.split(old);
  if (parts.length - 1 <= count) return parts.join(replacement);
  return parts.slice(0, count + 1).join(replacement) + old + parts.slice(count + 1).join(old);
}

export function pyCapitalize(s: string): string {
  const cs = chars(s);
  if (cs.length === 0) return s;
  return (cs[0] as string).toUpperCase() + cs.slice(1).join("").toLowerCase();
}

/** Python `str.title()`: every run of letters starts upper-case ("they're" → "They'Re"). */
export function pyTitle(s: string): string {
  return s.replace(/\p{L}+/gu, (w) => {
    const [first = "", ...rest] = w;
    return first.toUpperCase() + rest.join("").toLowerCase();
  });
}

export function pyCount(s: string, sub: string): number {
  if (sub === "") return chars(s).length + 1;
  return s.split(sub).length - 1;
}
