import { AutoScalingClient, DescribeAutoScalingGroupsCommand, SetDesiredCapacityCommand } from "@aws-sdk/client-auto-scaling";
import { ProvisionFailure, networkFailure, statusFailure } from "./failure.js";
import { requestSignal } from "./request-signal.js";
import type { PoolSize, ScaleProvider } from "./scale-provider.js";

type Settings = Readonly<Record<string, unknown>>;

/** AWS error codes that are worth retrying although they come as 4xx. */
const TRANSIENT_AWS_ERRORS = new Set([
  "Throttling",
  "ThrottlingException",
  "RequestLimitExceeded",
  "ScalingActivityInProgress",
  "ScalingActivityInProgressFault",
  "ResourceContention",
  "ResourceContentionFault",
]);

function str(settings: Settings, key: string): string | undefined {
  const v = settings[key];
  return typeof v === "string" && v !== "" ? v : undefined;
}

/**
 * An AutoScalingClient from `integrations.aws` = `{region, access_key_id?, secret_access_key?,
 * session_token?, endpoint?, max_attempts?}` (without keys the SDK's default credential chain is
 * used). The action's `region` argument wins over the configured one.
 */
export function awsClientFrom(settings: Settings | undefined, region: string | undefined): AutoScalingClient {
  const s = settings ?? {};
  const r = region ?? str(s, "region");
  if (!r) throw new ProvisionFailure("HB_ERR_CONFIG_INVALID", "integrations.aws.region (or the action's 'region') is required");
  const accessKeyId = str(s, "access_key_id");
  const secretAccessKey = str(s, "secret_access_key");
  const sessionToken = str(s, "session_token");
  const endpoint = str(s, "endpoint");
  const maxAttempts = typeof s.max_attempts === "number" && s.max_attempts >= 1 ? s.max_attempts : undefined;
  return new AutoScalingClient({
    region: r,
    ...(endpoint ? { endpoint } : {}),
    ...(maxAttempts ? { maxAttempts } : {}),
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } } : {}),
  });
}

/** Typed failure of an SDK call: throttling and scaling-in-progress are transient like 409/429/5xx. */
export function awsFailure(err: unknown, what: string, signal: AbortSignal): ProvisionFailure {
  const e = err as { name?: unknown; message?: unknown; $metadata?: { httpStatusCode?: unknown } };
  const name = typeof e?.name === "string" ? e.name : "";
  const status = typeof e?.$metadata?.httpStatusCode === "number" ? e.$metadata.httpStatusCode : undefined;
  if (status === undefined) return networkFailure(err, what, signal);
  const message = `${what}: AWS answered ${status} ${name}${typeof e.message === "string" && e.message ? ` (${e.message})` : ""}`;
  if (TRANSIENT_AWS_ERRORS.has(name)) return new ProvisionFailure("HB_ERR_ACTION_FAILED", message, { data: { status, aws_error: name } });
  return statusFailure(status, message, { status, aws_error: name });
}

/**
 * An EC2 Auto Scaling group: DescribeAutoScalingGroups for DesiredCapacity/MinSize/MaxSize,
 * SetDesiredCapacity with the absolute target and HonorCooldown false (repeating it is harmless).
 */
export function awsAsgProvider(client: AutoScalingClient, group: string, signal: AbortSignal, timeoutMs: number): ScaleProvider {
  const resource = `AutoScalingGroup ${group}`;
  return {
    resource,
    async read(): Promise<PoolSize> {
      const abortSignal = requestSignal(signal, timeoutMs);
      let groups;
      try {
        groups = (await client.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }), { abortSignal })).AutoScalingGroups ?? [];
      } catch (err) {
        throw awsFailure(err, `describe ${resource}`, abortSignal);
      }
      const g = groups.find((x) => x.AutoScalingGroupName === group);
      if (!g) throw new ProvisionFailure("HB_ERR_PROVIDER_REJECTED", `${resource} not found`);
      return { replicas: g.DesiredCapacity ?? 0, ...(g.MinSize !== undefined ? { min: g.MinSize } : {}), ...(g.MaxSize !== undefined ? { max: g.MaxSize } : {}) };
    },
    async apply(target: number): Promise<void> {
      const abortSignal = requestSignal(signal, timeoutMs);
      try {
        await client.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: group, DesiredCapacity: target, HonorCooldown: false }), { abortSignal });
      } catch (err) {
        throw awsFailure(err, `set desired capacity of ${resource} to ${target}`, abortSignal);
      }
    },
  };
}
