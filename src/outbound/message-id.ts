/**
 * webhook-id of an outcome: `msg_<id>`. Characters outside [A-Za-z0-9_-] (dots included, which
 * the spec forbids) become "_" so the id is a safe header value and stays the same on every
 * attempt and every replay.
 */
export function webhookMessageId(outcomeId: string): string {
  return `msg_${outcomeId.replace(/[^A-Za-z0-9_-]/g, "_")}`;
}
