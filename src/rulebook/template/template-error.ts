/**
 * Error constructors for the template engine, so every failure carries a stable catalog code:
 *  - HB_ERR_TEMPLATE_SYNTAX: the template cannot be compiled (bad syntax, unknown filter/test/method);
 *  - HB_ERR_TEMPLATE_UNDEFINED: an undefined variable, attribute, key or element was used;
 *  - HB_ERR_TEMPLATE_RUNTIME: evaluation failed for another reason (Python's TypeError/ValueError cases,
 *    e.g. `'a' - 1`, `1 / 0`, `'x' | b64decode`), which makes the rendered action arguments invalid.
 */
import { HookbookError } from "../../core/errors.js";

export interface SourcePosition {
  readonly line: number;
  readonly col: number;
}

/** 1-based line and column of `offset` in `source`. */
export function positionAt(source: string, offset: number): SourcePosition {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, source.length);
  for (let i = 0; i < end; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: end - lineStart + 1 };
}

export function templateSyntaxError(message: string, source: string, offset: number): HookbookError {
  const pos = positionAt(source, offset);
  return new HookbookError(
    "HB_ERR_TEMPLATE_SYNTAX",
    `template syntax error: ${message} (line ${pos.line}, column ${pos.col})`,
    { location: { line: pos.line, col: pos.col } },
  );
}

export function templateUndefinedError(message: string): HookbookError {
  return new HookbookError("HB_ERR_TEMPLATE_UNDEFINED", message, {
    hint: "guard the value with `is defined` or `| default(...)`",
  });
}

export function templateRuntimeError(message: string): HookbookError {
  return new HookbookError("HB_ERR_TEMPLATE_RUNTIME", `template error: ${message}`);
}

/** Largest string/list a single operation may build (`'x' * n`, `center(n)`, `batch(n)` …). */
export const MAX_BUILD_SIZE = 1_000_000;

export function checkSize(n: number, what: string): number {
  if (n > MAX_BUILD_SIZE) throw templateRuntimeError(`${what} would build more than ${MAX_BUILD_SIZE} items/characters`);
  return n;
}

/** An unknown filter/test used at run time (e.g. `select('nope')`): the author's mistake, like a syntax error. */
export function templateNameError(message: string): HookbookError {
  return new HookbookError("HB_ERR_TEMPLATE_SYNTAX", `template syntax error: ${message}`);
}
