/**
 * Secrets at rest: the AES-256-GCM box (round trip, tampering, key rotation, key formats, the
 * generated key file) and the subscription store sealing credentials in KV (memory bus).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { createMemoryBus } from "../../src/bus/memory.js";
import { isHookbookError } from "../../src/core/errors.js";
import { SEALED_PREFIX, SecretBox, SecretBoxError, generateSecretKey, loadOrCreateKeyFile, openSecretBox, parseSecretKey, secretKeyId } from "../../src/outbound/secret-box.js";
import type { Subscription } from "../../src/outbound/subscription.js";
import { SubscriptionStore } from "../../src/outbound/subscription-store.js";

const dir = mkdtempSync(join(tmpdir(), "hb-secret-box-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function logger(): { lines: { level: string; msg: string; obj: object }[]; info(o: object, m?: string): void; warn(o: object, m?: string): void } {
  const lines: { level: string; msg: string; obj: object }[] = [];
  return { lines, info: (obj, msg) => lines.push({ level: "info", msg: msg ?? "", obj }), warn: (obj, msg) => lines.push({ level: "warn", msg: msg ?? "", obj }) };
}

describe("SecretBox", () => {
  const k1 = generateSecretKey();
  const k2 = generateSecretKey();

  it("seals with a random nonce and opens what it sealed; plain values pass through", () => {
    const box = new SecretBox(k1);
    const a = box.seal("whsec_abc", "ep_1/secret");
    const b = box.seal("whsec_abc", "ep_1/secret");
    assert.notEqual(a, b, "a fresh nonce per value");
    assert.ok(a.startsWith(`${SEALED_PREFIX}${secretKeyId(k1)}:`));
    assert.ok(!a.includes("whsec_abc"));
    assert.equal(box.open(a, "ep_1/secret"), "whsec_abc");
    assert.equal(box.open(b, "ep_1/secret"), "whsec_abc");
    assert.equal(box.open("", "x"), "");
    assert.equal(box.open(box.seal("", "x"), "x"), "");
    assert.equal(box.open("plain value", "ep_1/secret"), "plain value", "stored before encryption was on");
    const unicode = "clé: ✓ — 🔑";
    assert.equal(box.open(box.seal(unicode, "c"), "c"), unicode);
  });

  it("refuses a tampered, truncated or moved value (corrupt)", () => {
    const box = new SecretBox(k1);
    const sealed = box.seal("top secret", "ep_1/auth.value");
    const last = sealed.at(-2) === "A" ? "B" : "A";
    const tampered = `${sealed.slice(0, -2)}${last}${sealed.at(-1)}`;
    const corrupt = (fn: () => unknown): void =>
      assert.throws(fn, (err: unknown) => err instanceof SecretBoxError && err.reason === "corrupt");
    corrupt(() => box.open(tampered, "ep_1/auth.value"));
    corrupt(() => box.open(sealed, "ep_2/auth.value"));
    corrupt(() => box.open(sealed, "ep_1/secret"));
    corrupt(() => box.open(sealed.slice(0, SEALED_PREFIX.length + 20), "ep_1/auth.value"));
    corrupt(() => box.open(`${SEALED_PREFIX}nothex:AAAA`, "ep_1/auth.value"));
  });

  it("rotation: previous keys open, the current one seals, an unknown key is named", () => {
    const old = new SecretBox(k1);
    const sealedOld = old.seal("s1", "c");
    const rotated = new SecretBox(k2, [k1]);
    assert.equal(rotated.open(sealedOld, "c"), "s1");
    assert.equal(rotated.needsReseal(sealedOld), true);
    const sealedNew = rotated.seal("s1", "c");
    assert.equal(rotated.needsReseal(sealedNew), false);
    assert.equal(rotated.needsReseal("plain"), true);
    assert.ok(sealedNew.includes(`:${secretKeyId(k2)}:`));
    assert.deepEqual(rotated.keyIds().sort(), [secretKeyId(k1), secretKeyId(k2)].sort());
    const newOnly = new SecretBox(k2);
    assert.equal(newOnly.open(sealedNew, "c"), "s1");
    assert.throws(
      () => newOnly.open(sealedOld, "c"),
      (err: unknown) => err instanceof SecretBoxError && err.reason === "unknown_key" && err.keyId === secretKeyId(k1) && err.message.includes(secretKeyId(k1)),
    );
  });

  it("keys are 32 bytes as base64 (standard or url-safe) or hex; anything else is a config error naming the key", () => {
    const key = randomBytes(32);
    assert.deepEqual(parseSecretKey(key.toString("base64"), "k"), key);
    assert.deepEqual(parseSecretKey(`${key.toString("base64url")}\n`, "k"), key);
    assert.deepEqual(parseSecretKey(key.toString("hex"), "k"), key);
    for (const bad of ["", "short", randomBytes(16).toString("base64"), randomBytes(33).toString("base64"), "x".repeat(64)]) {
      assert.throws(
        () => parseSecretKey(bad, "outbound.secretKey"),
        (err: unknown) => isHookbookError(err) && err.code === "HB_ERR_CONFIG_INVALID" && err.message.startsWith("outbound.secretKey:"),
        JSON.stringify(bad),
      );
    }
  });

  it("the key file is created once, mode 0600, and read back; a loose mode is reported", () => {
    const path = join(dir, "data", "outbound-secret.key");
    const first = loadOrCreateKeyFile(path);
    assert.equal(first.created, true);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(parseSecretKey(readFileSync(path, "utf8"), "file"), first.key);
    const second = loadOrCreateKeyFile(path);
    assert.equal(second.created, false);
    assert.deepEqual(second.key, first.key);
    assert.equal(second.looseMode, undefined);
    chmodSync(path, 0o644);
    assert.equal(loadOrCreateKeyFile(path).looseMode, "0644");
    const bad = join(dir, "bad.key");
    writeFileSync(bad, "not a key\n");
    assert.throws(() => loadOrCreateKeyFile(bad), (err: unknown) => isHookbookError(err) && err.code === "HB_ERR_CONFIG_INVALID" && err.message.includes(bad));
  });

  it("openSecretBox: a configured key wins, else the key file (generation logged), else plain text with a warning", () => {
    const key = randomBytes(32).toString("base64");
    const log1 = logger();
    const box1 = openSecretBox({ current: key, keyFile: join(dir, "unused.key") }, log1);
    assert.equal(box1?.keyId, secretKeyId(Buffer.from(key, "base64")));
    assert.throws(() => statSync(join(dir, "unused.key")));
    const log2 = logger();
    const box2 = openSecretBox({ keyFile: join(dir, "gen", "k.key") }, log2);
    assert.ok(box2);
    assert.ok(log2.lines.some((l) => l.level === "warn" && /generated a key/.test(l.msg)));
    const log3 = logger();
    assert.equal(openSecretBox(undefined, log3), undefined);
    assert.ok(log3.lines.some((l) => l.level === "warn" && /plain text/.test(l.msg)));
    assert.throws(() => openSecretBox({ current: "nope" }, logger()), (err: unknown) => isHookbookError(err) && err.message.startsWith("outbound.secretKey:"));
    assert.throws(() => openSecretBox({ current: key, previous: ["nope"] }, logger()), (err: unknown) => isHookbookError(err) && err.message.startsWith("outbound.secretKeys[0]:"));
  });
});

describe("SubscriptionStore with a SecretBox", () => {
  const sub = (id: string): Subscription => ({
    id,
    url: "https://hooks.example.com/h",
    events: ["*"],
    headers: { authorization: "Bearer header-token-123", "x-tenant": "acme" },
    auth: { type: "api_key", header: "x-api-key", value: "api-key-value-456" },
    tls: { certPem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", keyPem: "-----BEGIN PRIVATE KEY-----\nkey-material-789\n-----END PRIVATE KEY-----\n" },
    signing: "standard",
    secret: "whsec_current-secret-000",
    previousSecrets: [{ secret: "whsec_retired-secret-111", expiresAt: 9e15 }],
    status: "enabled",
    createdAt: 1,
    updatedAt: 1,
  });
  const SECRETS = ["header-token-123", "api-key-value-456", "key-material-789", "current-secret-000", "retired-secret-111"];

  it("seals every credential in the stored bytes and reads them back; other fields stay readable", async () => {
    const kv = await createMemoryBus().kv({ bucket: "hb_webhooks" });
    const store = new SubscriptionStore(kv, { box: new SecretBox(generateSecretKey()) });
    assert.equal(await store.create(sub("ep_1")), true);
    const raw = new TextDecoder().decode((await kv.get("ep_1"))!.value);
    for (const s of SECRETS) assert.ok(!raw.includes(s), `${s} not in ${raw}`);
    assert.ok(raw.includes("acme") && raw.includes("hooks.example.com") && raw.includes("BEGIN CERTIFICATE"));
    assert.deepEqual(await store.get("ep_1"), sub("ep_1"));
    assert.deepEqual(await store.list(), [sub("ep_1")]);
    // oauth2 client secret too
    await store.create({ ...sub("ep_2"), auth: { type: "oauth2", tokenUrl: "https://login.example.com/t", clientId: "hb", clientSecret: "client-secret-222" } });
    assert.ok(!new TextDecoder().decode((await kv.get("ep_2"))!.value).includes("client-secret-222"));
    const two = await store.get("ep_2");
    assert.equal(two?.auth?.type === "oauth2" ? two.auth.clientSecret : "", "client-secret-222");
  });

  it("a sealed value moved to another endpoint's entry does not open", async () => {
    const kv = await createMemoryBus().kv({ bucket: "hb_webhooks" });
    const store = new SubscriptionStore(kv, { box: new SecretBox(generateSecretKey()) });
    await store.create(sub("ep_1"));
    const stored = JSON.parse(new TextDecoder().decode((await kv.get("ep_1"))!.value)) as Record<string, unknown>;
    await kv.put("ep_9", new TextEncoder().encode(JSON.stringify({ ...stored, id: "ep_9" })));
    await assert.rejects(store.get("ep_9"), (err: unknown) => isHookbookError(err) && err.code === "HB_ERR_CONFIG_INVALID" && /webhook endpoint ep_9: cannot decrypt its secret/.test(err.message));
  });

  it("rotation: an unknown key skips the endpoint (reported once), previous keys read, writes and reseal() use the current key", async () => {
    const kv = await createMemoryBus().kv({ bucket: "hb_webhooks" });
    const k1 = generateSecretKey();
    const k2 = generateSecretKey();
    await new SubscriptionStore(kv).create(sub("ep_plain"));
    await new SubscriptionStore(kv, { box: new SecretBox(k1) }).create(sub("ep_old"));

    const reports: string[] = [];
    const k2only = new SubscriptionStore(kv, { box: new SecretBox(k2), onUnreadable: (id, err) => reports.push(`${id}:${err.code}:${err.message}`) });
    assert.deepEqual((await k2only.list()).map((s) => s.id), ["ep_plain"], "the unreadable endpoint is skipped, not a crash");
    await k2only.list();
    assert.equal(reports.length, 1, "reported once per stored revision");
    assert.match(reports[0]!, /^ep_old:HB_ERR_CONFIG_INVALID:webhook endpoint ep_old: cannot decrypt .*key id [0-9a-f]{12}/);
    await assert.rejects(k2only.update("ep_old", (s) => s), (err: unknown) => isHookbookError(err) && err.code === "HB_ERR_CONFIG_INVALID");

    const rotated = new SubscriptionStore(kv, { box: new SecretBox(k2, [k1]) });
    assert.deepEqual((await rotated.list()).map((s) => s.id).sort(), ["ep_old", "ep_plain"]);
    assert.equal(await rotated.reseal(), 2, "the plain and the old-key entries are sealed again");
    assert.equal(await rotated.reseal(), 0);
    for (const id of ["ep_old", "ep_plain"]) {
      const raw = new TextDecoder().decode((await kv.get(id))!.value);
      for (const s of SECRETS) assert.ok(!raw.includes(s));
      assert.ok(!raw.includes(secretKeyId(k1)));
      assert.ok(raw.includes(secretKeyId(k2)));
    }
    // now the old key can go
    assert.deepEqual((await new SubscriptionStore(kv, { box: new SecretBox(k2) }).list()).map((s) => s.id).sort(), ["ep_old", "ep_plain"]);
    const updated = await rotated.update("ep_old", (s) => ({ ...s, description: "changed" }));
    assert.equal(updated.secret, "whsec_current-secret-000");

    // a store that read an entry before keeps listing that version when a newer one is unreadable
    const k1reader = new SubscriptionStore(kv, { box: new SecretBox(k1), onUnreadable: (id, _err, kept) => reports.push(`${id}:kept=${kept}`) });
    await new SubscriptionStore(kv, { box: new SecretBox(k1) }).create(sub("ep_k1"));
    assert.ok((await k1reader.list()).some((s) => s.id === "ep_k1"));
    await new SubscriptionStore(kv, { box: new SecretBox(k2, [k1]) }).update("ep_k1", (s) => ({ ...s, description: "by a replica with the new key" }));
    const stale = (await k1reader.list()).find((s) => s.id === "ep_k1");
    assert.equal(stale?.description, undefined, "the last readable version");
    assert.ok(reports.includes("ep_k1:kept=true"));
    assert.ok(!(await k1reader.list()).some((s) => s.id === "ep_old"), "never read: skipped");

    // a store without a key cannot read sealed entries either (named, skipped)
    const noKey: string[] = [];
    assert.deepEqual(await new SubscriptionStore(kv, { onUnreadable: (id) => noKey.push(id) }).list(), []);
    assert.deepEqual(noKey.sort(), ["ep_k1", "ep_old", "ep_plain"]);
  });
});
