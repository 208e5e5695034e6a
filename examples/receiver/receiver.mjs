#!/usr/bin/env node
// A tiny hookbook webhook receiver with node:http + node:crypto only.
//
//   node examples/receiver/receiver.mjs --port 9000 --secret whsec_... [--scheme standard|hmac-sha256-hex]
//                                       [--out received.jsonl] [--host 127.0.0.1]
//   node examples/receiver/receiver.mjs --port 9000 --scheme ed25519 --secret whpk_...
//
// - verifies the signature over the RAW body bytes (never re-serialized JSON):
//   --scheme standard (default): Standard Webhooks webhook-id / webhook-timestamp / webhook-signature,
//     401 on a bad signature or a timestamp more than 300 s away from now;
//   --scheme ed25519: the same headers with `v1a,<base64 Ed25519 signature>` entries, verified with the
//     endpoint's PUBLIC key `whpk_<base64 of the raw 32-byte key>` (the receiver holds no signing secret);
//   --scheme hmac-sha256-hex: X-Webhook-Signature: sha256=<hex HMAC-SHA256 of the body> keyed with
//     the secret string as is (entries comma-separated during a secret rotation), X-Webhook-Id;
// - deduplicates on the webhook id: a repeat answers 200 without being recorded again;
// - prints `verified <webhook-id> <type>` per accepted message on stdout (logs go to stderr);
// - appends each accepted body as one JSON line to --out when given.
import { createHmac, createPublicKey, timingSafeEqual, verify as verifySignature } from "node:crypto";
import { appendFileSync } from "node:fs";
import { createServer } from "node:http";

const TOLERANCE_SEC = 300;
const MAX_BODY_BYTES = 1024 * 1024;
const MAX_REMEMBERED_IDS = 10_000;

function parseArgs(argv) {
  const args = { port: 9000, host: "127.0.0.1", secret: undefined, out: undefined, scheme: "standard" };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === "--port") args.port = Number(value);
    else if (flag === "--host") args.host = value;
    else if (flag === "--secret") args.secret = value;
    else if (flag === "--out") args.out = value;
    else if (flag === "--scheme") args.scheme = value;
    else {
      console.error(`unknown argument: ${flag}`);
      process.exit(2);
    }
    i++;
  }
  if (!args.secret || !Number.isInteger(args.port) || !["standard", "hmac-sha256-hex", "ed25519"].includes(args.scheme)) {
    console.error("usage: receiver.mjs --port 9000 --secret whsec_...|whpk_... [--scheme standard|hmac-sha256-hex|ed25519] [--out received.jsonl] [--host 127.0.0.1]");
    process.exit(2);
  }
  return args;
}

/** Key bytes of a `whsec_<base64>` secret (prefix optional, padding optional). */
function secretKey(secret) {
  const b64 = secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret;
  if (b64.length === 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw new Error("secret must be whsec_<base64>");
  return Buffer.from(b64, "base64");
}

/** The Ed25519 public key of `whpk_<base64 of the raw 32-byte key>` (wrapped in its DER SubjectPublicKeyInfo). */
function publicKey(value) {
  const b64 = value.startsWith("whpk_") ? value.slice("whpk_".length) : "";
  const raw = /^[A-Za-z0-9+/]+={0,2}$/.test(b64) ? Buffer.from(b64, "base64") : Buffer.alloc(0);
  if (raw.length !== 32) throw new Error("--scheme ed25519 needs the public key whpk_<base64 of 32 bytes>");
  return createPublicKey({ key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), raw]), format: "der", type: "spki" });
}

/** True when `given` (base64) is an Ed25519 signature of `id.ts.body` by `key` (a public KeyObject). */
function ed25519Matches(key, id, ts, body, given) {
  const sig = Buffer.from(given, "base64");
  if (sig.length !== 64) return false;
  return verifySignature(null, Buffer.concat([Buffer.from(`${id}.${ts}.`), body]), key, sig);
}

/**
 * True when the three webhook-* headers carry a fresh, valid signature of `body`: a `v1` entry
 * (HMAC, `key` = secret bytes) or, when `key` is an Ed25519 public key, a `v1a` entry.
 */
function verify(key, headers, body, nowSec = Math.floor(Date.now() / 1000)) {
  const id = headers["webhook-id"]; // node:http lower-cases header names
  const ts = headers["webhook-timestamp"];
  const signatures = headers["webhook-signature"];
  if (!id || !ts || !signatures) return false;
  if (!/^[0-9]{1,12}$/.test(ts)) return false;
  if (Math.abs(nowSec - Number(ts)) > TOLERANCE_SEC) return false;
  if (!Buffer.isBuffer(key)) {
    let ok = false;
    for (const entry of signatures.split(" ")) {
      const comma = entry.indexOf(",");
      if (comma < 0 || entry.slice(0, comma) !== "v1a") continue; // skip v1 (HMAC) and unknown versions
      if (ed25519Matches(key, id, ts, body, entry.slice(comma + 1))) ok = true;
    }
    return ok;
  }
  const expected = Buffer.from(
    createHmac("sha256", key).update(`${id}.${ts}.`).update(body).digest("base64"),
  );
  let ok = false;
  for (const entry of signatures.split(" ")) {
    const comma = entry.indexOf(",");
    if (comma < 0 || entry.slice(0, comma) !== "v1") continue; // skip v1a and unknown versions
    const given = Buffer.from(entry.slice(comma + 1));
    if (given.length === expected.length && timingSafeEqual(given, expected)) ok = true;
  }
  return ok;
}

/** Compatibility scheme: any `sha256=<hex>` entry equal to the HMAC of the body keyed with the secret string. */
function verifyCompat(secret, headers, body) {
  const header = headers["x-webhook-signature"];
  if (!headers["x-webhook-id"] || !header) return false;
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(body).digest("hex")}`);
  let ok = false;
  for (const entry of header.split(",")) {
    const given = Buffer.from(entry.trim());
    if (given.length === expected.length && timingSafeEqual(given, expected)) ok = true;
  }
  return ok;
}

const args = parseArgs(process.argv.slice(2));
const compat = args.scheme === "hmac-sha256-hex";
const key = compat ? undefined : args.scheme === "ed25519" ? publicKey(args.secret) : secretKey(args.secret);
const seen = new Set();

function remember(id) {
  seen.add(id);
  if (seen.size > MAX_REMEMBERED_IDS) seen.delete(seen.values().next().value);
}

function answer(res, status, text) {
  res.writeHead(status, { "content-type": "text/plain" });
  res.end(`${text}\n`);
}

const server = createServer((req, res) => {
  if (req.method !== "POST") return answer(res, 405, "method not allowed");
  const chunks = [];
  let size = 0;
  req.on("data", (chunk) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      answer(res, 413, "body too large");
      req.destroy();
      return;
    }
    chunks.push(chunk);
  });
  req.on("end", () => {
    if (res.headersSent) return;
    const body = Buffer.concat(chunks);
    const valid = compat ? verifyCompat(args.secret, req.headers, body) : verify(key, req.headers, body);
    if (!valid) return answer(res, 401, "invalid signature");
    const id = compat ? req.headers["x-webhook-id"] : req.headers["webhook-id"];
    if (seen.has(id)) return answer(res, 200, "duplicate");
    let message;
    try {
      message = JSON.parse(body.toString("utf8"));
    } catch {
      return answer(res, 400, "body is not JSON");
    }
    remember(id);
    process.stdout.write(`verified ${id} ${message?.type ?? "-"}\n`);
    if (args.out) appendFileSync(args.out, `${JSON.stringify(message)}\n`);
    answer(res, 200, "ok");
  });
});

server.listen(args.port, args.host, () => {
  const address = server.address();
  console.error(`listening on http://${args.host}:${address.port}`);
});

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
