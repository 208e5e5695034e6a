// Runners are separable: one `hookbook serve --roles ingest,engine` and one
// `--roles runner,delivery` sharing a real nats-server run the whole path between them.
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
import type { ServeProcess } from "../helpers/serve-process.js";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
let nats: TestNats;
let dir: string;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const procs: ServeProcess[] = [];

const waitFor = (what: string, ok: () => boolean): Promise<boolean> => waitUntil(what, ok, () => procs.map((p) => p.log().slice(-2000)).join("\n---\n"));

function serve(roles: string): ServeProcess {
  const p = spawnServe(["--config", join(dir, "hookbook.yaml"), "--roles", roles], { cwd: dir, env: { NATS_URL: nats.url } });
  procs.push(p);
  return p;
}

before(async () => {
  nats = await startTestNats();
  receiver = await startReceiver();
  dir = mkdtempSync(join(tmpdir(), "hookbook-roles-"));
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
          args: ["-e", "require('fs').appendFileSync(process.argv[1], process.pid + ' ' + process.argv[2] + '\\\\n')", ${JSON.stringify(join(dir, "ran.txt"))}, "{{ event.alert.labels.queue }}"]
`,
  );
  writeFileSync(
    join(dir, "hookbook.yaml"),
    JSON.stringify({
      server: { host: "127.0.0.1", port: await pickFreePort() },
      dataDir: join(dir, "data"),
      rulebooks: [join(dir, "rulebook.yml")],
      outbound: { endpoints: [{ id: "rx", url: receiver.url, secret: SECRET, events: ["action.succeeded"] }], retry: { schedule: "short" } },
    }),
  );
});

after(async () => {
  for (const p of procs) await p.stop();
  await receiver?.close();
  await nats?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("ingest+engine in one process, runner+delivery in another: the action runs and the webhook arrives", async () => {
  const front = serve("ingest,engine");
  await waitFor("front", () => front.log().includes("hookbook serving"));
  const url = /"url":"(http:[^"]+)"/.exec(front.log())?.[1];
  assert.ok(url, "the ingest process listens");
  const res = await fetch(`${url}/hooks/alertmanager`, { method: "POST", headers: { "content-type": "application/json" }, body: fixtureBytes("alertmanager/firing-queue-depth.json") });
  assert.equal(res.status, 202);
  await waitFor("the firings", () => (front.log().match(/rule fired/g) ?? []).length === 2);
  assert.equal(existsSync(join(dir, "ran.txt")), false, "no runner yet: the intents wait on HB_ACTIONS");

  const back = serve("runner,delivery");
  await waitFor("both actions", () => existsSync(join(dir, "ran.txt")) && readFileSync(join(dir, "ran.txt"), "utf8").trim().split("\n").length === 2);
  await waitFor("two webhooks", () => receiver.received.length === 2);
  for (const r of receiver.received) assert.equal(verifyWebhook(SECRET, r.headers, r.body), true);
  assert.ok(!/"url":"http/.test(back.log()), "the runner process serves no HTTP");
  assert.equal((back.log().match(/rule fired/g) ?? []).length, 0, "the runner process runs no engine");
});
