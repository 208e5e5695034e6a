import { sha256Hex } from "./ids.js";
import type { IntentEvent } from "./intent.js";

/** ansible-rulebook `Action` audit record (reference §4.6). */
export interface ActionAuditRecord {
  readonly type: "Action";
  readonly action: string;
  readonly action_uuid: string;
  readonly activation_id: string;
  readonly activation_instance_id: string;
  readonly ruleset: string;
  readonly ruleset_uuid: string;
  readonly rule: string;
  readonly rule_uuid: string;
  readonly run_at: string;
  readonly rule_run_at: string;
  readonly status: "successful" | "failed" | "dry_run";
  readonly matching_events: Readonly<Record<string, IntentEvent>>;
  readonly message?: string;
  readonly reason?: Readonly<Record<string, unknown>>;
  readonly [extra: string]: unknown;
}

/** Stable uuid-shaped id for a name (ruleset_uuid / rule_uuid are stable across runs). */
export function nameUuid(...parts: string[]): string {
  const h = sha256Hex(parts.join("\u0000"));
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}
