/**
 * A KV-safe key token: NATS KV keys allow only [-/_=.A-Za-z0-9], and `.` separates tokens.
 * Letters, digits, `_` and `-` are kept; every other UTF-8 byte becomes `=HH` (injective).
 */
export function kvToken(text: string): string {
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9_-]/.test(ch) ? ch : `=${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out === "" ? "=" : out;
}

/** State key of a budget window: `budget.<provider>.<pool>` (pool `*` = every pool of the provider). */
export function budgetKey(provider: string, pool: string): string {
  return `budget.${kvToken(provider)}.${kvToken(pool)}`;
}

/** State key of the plan of one action run (its idempotency key). */
export function planKey(actionKey: string): string {
  return `provision.${kvToken(actionKey)}`;
}
