/**
 * GCP Pub/Sub push, wrapped format (sources.md §6): `{message: {data (base64), attributes,
 * messageId, publishTime, orderingKey?}, subscription, deliveryAttempt?}`. The OIDC bearer token
 * is checked by ./auth-oidc.ts (verifyOidcRequest) before this runs.
 *
 *   data = {
 *     payload: <message.data decoded: the JSON value when it is JSON, else the UTF-8 text; null
 *              when empty or not UTF-8 (then payload_base64 carries the bytes)>,
 *     payload_base64?: <message.data when it is not UTF-8>,
 *     interruption?: <common block for compute.instances.preempted, ./interruption.ts>,
 *     meta: { endpoint, headers (minus Authorization),
 *             pubsub: { subscription, message_id, publish_time, attributes, ordering_key?,
 *                       delivery_attempt?, log_name?, insert_id? } }
 *   }
 *
 * Cloud Logging sink deliveries (data is a LogEntry: `logName` + `insertId`):
 *  - dedupKey `gcplog:<logName>:<insertId>` (the same entry through two sinks/subscriptions
 *    collapses), time = LogEntry `timestamp`;
 *  - `compute.instances.preempted` → `compute.instance.interruption` (action preempt, stage
 *    started, deadline = timestamp + 30 s ACPI soft-off), subject = instance name; the node is the
 *    instance name for GKE (`gke-…`) instances, or always / never with option nodeFromInstanceName;
 *  - other Compute Engine `compute.instances.<m>` audit entries → `gcp.compute.instance.<m snake>`;
 *  - other log entries → `gcp.log.entry`.
 * Anything else: type `gcp.pubsub.message`, dedupKey `pubsub:<subscription>:<messageId>`,
 * time = publishTime. Schema: docs/sources/pubsub.schema.json.
 */
import type { NormalizedEvent } from "../core/envelope.js";
import { HookbookError } from "../core/errors.js";
import type { Interruption } from "./interruption.js";
import { INTERRUPTION_TYPE, compact, regionOfZone } from "./interruption.js";
import type { Json } from "./normalize-util.js";
import {
  addSeconds,
  checkKnownOptions,
  invalidPayload,
  isObject,
  metaHeadersWithout,
  rfc3339,
  snakeToken,
  str,
  stripHeadersOption,
} from "./normalize-util.js";
import type { NormalizeRequest, SourceKindHandler } from "./types.js";
import { parseJsonBody } from "./webhook.js";

const KIND = "pubsub";
const FORMAT = "a Pub/Sub push request";
const OPTIONS: readonly string[] = ["nodeFromInstanceName", "stripHeaders"];

export const PUBSUB_MESSAGE_TYPE = "gcp.pubsub.message";
export const GCP_LOG_ENTRY_TYPE = "gcp.log.entry";
export const PREEMPTED_METHOD = "compute.instances.preempted";
/** Spot / preemptible VMs get about 30 s of ACPI soft-off after the preemption notice. */
const PREEMPT_GRACE_SEC = 30;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function nodeFromInstanceNameOption(options: Readonly<Record<string, unknown>>): boolean | undefined {
  const value = options.nodeFromInstanceName;
  if (value !== undefined && typeof value !== "boolean") {
    throw new HookbookError("HB_ERR_CONFIG_INVALID", "pubsub option nodeFromInstanceName must be a boolean");
  }
  return value;
}

function checkOptions(options: Readonly<Record<string, unknown>>): void {
  checkKnownOptions(options, KIND, OPTIONS);
  nodeFromInstanceNameOption(options);
  stripHeadersOption(options, KIND);
}

interface Decoded {
  readonly payload: unknown;
  readonly base64?: string;
}

function decodeData(data: unknown): Decoded {
  if (data === undefined || data === "") return { payload: null };
  if (typeof data !== "string" || data.length % 4 !== 0 || !BASE64.test(data)) {
    throw invalidPayload(FORMAT, "message.data must be base64");
  }
  const bytes = Buffer.from(data, "base64");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return { payload: null, base64: data };
  }
  try {
    return { payload: parseJsonBody(Buffer.from(text, "utf8")) };
  } catch {
    return { payload: text };
  }
}

function isLogEntry(value: unknown): value is Json {
  return isObject(value) && str(value.logName) !== undefined && str(value.insertId) !== undefined;
}

interface InstanceRef {
  readonly project?: string;
  readonly zone?: string;
  readonly name: string;
}

/** "projects/<p>/zones/<z>/instances/<name>" (also with a leading "//compute.googleapis.com/"). */
function instanceRef(resourceName: unknown): InstanceRef | undefined {
  if (typeof resourceName !== "string") return undefined;
  const m = /(?:^|\/)projects\/([^/]+)\/zones\/([^/]+)\/instances\/([^/]+)$/.exec(resourceName);
  return m ? { project: m[1], zone: m[2], name: m[3] as string } : undefined;
}

function interruption(entry: Json, proto: Json, ref: InstanceRef, time: string | undefined, nodeOpt: boolean | undefined): Interruption {
  const labels = isObject(entry.resource) && isObject(entry.resource.labels) ? entry.resource.labels : {};
  const zone = str(labels.zone) ?? ref.zone;
  const gke = ref.name.startsWith("gke-");
  return compact({
    provider: "gcp",
    instance_id: str(labels.instance_id) ?? ref.name,
    instance_name: ref.name,
    node: nodeOpt === true || (nodeOpt === undefined && gke) ? ref.name : undefined,
    account: str(labels.project_id) ?? ref.project,
    region: zone === undefined ? undefined : regionOfZone(zone),
    zone,
    resource: str(proto.resourceName),
    action: "preempt",
    stage: "started",
    not_before: time,
    deadline: time === undefined ? undefined : addSeconds(time, PREEMPT_GRACE_SEC),
    raw_type: PREEMPTED_METHOD,
    provider_type: "gcp.compute.instance.preempted",
  } satisfies Interruption);
}

function normalize(req: NormalizeRequest): NormalizedEvent[] {
  const nodeOpt = nodeFromInstanceNameOption(req.options);
  const body = parseJsonBody(req.body);
  if (!isObject(body) || !isObject(body.message)) throw invalidPayload(FORMAT, "expected {message: {...}, subscription}");
  const message = body.message;
  const subscription = str(body.subscription);
  const messageId = str(message.messageId) ?? str(message.message_id);
  const publishTime = rfc3339(message.publishTime) ?? rfc3339(message.publish_time);
  if (subscription === undefined) throw invalidPayload(FORMAT, "subscription must be a non-empty string");
  if (messageId === undefined) throw invalidPayload(FORMAT, "message.messageId must be a non-empty string");
  if (message.attributes !== undefined && !isObject(message.attributes)) throw invalidPayload(FORMAT, "message.attributes must be an object");
  const decoded = decodeData(message.data);
  const pubsub: Json = {
    subscription,
    message_id: messageId,
    ...(publishTime === undefined ? {} : { publish_time: publishTime }),
    attributes: message.attributes ?? {},
  };
  if (str(message.orderingKey) !== undefined) pubsub.ordering_key = message.orderingKey;
  if (typeof body.deliveryAttempt === "number") pubsub.delivery_attempt = body.deliveryAttempt;
  const headers = metaHeadersWithout(req.headers, stripHeadersOption(req.options, KIND));
  const extra = decoded.base64 === undefined ? {} : { payload_base64: decoded.base64 };

  const entry = decoded.payload;
  if (!isLogEntry(entry)) {
    return [
      {
        type: PUBSUB_MESSAGE_TYPE,
        ...(publishTime === undefined ? {} : { time: publishTime }),
        dedupKey: `pubsub:${subscription}:${messageId}`,
        data: { payload: entry, ...extra, meta: { endpoint: req.endpoint, headers, pubsub } },
      },
    ];
  }
  pubsub.log_name = entry.logName;
  pubsub.insert_id = entry.insertId;
  const time = rfc3339(entry.timestamp) ?? publishTime;
  const meta = { endpoint: req.endpoint, headers, pubsub };
  const dedupKey = `gcplog:${entry.logName as string}:${entry.insertId as string}`;
  const proto = isObject(entry.protoPayload) ? entry.protoPayload : undefined;
  const method = proto === undefined ? undefined : str(proto.methodName);
  const ref = proto === undefined ? undefined : instanceRef(proto.resourceName);
  const common = { ...(ref === undefined ? {} : { subject: ref.name }), ...(time === undefined ? {} : { time }), dedupKey };
  if (proto !== undefined && ref !== undefined && method === PREEMPTED_METHOD) {
    return [{ type: INTERRUPTION_TYPE, ...common, data: { payload: entry, interruption: interruption(entry, proto, ref, time, nodeOpt), meta } }];
  }
  const compute = method === undefined ? null : /(?:^|\.)compute\.instances\.([A-Za-z]+)$/.exec(method);
  if (compute && ref !== undefined) {
    return [{ type: `gcp.compute.instance.${snakeToken(compute[1] as string)}`, ...common, data: { payload: entry, meta } }];
  }
  return [{ type: GCP_LOG_ENTRY_TYPE, ...common, data: { payload: entry, meta } }];
}

export const pubsubSource: SourceKindHandler = {
  kind: KIND,
  contentTypes: ["application/json"],
  normalize,
  checkOptions,
};
