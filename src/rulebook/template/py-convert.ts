/** Python int()/float() parsing and round(), for the int / float / round filters. */
import { templateRuntimeError } from "./template-error.js";

const DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz";

/** Python `int(text, base)`, or undefined when Python would raise ValueError. */
export function parsePyInt(input: string, base: number): number | undefined {
  let s = input.trim().toLowerCase();
  let sign = 1;
  if (s.startsWith("+") || s.startsWith("-")) {
    if (s.startsWith("-")) sign = -1;
    s = s.slice(1);
  }
  let b = base;
  const prefix = /^0([xob])/.exec(s);
  if (b === 0) {
    if (prefix !== null) b = prefix[1] === "x" ? 16 : prefix[1] === "o" ? 8 : 2;
    else if (/^0+(_?0)*$/.test(s)) return 0;
    else if (s.startsWith("0")) return undefined;
    else b = 10;
  }
  if (prefix !== null && ((prefix[1] === "x" && b === 16) || (prefix[1] === "o" && b === 8) || (prefix[1] === "b" && b === 2))) {
    s = s.slice(2).replace(/^_/, "");
  }
  if (b < 2 || b > 36 || s === "" || s.startsWith("_") || s.endsWith("_") || s.includes("__")) return undefined;
  let n = 0;
  for (const ch of s.replace(/_/g, "")) {
    const d = DIGITS.indexOf(ch);
    if (d < 0 || d >= b) return undefined;
    n = n * b + d;
  }
  return sign * n;
}

/** Python `float(text)`, or undefined when Python would raise ValueError. */
export function parsePyFloat(input: string): number | undefined {
  const s = input.trim().toLowerCase();
  const special = /^([+-]?)(inf|infinity|nan)$/.exec(s);
  if (special !== null) return special[2] === "nan" ? NaN : special[1] === "-" ? -Infinity : Infinity;
  if (!/^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:e[+-]?\d(?:_?\d)*)?$/.test(s)) return undefined;
  return Number(s.replace(/_/g, ""));
}

/** Python `round(x, ndigits)`: correctly rounded, ties to even on the exact binary value. */
export function pyRound(x: number, ndigits: number): number {
  if (!Number.isFinite(x)) return x;
  if (!Number.isInteger(ndigits)) throw templateRuntimeError("round() precision must be an integer");
  if (ndigits < 0) {
    const m = 10 ** -ndigits;
    return pyRound(x / m, 0) * m;
  }
  if (Math.abs(x) >= 1e21 || ndigits > 40) return x;
  const fixed = Math.abs(x).toFixed(Math.min(100, ndigits + 60));
  const [intPart = "0", frac = ""] = fixed.split(".");
  const kept = frac.slice(0, ndigits);
  const rest = frac.slice(ndigits);
  const first = rest[0] ?? "0";
  let up: boolean;
  if (first > "5") up = true;
  else if (first < "5") up = false;
  else if (/[1-9]/.test(rest.slice(1))) up = true;
  else {
    const last = ndigits > 0 ? kept[ndigits - 1] : intPart[intPart.length - 1];
    up = Number(last ?? "0") % 2 === 1;
  }
  let digits = BigInt(intPart + kept);
  if (up) digits += 1n;
  const text = digits.toString().padStart(ndigits + 1, "0");
  const value = Number(ndigits > 0 ? `${text.slice(0, -ndigits)}.${text.slice(-ndigits)}` : text);
  return x < 0 ? -value : value;
}
