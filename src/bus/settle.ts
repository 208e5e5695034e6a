/**
 * The handler-result → ack/nak/term policy shared by every Bus adapter, so the memory bus and
 * the NATS bus settle messages the same way (port.ts `DeliveryHandler`).
 */
import { isHookbookError } from "../core/errors.js";
import type { Delivery, DeliveryHandler } from "./port.js";
import { decodeJson, redeliveryDelayMs } from "./port.js";

export type Settlement =
  | { readonly kind: "ack" }
  | { readonly kind: "nak"; readonly delayMs: number }
  | { readonly kind: "term"; readonly reason: string };

/** What the adapter does with a message whose handler threw. */
export function settlementForError(err: unknown, deliveryCount: number, maxDeliver?: number): Settlement {
  if (isHookbookError(err) && err.retry === "permanent") {
    return { kind: "term", reason: `${err.code}: ${err.message}` };
  }
  if (maxDeliver !== undefined && maxDeliver > 0 && deliveryCount >= maxDeliver) {
    const what = isHookbookError(err) ? err.code : err instanceof Error ? err.message : String(err);
    return { kind: "term", reason: `max deliveries (${maxDeliver}) reached: ${what}` };
  }
  if (isHookbookError(err) && err.retry === "retry-after") {
    return { kind: "nak", delayMs: Math.max(0, err.retryAfterMs ?? redeliveryDelayMs(deliveryCount)) };
  }
  return { kind: "nak", delayMs: redeliveryDelayMs(deliveryCount) };
}

/** The message fields an adapter hands to `dispatchDelivery`. */
export type DeliveryFields = Pick<Delivery, "subject" | "data" | "headers" | "seq" | "deliveryCount" | "storedAt">;

/** The adapter's raw operations on one delivered message. */
export interface DeliverySettler {
  /** Confirmed acknowledgement (what a handler's own `ack()` awaits). */
  ack(): Promise<void>;
  /** Acknowledgement after the handler resolved; may be fire-and-forget. */
  autoAck(): void;
  nak(delayMs: number): void;
  term(reason: string): void;
  working(): void;
}

export type DispatchResult =
  /** The handler settled the message itself. */
  | { readonly by: "handler" }
  | { readonly by: "policy"; readonly settlement: Settlement; readonly error?: unknown };

export interface DispatchOptions {
  readonly maxDeliver?: number;
  /** Called when the handler threw, after the message was settled. */
  readonly onHandlerError?: (err: unknown, settlement: Settlement, delivery: Delivery) => void;
}

/**
 * Run `handler` on one message and settle it: the first of ack/nak/term wins (whether the handler
 * called it or the policy applies it); later calls are ignored.
 */
export async function dispatchDelivery(
  fields: DeliveryFields,
  settler: DeliverySettler,
  handler: DeliveryHandler,
  opts: DispatchOptions = {},
): Promise<DispatchResult> {
  let settled = false;
  const delivery: Delivery = {
    subject: fields.subject,
    data: fields.data,
    headers: fields.headers,
    seq: fields.seq,
    deliveryCount: fields.deliveryCount,
    storedAt: fields.storedAt,
    json: <T>() => decodeJson<T>(fields.data),
    async ack() {
      if (settled) return;
      settled = true;
      await settler.ack();
    },
    nak(delayMs?: number) {
      if (settled) return;
      settled = true;
      settler.nak(Math.max(0, delayMs ?? 0));
    },
    term(reason?: string) {
      if (settled) return;
      settled = true;
      settler.term(reason ?? "terminated by handler");
    },
    working() {
      if (!settled) settler.working();
    },
  };
  try {
    await handler(delivery);
  } catch (err) {
    if (settled) return { by: "handler" };
    settled = true;
    const settlement = settlementForError(err, fields.deliveryCount, opts.maxDeliver);
    if (settlement.kind === "term") settler.term(settlement.reason);
    else if (settlement.kind === "nak") settler.nak(settlement.delayMs);
    opts.onHandlerError?.(err, settlement, delivery);
    return { by: "policy", settlement, error: err };
  }
  if (settled) return { by: "handler" };
  settled = true;
  settler.autoAck();
  return { by: "policy", settlement: { kind: "ack" } };
}
