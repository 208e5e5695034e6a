/** Every source kind by name. Adding a kind: a file in this folder plus one entry here. */
import type { SourceKind } from "../config/types.js";
import { alertmanagerSource } from "./alertmanager.js";
import { azureMonitorSource } from "./azure-monitor.js";
import { azureScheduledEventsSource } from "./azure-scheduled-events.js";
import { cloudeventsSource } from "./cloudevents.js";
import { eventbridgeSource } from "./eventbridge.js";
import { giteaSource } from "./gitea.js";
import { githubSource } from "./github.js";
import { gitlabSource } from "./gitlab.js";
import { grafanaSource } from "./grafana.js";
import { k8sEventsSource } from "./k8s-events.js";
import { pubsubSource } from "./pubsub.js";
import { snsSource } from "./sns.js";
import type { SourceKindHandler } from "./types.js";
import { webhookSource } from "./webhook.js";

/** The kinds this build serves (a SourceKind missing here is refused at startup). */
export const sourceKinds = Object.freeze({
  webhook: webhookSource,
  alertmanager: alertmanagerSource,
  grafana: grafanaSource,
  github: githubSource,
  gitlab: gitlabSource,
  gitea: giteaSource,
  eventbridge: eventbridgeSource,
  sns: snsSource,
  pubsub: pubsubSource,
  "azure-monitor": azureMonitorSource,
  "azure-scheduled-events": azureScheduledEventsSource,
  "k8s-events": k8sEventsSource,
  cloudevents: cloudeventsSource,
}) satisfies Readonly<Record<SourceKind, SourceKindHandler>>;

/** The handler for a kind, or undefined for a kind this build does not know. */
export function sourceKindHandler(kind: string): SourceKindHandler | undefined {
  return Object.hasOwn(sourceKinds, kind) ? (sourceKinds as Readonly<Partial<Record<string, SourceKindHandler>>>)[kind] : undefined;
}
