import type { KubeConfig } from "@kubernetes/client-node";
import { AppsV1Api, CustomObjectsApi, PatchStrategy } from "@kubernetes/client-node";
import { kubeFailure, kubeRequestOptions } from "./kube-client.js";
import { requestSignal } from "./request-signal.js";
import type { KubeScaleTarget } from "./kube-scale-target.js";
import { describeTarget } from "./kube-scale-target.js";
import type { PoolSize, ScaleProvider } from "./scale-provider.js";

interface ScaleObject {
  spec?: { replicas?: unknown };
}

function replicasOf(scale: unknown, what: string): number {
  const r = (scale as ScaleObject | undefined)?.spec?.replicas;
  if (r === undefined || r === null) return 0; // the API omits zero
  if (typeof r !== "number" || !Number.isSafeInteger(r)) throw new Error(`${what}: scale has no integer spec.replicas`);
  return r;
}

/**
 * A Kubernetes pool scaled through the scale subresource with the official client: AppsV1Api for
 * Deployment/StatefulSet/ReplicaSet, CustomObjectsApi for Cluster API and other CRDs. The target
 * is written as a JSON merge patch `{"spec":{"replicas":N}}` (absolute, so a retry is harmless).
 */
export function kubeScaleProvider(kc: KubeConfig, t: KubeScaleTarget, signal: AbortSignal, timeoutMs: number): ScaleProvider {
  const resource = describeTarget(t);
  const apps = t.group === "apps" ? kc.makeApiClient(AppsV1Api) : undefined;
  const custom = t.group === "apps" ? undefined : kc.makeApiClient(CustomObjectsApi);
  const ns = t.namespace ?? "";
  async function readScale(sig: AbortSignal): Promise<unknown> {
    const o = kubeRequestOptions(sig);
    if (apps) {
      const p = { name: t.name, namespace: ns };
      if (t.kind === "StatefulSet") return apps.readNamespacedStatefulSetScale(p, o);
      if (t.kind === "ReplicaSet") return apps.readNamespacedReplicaSetScale(p, o);
      return apps.readNamespacedDeploymentScale(p, o);
    }
    const c = custom as CustomObjectsApi;
    const base = { group: t.group, version: t.version, plural: t.plural, name: t.name };
    return t.namespace === undefined ? c.getClusterCustomObjectScale(base, o) : c.getNamespacedCustomObjectScale({ ...base, namespace: t.namespace }, o);
  }

  async function patchScale(sig: AbortSignal, replicas: number): Promise<void> {
    const o = kubeRequestOptions(sig, PatchStrategy.MergePatch);
    const body = { spec: { replicas } };
    if (apps) {
      const p = { name: t.name, namespace: ns, body };
      if (t.kind === "StatefulSet") await apps.patchNamespacedStatefulSetScale(p, o);
      else if (t.kind === "ReplicaSet") await apps.patchNamespacedReplicaSetScale(p, o);
      else await apps.patchNamespacedDeploymentScale(p, o);
      return;
    }
    const c = custom as CustomObjectsApi;
    const base = { group: t.group, version: t.version, plural: t.plural, name: t.name, body };
    if (t.namespace === undefined) await c.patchClusterCustomObjectScale(base, o);
    else await c.patchNamespacedCustomObjectScale({ ...base, namespace: t.namespace }, o);
  }

  return {
    resource,
    async read(): Promise<PoolSize> {
      const sig = requestSignal(signal, timeoutMs);
      let scale: unknown;
      try {
        scale = await readScale(sig);
      } catch (err) {
        throw kubeFailure(err, `read scale of ${resource}`, sig);
      }
      return { replicas: replicasOf(scale, resource) };
    },
    async apply(target: number): Promise<void> {
      const sig = requestSignal(signal, timeoutMs);
      try {
        await patchScale(sig, target);
      } catch (err) {
        throw kubeFailure(err, `scale ${resource} to ${target}`, sig);
      }
    },
  };
}
