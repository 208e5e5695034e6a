/**
 * Tokenizer for condition strings. Numbers are lexed unsigned; the parser folds a directly
 * adjacent `-`/`+` into a signed literal where a value is expected (so `event.i -5` is a
 * subtraction and `event.i == -5` compares with minus five, as in ansible-rulebook).
 *
 * Strings: single or double quoted. `\n \t \r \f \\ \' \"` are interpreted; any other backslash
 * pair is kept verbatim so regular expressions such as "\d+" keep their meaning.
 */
import { conditionSyntaxError, locAt } from "./location.js";

export type TokenKind = "number" | "string" | "word" | "punct" | "eof";

export interface Token {
  readonly kind: TokenKind;
  /** Source text of the token (for strings: including quotes). */
  readonly text: string;
  /** Decoded value: the string contents, the number, or the word / punctuation itself. */
  readonly value: string | number;
  /** Only for numbers: whether the literal is written as a float (has `.` or an exponent). */
  readonly isFloat?: boolean;
  readonly offset: number;
  readonly end: number;
}

const PUNCT2 = ["==", "!=", "<=", ">=", "<<"];
const PUNCT1 = "()[],.=<>+-*/";
const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", f: "\f", "\\": "\\", "'": "'", '"': '"' };

const WORD_START = /[\p{L}_]/u;
const WORD_BODY = /[\p{L}\p{N}_]/u;

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= "0" && ch <= "9";
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i] as string;
    if (ch === " " || ch === "\t" || ch === "\n" || ch === "\r") {
      i++;
      continue;
    }
    const start = i;
    if (ch === '"' || ch === "'") {
      let value = "";
      i++;
      let closed = false;
      while (i < n) {
        const c = text[i] as string;
        if (c === "\\" && i + 1 < n) {
          const next = text[i + 1] as string;
          const esc = ESCAPES[next];
          value += esc ?? c + next;
          i += 2;
          continue;
        }
        if (c === ch) {
          closed = true;
          i++;
          break;
        }
        value += c;
        i++;
      }
      if (!closed) {
        throw conditionSyntaxError(locAt(text, start), `Unterminated string: the ${ch === '"' ? "double" : "single"} quote here is never closed`, `add the closing ${ch}`);
      }
      tokens.push({ kind: "string", text: text.slice(start, i), value, offset: start, end: i });
      continue;
    }
    const prev = tokens[tokens.length - 1];
    const dotNumber = ch === "." && isDigit(text[i + 1]) && !(prev && (prev.kind === "word" || prev.text === "]" || prev.text === ")"));
    if (isDigit(ch) || dotNumber) {
      let isFloat = false;
      while (isDigit(text[i])) i++;
      if (text[i] === "." && isDigit(text[i + 1])) {
        isFloat = true;
        i++;
        while (isDigit(text[i])) i++;
      }
      if ((text[i] === "e" || text[i] === "E") && (isDigit(text[i + 1]) || ((text[i + 1] === "+" || text[i + 1] === "-") && isDigit(text[i + 2])))) {
        isFloat = true;
        i += 2;
        while (isDigit(text[i])) i++;
      }
      const after = text[i];
      if (after !== undefined && WORD_BODY.test(after)) {
        let j = i;
        while (j < n && WORD_BODY.test(text[j] as string)) j++;
        throw conditionSyntaxError(locAt(text, start), `Invalid number '${text.slice(start, j)}'`, "quote it if it is meant as a string");
      }
      const raw = text.slice(start, i);
      tokens.push({ kind: "number", text: raw, value: Number(raw), isFloat, offset: start, end: i });
      continue;
    }
    if (WORD_START.test(ch)) {
      i++;
      while (i < n && WORD_BODY.test(text[i] as string)) i++;
      const word = text.slice(start, i);
      tokens.push({ kind: "word", text: word, value: word, offset: start, end: i });
      continue;
    }
    const two = text.slice(i, i + 2);
    if (PUNCT2.includes(two)) {
      tokens.push({ kind: "punct", text: two, value: two, offset: start, end: i + 2 });
      i += 2;
      continue;
    }
    if (PUNCT1.includes(ch)) {
      tokens.push({ kind: "punct", text: ch, value: ch, offset: start, end: i + 1 });
      i++;
      continue;
    }
    throw conditionSyntaxError(locAt(text, start), `Unexpected character '${ch}'`, charHint(ch, text[i + 1]));
  }
  tokens.push({ kind: "eof", text: "", value: "", offset: n, end: n });
  return tokens;
}

function charHint(ch: string, next: string | undefined): string | undefined {
  if (ch === "&") return "use 'and' to combine conditions";
  if (ch === "|") return "use 'or' to combine conditions";
  if (ch === "!" && next !== "=") return "use 'not' to negate, or '!=' for inequality";
  if (ch === "{") return "Jinja expressions are not allowed in conditions; use vars.NAME instead";
  return undefined;
}
