/** Wording helpers for condition syntax errors: how to show a token, and hints for common slips. */
import type { Token } from "./lexer.js";

export function describeToken(tok: Token): string {
  if (tok.kind === "eof") return "the end of the condition";
  if (tok.kind === "string") return `the string ${tok.text}`;
  if (tok.kind === "number") return `the number ${tok.text}`;
  return `'${tok.text}'`;
}

export function trailingHint(tok: Token): string | undefined {
  if (tok.kind === "word") {
    const lower = tok.text.toLowerCase();
    if ((lower === "and" || lower === "or" || lower === "not") && tok.text !== lower) return `keywords are lowercase: use '${lower}'`;
    if (tok.text === "is") return undefined;
    return "conditions are joined with 'and' / 'or'; quote string values";
  }
  if (tok.text === "=") return "use '==' to compare";
  if (tok.text === ")") return "this ')' has no matching '('";
  if (tok.text === "<<") return "'<<' is only allowed at the start: events.NAME << condition";
  if (tok.kind === "string" || tok.kind === "number") return "a comparison operator (==, !=, <, >, in, contains, …) or 'and'/'or' is missing";
  return undefined;
}

export function valueHint(tok: Token): string | undefined {
  if (tok.text === ")") return "an operand is missing before ')'";
  if (tok.text === "=") return "'=' is not an operator: compare with '=='";
  if (tok.text === "==" || tok.text === "!=") return "the left side of the comparison is missing";
  return undefined;
}
