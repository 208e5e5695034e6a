/**
 * Kubernetes Events from kubernetes-event-exporter's `webhook` receiver without a `layout`
 * (sources.md §8.2): one core/v1 Event per request plus `clusterName` and an enriched
 * `involvedObject` (labels, annotations, ownerReferences, deleted). Authentication is the header
 * the exporter is configured to send (bearer) or mTLS, checked by ./auth.ts.
 *
 *   data = {
 *     payload: <the Event as received>,
 *     k8s: { cluster, kind, name, namespace?, uid?, reason, event_type ("Normal"|"Warning"),
 *            message?, count?, component?, node? },
 *     scheduling?: { nodes_available, nodes_total, insufficient: {<resource>: <nodes>},
 *                    reasons: {<reason>: <nodes>}, gpu_shortage },     // FailedScheduling only
 *     meta: { endpoint, headers (minus credentials), k8s_events: { cluster, uid, resource_version } }
 *   }
 *
 * `k8s.node` is the node the event is about: the object itself for Node events, else the
 * reporting kubelet's host (`source.host`). `scheduling` parses the scheduler's
 * "0/24 nodes are available: 16 Insufficient nvidia.com/gpu, …" message; `gpu_shortage` is true
 * when an insufficient resource is a GPU (`*gpu*` or MIG `*mig-*`).
 *
 * type `k8s.event.<involvedObject.kind lowercased>.<reason>` (reason keeps its case, as in
 * sources.md: `k8s.event.node.NodeNotReady`); dedupKey
 * `k8s-event:<cluster>:<metadata.uid>:<metadata.resourceVersion>`; cluster = clusterName, else the
 * `cluster` option, else the source name; subject `<namespace>/<Kind>/<name>` (no namespace for
 * cluster-scoped objects such as nodes); time = lastTimestamp ∨ eventTime ∨ firstTimestamp ∨
 * metadata.creationTimestamp. Schema: docs/sources/k8s-events.schema.json.
 */
import type { NormalizedEvent } from "../core/envelope.js";
import { HookbookError } from "../core/errors.js";
import { compact } from "./interruption.js";
import type { Json } from "./normalize-util.js";
import { checkKnownOptions, invalidPayload, isObject, metaHeadersWithout, rfc3339, str, stripHeadersOption } from "./normalize-util.js";
import type { NormalizeRequest, SourceKindHandler } from "./types.js";
import { parseJsonBody } from "./webhook.js";

const KIND = "k8s-events";
const FORMAT = "a kubernetes-event-exporter Event";
const OPTIONS: readonly string[] = ["cluster", "stripHeaders"];

function clusterOption(options: Readonly<Record<string, unknown>>): string | undefined {
  const value = options.cluster;
  if (value !== undefined && (typeof value !== "string" || value === "")) {
    throw new HookbookError("HB_ERR_CONFIG_INVALID", "k8s-events option cluster must be a non-empty string");
  }
  return value;
}

export interface SchedulingFailure {
  readonly nodes_available: number;
  readonly nodes_total: number;
  readonly insufficient: Record<string, number>;
  readonly reasons: Record<string, number>;
  readonly gpu_shortage: boolean;
}

/** Parses the scheduler's FailedScheduling message; undefined when it has another form. */
export function parseSchedulingMessage(message: string): SchedulingFailure | undefined {
  const m = /^(\d+)\/(\d+) nodes are available(?::\s*(.*?))?(?:\.\s*preemption:.*)?\.?$/s.exec(message.trim());
  if (!m) return undefined;
  const insufficient: Record<string, number> = {};
  const reasons: Record<string, number> = {};
  for (const part of (m[3] ?? "").split(/,\s*/)) {
    const item = /^(\d+)\s+(.+?)\.?$/.exec(part.trim());
    if (!item) continue;
    const count = Number(item[1]);
    const reason = item[2] as string;
    reasons[reason] = (reasons[reason] ?? 0) + count;
    const resource = /^Insufficient\s+(\S+)$/.exec(reason);
    if (resource) insufficient[resource[1] as string] = count;
  }
  return {
    nodes_available: Number(m[1]),
    nodes_total: Number(m[2]),
    insufficient,
    reasons,
    gpu_shortage: Object.keys(insufficient).some((r) => /gpu|mig-/i.test(r)),
  };
}

function normalize(req: NormalizeRequest): NormalizedEvent[] {
  const event = parseJsonBody(req.body);
  if (!isObject(event) || !isObject(event.metadata) || !isObject(event.involvedObject)) {
    throw invalidPayload(FORMAT, "expected an Event with metadata and involvedObject (no exporter layout)");
  }
  const md = event.metadata;
  const obj = event.involvedObject;
  const uid = str(md.uid);
  const resourceVersion = str(md.resourceVersion);
  const reason = str(event.reason);
  const kind = str(obj.kind);
  const name = str(obj.name);
  if (uid === undefined) throw invalidPayload(FORMAT, "metadata.uid must be a non-empty string");
  if (resourceVersion === undefined) throw invalidPayload(FORMAT, "metadata.resourceVersion must be a non-empty string");
  if (reason === undefined) throw invalidPayload(FORMAT, "reason must be a non-empty string");
  if (kind === undefined || name === undefined) throw invalidPayload(FORMAT, "involvedObject.kind and .name must be non-empty strings");
  const cluster = str(event.clusterName) ?? clusterOption(req.options) ?? req.endpoint;
  const namespace = str(obj.namespace);
  const source = isObject(event.source) ? event.source : {};
  const message = typeof event.message === "string" ? event.message : undefined;
  const k8s = compact({
    cluster,
    kind,
    name,
    namespace,
    uid: str(obj.uid),
    reason,
    event_type: str(event.type) ?? "Normal",
    message,
    count: typeof event.count === "number" ? event.count : undefined,
    component: str(event.reportingComponent) ?? str(source.component),
    node: kind === "Node" ? name : str(source.host),
  });
  const scheduling = reason === "FailedScheduling" && message !== undefined ? parseSchedulingMessage(message) : undefined;
  const time = rfc3339(event.lastTimestamp) ?? rfc3339(event.eventTime) ?? rfc3339(event.firstTimestamp) ?? rfc3339(md.creationTimestamp);
  const data: Json = { payload: event, k8s };
  if (scheduling !== undefined) data.scheduling = scheduling;
  data.meta = {
    endpoint: req.endpoint,
    headers: metaHeadersWithout(req.headers, stripHeadersOption(req.options, KIND)),
    k8s_events: { cluster, uid, resource_version: resourceVersion },
  };
  return [
    {
      type: `k8s.event.${kind.toLowerCase()}.${reason}`,
      subject: namespace === undefined ? `${kind}/${name}` : `${namespace}/${kind}/${name}`,
      ...(time === undefined ? {} : { time }),
      dedupKey: `k8s-event:${cluster}:${uid}:${resourceVersion}`,
      data,
    },
  ];
}

export const k8sEventsSource: SourceKindHandler = {
  kind: KIND,
  contentTypes: ["application/json"],
  normalize,
  checkOptions(options) {
    checkKnownOptions(options, KIND, OPTIONS);
    clusterOption(options);
    stripHeadersOption(options, KIND);
  },
};
