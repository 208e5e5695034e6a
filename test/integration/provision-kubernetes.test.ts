/**
 * provision_gpus on Kubernetes against a stand-in API server (127.0.0.1:0): the official client
 * reads and patches the scale subresource; the requests are asserted exactly.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createServer } from "node:https";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, beforeEach, describe, test } from "node:test";
import { provisionGpusAction } from "../../src/actions/provision/provision-gpus.js";
import type { Harness } from "./provision-helpers.js";
import { harness, intent, json } from "./provision-helpers.js";
import type { KubeStandIn } from "./provision-kube-stand-in.js";
import { startKubeStandIn } from "./provision-kube-stand-in.js";

const DEPLOY = "/apis/apps/v1/namespaces/gpu/deployments/a100-workers/scale";
const MD = "/apis/cluster.x-k8s.io/v1beta1/namespaces/capi/machinedeployments/h100/scale";

let k8s: KubeStandIn;
let h: Harness;

beforeEach(async () => {
  k8s = await startKubeStandIn();
  k8s.scales.set("apps/v1/gpu/deployments/a100-workers", 3);
  k8s.scales.set("cluster.x-k8s.io/v1beta1/capi/machinedeployments/h100", 2);
  h = harness({ kubernetes: { server: k8s.url, token: "t0ken", insecure_skip_tls_verify: true } });
});
afterEach(() => k8s.close());

const deployArgs = { provider: "kubernetes", pool: "a100", kind: "Deployment", namespace: "gpu", name: "a100-workers" };

describe("provision_gpus / kubernetes", () => {
  test("Deployment: GET scale, then merge-PATCH the absolute target", async () => {
    const r = await h.run(provisionGpusAction, { ...deployArgs, add: 2, reason: "queue deep" });
    assert.equal(r.ok, true, r.message);
    assert.deepEqual(
      k8s.requests.map((q) => `${q.method} ${q.path}`),
      [`GET ${DEPLOY}`, `PATCH ${DEPLOY}`],
    );
    const [get, patch] = k8s.requests;
    assert.equal(get?.headers.authorization, "Bearer t0ken");
    assert.equal(patch?.headers["content-type"], "application/merge-patch+json");
    assert.equal(patch?.headers.authorization, "Bearer t0ken");
    assert.deepEqual(json(patch?.body ?? ""), { spec: { replicas: 5 } });
    assert.equal(k8s.scales.get("apps/v1/gpu/deployments/a100-workers"), 5);
    assert.deepEqual(
      { provider: r.data?.provider, pool: r.data?.pool, before: r.data?.before, after: r.data?.after, added: r.data?.added, resource: r.data?.resource },
      { provider: "kubernetes", pool: "a100", before: 3, after: 5, added: 2, resource: "Deployment gpu/a100-workers" },
    );
    assert.deepEqual(h.progress.map((p) => p.phase), ["planned", "applied"]);
  });

  test("MachineDeployment (the default kind) through the custom objects scale subresource; set and remove", async () => {
    const md = { provider: "kubernetes", pool: "h100", namespace: "capi" };
    const r1 = await h.run(provisionGpusAction, { ...md, set: 6 });
    assert.equal(r1.ok, true, r1.message);
    assert.deepEqual(k8s.requests.map((q) => `${q.method} ${q.path}`), [`GET ${MD}`, `PATCH ${MD}`]);
    assert.equal(k8s.requests[1]?.headers["content-type"], "application/merge-patch+json");
    assert.deepEqual(json(k8s.requests[1]?.body ?? ""), { spec: { replicas: 6 } });
    assert.equal(r1.data?.added, 4);

    const r2 = await h.run(provisionGpusAction, { ...md, remove: 10 });
    assert.equal(r2.ok, true, r2.message);
    assert.deepEqual(json(k8s.requests[3]?.body ?? ""), { spec: { replicas: 0 } }, "not below zero");
    assert.deepEqual([r2.data?.before, r2.data?.after, r2.data?.added, r2.data?.removed], [6, 0, 0, 6]);
  });

  test("set to the current size changes nothing", async () => {
    const r = await h.run(provisionGpusAction, { ...deployArgs, set: 3 });
    assert.equal(r.ok, true);
    assert.equal(r.data?.unchanged, true);
    assert.deepEqual(k8s.requests.map((q) => q.method), ["GET"]);
  });

  test("retry after an ambiguous failure re-applies the same absolute target (no double add)", async () => {
    // The server applies the patch but answers 500: the caller cannot know it happened.
    k8s.fail("PATCH", DEPLOY, 500, 1, true);
    const i = intent();
    const first = await h.run(provisionGpusAction, { ...deployArgs, add: 2 }, { intent: i });
    assert.equal(first.ok, false);
    assert.equal(first.code, "HB_ERR_ACTION_FAILED", "5xx is transient");
    assert.equal(k8s.scales.get("apps/v1/gpu/deployments/a100-workers"), 5);

    const retry = await h.run(provisionGpusAction, { ...deployArgs, add: 2 }, { intent: i });
    assert.equal(retry.ok, true, retry.message);
    assert.deepEqual(k8s.requests.map((q) => q.method), ["GET", "PATCH", "PATCH"], "the retry does not read again");
    assert.deepEqual(json(k8s.requests[2]?.body ?? ""), { spec: { replicas: 5 } });
    assert.equal(k8s.scales.get("apps/v1/gpu/deployments/a100-workers"), 5, "still 3 + 2");

    const again = await h.run(provisionGpusAction, { ...deployArgs, add: 2 }, { intent: i });
    assert.equal(again.ok, true);
    assert.equal(again.data?.replayed, true);
    assert.equal(k8s.requests.length, 3, "a finished run is not repeated");
  });

  test("the same rule firing again (new key) adds again", async () => {
    await h.run(provisionGpusAction, { ...deployArgs, add: 2 });
    await h.run(provisionGpusAction, { ...deployArgs, add: 2 });
    assert.equal(k8s.scales.get("apps/v1/gpu/deployments/a100-workers"), 7);
  });

  test("4xx is permanent (HB_ERR_PROVIDER_REJECTED), 409/429/5xx transient", async () => {
    const missing = await h.run(provisionGpusAction, { ...deployArgs, name: "nope", add: 1 });
    assert.equal(missing.code, "HB_ERR_PROVIDER_REJECTED");
    assert.match(missing.message ?? "", /404/);
    k8s.fail("GET", DEPLOY, 403);
    assert.equal((await h.run(provisionGpusAction, { ...deployArgs, add: 1 })).code, "HB_ERR_PROVIDER_REJECTED");
    k8s.fail("PATCH", DEPLOY, 409);
    assert.equal((await h.run(provisionGpusAction, { ...deployArgs, add: 1 })).code, "HB_ERR_ACTION_FAILED");
    k8s.fail("GET", DEPLOY, 429);
    assert.equal((await h.run(provisionGpusAction, { ...deployArgs, add: 1 })).code, "HB_ERR_ACTION_FAILED");
    k8s.fail("GET", DEPLOY, 503);
    assert.equal((await h.run(provisionGpusAction, { ...deployArgs, add: 1 })).code, "HB_ERR_ACTION_FAILED");
  });

  test("unreachable API server: transient", async () => {
    const dead = harness({ kubernetes: { server: "http://127.0.0.1:1", insecure_skip_tls_verify: true } });
    const r = await dead.run(provisionGpusAction, { ...deployArgs, add: 1 });
    assert.equal(r.ok, false);
    assert.equal(r.code, "HB_ERR_ACTION_FAILED");
  });

  test("dry_run reads and plans, never patches", async () => {
    const r = await h.run(provisionGpusAction, { ...deployArgs, add: 4, dry_run: true });
    assert.equal(r.ok, true);
    assert.deepEqual([r.data?.dry_run, r.data?.before, r.data?.after], [true, 3, 7]);
    assert.deepEqual(k8s.requests.map((q) => q.method), ["GET"]);
  });

  test("argument errors are permanent and call nothing", async () => {
    for (const args of [
      { provider: "kubernetes", pool: "a100" },
      { provider: "kubernetes", pool: "a100", add: 1, set: 2 },
      { provider: "kubernetes", pool: "a100", add: -1 },
      { provider: "gcp", pool: "a100", add: 1 },
      { provider: "kubernetes", pool: "a100", add: 1, kind: "NodePool" },
    ]) {
      const r = await h.run(provisionGpusAction, args);
      assert.equal(r.code, "HB_ERR_ACTION_ARGS", JSON.stringify(args));
    }
    assert.equal(k8s.requests.length, 0);
  });

  test("a custom cluster-scoped kind with api_group/api_version", async () => {
    const r = await h.run(provisionGpusAction, { provider: "kubernetes", pool: "gpu", kind: "NodePool", api_group: "example.dev", api_version: "v1", cluster_scoped: true, add: 1 });
    assert.equal(r.ok, false);
    assert.equal(k8s.requests[0]?.path, "/apis/example.dev/v1/nodepools/gpu/scale");
  });

  test("kubeconfig file with a named context", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hb-kc-"));
    try {
      const file = join(dir, "kubeconfig");
      writeFileSync(
        file,
        [
          "apiVersion: v1",
          "kind: Config",
          "clusters:",
          "- name: other\n  cluster: {server: 'http://127.0.0.1:1', insecure-skip-tls-verify: true}",
          `- name: lab\n  cluster: {server: '${k8s.url}', insecure-skip-tls-verify: true}`,
          "users:",
          "- name: bot\n  user: {token: from-file}",
          "contexts:",
          "- name: wrong\n  context: {cluster: other, user: bot}",
          "- name: lab\n  context: {cluster: lab, user: bot}",
          "current-context: wrong",
        ].join("\n"),
      );
      const fh = harness({ kubernetes: { kubeconfig: file, context: "lab" } });
      const r = await fh.run(provisionGpusAction, { ...deployArgs, add: 1 });
      assert.equal(r.ok, true, r.message);
      assert.equal(k8s.requests[0]?.headers.authorization, "Bearer from-file");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("provision_gpus / kubernetes over TLS with a CA", () => {
  const dir = mkdtempSync(join(tmpdir(), "hb-k8s-tls-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("the CA PEM from integrations.kubernetes.ca verifies the API server", async () => {
    const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=test CA");
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "srv.key", "-out", "srv.csr", "-subj", "/CN=127.0.0.1");
    writeFileSync(join(dir, "srv.ext"), "basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
    openssl("x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "srv.pem", "-days", "2", "-extfile", "srv.ext");

    const seen: string[] = [];
    const server = createServer({ key: readFileSync(join(dir, "srv.key")), cert: readFileSync(join(dir, "srv.pem")) }, (req, res) => {
      seen.push(`${req.method} ${req.url}`);
      req.resume();
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ kind: "Scale", apiVersion: "autoscaling/v1", metadata: { name: "a100-workers" }, spec: { replicas: 1 } }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const ok = harness({ kubernetes: { server: url, token: "x", ca: readFileSync(join(dir, "ca.pem"), "utf8") } });
      const r = await ok.run(provisionGpusAction, { ...deployArgs, add: 1 });
      assert.equal(r.ok, true, r.message);
      assert.deepEqual(seen, [`GET ${DEPLOY}`, `PATCH ${DEPLOY}`]);

      const noCa = harness({ kubernetes: { server: url, token: "x" } });
      const bad = await noCa.run(provisionGpusAction, { ...deployArgs, add: 1 });
      assert.equal(bad.ok, false, "an unknown CA is not trusted");
      assert.equal(seen.length, 2);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
