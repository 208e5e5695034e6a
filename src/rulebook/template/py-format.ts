/**
 * Python `str()` / `repr()` of template values, used wherever Jinja turns a value into text
 * (mixed text output, `~`, `| string`, `| join` …):
 *  - booleans → True / False, null → None;
 *  - integral numbers below 1e16 → integer digits ("2", never "2.0": JS has one number type, so a
 *    Python float that happens to be integral, like `4 / 2`, prints as an int); larger ones (JS
 *    cannot hold them exactly beyond 2^53 anyway) print as Python floats ("1e+16", "1e+22");
 *  - other numbers → Python's float repr: shortest round-trip digits, scientific notation when the
 *    exponent is < -4 or >= 16 ("1e-05", "1e+16", "0.0001", "3.14"), inf / -inf / nan;
 *  - strings in str() are themselves; in repr() quoted like Python ('a', "it's", escapes);
 *  - lists → "[1, 'a', None]", mappings → "{'k': True}" (insertion order, like a Python dict).
 */
import { isMapping } from "./values.js";
import { Undefined } from "./undefined.js";

export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (n === Infinity) return "inf";
  if (n === -Infinity) return "-inf";
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return String(n === 0 ? 0 : n);
  return formatFloat(n);
}

/** Python repr() of a finite float. */
export function formatFloat(n: number): string {
  const [mantissa = "0", expText = "0"] = n.toExponential().split("e");
  const exp = Number(expText);
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  const sign = negative ? "-" : "";
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${e < 10 ? "0" : ""}${e}`;
  }
  const point = exp + 1;
  let text: string;
  if (point <= 0) text = `0.${"0".repeat(-point)}${digits}`;
  else if (point >= digits.length) text = `${digits}${"0".repeat(point - digits.length)}.0`;
  else text = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return sign + text;
}

// Python escapes every non-printable character in repr(): C* categories, line/paragraph separators
// and spaces other than U+0020.
const NON_PRINTABLE = /[\p{C}\p{Zl}\p{Zp}]|(?! )\p{Zs}/u;

export function reprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    if (ch === quote || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (NON_PRINTABLE.test(ch)) {
      const cp = ch.codePointAt(0) ?? 0;
      if (cp < 0x100) out += "\\x" + cp.toString(16).padStart(2, "0");
      else if (cp < 0x10000) out += "\\u" + cp.toString(16).padStart(4, "0");
      else out += "\\U" + cp.toString(16).padStart(8, "0");
    } else out += ch;
  }
  return out + quote;
}

export function pyRepr(value: unknown): string {
  if (typeof value === "string") return reprString(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(", ")}]`;
  if (isMapping(value)) {
    return `{${Object.keys(value)
      .map((k) => `${reprString(k)}: ${pyRepr(value[k])}`)
      .join(", ")}}`;
  }
  return pyStr(value);
}

export function pyStr(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Undefined) {
    if (value.lenient) return "";
    value.fail();
  }
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return formatNumber(value);
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value) || isMapping(value)) return pyRepr(value);
  return String(value);
}
