/**
 * Lint helper: ansible-rulebook gives `and` and `or` ONE precedence level (left to right), so
 * `a or b and c` means `(a or b) and c`. Report the first place where both appear in the same
 * parenthesis group, so the loader can warn and suggest parentheses.
 */
import { tokenize } from "./lexer.js";
import type { Token } from "./lexer.js";
import { locAt } from "./location.js";

/** Location (1-based, within `text`) of the first `and`/`or` that mixes with the other kind, if any. */
export function findUnparenthesizedAndOr(text: string): { line: number; col: number } | undefined {
  let tokens: Token[];
  try {
    tokens = tokenize(text);
  } catch {
    return undefined;
  }
  const stack: { and: boolean; or: boolean }[] = [{ and: false, or: false }];
  let prev: Token | undefined;
  for (const tok of tokens) {
    const afterDot = prev !== undefined && prev.kind === "punct" && prev.text === ".";
    prev = tok;
    if (afterDot) continue;
    if (tok.kind === "punct" && tok.text === "(") stack.push({ and: false, or: false });
    else if (tok.kind === "punct" && tok.text === ")") {
      if (stack.length > 1) stack.pop();
    } else if (tok.kind === "word" && (tok.text === "and" || tok.text === "or")) {
      const group = stack[stack.length - 1];
      if (group === undefined) continue;
      const other = tok.text === "and" ? group.or : group.and;
      if (other) {
        const { line, col } = locAt(text, tok.offset);
        return { line, col };
      }
      group[tok.text] = true;
    }
  }
  return undefined;
}
