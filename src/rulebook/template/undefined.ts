/**
 * Jinja's StrictUndefined, made chainable: looking up an attribute or item of an undefined value
 * gives the same undefined value (so `a.b.c is defined` and `a.b.c | default(1)` work even when `a`
 * is missing, where Jinja itself would raise), but *using* it anywhere else — output, operators,
 * comparisons, truthiness, iteration, filters other than `default`, tests other than
 * `defined`/`undefined` — raises HB_ERR_TEMPLATE_UNDEFINED with the first missing step in the message.
 *
 * A "lenient" undefined is what an inline `x if cond` without `else` yields when `cond` is false:
 * like Jinja it renders as "" and is falsy.
 */
import { templateUndefinedError } from "./template-error.js";

export class Undefined {
  constructor(
    readonly hint: string,
    readonly lenient = false,
  ) {}

  fail(): never {
    throw templateUndefinedError(this.hint);
  }
}

export function isUndefined(value: unknown): value is Undefined {
  return value instanceof Undefined;
}

/** The value itself, or the undefined error. */
export function strict(value: unknown): unknown {
  if (value instanceof Undefined) value.fail();
  return value;
}
