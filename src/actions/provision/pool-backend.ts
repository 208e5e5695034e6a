import type { ActionContext } from "../types.js";
import { optString } from "./arg-readers.js";
import { awsAsgProvider, awsClientFrom } from "./aws-asg.js";
import type { GpuApi } from "./gpu-api.js";
import { gpuApiFrom } from "./gpu-api.js";
import { kubeConfigFrom } from "./kube-client.js";
import { kubeScaleProvider } from "./kube-scale.js";
import { kubeScaleTarget } from "./kube-scale-target.js";
import type { ProvisionArgs } from "./provision-args.js";
import type { ScaleProvider } from "./scale-provider.js";

const ACTION = "provision_gpus";

/** Where a pool's size is changed: an absolute-target provider, or the HTTP API (delta + idempotency key). */
export type PoolBackend =
  | { readonly kind: "absolute"; readonly resource: string; readonly provider: ScaleProvider; close(): void }
  | { readonly kind: "http"; readonly resource: string; readonly api: GpuApi; close(): void };

/** The backend of provision_gpus from its provider and provider-specific arguments. */
export function poolBackend(ctx: ActionContext, a: ProvisionArgs): PoolBackend {
  const timeout = ctx.limits.httpTimeoutMs;
  switch (a.provider) {
    case "kubernetes": {
      const settings = ctx.integrations.kubernetes ?? {};
      const provider = kubeScaleProvider(kubeConfigFrom(settings), kubeScaleTarget(ctx.args, settings, a.pool), ctx.signal, timeout);
      return { kind: "absolute", resource: provider.resource, provider, close: () => undefined };
    }
    case "aws": {
      const client = awsClientFrom(ctx.integrations.aws, optString(ctx.args, "region", ACTION));
      const provider = awsAsgProvider(client, optString(ctx.args, "auto_scaling_group", ACTION) ?? a.pool, ctx.signal, timeout);
      return { kind: "absolute", resource: provider.resource, provider, close: () => client.destroy() };
    }
    case "http": {
      const api = gpuApiFrom(ctx.integrations.gpu_api, optString(ctx.args, "endpoint", ACTION));
      return { kind: "http", resource: `${api.url}/pools/${a.pool}`, api, close: () => undefined };
    }
  }
}
