/**
 * Python printf-style formatting (`'%s-%05.2f' % (a, b)` and the `format` filter):
 * flags `-+ 0#`, width, precision (`*` too), `%(name)s` with a mapping, conversions
 * s r a d i u o x X e E f F g G c %.
 */
import { checkSize, templateRuntimeError } from "./template-error.js";
import { formatNumber, pyRepr, pyStr } from "./py-format.js";
import { isMapping, numeric, typeName } from "./values.js";

const SPEC = /%(?:\(([^)]*)\))?([-+ #0]*)(\*|\d+)?(?:\.(\*|\d+))?([diouxXeEfFgGcrsa%])/g;

export function percentFormat(format: string, args: unknown): string {
  const specs = [...format.matchAll(SPEC)];
  const needed = specs.filter((m) => m[5] !== "%").length;
  const named = specs.some((m) => m[1] !== undefined);
  let positional: unknown[];
  if (named) positional = [];
  else if (Array.isArray(args) && (args.length === needed || needed !== 1)) positional = [...args];
  else positional = [args];
  let next = 0;
  const take = (): unknown => {
    if (next >= positional.length) throw templateRuntimeError("not enough arguments for format string");
    return positional[next++];
  };
  const out = format.replace(SPEC, (...m: unknown[]) => {
    const [, key, flags = "", widthText, precText, conv] = m as [string, string | undefined, string, string | undefined, string | undefined, string];
    if (conv === "%") return "%";
    let value: unknown;
    if (key !== undefined) {
      if (!isMapping(args)) throw templateRuntimeError("format requires a mapping");
      if (!Object.prototype.hasOwnProperty.call(args, key)) throw templateRuntimeError(`format key '${key}' not found`);
      value = args[key];
    }
    const width = checkSize(widthText === "*" ? Number(take()) : widthText === undefined ? 0 : Number(widthText), "format width");
    const precision = precText === "*" ? Number(take()) : precText === undefined ? undefined : Number(precText);
    if (key === undefined) value = take();
    return pad(convert(conv, value, flags, precision), width, flags, conv);
  });
  if (!named && next < positional.length) throw templateRuntimeError("not all arguments converted during string formatting");
  return out;
}

function pad(text: string, width: number, flags: string, conv: string): string {
  if (text.length >= width) return text;
  if (flags.includes("-")) return text.padEnd(width);
  if (flags.includes("0") && !"sracs".includes(conv)) {
    const sign = /^[-+ ]/.test(text) ? (text[0] as string) : "";
    const prefix = /^[-+ ]?0[xXo]/.test(text) && flags.includes("#") ? text.slice(sign.length, sign.length + 2) : "";
    const body = text.slice(sign.length + prefix.length);
    return sign + prefix + body.padStart(width - sign.length - prefix.length, "0");
  }
  return text.padStart(width);
}

function withSign(n: number, body: string, flags: string): string {
  if (n < 0 || Object.is(n, -0)) return "-" + body;
  if (flags.includes("+")) return "+" + body;
  if (flags.includes(" ")) return " " + body;
  return body;
}

function requireNumber(conv: string, value: unknown, integer: boolean): number {
  const n = numeric(value);
  if (n === undefined || (integer && !Number.isInteger(n) && "oxX".includes(conv))) {
    const what = integer && "oxX".includes(conv) ? "an integer" : "a real number";
    throw templateRuntimeError(`%${conv} format: ${what} is required, not ${typeName(value)}`);
  }
  return n;
}

function convert(conv: string, value: unknown, flags: string, precision: number | undefined): string {
  switch (conv) {
    case "s":
    case "r":
    case "a": {
      const text = conv === "s" ? pyStr(value) : pyRepr(value);
      return precision === undefined ? text : text.slice(0, precision);
    }
    case "c": {
      if (typeof value === "string" && [...value].length === 1) return value;
      const n = requireNumber(conv, value, true);
      return String.fromCodePoint(n);
    }
    case "d":
    case "i":
    case "u": {
      const n = Math.trunc(requireNumber(conv, value, true));
      return withSign(n, formatNumber(Math.abs(n)), flags);
    }
    case "o":
    case "x":
    case "X": {
      const n = requireNumber(conv, value, true);
      const base = conv === "o" ? 8 : 16;
      let body = Math.abs(n).toString(base);
      if (conv === "X") body = body.toUpperCase();
      if (flags.includes("#")) body = (conv === "o" ? "0o" : conv === "x" ? "0x" : "0X") + body;
      return withSign(n, body, flags);
    }
    default:
      return formatFloatSpec(conv, requireNumber(conv, value, false), flags, precision ?? 6);
  }
}

export function formatFloatSpec(conv: string, n: number, flags: string, precision: number): string {
  const upper = conv === conv.toUpperCase();
  if (!Number.isFinite(n)) {
    const t = Number.isNaN(n) ? "nan" : "inf";
    return withSign(Number.isNaN(n) ? 1 : n, upper ? t.toUpperCase() : t, flags);
  }
  const abs = Math.abs(n);
  let body: string;
  const lower = conv.toLowerCase();
  if (lower === "f") {
    body = abs.toFixed(precision);
    if (flags.includes("#") && precision === 0) body += ".";
  } else if (lower === "e") {
    body = expForm(abs, precision);
  } else {
    const p = precision === 0 ? 1 : precision;
    const exp = abs === 0 ? 0 : Number(abs.toExponential(p - 1).split("e")[1]);
    if (exp >= -4 && exp < p) body = abs.toFixed(p - 1 - exp);
    else body = expForm(abs, p - 1);
    if (!flags.includes("#")) {
      const [mant = "", exp2] = body.split("e");
      const trimmed = mant.includes(".") ? mant.replace(/0+$/, "").replace(/\.$/, "") : mant;
      body = exp2 === undefined ? trimmed : `${trimmed}e${exp2}`;
    }
  }
  if (upper) body = body.toUpperCase();
  return withSign(n, body, flags);
}

function expForm(abs: number, precision: number): string {
  const [m = "0", e = "0"] = abs.toExponential(precision).split("e");
  const exp = Number(e);
  return `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}
