/**
 * Jinja lexer (default delimiters `{{ }}`, `{% %}`, `{# #}`; whitespace control with `-`, `+` accepted).
 * As in Jinja: line endings are normalised to `\n`, one trailing newline is dropped
 * (keep_trailing_newline=False), and a tag's closing delimiter is only recognised while no bracket
 * is open, so `{{ {'a': {'b': 1}} }}` works. `{% raw %}…{% endraw %}` yields its body as text.
 */
import { decodePythonEscapes } from "./py-escape.js";
import { templateSyntaxError } from "./template-error.js";

export type TokenType =
  | "text"
  | "var_begin"
  | "var_end"
  | "block_begin"
  | "block_end"
  | "name"
  | "string"
  | "int"
  | "float"
  | "op"
  | "eof";

export interface Token {
  readonly type: TokenType;
  /** text/name/string/op: the text (strings decoded); int/float: the number. */
  readonly value: string | number;
  /** Offset of the token in the normalised source (for error columns). */
  readonly offset: number;
}

const WHITESPACE = /\s+/y;
const FLOAT = /(?:\d+_)*\d+(?:(?:\.(?:\d+_)*\d+)?e[+-]?(?:\d+_)*\d+|\.(?:\d+_)*\d+)/iy;
const INTEGER = /0b(?:_?[01])+|0o(?:_?[0-7])+|0x(?:_?[\da-f])+|[1-9](?:_?\d)*|0(?:_?0)*/iy;
const INTEGER_ONLY = /\d+/y;
const NAME = /[\p{ID_Start}_][\p{ID_Continue}]*/uy;
const STRING = /'([^'\\]*(?:\\.[^'\\]*)*)'|"([^"\\]*(?:\\.[^"\\]*)*)"/sy;
const OPERATORS = ["//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";"];
const RAW_BEGIN = /\{%([-+]?)\s*raw\s*(-?)%\}/y;
const RAW_END = /\{%(-?)\s*endraw\s*(-?)%\}/g;
const CLOSING: Readonly<Record<string, string>> = { "(": ")", "[": "]", "{": "}" };

function match(re: RegExp, source: string, pos: number): string | undefined {
  re.lastIndex = pos;
  const m = re.exec(source);
  return m === null ? undefined : m[0];
}

export function normaliseSource(template: string): string {
  const src = template.replace(/\r\n?/g, "\n");
  return src.endsWith("\n") ? src.slice(0, -1) : src;
}

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let lstripNext = false;

  const pushText = (text: string, offset: number, rstrip: boolean): void => {
    let t = text;
    if (lstripNext) t = t.replace(/^\s+/, "");
    if (rstrip) t = t.replace(/\s+$/, "");
    lstripNext = false;
    if (t !== "") tokens.push({ type: "text", value: t, offset });
  };

  while (pos < source.length) {
    const next = findTagStart(source, pos);
    if (next === -1) {
      pushText(source.slice(pos), pos, false);
      break;
    }
    const marker = source[next + 2];
    const rstrip = marker === "-";
    const kind = source[next + 1];
    if (kind === "%") {
      const raw = lexRaw(source, next);
      if (raw !== undefined) {
        pushText(source.slice(pos, next), pos, raw.stripBefore);
        lstripNext = raw.stripBodyStart;
        pushText(raw.body, raw.bodyOffset, raw.stripBodyEnd);
        lstripNext = raw.stripAfter;
        pos = raw.end;
        continue;
      }
    }
    pushText(source.slice(pos, next), pos, rstrip);
    const bodyStart = next + 2 + (marker === "-" || (marker === "+" && kind !== "{") ? 1 : 0);
    if (kind === "#") {
      const end = source.indexOf("#}", bodyStart);
      if (end === -1) throw templateSyntaxError("missing end of comment tag", source, next);
      lstripNext = source[end - 1] === "-" && end - 1 >= bodyStart;
      pos = end + 2;
      continue;
    }
    const isVar = kind === "{";
    tokens.push({ type: isVar ? "var_begin" : "block_begin", value: isVar ? "{{" : "{%", offset: next });
    const result = lexTag(source, bodyStart, isVar, tokens);
    lstripNext = result.lstripNext;
    pos = result.end;
  }
  tokens.push({ type: "eof", value: "", offset: source.length });
  return tokens;
}

function findTagStart(source: string, from: number): number {
  let i = source.indexOf("{", from);
  while (i !== -1) {
    const c = source[i + 1];
    if (c === "{" || c === "%" || c === "#") return i;
    i = source.indexOf("{", i + 1);
  }
  return -1;
}

interface RawBlock {
  readonly body: string;
  readonly bodyOffset: number;
  readonly end: number;
  readonly stripBefore: boolean;
  readonly stripBodyStart: boolean;
  readonly stripBodyEnd: boolean;
  readonly stripAfter: boolean;
}

/** `{% raw %}…{% endraw %}` starting at `tagStart`, or undefined when the tag is not `raw`. */
function lexRaw(source: string, tagStart: number): RawBlock | undefined {
  RAW_BEGIN.lastIndex = tagStart;
  const begin = RAW_BEGIN.exec(source);
  if (begin === null) return undefined;
  RAW_END.lastIndex = RAW_BEGIN.lastIndex;
  const end = RAW_END.exec(source);
  if (end === null) throw templateSyntaxError("missing end of raw directive", source, tagStart);
  return {
    body: source.slice(RAW_BEGIN.lastIndex, end.index),
    bodyOffset: RAW_BEGIN.lastIndex,
    end: RAW_END.lastIndex,
    stripBefore: begin[1] === "-",
    stripBodyStart: begin[2] === "-",
    stripBodyEnd: end[1] === "-",
    stripAfter: end[2] === "-",
  };
}

function lexTag(source: string, start: number, isVar: boolean, tokens: Token[]): { end: number; lstripNext: boolean } {
  const stack: string[] = [];
  let pos = start;
  const close = isVar ? "}}" : "%}";
  while (pos < source.length) {
    if (stack.length === 0) {
      if (source.startsWith(close, pos)) {
        tokens.push({ type: isVar ? "var_end" : "block_end", value: close, offset: pos });
        return { end: pos + 2, lstripNext: false };
      }
      if ((source[pos] === "-" || (!isVar && source[pos] === "+")) && source.startsWith(close, pos + 1)) {
        tokens.push({ type: isVar ? "var_end" : "block_end", value: close, offset: pos });
        return { end: pos + 3, lstripNext: source[pos] === "-" };
      }
    }
    const ws = match(WHITESPACE, source, pos);
    if (ws !== undefined) {
      pos += ws.length;
      continue;
    }
    pos = lexExpressionToken(source, pos, tokens, stack);
  }
  const last = tokens[tokens.length - 1];
  throw templateSyntaxError(
    `unexpected end of template, expected '${close}'`,
    source,
    last === undefined ? start : last.offset,
  );
}

function lexExpressionToken(source: string, pos: number, tokens: Token[], stack: string[]): number {
  const afterDot = pos > 0 && source[pos - 1] === ".";
  const float = afterDot ? undefined : match(FLOAT, source, pos);
  if (float !== undefined) {
    tokens.push({ type: "float", value: Number(float.replace(/_/g, "")), offset: pos });
    return pos + float.length;
  }
  const integer = afterDot ? match(INTEGER_ONLY, source, pos) : match(INTEGER, source, pos);
  if (integer !== undefined) {
    tokens.push({ type: "int", value: parseIntLiteral(integer), offset: pos });
    return pos + integer.length;
  }
  const name = match(NAME, source, pos);
  if (name !== undefined) {
    tokens.push({ type: "name", value: name, offset: pos });
    return pos + name.length;
  }
  STRING.lastIndex = pos;
  const str = STRING.exec(source);
  if (str !== null) {
    const body = str[1] ?? str[2] ?? "";
    const decoded = decodePythonEscapes(body);
    if ("error" in decoded) throw templateSyntaxError(decoded.error, source, pos + 1 + decoded.offset);
    tokens.push({ type: "string", value: decoded.value, offset: pos });
    return pos + str[0].length;
  }
  const op = OPERATORS.find((o) => source.startsWith(o, pos));
  if (op === undefined) {
    const ch = source[pos] as string;
    const what = ch === "'" || ch === '"' ? "unterminated string literal" : `unexpected char '${ch}'`;
    throw templateSyntaxError(what, source, pos);
  }
  if (op === "(" || op === "[" || op === "{") {
    stack.push(CLOSING[op] as string);
  } else if (op === ")" || op === "]" || op === "}") {
    const expected = stack.pop();
    if (expected === undefined) throw templateSyntaxError(`unexpected '${op}'`, source, pos);
    if (expected !== op) throw templateSyntaxError(`unexpected '${op}', expected '${expected}'`, source, pos);
  }
  tokens.push({ type: "op", value: op, offset: pos });
  return pos + op.length;
}

function parseIntLiteral(text: string): number {
  const clean = text.replace(/_/g, "").toLowerCase();
  if (clean.startsWith("0b")) return parseInt(clean.slice(2), 2);
  if (clean.startsWith("0o")) return parseInt(clean.slice(2), 8);
  if (clean.startsWith("0x")) return parseInt(clean.slice(2), 16);
  return Number(clean);
}
