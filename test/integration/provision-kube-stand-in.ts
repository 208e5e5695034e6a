/** A stand-in for the Kubernetes API: the exact REST paths the official client calls. */
import type { Recorded, Reply, StandIn } from "./provision-helpers.js";
import { json, startStandIn } from "./provision-helpers.js";

export interface StandInPod {
  namespace: string;
  name: string;
  uid?: string;
  owner?: string;
  mirror?: boolean;
  emptyDir?: boolean;
  phase?: string;
  /** Eviction answers 429 this many times first (a PodDisruptionBudget). */
  pdbDenials?: number;
}

export interface KubeStandIn extends StandIn {
  /** replicas by "<group>/<version>/<namespace>/<plural>/<name>" */
  readonly scales: Map<string, number>;
  readonly pods: StandInPod[];
  readonly unschedulable: Set<string>;
  /** Force an answer for the next requests matching method + path. */
  fail(method: string, path: string, status: number, times?: number, applyAnyway?: boolean): void;
}

const status = (code: number, message: string, reason: string): Reply => ({
  status: code,
  body: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code },
});

function podObject(p: StandInPod): Record<string, unknown> {
  return {
    metadata: {
      name: p.name,
      namespace: p.namespace,
      uid: p.uid ?? `uid-${p.name}`,
      ...(p.mirror ? { annotations: { "kubernetes.io/config.mirror": "abc" } } : {}),
      ...(p.owner ? { ownerReferences: [{ apiVersion: "apps/v1", kind: p.owner, name: `${p.name}-owner`, uid: "o1", controller: true }] } : {}),
    },
    spec: { nodeName: "gpu-node-1", containers: [{ name: "c", image: "busybox" }], ...(p.emptyDir ? { volumes: [{ name: "scratch", emptyDir: {} }] } : {}) },
    status: { phase: p.phase ?? "Running" },
  };
}

export async function startKubeStandIn(): Promise<KubeStandIn> {
  const scales = new Map<string, number>();
  const pods: StandInPod[] = [];
  const unschedulable = new Set<string>();
  const failures: { method: string; path: string; status: number; times: number; applyAnyway: boolean }[] = [];

  function handle(r: Recorded): Reply {
    const forced = failures.find((f) => f.method === r.method && f.path === r.path && f.times > 0);
    if (forced) forced.times--;
    if (forced && !forced.applyAnyway) return status(forced.status, "forced failure", "InternalError");
    const reply = route(r);
    return forced ? status(forced.status, "failed after applying", "InternalError") : reply;
  }

  function route(r: Recorded): Reply {
    let m = /^\/apis\/([^/]+)\/([^/]+)\/namespaces\/([^/]+)\/([^/]+)\/([^/]+)\/scale$/.exec(r.path);
    if (m) {
      const [, group, version, ns, plural, name] = m;
      const key = `${group}/${version}/${ns}/${plural}/${name}`;
      const replicas = scales.get(key);
      if (replicas === undefined) return status(404, `${plural} "${name}" not found`, "NotFound");
      if (r.method === "PATCH") {
        const patch = json(r.body) as { spec?: { replicas?: number } };
        if (typeof patch.spec?.replicas === "number") scales.set(key, patch.spec.replicas);
      } else if (r.method !== "GET") return status(405, "method not allowed", "MethodNotAllowed");
      const now = scales.get(key);
      return {
        status: 200,
        body: { kind: "Scale", apiVersion: "autoscaling/v1", metadata: { name, namespace: ns }, spec: { replicas: now }, status: { replicas: replicas } },
      };
    }
    m = /^\/api\/v1\/nodes\/([^/]+)$/.exec(r.path);
    if (m && r.method === "PATCH") {
      const node = m[1] as string;
      if (node === "missing-node") return status(404, `nodes "${node}" not found`, "NotFound");
      const patch = json(r.body) as { spec?: { unschedulable?: boolean } };
      if (patch.spec?.unschedulable === true) unschedulable.add(node);
      return { status: 200, body: { kind: "Node", apiVersion: "v1", metadata: { name: node }, spec: { unschedulable: unschedulable.has(node) } } };
    }
    if (r.path === "/api/v1/pods" && r.method === "GET") {
      const sel = r.query.get("fieldSelector") ?? "";
      const items = sel === "spec.nodeName=gpu-node-1" ? pods.map(podObject) : [];
      return { status: 200, body: { kind: "PodList", apiVersion: "v1", metadata: { resourceVersion: "1" }, items } };
    }
    m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)(\/eviction)?$/.exec(r.path);
    if (m) {
      const [, ns, name, eviction] = m;
      const idx = pods.findIndex((p) => p.namespace === ns && p.name === name);
      const pod = pods[idx];
      if (!pod) return status(404, `pods "${name}" not found`, "NotFound");
      if (eviction && r.method === "POST") {
        if ((pod.pdbDenials ?? 0) > 0) {
          pod.pdbDenials = (pod.pdbDenials ?? 0) - 1;
          return status(429, "Cannot evict pod as it would violate the pod's disruption budget.", "TooManyRequests");
        }
        pods.splice(idx, 1);
        return { status: 201, body: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 } };
      }
      if (!eviction && r.method === "GET") return { status: 200, body: { kind: "Pod", apiVersion: "v1", ...podObject(pod) } };
    }
    return status(404, `no route ${r.method} ${r.path}`, "NotFound");
  }

  const base = await startStandIn(handle);
  return {
    ...base,
    scales,
    pods,
    unschedulable,
    fail(method, path, code, times = 1, applyAnyway = false) {
      failures.push({ method, path, status: code, times, applyAnyway });
    },
  };
}
