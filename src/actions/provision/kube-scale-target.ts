import { argsError, optBool, optString } from "./arg-readers.js";

const ACTION = "provision_gpus";

/** Where the scale subresource of a pool lives. */
export interface KubeScaleTarget {
  readonly kind: string;
  /** "apps" for Deployment/StatefulSet/ReplicaSet (AppsV1Api), else a custom resource group. */
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  /** undefined for cluster-scoped resources. */
  readonly namespace: string | undefined;
  readonly name: string;
}

const KNOWN: Readonly<Record<string, { group: string; version: string; plural: string }>> = {
  Deployment: { group: "apps", version: "v1", plural: "deployments" },
  StatefulSet: { group: "apps", version: "v1", plural: "statefulsets" },
  ReplicaSet: { group: "apps", version: "v1", plural: "replicasets" },
  MachineDeployment: { group: "cluster.x-k8s.io", version: "v1beta1", plural: "machinedeployments" },
  MachineSet: { group: "cluster.x-k8s.io", version: "v1beta1", plural: "machinesets" },
  MachinePool: { group: "cluster.x-k8s.io", version: "v1beta1", plural: "machinepools" },
};

export const APPS_KINDS = ["Deployment", "StatefulSet", "ReplicaSet"] as const;

/**
 * The scale target from the action's arguments: `kind` (default `integrations.kubernetes.pool_kind`,
 * else MachineDeployment), `namespace` (default `integrations.kubernetes.namespace`, else
 * "default"), `name` (default: the pool). Kinds other than the known ones need `api_group` and
 * `api_version` (`plural` defaults to the lower-cased kind + "s"); `cluster_scoped: true` for
 * cluster-scoped resources (e.g. a NodePool CRD with a scale subresource).
 */
export function kubeScaleTarget(args: Readonly<Record<string, unknown>>, settings: Readonly<Record<string, unknown>>, pool: string): KubeScaleTarget {
  const kind = optString(args, "kind", ACTION) ?? (typeof settings.pool_kind === "string" ? settings.pool_kind : "MachineDeployment");
  const known = KNOWN[kind];
  const isApps = (APPS_KINDS as readonly string[]).includes(kind);
  const group = isApps ? "apps" : (optString(args, "api_group", ACTION) ?? known?.group);
  const version = isApps ? "v1" : (optString(args, "api_version", ACTION) ?? known?.version);
  if (!group || !version) throw argsError(ACTION, `kind '${kind}' needs 'api_group' and 'api_version' (known kinds: ${Object.keys(KNOWN).join(", ")})`);
  const plural = optString(args, "plural", ACTION) ?? known?.plural ?? `${kind.toLowerCase()}s`;
  const clusterScoped = !isApps && (optBool(args, "cluster_scoped", ACTION) ?? false);
  const namespace = clusterScoped ? undefined : (optString(args, "namespace", ACTION) ?? (typeof settings.namespace === "string" ? settings.namespace : "default"));
  const name = optString(args, "name", ACTION) ?? pool;
  return { kind, group, version, plural, namespace, name };
}

export function describeTarget(t: KubeScaleTarget): string {
  return `${t.kind} ${t.namespace ? `${t.namespace}/` : ""}${t.name}`;
}
