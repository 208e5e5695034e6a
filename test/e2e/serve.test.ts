// End to end: `hookbook serve` (the built binary) with a real nats-server, a local receiver,
// the Alertmanager fixture in, a signed webhook out, and the action run exactly once.
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
import { repoRoot, spawnServe, startReceiver, waitFor as waitUntil } from "../helpers/serve-process.js";
import type { ReceivedHook, ServeProcess } from "../helpers/serve-process.js";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const TOKEN = "am-fixture-bearer-token";

let nats: TestNats;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let received: ReceivedHook[];
let dir: string;
let serve: ServeProcess;
let baseUrl: string;

const waitFor = <T>(what: string, fn: () => T | undefined): Promise<T> => waitUntil(what, fn, () => serve?.log() ?? "");

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
}

before(async () => {
  assert.ok(existsSync(join(repoRoot, "dist/cli/main.js")), "run `npm run build` (npm ci does) before the e2e test");
  nats = await startTestNats();
  receiver = await startReceiver();
  received = receiver.received;

  dir = mkdtempSync(join(tmpdir(), "hookbook-e2e-"));
  const ranFile = join(dir, "ran.txt");
  writeFileSync(
    join(dir, "rulebook.yml"),
    `- name: gpu capacity
  hosts: all
  sources:
    - name: alertmanager
      hookbook.alertmanager: {}
  rules:
    - name: scale up on deep queue
      condition: event.alert.labels.alertname == "GPUJobQueueDepthHigh" and event.alert.status == "firing"
      actions:
        - run_command:
            command: ${JSON.stringify(process.execPath)}
            args: ["-e", "require('fs').appendFileSync(process.argv[1], process.argv[2] + '\\\\n')", ${JSON.stringify(ranFile)}, "{{ event.alert.labels.queue }}"]
`,
  );
  const port = await pickFreePort();
  writeFileSync(
    join(dir, "hookbook.yaml"),
    JSON.stringify({
      server: { host: "127.0.0.1", port },
      dataDir: join(dir, "data"),
      rulebooks: [join(dir, "rulebook.yml")],
      sources: [{ name: "alertmanager", kind: "alertmanager", auth: { type: "bearer", token: { env: "AM_TOKEN" } } }],
      outbound: { endpoints: [{ id: "receiver", url: receiver.url, secret: { env: "RECEIVER_SECRET" }, events: ["action.*"] }], retry: { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1000 } },
      log: { level: "info" },
    }),
  );
  baseUrl = `http://127.0.0.1:${port}`;
  serve = spawnServe(["--config", join(dir, "hookbook.yaml")], { cwd: dir, env: { NATS_URL: nats.url, AM_TOKEN: TOKEN, RECEIVER_SECRET: SECRET } });
  await waitFor("hookbook to listen", () => (serve.log().includes("hookbook serving") ? true : undefined));
});

after(async () => {
  await serve?.stop();
  await receiver?.close();
  await nats?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function postFixture(body: Buffer, token = TOKEN): Promise<{ status: number; json: { accepted?: number; duplicates?: number; events?: { id: string; duplicate: boolean }[]; error?: { code: string } } }> {
  const res = await fetch(`${baseUrl}/hooks/alertmanager`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body,
  });
  return { status: res.status, json: (await res.json()) as never };
}

test("fixture in → action runs once per alert → signed webhooks out; a repeat post runs nothing new", async () => {
  const ranFile = join(dir, "ran.txt");
  const fixture = fixtureBytes("alertmanager/firing-queue-depth.json");

  const bad = await postFixture(fixture, "wrong-token");
  assert.equal(bad.status, 401);
  assert.equal(bad.json.error?.code, "HB_ERR_AUTH_INVALID");

  const first = await postFixture(fixture);
  assert.equal(first.status, 202);
  assert.equal(first.json.accepted, 2);
  assert.equal(first.json.events?.length, 2);

  const ran = await waitFor("both actions to run", () => (lines(ranFile).length >= 2 ? lines(ranFile) : undefined));
  assert.deepEqual([...ran].sort(), ["inference-h100", "training-a100"]);

  const succeeded = await waitFor("two action.succeeded webhooks", () => {
    const s = received.filter((r) => (JSON.parse(r.body) as { type: string }).type === "action.succeeded");
    return s.length >= 2 ? s : undefined;
  });
  for (const r of received) {
    assert.equal(verifyWebhook(SECRET, r.headers, r.body), true, "every webhook signature verifies");
    assert.match(r.headers["webhook-id"] ?? "", /^msg_[A-Za-z0-9_-]+$/);
  }
  const body = JSON.parse(succeeded[0]!.body) as { id: string; type: string; timestamp: string; data: Record<string, unknown> };
  assert.equal(body.data.ruleset, "gpu capacity");
  assert.equal(body.data.rule, "scale up on deep queue");
  assert.equal(body.data.action, "run_command");
  assert.equal(typeof body.data.elapsed_ms, "number");
  assert.equal((body.data.event_ids as string[]).length, 1);

  // The same fixture again: stored once, so nothing new runs.
  const again = await postFixture(fixture);
  assert.equal(again.status, 202);
  assert.equal(again.json.duplicates, 2);
  assert.ok(again.json.events?.every((e) => e.duplicate));

  // Barrier: a new alert is processed after anything the repeat could have caused (in-order consumers).
  const fresh = JSON.parse(fixture.toString("utf8")) as { alerts: { fingerprint: string; labels: Record<string, string> }[] };
  fresh.alerts = [{ ...fresh.alerts[0]!, fingerprint: "00000000000000aa", labels: { ...fresh.alerts[0]!.labels, queue: "barrier-queue" } }];
  assert.equal((await postFixture(Buffer.from(JSON.stringify(fresh)))).status, 202);
  await waitFor("the barrier action", () => (lines(ranFile).includes("barrier-queue") ? true : undefined));
  await waitFor("the barrier webhook", () => (received.filter((r) => (JSON.parse(r.body) as { type: string }).type === "action.succeeded").length >= 3 ? true : undefined));

  assert.deepEqual(lines(ranFile).sort(), ["barrier-queue", "inference-h100", "training-a100"], "the repeated post ran nothing");
  const ids = received.map((r) => r.headers["webhook-id"]);
  assert.equal(new Set(ids).size, ids.length, "each outcome delivered once");
  assert.equal(received.filter((r) => (JSON.parse(r.body) as { type: string }).type === "action.started").length, 3);
});
