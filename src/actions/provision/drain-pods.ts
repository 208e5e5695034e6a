import type { V1Pod } from "@kubernetes/client-node";

export type SkipReason = "daemonset" | "mirror";
export type BlockReason = "daemonset" | "emptydir" | "unmanaged";

export interface DrainPolicy {
  readonly ignoreDaemonSets: boolean;
  readonly deleteEmptyDirData: boolean;
  readonly force: boolean;
}

export interface PodRef {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string | undefined;
}

export interface PodTriage {
  readonly evict: PodRef[];
  readonly skipped: { pod: string; reason: SkipReason }[];
  readonly blocked: { pod: string; reason: BlockReason }[];
}

export const podId = (p: { namespace: string; name: string }): string => `${p.namespace}/${p.name}`;

/**
 * Which pods of a node a drain evicts, like `kubectl drain`: mirror (static) pods are skipped;
 * DaemonSet pods are skipped with ignore_daemonsets (else they block); pods that are not
 * finished block when they use emptyDir (without delete_emptydir_data) or have no controller
 * (without force) — evicting them loses data or the pod for good.
 */
export function triagePods(pods: readonly V1Pod[], policy: DrainPolicy): PodTriage {
  const out: PodTriage = { evict: [], skipped: [], blocked: [] };
  for (const pod of pods) {
    const meta = pod.metadata ?? {};
    const ref: PodRef = { namespace: meta.namespace ?? "default", name: meta.name ?? "", uid: meta.uid };
    const id = podId(ref);
    if (meta.annotations?.["kubernetes.io/config.mirror"] !== undefined) {
      out.skipped.push({ pod: id, reason: "mirror" });
      continue;
    }
    const controller = meta.ownerReferences?.find((o) => o.controller === true);
    if (controller?.kind === "DaemonSet") {
      if (policy.ignoreDaemonSets) out.skipped.push({ pod: id, reason: "daemonset" });
      else out.blocked.push({ pod: id, reason: "daemonset" });
      continue;
    }
    const finished = pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
    if (!finished && !controller && !policy.force) {
      out.blocked.push({ pod: id, reason: "unmanaged" });
      continue;
    }
    if (!finished && !policy.deleteEmptyDirData && (pod.spec?.volumes ?? []).some((v) => v.emptyDir !== undefined && v.emptyDir !== null)) {
      out.blocked.push({ pod: id, reason: "emptydir" });
      continue;
    }
    out.evict.push(ref);
  }
  return out;
}

const BLOCK_HINT: Readonly<Record<BlockReason, string>> = {
  daemonset: "DaemonSet-managed (set ignore_daemonsets: true)",
  emptydir: "uses emptyDir data (set delete_emptydir_data: true)",
  unmanaged: "has no controller (set force: true)",
};

export function blockedMessage(node: string, blocked: PodTriage["blocked"]): string {
  return `cannot drain node ${node}: ${blocked.map((b) => `${b.pod} ${BLOCK_HINT[b.reason]}`).join("; ")}`;
}
