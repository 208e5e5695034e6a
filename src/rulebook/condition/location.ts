import type { SourceLoc } from "./ast.js";
import { HookbookError } from "../../core/errors.js";

/** 1-based line/col of a 0-based offset in `text`. */
export function locAt(text: string, offset: number): SourceLoc {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset, line, col: offset - lineStart + 1 };
}

export function conditionSyntaxError(loc: SourceLoc, message: string, hint?: string): HookbookError {
  return new HookbookError("HB_ERR_CONDITION_SYNTAX", message, {
    location: { line: loc.line, col: loc.col },
    ...(hint === undefined ? {} : { hint }),
  });
}

export function conditionSemanticError(loc: SourceLoc | undefined, message: string, hint?: string): HookbookError {
  return new HookbookError("HB_ERR_CONDITION_SEMANTIC", message, {
    ...(loc === undefined ? {} : { location: { line: loc.line, col: loc.col } }),
    ...(hint === undefined ? {} : { hint }),
  });
}
