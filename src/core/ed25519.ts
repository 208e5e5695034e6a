/**
 * Ed25519 keys of the asymmetric Standard Webhooks scheme (`v1a`, webhooks.md §2.1 / §4 item 5).
 *
 * Key strings (the reference names the prefixes but not the encoding, so we fix it here):
 *   - `whsk_<base64>`: the PRIVATE key, standard base64 (padded) of the raw 32-byte Ed25519 seed
 *     (RFC 8032 private key). Stays inside hookbook (sealed at rest like every secret).
 *   - `whpk_<base64>`: the PUBLIC key, standard base64 (padded) of the raw 32-byte Ed25519 public
 *     key (RFC 8032 encoding). This is what receivers hold; it is not confidential.
 * Missing base64 padding is tolerated when parsing.
 *
 * Signature: `v1a,<base64 of the 64-byte Ed25519 signature of "<msg_id>.<timestamp>.<body>">`.
 */
import type { KeyObject } from "node:crypto";
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto";
import { HookbookError } from "./errors.js";

export const ED25519_SECRET_PREFIX = "whsk_";
export const ED25519_PUBLIC_PREFIX = "whpk_";
const KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;
const BASE64_STD = /^[A-Za-z0-9+/]*={0,2}$/;
/** DER prefixes that wrap a raw 32-byte seed (PKCS#8) or public key (SPKI) for Ed25519 (RFC 8410). */
const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

function keyError(message: string): HookbookError {
  return new HookbookError("HB_ERR_WEBHOOK_SECRET", message);
}

function rawKey(value: string, prefix: string, what: string): Buffer {
  if (!value.startsWith(prefix)) {
    const other = prefix === ED25519_SECRET_PREFIX ? ED25519_PUBLIC_PREFIX : ED25519_SECRET_PREFIX;
    const hint = value.startsWith(other) ? ` (this is the ${other === ED25519_PUBLIC_PREFIX ? "public" : "private"} key)` : "";
    throw keyError(`${what} must start with ${prefix}${hint}`);
  }
  const encoded = value.slice(prefix.length);
  const unpadded = encoded.replace(/=+$/, "");
  if (encoded.length === 0 || !BASE64_STD.test(encoded) || unpadded.length % 4 === 1) {
    throw keyError(`${what} is not ${prefix}<standard base64>`);
  }
  const raw = Buffer.from(unpadded, "base64");
  if (raw.length !== KEY_BYTES) throw keyError(`${what} must encode exactly ${KEY_BYTES} bytes, got ${raw.length}`);
  return raw;
}

/** True for a string that claims to be an Ed25519 private key (`whsk_…`); says nothing about validity. */
export function isEd25519Secret(value: string): boolean {
  return value.startsWith(ED25519_SECRET_PREFIX);
}

/** True for a string that claims to be an Ed25519 public key (`whpk_…`). */
export function isEd25519PublicKey(value: string): boolean {
  return value.startsWith(ED25519_PUBLIC_PREFIX);
}

/** The private key of a `whsk_` string; HB_ERR_WEBHOOK_SECRET when it is not one. */
export function parseEd25519Secret(value: string): KeyObject {
  const seed = rawKey(value, ED25519_SECRET_PREFIX, "Ed25519 private key");
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: "der", type: "pkcs8" });
}

/** The public key of a `whpk_` string; HB_ERR_WEBHOOK_SECRET when it is not one. */
export function parseEd25519PublicKey(value: string): KeyObject {
  const raw = rawKey(value, ED25519_PUBLIC_PREFIX, "Ed25519 public key");
  try {
    return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: "der", type: "spki" });
  } catch {
    throw keyError("Ed25519 public key is not a valid curve point");
  }
}

function rawOf(key: KeyObject, kind: "private" | "public"): Buffer {
  const der = key.export({ format: "der", type: kind === "private" ? "pkcs8" : "spki" });
  return der.subarray(der.length - KEY_BYTES);
}

/** `whpk_…` of a private key (a `whsk_` string or a KeyObject). */
export function ed25519PublicKeyOf(secret: string | KeyObject): string {
  const priv = typeof secret === "string" ? parseEd25519Secret(secret) : secret;
  return ED25519_PUBLIC_PREFIX + rawOf(createPublicKey(priv), "public").toString("base64");
}

/** A fresh key pair: `secret` = `whsk_…` (keep it), `publicKey` = `whpk_…` (give it to receivers). */
export function generateEd25519KeyPair(): { secret: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return {
    secret: ED25519_SECRET_PREFIX + rawOf(privateKey, "private").toString("base64"),
    publicKey: ED25519_PUBLIC_PREFIX + rawOf(publicKey, "public").toString("base64"),
  };
}

/** True for a KeyObject holding an Ed25519 key of the given type. */
export function isEd25519KeyObject(key: unknown, type: "private" | "public"): key is KeyObject {
  return (
    typeof key === "object" &&
    key !== null &&
    (key as KeyObject).type === type &&
    (key as KeyObject).asymmetricKeyType === "ed25519"
  );
}

/** base64 of the Ed25519 signature of `content` (the signed content pieces, concatenated). */
export function ed25519Sign(key: KeyObject, content: readonly Uint8Array[]): string {
  return sign(null, Buffer.concat(content), key).toString("base64");
}

/** True when `signatureB64` (standard base64 of 64 bytes) is a valid signature of `content` by `key`. */
export function ed25519Verify(key: KeyObject, content: readonly Uint8Array[], signatureB64: string): boolean {
  if (!BASE64_STD.test(signatureB64)) return false;
  const sig = Buffer.from(signatureB64, "base64");
  if (sig.length !== SIGNATURE_BYTES) return false;
  try {
    return verify(null, Buffer.concat(content), key, sig);
  } catch {
    return false;
  }
}
