// `hookbook serve` with the admin API: the global pause switch and a webhook subscription
// created over the API, end to end with the built binary and a real nats-server.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pickFreePort } from "../../src/bus/nats/server-process.js";
import { verifyWebhook } from "../../src/outbound/signer.js";
import { fixtureBytes } from "../helpers/fixtures.js";
import { startTestNats } from "../helpers/nats.js";
import type { TestNats } from "../helpers/nats.js";
import { spawnServe, startReceiver, waitFor as waitUntil } from "../helpers/serve-process.js";
import type { ReceivedHook, ServeProcess } from "../helpers/serve-process.js";

const TOKEN = "admin-token-for-the-e2e-test";
let nats: TestNats;
let serve: ServeProcess;
let dir: string;
let base: string;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let received: ReceivedHook[] = [];

const waitFor = <T>(what: string, fn: () => T | undefined): Promise<T> => waitUntil(what, fn, () => serve?.log() ?? "");

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", ...(init.headers as Record<string, string> | undefined) } });

before(async () => {
  nats = await startTestNats();
  receiver = await startReceiver();
  received = receiver.received;
  dir = mkdtempSync(join(tmpdir(), "hookbook-admin-"));
  const ran = join(dir, "ran.txt");
  writeFileSync(
    join(dir, "rulebook.yml"),
    `- name: gpu capacity
  hosts: all
  sources: [{name: alertmanager, hookbook.alertmanager: {}}]
  rules:
    - name: deep queue
      condition: event.alert.labels.alertname == "GPUJobQueueDepthHigh"
      action:
        run_command:
          command: ${JSON.stringify(process.execPath)}
          args: ["-e", "require('fs').appendFileSync(process.argv[1], process.argv[2] + '\\\\n')", ${JSON.stringify(ran)}, "{{ event.alert.labels.queue }}"]
`,
  );
  const port = await pickFreePort();
  writeFileSync(
    join(dir, "hookbook.yaml"),
    JSON.stringify({
      server: { host: "127.0.0.1", port },
      dataDir: join(dir, "data"),
      rulebooks: [join(dir, "rulebook.yml")],
      actions: { paused: true },
      api: { token: { env: "ADMIN_TOKEN" } },
      outbound: { ssrf: { allow: ["127.0.0.1/32"] }, retry: { schedule: "short" } },
    }),
  );
  base = `http://127.0.0.1:${port}`;
  serve = spawnServe(["--config", join(dir, "hookbook.yaml")], { cwd: dir, env: { NATS_URL: nats.url, ADMIN_TOKEN: TOKEN } });
  await waitFor("serve", () => (serve.log().includes("hookbook serving") ? true : undefined));
});

after(async () => {
  await serve?.stop();
  await receiver?.close();
  await nats?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("the admin API needs the token", async () => {
  assert.equal((await fetch(`${base}/api/actions/pause`)).status, 401);
  assert.equal((await fetch(`${base}/api/webhooks`, { headers: { authorization: "Bearer wrong-token-wrong-token" } })).status, 401);
});

test("a webhook subscription created over the API receives signed outcomes; paused actions wait until resumed", async () => {
  const created = await api("/api/webhooks", { method: "POST", body: JSON.stringify({ url: receiver.url, events: ["action.*"] }) });
  assert.equal(created.status, 201, await created.clone().text());
  const sub = (await created.json()) as { id: string; secret: string; status: string };
  assert.match(sub.secret, /^whsec_/);

  assert.deepEqual(await (await api("/api/actions/pause")).json(), { paused: true });
  const ran = join(dir, "ran.txt");
  const post = await fetch(`${base}/hooks/alertmanager`, { method: "POST", headers: { "content-type": "application/json" }, body: fixtureBytes("alertmanager/firing-queue-depth.json") });
  assert.equal(post.status, 202);
  await waitFor("the firings to wait at the gate", () => ((serve.log().match(/actions paused: firing waits/g) ?? []).length >= 1 ? true : undefined));
  assert.equal(existsSync(ran), false, "nothing ran while paused");
  assert.equal(received.length, 0, "no outcome while paused");

  assert.deepEqual(await (await api("/api/actions/resume", { method: "POST", body: "{}" })).json(), { paused: false });
  await waitFor("both actions", () => (existsSync(ran) && readFileSync(ran, "utf8").split("\n").filter(Boolean).length === 2 ? true : undefined));
  const succeeded = await waitFor("two action.succeeded webhooks", () => {
    const s = received.filter((r) => (JSON.parse(r.body) as { type: string }).type === "action.succeeded");
    return s.length >= 2 ? s : undefined;
  });
  for (const r of succeeded) assert.equal(verifyWebhook(sub.secret, r.headers, r.body), true);
  const stats = (await (await api(`/api/webhooks/${sub.id}/stats`)).json()) as Record<string, unknown>;
  assert.ok(JSON.stringify(stats).length > 2, "stats answer");
});

test("/metrics exposes ingest and outbound metrics from one registry", async () => {
  const text = await (await fetch(`${base}/metrics`)).text();
  assert.match(text, /hookbook_ingest_requests_total/);
  assert.match(text, /process_cpu_seconds_total|nodejs_/);
});
