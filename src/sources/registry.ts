/** Every source kind by name. Adding a kind: a file in this folder plus one entry here. */
import type { SourceKind } from "../config/types.js";
import { alertmanagerSource } from "./alertmanager.js";
import type { SourceKindHandler } from "./types.js";
import { webhookSource } from "./webhook.js";

export const sourceKinds: Readonly<Record<SourceKind, SourceKindHandler>> = Object.freeze({
  webhook: webhookSource,
  alertmanager: alertmanagerSource,
});

/** The handler for a kind, or undefined for a kind this build does not know. */
export function sourceKindHandler(kind: string): SourceKindHandler | undefined {
  return Object.hasOwn(sourceKinds, kind) ? sourceKinds[kind as SourceKind] : undefined;
}
