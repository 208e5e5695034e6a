/** ansible-rulebook retry semantics (reference §4.2): attempts = 1 + retries; `retry: true` means at least one retry. */
export interface AttemptPolicy {
  readonly attempts: number;
  readonly delayMs: number;
}

export function attemptPolicy(args: Readonly<Record<string, unknown>>): AttemptPolicy {
  let retries = typeof args.retries === "number" && Number.isFinite(args.retries) ? Math.max(0, Math.floor(args.retries)) : 0;
  if (args.retry === true) retries = Math.max(retries, 1);
  const delay = typeof args.delay === "number" && Number.isFinite(args.delay) && args.delay > 0 ? args.delay : 0;
  return { attempts: 1 + retries, delayMs: Math.round(delay * 1000) };
}

/** Wait `ms` (real time), ending early (false) when the signal aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
