/** A per-request signal: the action's signal (cancellation, action timeout) and a request deadline. */
export function requestSignal(actionSignal: AbortSignal, timeoutMs: number): AbortSignal {
  return AbortSignal.any([actionSignal, AbortSignal.timeout(Math.max(1, Math.ceil(timeoutMs)))]);
}
