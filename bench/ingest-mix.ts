/**
 * The request mix of the ingest benches (bench/ingest.ts over HTTP, bench/prepare.ts in process):
 * the sources as `hookbook serve` would configure them, and what a GPU platform posts to them.
 */
import type { SourceConfig } from "../src/config/types.js";
import type { PrepareInput } from "../src/ingest/prepare.js";
import { resolveSources } from "../src/ingest/source-set.js";
import type { IngestSource } from "../src/ingest/source-set.js";
import type { RequestKind } from "./http-load.js";
import { RequestFactory, UNIQUE_MARK } from "./http-load.js";

const TOKEN = "bench-bearer-token";
const HMAC_SECRET = "bench-github-hook-secret";
const API_KEY = "bench-eventbridge-api-key";
const N = UNIQUE_MARK;

export const SOURCES: readonly SourceConfig[] = [
  { name: "alerts", kind: "alertmanager", auth: { type: "bearer", token: TOKEN }, bodyLimit: 0, options: {} },
  { name: "k8s", kind: "k8s-events", auth: { type: "bearer", token: TOKEN }, bodyLimit: 0, options: {} },
  {
    name: "github",
    kind: "github",
    auth: { type: "hmac", secret: HMAC_SECRET, header: "x-hub-signature-256", algorithm: "sha256", encoding: "hex", prefix: "sha256=" },
    bodyLimit: 0,
    options: {},
  },
  { name: "spot", kind: "eventbridge", auth: { type: "api-key", header: "x-api-key", key: API_KEY }, bodyLimit: 0, options: {} },
];

/** A one-alert Alertmanager v4 group (~1.3 KB); each request is a different alert (fingerprint). */
function alertmanagerBody(): string {
  return JSON.stringify({
    receiver: "gpu-automation-webhook",
    status: "firing",
    alerts: [
      {
        status: "firing",
        labels: { alertname: "GPUJobQueueDepthHigh", cluster: "us-east-1-prod", gpu_type: "a100-80gb", queue: "training-a100", severity: "warning", team: "gpu-platform" },
        annotations: {
          description: "Queue training-a100 (a100-80gb) on us-east-1-prod has had more than 50 pending jobs for 10m. Current depth: 87.",
          runbook_url: "https://runbooks.gpu.acme.example/alerts/gpu-job-queue-depth",
          summary: "GPU job queue training-a100 has 87 pending jobs",
        },
        startsAt: "2026-05-12T14:50:00Z",
        endsAt: "0001-01-01T00:00:00Z",
        generatorURL: "https://prometheus.gpu.acme.example/graph?g0.expr=sum+by+(cluster%2C+queue%2C+gpu_type)+(gpuaas_job_queue_depth%7Bstate%3D%22pending%22%7D)+%3E+50&g0.tab=1",
        fingerprint: N,
      },
    ],
    groupLabels: { alertname: "GPUJobQueueDepthHigh", cluster: "us-east-1-prod" },
    commonLabels: { alertname: "GPUJobQueueDepthHigh", cluster: "us-east-1-prod", gpu_type: "a100-80gb", queue: "training-a100", severity: "warning", team: "gpu-platform" },
    commonAnnotations: { runbook_url: "https://runbooks.gpu.acme.example/alerts/gpu-job-queue-depth" },
    externalURL: "https://alertmanager.gpu.acme.example",
    version: "4",
    groupKey: '{}/{team="gpu-platform"}:{alertname="GPUJobQueueDepthHigh", cluster="us-east-1-prod"}',
    truncatedAlerts: 0,
  });
}

/** A FailedScheduling event for lack of GPUs, as kubernetes-event-exporter posts it (~1.5 KB). */
function k8sEventBody(): string {
  return JSON.stringify({
    metadata: { name: `llama3-ft-7b-0-x7k2p.${N}`, namespace: "team-nlp", uid: `9d3b6f1a-0e4c-4b72-a8d5-${N}`, resourceVersion: N, creationTimestamp: "2026-05-12T14:55:02Z" },
    reason: "FailedScheduling",
    message: "0/24 nodes are available: 16 Insufficient nvidia.com/gpu, 8 node(s) didn't match Pod's node affinity/selector. preemption: 0/24 nodes are available: 16 No preemption victims found for incoming pod, 8 Preemption is not helpful for scheduling.",
    source: {},
    firstTimestamp: null,
    lastTimestamp: null,
    type: "Warning",
    eventTime: "2026-05-12T14:55:02.118394Z",
    action: "Scheduling",
    reportingComponent: "default-scheduler",
    reportingInstance: "default-scheduler-ip-10-0-12-34",
    clusterName: "us-east-1-prod",
    involvedObject: {
      kind: "Pod",
      namespace: "team-nlp",
      name: "llama3-ft-7b-0-x7k2p",
      uid: "2e6a9c0f-7b31-4d58-b2e4-f1a8c3d7e960",
      apiVersion: "v1",
      resourceVersion: "918291040",
      labels: { "job-name": "llama3-ft-7b", "kueue.x-k8s.io/queue-name": "training-a100" },
      ownerReferences: [{ apiVersion: "batch/v1", kind: "Job", name: "llama3-ft-7b", uid: "5a0f2e7c-1b9d-4c63-8e4a-d2f7b1c9e036", controller: true, blockOwnerDeletion: true }],
      deleted: false,
    },
  });
}

/** A workflow_job "queued" delivery for a GPU runner (~2 KB; real ones are larger). */
function githubBody(): string {
  return JSON.stringify({
    action: "queued",
    workflow_job: {
      id: Number(`1${"0".repeat(9)}`),
      run_id: 9876543210,
      workflow_name: "gpu-integration",
      head_branch: "main",
      run_url: "https://api.github.com/repos/acme-gpu/trainer/actions/runs/9876543210",
      run_attempt: 1,
      node_id: "CR_kwDOBench",
      head_sha: "4f1c0e9b8a7d6c5b4a3928171605f4e3d2c1b0a9",
      url: "https://api.github.com/repos/acme-gpu/trainer/actions/jobs/__N__",
      html_url: "https://github.com/acme-gpu/trainer/actions/runs/9876543210/job/__N__",
      status: "queued",
      conclusion: null,
      created_at: "2026-05-12T15:01:10Z",
      started_at: "2026-05-12T15:01:10Z",
      completed_at: null,
      name: "train-smoke (a100)",
      steps: [],
      labels: ["self-hosted", "linux", "gpu-a100"],
      runner_id: null,
      runner_name: null,
      runner_group_id: null,
      runner_group_name: null,
    },
    repository: {
      id: 734221905,
      name: "trainer",
      full_name: "acme-gpu/trainer",
      private: true,
      owner: { login: "acme-gpu", id: 91234567, type: "Organization" },
      html_url: "https://github.com/acme-gpu/trainer",
      default_branch: "main",
    },
    organization: { login: "acme-gpu", id: 91234567 },
    sender: { login: "octo-sre", id: 5123456, type: "User" },
  });
}

/** An EC2 Spot Instance Interruption Warning from an EventBridge API destination. */
function eventBridgeBody(): string {
  return JSON.stringify({
    version: "0",
    id: `7d3f9a1e-5b2c-4e8d-9f06-${N}`,
    "detail-type": "EC2 Spot Instance Interruption Warning",
    source: "aws.ec2",
    account: "123456789012",
    time: "2026-05-12T15:20:04Z",
    region: "us-east-1",
    resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-0abc1234def567890"],
    detail: { "instance-id": "i-0abc1234def567890", "instance-action": "terminate" },
  });
}

/** The mix, by share of requests: alert groups and cluster events dominate, git and cloud events are rarer. */
export const MIX: readonly RequestKind[] = [
  { source: "alerts", weight: 4, headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` }, body: alertmanagerBody() },
  { source: "k8s", weight: 3, headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` }, body: k8sEventBody() },
  {
    source: "github",
    weight: 2,
    headers: { "content-type": "application/json", "x-github-event": "workflow_job", "user-agent": "GitHub-Hookshot/7c2f1e4" },
    body: githubBody().replace('"id":1000000000', `"id":${N}`),
    idHeader: "x-github-delivery",
    hmac: { header: "x-hub-signature-256", prefix: "sha256=", secret: HMAC_SECRET },
  },
  { source: "spot", weight: 1, headers: { "content-type": "application/json; charset=utf-8", "x-api-key": API_KEY, "user-agent": "Amazon/EventBridge/ApiDestinations" }, body: eventBridgeBody() },
];

export interface MixRequest {
  readonly source: IngestSource;
  readonly req: PrepareInput;
}

/** The first `count` requests of the mix as the HTTP thread hands them to preparation: the source, raw headers (name, value, ...) and body. */
export function mixRequests(count: number): MixRequest[] {
  const host = "127.0.0.1:8080";
  const sources = resolveSources({ sources: SOURCES, bodyLimit: 1024 * 1024 });
  const factory = new RequestFactory(host, MIX, 1);
  const receivedAt = new Date().toISOString();
  return Array.from({ length: count }, (_, i) => {
    const { kind, extra, body } = factory.parts(i);
    const bytes = Buffer.from(body);
    // in the order the load generator writes them
    const rawHeaders = ["host", host, ...Object.entries(kind.headers).flat(), ...extra.flat(), "content-length", String(bytes.length)];
    const source = sources.get(kind.source);
    if (source === undefined) throw new Error(`the mix posts to ${kind.source}, which is not among its sources`);
    return { source, req: { body: bytes, rawHeaders, receivedAt } };
  });
}
