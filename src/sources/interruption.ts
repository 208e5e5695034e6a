/**
 * Cloud-neutral compute events, so one rule covers AWS, GCP and Azure
 * (schema: docs/sources/interruption.schema.json):
 *
 *  - type `compute.instance.interruption` with `data.interruption` — a spot/preemptible VM is
 *    being taken away: AWS `EC2 Spot Instance Interruption Warning` (EventBridge direct or via
 *    SNS) and `EC2 Capacity Reservation Instance Interruption Warning`, GCP
 *    `compute.instances.preempted` (Cloud Audit Log via Pub/Sub), Azure Scheduled Event `Preempt`.
 *    A rule such as `event.interruption.provider is defined` matches all of them.
 *  - type `compute.instance.rebalance_recommendation` with `data.rebalance` (AWS rebalance
 *    recommendation: elevated interruption risk, act early).
 *  - type `compute.instance.retirement_scheduled` with `data.retirement` (AWS Health
 *    `AWS_EC2_*INSTANCE_RETIREMENT_SCHEDULED`: the hardware goes away at `not_before`).
 *
 * Every block starts with the same instance identity (`InstanceIdentity`); the provider's own
 * event stays untouched under `data.payload`.
 */

export const INTERRUPTION_TYPE = "compute.instance.interruption";
export const REBALANCE_TYPE = "compute.instance.rebalance_recommendation";
export const RETIREMENT_TYPE = "compute.instance.retirement_scheduled";

export type CloudProvider = "aws" | "gcp" | "azure";

/** Who the instance is, as far as the provider event tells (absent fields are omitted). */
export interface InstanceIdentity {
  readonly provider: CloudProvider;
  /** AWS `i-…`; GCP numeric instance id; Azure VM / VMSS instance name (`<vmss>_<n>`). */
  readonly instance_id: string;
  /** GCP instance name; Azure VM / VMSS instance name. */
  readonly instance_name?: string;
  /** Kubernetes node name when derivable (GKE: instance name; AKS: VMSS computer name; AWS: tags). */
  readonly node?: string;
  /** Kubernetes cluster when derivable (AWS `kubernetes.io/cluster/<name>` tag). */
  readonly cluster?: string;
  /** AWS account id, GCP project id, Azure subscription id. */
  readonly account?: string;
  readonly region?: string;
  readonly zone?: string;
  /** ARM id (Azure), resource name (GCP `projects/…/instances/…`) or ARN (AWS) when known. */
  readonly resource?: string;
}

export type InterruptionAction = "terminate" | "stop" | "hibernate" | "preempt";

export interface Interruption extends InstanceIdentity {
  readonly action: InterruptionAction;
  /** "scheduled": a notice ahead of the action; "started": the action is under way. */
  readonly stage: "scheduled" | "started";
  /** Earliest time the action starts (RFC 3339 UTC). */
  readonly not_before?: string;
  /** Time by which the workload must be off the instance (RFC 3339 UTC). */
  readonly deadline?: string;
  /** The provider's own name for the event: detail-type, methodName or EventType. */
  readonly raw_type: string;
  /** The provider-specific hookbook type, e.g. "aws.ec2.spot_interruption_warning". */
  readonly provider_type: string;
}

export interface RebalanceRecommendation extends InstanceIdentity {
  readonly raw_type: string;
  readonly provider_type: string;
}

export interface RetirementScheduled extends InstanceIdentity {
  /** When the retirement (stop/terminate) starts (RFC 3339 UTC). */
  readonly not_before?: string;
  readonly deadline?: string;
  /** Provider status, e.g. AWS Health `upcoming` | `open` | `closed`. */
  readonly status?: string;
  /** AWS Health eventArn. */
  readonly event_arn?: string;
  readonly description?: string;
  readonly raw_type: string;
  readonly provider_type: string;
}

/** Copies only the defined values, so absent fields are omitted rather than `undefined`. */
export function compact<T extends Record<string, unknown>>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== undefined) out[key] = v;
  return out as T;
}

/** GCE zone "us-central1-a" → region "us-central1"; AWS AZ "us-east-1b" → "us-east-1". */
export function regionOfZone(zone: string): string | undefined {
  const gcp = /^([a-z]+-[a-z]+\d+)-[a-z]$/.exec(zone);
  if (gcp) return gcp[1];
  const aws = /^([a-z]{2}(?:-gov)?-[a-z]+-\d+)[a-z]$/.exec(zone);
  return aws ? aws[1] : undefined;
}

/**
 * Kubernetes node name of an Azure VMSS instance `<vmss>_<instanceId>`: the computer name, i.e.
 * the scale set's computer-name prefix (= the scale set name for AKS and Linux defaults) plus the
 * instance id in base 36, padded to 6 characters (`aks-a100spot-38291047-vmss_7` →
 * `aks-a100spot-38291047-vmss000007`). Undefined for names that are not VMSS instances.
 */
export function vmssComputerName(resourceName: string): string | undefined {
  const m = /^(.+)_(\d{1,10})$/.exec(resourceName);
  if (!m) return undefined;
  const id = Number(m[2]);
  if (!Number.isSafeInteger(id)) return undefined;
  return `${m[1] as string}${id.toString(36).padStart(6, "0")}`;
}
