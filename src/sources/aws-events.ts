/**
 * One EventBridge event → hookbook events, shared by the `eventbridge` kind (API destination)
 * and the `sns` kind (EventBridge rule → SNS topic → HTTPS), so both transports produce the same
 * event with the same dedupKey `aws:<event id>` (sources.md §5.4) and differ only in `meta`.
 *
 *   data = {
 *     payload: <the EventBridge event exactly as received>,
 *     interruption | rebalance | retirement: <common block, see ./interruption.ts>,  // when recognised
 *     meta: { endpoint, headers, eventbridge | sns: <transport info> }
 *   }
 *
 * Types (sources.md §5.4, with the GPU-relevant ones mapped to cloud-neutral types):
 *  - `EC2 Spot Instance Interruption Warning` and `EC2 Capacity Reservation Instance Interruption
 *    Warning` → `compute.instance.interruption` (deadline = `time` + 2 min, hibernate: `time`;
 *    capacity reservations: `instance-termination-time` when given);
 *  - `EC2 Instance Rebalance Recommendation` → `compute.instance.rebalance_recommendation`;
 *  - `AWS Health Event` with eventTypeCode `AWS_EC2_*RETIREMENT_SCHEDULED` →
 *    `compute.instance.retirement_scheduled`; other Health events → `aws.health.<code lowercased>`;
 *    Health events fan out per `affectedEntities[]` (dedupKey `aws:<id>#<entityValue>` when there
 *    are several, `aws:<id>` for one);
 *  - anything else → `<source>.<detail-type in snake case>` (custom sources get an `aws.custom.`
 *    prefix), e.g. `aws.ec2.ec2_instance_state_change_notification`.
 * subject = `detail.instance-id` (Health: the entity), time = the event's `time`.
 */
import type { NormalizedEvent } from "../core/envelope.js";
import { HookbookError } from "../core/errors.js";
import type { Interruption, InterruptionAction, RebalanceRecommendation, RetirementScheduled } from "./interruption.js";
import { INTERRUPTION_TYPE, REBALANCE_TYPE, RETIREMENT_TYPE, compact, regionOfZone } from "./interruption.js";
import type { Json } from "./normalize-util.js";
import { addSeconds, dottedToken, isObject, normalizeTime, rfc3339, snakeToken, str } from "./normalize-util.js";

export const SPOT_WARNING = "EC2 Spot Instance Interruption Warning";
export const CAPACITY_RESERVATION_WARNING = "EC2 Capacity Reservation Instance Interruption Warning";
export const REBALANCE_RECOMMENDATION = "EC2 Instance Rebalance Recommendation";
export const HEALTH_EVENT = "AWS Health Event";

/** Lead time of a spot interruption warning (AWS: about two minutes; hibernate: none). */
const SPOT_NOTICE_SEC = 120;

/** Instance tags read for the Kubernetes node name by default (kind option `nodeNameTags`). */
export const DEFAULT_NODE_NAME_TAGS: readonly string[] = ["kubernetes.io/hostname", "node.kubernetes.io/name"];

export interface AwsEventContext {
  readonly endpoint: string;
  /** meta.headers, credentials already removed. */
  readonly headers: Readonly<Record<string, string>>;
  /** The meta key and value describing the transport (`eventbridge` or `sns`). */
  readonly metaKey: "eventbridge" | "sns";
  readonly transportMeta: Json;
  /** Tag names whose value is the Kubernetes node name (AWS Health affectedEntities tags). */
  readonly nodeNameTags: readonly string[];
}

/** True for an object with the EventBridge envelope fields (`id`, `detail-type`, `source`, `detail`). */
export function isEventBridgeEvent(value: unknown): value is Json {
  return (
    isObject(value) &&
    str(value.id) !== undefined &&
    typeof value["detail-type"] === "string" &&
    str(value.source) !== undefined &&
    isObject(value.detail)
  );
}

/** Reads the `nodeNameTags` option; throws HB_ERR_CONFIG_INVALID. */
export function nodeNameTagsOption(options: Readonly<Record<string, unknown>>, kind: string): readonly string[] {
  const value = options.nodeNameTags;
  if (value === undefined) return DEFAULT_NODE_NAME_TAGS;
  if (!Array.isArray(value) || !value.every((t): t is string => typeof t === "string" && t !== "")) {
    throw new HookbookError("HB_ERR_CONFIG_INVALID", `${kind} option nodeNameTags must be a list of tag names`);
  }
  return value;
}

interface Base {
  readonly id: string;
  readonly detailType: string;
  readonly source: string;
  readonly account: string | undefined;
  readonly region: string | undefined;
  readonly time: string | undefined;
  readonly detail: Json;
  readonly resources: readonly string[];
}

function base(event: Json): Base {
  const resources = Array.isArray(event.resources) ? event.resources.filter((r): r is string => typeof r === "string") : [];
  return {
    id: event.id as string,
    detailType: event["detail-type"] as string,
    source: event.source as string,
    account: str(event.account),
    region: str(event.region),
    time: rfc3339(event.time),
    detail: event.detail as Json,
    resources,
  };
}

function instanceArn(b: Base, instanceId: string): string | undefined {
  return b.resources.find((r) => r.endsWith(`/${instanceId}`));
}

function spotAction(value: unknown): InterruptionAction {
  return value === "stop" || value === "hibernate" ? value : "terminate";
}

function interruption(b: Base, instanceId: string): Interruption {
  const action = spotAction(b.detail["instance-action"]);
  const capacity = b.detailType === CAPACITY_RESERVATION_WARNING;
  const termination = normalizeTime(b.detail["instance-termination-time"]);
  let deadline: string | undefined;
  if (capacity && termination !== undefined) deadline = termination;
  else if (b.time !== undefined) deadline = action === "hibernate" ? b.time : addSeconds(b.time, SPOT_NOTICE_SEC);
  const zone = str(b.detail["availability-zone"]);
  return compact({
    provider: "aws",
    instance_id: instanceId,
    account: b.account,
    region: b.region ?? (zone === undefined ? undefined : regionOfZone(zone)),
    zone,
    resource: instanceArn(b, instanceId),
    action,
    stage: "scheduled",
    not_before: deadline,
    deadline,
    raw_type: b.detailType,
    provider_type: capacity ? "aws.ec2.capacity_reservation_interruption_warning" : "aws.ec2.spot_interruption_warning",
  } satisfies Interruption);
}

function rebalance(b: Base, instanceId: string): RebalanceRecommendation {
  return compact({
    provider: "aws",
    instance_id: instanceId,
    account: b.account,
    region: b.region,
    resource: instanceArn(b, instanceId),
    raw_type: b.detailType,
    provider_type: "aws.ec2.rebalance_recommendation",
  } satisfies RebalanceRecommendation);
}

function tagValue(tags: unknown, names: readonly string[]): string | undefined {
  if (!isObject(tags)) return undefined;
  for (const name of names) {
    const v = str(tags[name]);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** `kubernetes.io/cluster/<name>` (EKS, Karpenter, kOps) → name. */
function clusterFromTags(tags: unknown): string | undefined {
  if (!isObject(tags)) return undefined;
  for (const key of Object.keys(tags)) {
    const m = /^kubernetes\.io\/cluster\/(.+)$/.exec(key);
    if (m) return m[1];
  }
  return undefined;
}

function healthDescription(detail: Json): string | undefined {
  const list = Array.isArray(detail.eventDescription) ? detail.eventDescription.filter(isObject) : [];
  const english = list.find((d) => d.language === "en_US") ?? list[0];
  return english === undefined ? undefined : str(english.latestDescription);
}

function retirement(b: Base, code: string, entity: Json, nodeTags: readonly string[]): RetirementScheduled {
  const start = normalizeTime(b.detail.startTime);
  return compact({
    provider: "aws",
    instance_id: entity.entityValue as string,
    node: tagValue(entity.tags, nodeTags),
    cluster: clusterFromTags(entity.tags),
    account: str(b.detail.affectedAccount) ?? b.account,
    region: str(b.detail.eventRegion) ?? b.region,
    not_before: start,
    deadline: start,
    status: str(b.detail.statusCode),
    event_arn: str(b.detail.eventArn),
    description: healthDescription(b.detail),
    raw_type: code,
    provider_type: `aws.health.${code.toLowerCase()}`,
  } satisfies RetirementScheduled);
}

function genericType(b: Base): string {
  const prefix = b.source.startsWith("aws.") ? dottedToken(b.source) : `aws.custom.${dottedToken(b.source)}`;
  return `${prefix}.${snakeToken(b.detailType)}`;
}

function healthEntities(b: Base): Json[] {
  const listed = Array.isArray(b.detail.affectedEntities) ? b.detail.affectedEntities.filter(isObject) : [];
  const entities = listed.filter((e) => str(e.entityValue) !== undefined);
  if (entities.length > 0) return entities;
  return b.resources.map((r) => ({ entityValue: r }));
}

/** The events of one EventBridge event (see the file comment). `event` must pass isEventBridgeEvent. */
export function normalizeEventBridgeEvent(event: Json, ctx: AwsEventContext): NormalizedEvent[] {
  const b = base(event);
  const meta = { endpoint: ctx.endpoint, headers: ctx.headers, [ctx.metaKey]: ctx.transportMeta };
  const key = `aws:${b.id}`;
  const time = b.time === undefined ? {} : { time: b.time };
  const instanceId = str(b.detail["instance-id"]);

  if ((b.detailType === SPOT_WARNING || b.detailType === CAPACITY_RESERVATION_WARNING) && instanceId !== undefined) {
    return [
      { type: INTERRUPTION_TYPE, subject: instanceId, ...time, dedupKey: key, data: { payload: event, interruption: interruption(b, instanceId), meta } },
    ];
  }
  if (b.detailType === REBALANCE_RECOMMENDATION && instanceId !== undefined) {
    return [{ type: REBALANCE_TYPE, subject: instanceId, ...time, dedupKey: key, data: { payload: event, rebalance: rebalance(b, instanceId), meta } }];
  }
  const code = str(b.detail.eventTypeCode);
  if (b.source === "aws.health" && code !== undefined) {
    const entities = healthEntities(b);
    const retire = /^AWS_EC2_(?:[A-Z_]+_)?RETIREMENT_SCHEDULED$/.test(code);
    if (entities.length === 0) {
      return [{ type: `aws.health.${code.toLowerCase()}`, ...time, dedupKey: key, data: { payload: event, meta } }];
    }
    return entities.map((entity) => {
      const subject = entity.entityValue as string;
      const dedupKey = entities.length === 1 ? key : `${key}#${subject}`;
      if (retire && /^i-[0-9a-f]+$/.test(subject)) {
        return {
          type: RETIREMENT_TYPE,
          subject,
          ...time,
          dedupKey,
          data: { payload: event, retirement: retirement(b, code, entity, ctx.nodeNameTags), meta },
        };
      }
      return { type: `aws.health.${code.toLowerCase()}`, subject, ...time, dedupKey, data: { payload: event, meta } };
    });
  }
  const subject = instanceId ?? b.resources[0];
  return [{ type: genericType(b), ...(subject === undefined ? {} : { subject }), ...time, dedupKey: key, data: { payload: event, meta } }];
}
