/**
 * Operational events, published on HB_OUTCOMES like any outcome so endpoints can subscribe to
 * them (`endpoint.*`); an event about an endpoint is never sent to that endpoint itself.
 *
 *   endpoint.disabled  data: {endpoint_id, source, reason: "gone" | "failing", disabled_at, …detail}
 *
 * The endpoint's URL is not included: webhook URLs often carry a token (Slack, Teams).
 */
import type { Bus } from "../bus/port.js";
import { encodeJson } from "../bus/port.js";
import type { OutcomeMessage } from "../core/outcome.js";
import { outcomeSubject } from "../core/outcome.js";

export const ENDPOINT_DISABLED = "endpoint.disabled";

export function endpointDisabledEvent(
  endpoint: { id: string; source: string },
  reason: string,
  at: number,
  detail: Readonly<Record<string, unknown>>,
): OutcomeMessage {
  const disabledAt = new Date(at).toISOString();
  return {
    id: `endpoint-disabled_${endpoint.id}_${at}`,
    type: ENDPOINT_DISABLED,
    timestamp: disabledAt,
    data: { endpoint_id: endpoint.id, source: endpoint.source, reason, disabled_at: disabledAt, ...detail },
  };
}

export async function publishOpsEvent(bus: Bus, event: OutcomeMessage): Promise<void> {
  await bus.publish(outcomeSubject(event.type), encodeJson(event), { msgId: event.id });
}
