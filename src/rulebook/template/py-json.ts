/**
 * Python `json.dumps` output format (what `tojson`, `to_json` and `to_nice_json` print):
 * separators ", " and ": " (or "," with an indent), `ensure_ascii` \u-escaping of non-ASCII text,
 * optional sorted keys, NaN/Infinity as Python writes them, floats via Python's repr.
 */
import { templateRuntimeError } from "./template-error.js";
import { formatNumber } from "./py-format.js";
import { strict } from "./undefined.js";
import { isMapping, typeName } from "./values.js";

export interface DumpOptions {
  readonly indent?: number | string | null;
  readonly sortKeys?: boolean;
  readonly ensureAscii?: boolean;
  readonly separators?: readonly [string, string];
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

function encodeString(s: string, ensureAscii: boolean): string {
  // eslint-disable-next-line no-control-regex -- JSON must escape the C0 control characters
  const re = ensureAscii ? /[\\"]|[^ -~]/g : /[\\"\x00-\x1f]/g;
  return (
    '"' +
    s.replace(re, (ch) => SHORT_ESCAPES[ch] ?? "\\u" + ch.charCodeAt(0).toString(16).padStart(4, "0")) +
    '"'
  );
}

export function pyJsonDumps(value: unknown, opts: DumpOptions = {}): string {
  const indent = opts.indent === null || opts.indent === undefined ? null : typeof opts.indent === "number" ? " ".repeat(Math.max(0, opts.indent)) : opts.indent;
  const [itemSep, keySep] = opts.separators ?? (indent === null ? [", ", ": "] : [",", ": "]);
  const ensureAscii = opts.ensureAscii ?? true;

  const encode = (v: unknown, level: number): string => {
    const val = strict(v);
    if (val === null) return "null";
    if (val === true) return "true";
    if (val === false) return "false";
    if (typeof val === "number") {
      if (Number.isNaN(val)) return "NaN";
      if (!Number.isFinite(val)) return val > 0 ? "Infinity" : "-Infinity";
      return formatNumber(val);
    }
    if (typeof val === "string") return encodeString(val, ensureAscii);
    let parts: string[];
    let open: string;
    let close: string;
    if (Array.isArray(val)) {
      if (val.length === 0) return "[]";
      parts = val.map((item) => encode(item, level + 1));
      [open, close] = ["[", "]"];
    } else if (isMapping(val)) {
      const keys = Object.keys(val);
      if (keys.length === 0) return "{}";
      if (opts.sortKeys === true) keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      parts = keys.map((k) => encodeString(k, ensureAscii) + keySep + encode(val[k], level + 1));
      [open, close] = ["{", "}"];
    } else {
      throw templateRuntimeError(`Object of type ${typeName(val)} is not JSON serializable`);
    }
    if (indent === null) return open + parts.join(itemSep) + close;
    const inner = "\n" + indent.repeat(level + 1);
    return open + inner + parts.join(itemSep + inner) + "\n" + indent.repeat(level) + close;
  };
  return encode(value, 0);
}
