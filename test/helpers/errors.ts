/** What a synchronous call throws, for tests that check error codes. */
import assert from "node:assert/strict";
import { isHookbookError } from "../../src/core/errors.js";

/** The HB error code `fn` throws (the text of anything else it throws), undefined when it returns. */
export function thrownCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isHookbookError(err) ? err.code : `not a HookbookError: ${String(err)}`;
  }
  return undefined;
}

/** Code and message of the HB error `fn` throws; the test fails when it returns, and anything else is rethrown. */
export function thrownError(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (isHookbookError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  assert.fail("expected an error");
}

/** Asserts that `fn` throws a HookbookError with `code` (the message is shown when the code differs). */
export function assertThrowsCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isHookbookError(err), `expected a HookbookError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return true;
  });
}
