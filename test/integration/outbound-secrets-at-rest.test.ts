/**
 * Subscription secrets encrypted at rest on a real nats-server: the KV value of a stored
 * subscription, and the JetStream store files on disk, hold none of its credentials; a service
 * started again with the same key (a generated key file) delivers with them (signature, API key,
 * client certificate); an unknown key skips the endpoint without crashing; a rotated key reads
 * the old values and seals them again.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import type { Bus } from "../../src/bus/port.js";
import { SUBSCRIPTIONS_BUCKET } from "../../src/outbound/outbound-streams.js";
import { secretKeyId } from "../../src/outbound/secret-box.js";
import type { OutboundOptions } from "../../src/outbound/service.js";
import { verifyWebhook } from "../../src/outbound/signer.js";
import { parseCreateInput } from "../../src/outbound/subscription-input.js";
import type { TestNats } from "../helpers/nats.js";
import { natsServerBinary, startTestNats } from "../helpers/nats.js";
import { header, makeBus, publishOutcome, startReceiver, startService, uniq, waitFor } from "./outbound-helpers.js";
import type { TestPki } from "./outbound-pki.js";
import { makeTestPki } from "./outbound-pki.js";

let nats: TestNats | undefined;
let pki: TestPki;
const dataDir = mkdtempSync(join(tmpdir(), "hb-secrets-at-rest-"));
before(async () => {
  pki = makeTestPki();
  if (natsServerBinary) nats = await startTestNats();
});
after(async () => {
  await nats?.stop();
  pki.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await Promise.resolve(fn()).catch(() => undefined);
});

function filesUnder(root: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(root)) {
    const p = join(root, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

describe("subscription secrets at rest on NATS", { skip: !natsServerBinary && "nats-server not installed" }, () => {
  it("KV and store files hold no credential; the same key delivers after a restart; an unknown key skips; a rotation reseals", async () => {
    const T = uniq();
    const bus: Bus = await makeBus("nats", nats);
    cleanups.push(() => bus.close());
    const keyFile = join(dataDir, "outbound-secret.key");
    const start = async (over: Partial<OutboundOptions>) => {
      const s = await startService(bus, over);
      return s;
    };

    // 1. first start: a key file is generated
    const first = await start({ secretKeys: { keyFile } });
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    assert.ok(first.logger.lines.some((l) => l.level === "warn" && /generated a key/.test(l.msg ?? "")));
    const rx = await startReceiver(undefined, "/hook", pki.serverOptions());
    cleanups.push(() => rx.close());
    const secret = `whsec_${randomBytes(32).toString("base64")}`;
    const apiKey = `api-${uniq()}-${randomBytes(8).toString("hex")}`;
    const headerToken = `tok-${randomBytes(8).toString("hex")}`;
    const ep = await first.svc.create(
      parseCreateInput({
        url: rx.url,
        events: [`${T}.*`],
        secret,
        headers: { "X-Auth-Token": headerToken },
        auth: { type: "api_key", header: "x-api-key", value: apiKey },
        tls: { cert_pem: pki.client.cert, key_pem: pki.client.key, ca_pem: pki.ca.cert },
      }),
    );
    const clientSecret = `cs-${randomBytes(8).toString("hex")}`;
    const oauth = await first.svc.create(
      parseCreateInput({ url: "https://127.0.0.1:1/never", events: [`${T}.none`], auth: { type: "oauth2", token_url: "https://127.0.0.1:1/token", client_id: "hb", client_secret: clientSecret } }),
    );
    await first.svc.rotateSecret(ep.id, { secret: `whsec_${randomBytes(32).toString("base64")}`, graceMs: 3_600_000 });
    await first.svc.stop();

    const kv = await bus.kv({ bucket: SUBSCRIPTIONS_BUCKET });
    const keyPemBody = pki.client.key.split("\n")[1]!;
    const credentials = [secret.slice(6), apiKey, headerToken, clientSecret, keyPemBody];
    for (const id of [ep.id, oauth.id]) {
      const raw = new TextDecoder().decode((await kv.get(id))!.value);
      assert.ok(raw.includes("hbenc:v1:"), raw);
      for (const c of credentials) assert.ok(!raw.includes(c), `${c} is not in the KV value of ${id}`);
      assert.ok(!raw.includes("PRIVATE KEY"));
    }
    // nor anywhere in the JetStream store on disk
    for (const f of filesUnder(nats!.storeDir)) {
      const bytes = readFileSync(f);
      for (const c of credentials) assert.equal(bytes.includes(c), false, `${c} found in ${f}`);
    }

    // 2. restart with the same key file: read from KV, delivered with every credential
    const second = await start({ secretKeys: { keyFile } });
    assert.ok(second.svc.list().some((v) => v.id === ep.id));
    const o = await publishOutcome(bus, `${T}.action.succeeded`);
    await waitFor("delivery after restart", () => rx.deliveredIds().size === 1);
    const r = rx.requests[0]!;
    assert.equal(header(r, "x-api-key"), apiKey);
    assert.equal(header(r, "x-auth-token"), headerToken);
    assert.equal(r.peer, "hookbook-client", "the decrypted private key was presented");
    assert.equal(header(r, "webhook-id"), `msg_${o.id}`);
    assert.equal(verifyWebhook(secret, r.headers, r.body), true, "the retired secret still signs");
    assert.equal(header(r, "webhook-signature")?.split(" ").length, 2);
    await second.svc.stop();

    // 3. a different key only: the endpoints are skipped, named in the log, nothing crashes
    const oldKey = readFileSync(keyFile, "utf8").trim();
    const newKey = randomBytes(32).toString("base64");
    const third = await start({ secretKeys: { current: newKey, keyFile } });
    assert.ok(!third.svc.list().some((v) => v.id === ep.id || v.id === oauth.id));
    const skipped = third.logger.lines.filter((l) => l.level === "error" && /cannot be decrypted/.test(l.msg ?? ""));
    assert.deepEqual(skipped.map((l) => (l.obj as { endpointId: string }).endpointId).sort(), [ep.id, oauth.id].sort());
    assert.ok(skipped.every((l) => (l.obj as { code: string }).code === "HB_ERR_CONFIG_INVALID"));
    await third.svc.stop();

    // 4. rotation: the new key with the old one for reading → readable, and sealed again with the new key at start
    const fourth = await start({ secretKeys: { current: newKey, previous: [oldKey] } });
    assert.ok(fourth.svc.list().some((v) => v.id === ep.id));
    assert.equal(fourth.svc.secret(oauth.id).secret.startsWith("whsec_"), true);
    await fourth.svc.stop();
    const newId = secretKeyId(Buffer.from(newKey, "base64"));
    const oldId = secretKeyId(Buffer.from(oldKey, "base64"));
    for (const id of [ep.id, oauth.id]) {
      const raw = new TextDecoder().decode((await kv.get(id))!.value);
      assert.ok(raw.includes(`hbenc:v1:${newId}:`));
      assert.ok(!raw.includes(oldId), "nothing left sealed with the old key");
    }
    // the old key can go now
    const fifth = await start({ secretKeys: { current: newKey } });
    cleanups.push(() => fifth.svc.stop());
    assert.ok(fifth.svc.list().some((v) => v.id === ep.id));
    await fifth.svc.remove(ep.id);
    await fifth.svc.remove(oauth.id);
  });

});

describe("subscription secrets without a key", () => {
  it("on the memory bus without a key, secrets stay in plain text with a warning", async () => {
    const bus = await makeBus("memory", undefined);
    cleanups.push(() => bus.close());
    const { svc, logger } = await startService(bus);
    cleanups.push(() => svc.stop());
    assert.ok(logger.lines.some((l) => l.level === "warn" && /plain text/.test(l.msg ?? "")));
    const ep = await svc.create(parseCreateInput({ url: "https://127.0.0.1:1/h", events: ["x.*"] }));
    const raw = new TextDecoder().decode((await (await bus.kv({ bucket: SUBSCRIPTIONS_BUCKET })).get(ep.id))!.value);
    assert.ok(raw.includes(ep.secret));
  });
});
