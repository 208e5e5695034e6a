/**
 * Secrets at rest: AES-256-GCM for the credentials of API subscriptions stored in KV (signing
 * secrets, retired secrets, API key values, OAuth2 client secrets, TLS private keys,
 * credential-looking header values).
 *
 * A sealed value is `hbenc:v1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>`: a random 96-bit
 * nonce per value, a 128-bit tag, and the value's place (endpoint id + field) as additional
 * data, so a sealed value copied to another field or endpoint does not open. The key id is
 * derived from the key (12 hex digits of a SHA-256), so keys need no names: the current key
 * seals, the current and the previous ones open (rotation: values are sealed again with the
 * current key on their next write, and the store re-seals everything at start).
 *
 * Keys are 32 random bytes given as base64 or hex (`openssl rand -base64 32`). Without a
 * configured key, `openSecretBox` reads or creates `<dataDir>/outbound-secret.key` (mode 0600).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { HookbookError } from "../core/errors.js";

export const SEALED_PREFIX = "hbenc:v1:";
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID_PATTERN = /^[0-9a-f]{12}$/;

export type SecretBoxFailure = "unknown_key" | "corrupt";

/** A sealed value that cannot be opened: its key is not configured, or it was altered. */
export class SecretBoxError extends Error {
  constructor(
    readonly reason: SecretBoxFailure,
    readonly keyId: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = "SecretBoxError";
  }
}

/** 32 bytes from base64 (standard or url-safe, padding optional) or 64 hex digits; HB_ERR_CONFIG_INVALID naming `where` otherwise. */
export function parseSecretKey(text: string, where: string): Buffer {
  const t = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(t)) key = Buffer.from(t, "hex");
  else if (/^[A-Za-z0-9+/_-]{42,44}={0,2}$/.test(t)) key = Buffer.from(t.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  if (key === undefined || key.length !== KEY_BYTES) {
    throw new HookbookError("HB_ERR_CONFIG_INVALID", `${where}: must be 32 random bytes as base64 (44 characters) or hex (64 digits), e.g. from \`openssl rand -base64 32\``);
  }
  return key;
}

/** The id a sealed value names its key by. */
export function secretKeyId(key: Buffer): string {
  return createHash("sha256").update("hookbook outbound secret key\0").update(key).digest("hex").slice(0, 12);
}

export function generateSecretKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

export class SecretBox {
  /** Id of the key that seals. */
  readonly keyId: string;
  private readonly keys = new Map<string, Buffer>();

  constructor(current: Buffer, previous: readonly Buffer[] = []) {
    for (const k of [current, ...previous]) {
      if (k.length !== KEY_BYTES) throw new HookbookError("HB_ERR_CONFIG_INVALID", `a secret key must be ${KEY_BYTES} bytes, got ${k.length}`);
    }
    this.keyId = secretKeyId(current);
    this.keys.set(this.keyId, current);
    for (const k of previous) if (!this.keys.has(secretKeyId(k))) this.keys.set(secretKeyId(k), k);
  }

  /** Ids of every key that opens. */
  keyIds(): string[] {
    return [...this.keys.keys()];
  }

  /** Seal `plain` for its place `context` (e.g. "ep_1/auth.value") with the current key. */
  seal(plain: string, context: string): string {
    const key = this.keys.get(this.keyId)!;
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv("aes-256-gcm", key, nonce);
    cipher.setAAD(Buffer.from(context, "utf8"));
    const ct = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return `${SEALED_PREFIX}${this.keyId}:${Buffer.concat([nonce, ct, cipher.getAuthTag()]).toString("base64url")}`;
  }

  /** The plain value; a value that is not sealed is returned as it is (stored before encryption was on). */
  open(value: string, context: string): string {
    if (!isSealed(value)) return value;
    const { keyId, blob } = splitSealed(value);
    const key = this.keys.get(keyId);
    if (key === undefined) throw new SecretBoxError("unknown_key", keyId, `sealed with key id ${keyId}, which is not configured (outbound.secretKey / outbound.secretKeys)`);
    if (blob.length < NONCE_BYTES + TAG_BYTES) throw new SecretBoxError("corrupt", keyId, "sealed value is truncated");
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, blob.subarray(0, NONCE_BYTES));
      decipher.setAAD(Buffer.from(context, "utf8"));
      decipher.setAuthTag(blob.subarray(blob.length - TAG_BYTES));
      return Buffer.concat([decipher.update(blob.subarray(NONCE_BYTES, blob.length - TAG_BYTES)), decipher.final()]).toString("utf8");
    } catch {
      throw new SecretBoxError("corrupt", keyId, `sealed value does not open with key id ${keyId}: altered, or moved from another field or endpoint`);
    }
  }

  /** True when `value` is plain or sealed with a key other than the current one. */
  needsReseal(value: string): boolean {
    return !isSealed(value) || splitSealed(value).keyId !== this.keyId;
  }
}

export function isSealed(value: string): boolean {
  return value.startsWith(SEALED_PREFIX);
}

function splitSealed(value: string): { keyId: string; blob: Buffer } {
  const rest = value.slice(SEALED_PREFIX.length);
  const colon = rest.indexOf(":");
  const keyId = colon < 0 ? "" : rest.slice(0, colon);
  if (!KEY_ID_PATTERN.test(keyId)) throw new SecretBoxError("corrupt", undefined, "sealed value has no valid key id");
  return { keyId, blob: Buffer.from(rest.slice(colon + 1), "base64url") };
}

/**
 * The key stored in `path`, created (32 random bytes, base64, mode 0600, directory 0700) when
 * the file does not exist. `looseMode` is set when the file can be read by group or others.
 */
export function loadOrCreateKeyFile(path: string): { key: Buffer; created: boolean; looseMode?: string } {
  const read = (): { key: Buffer; looseMode?: string } => {
    const key = parseSecretKey(readFileSync(path, "utf8"), `secret key file ${path}`);
    const mode = statSync(path).mode & 0o777;
    return { key, ...((mode & 0o077) === 0 ? {} : { looseMode: mode.toString(8).padStart(4, "0") }) };
  };
  try {
    return { ...read(), created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") {
      if (err instanceof HookbookError) throw err;
      throw new HookbookError("HB_ERR_CONFIG_INVALID", `cannot read the secret key file ${path}: ${(err as Error).message}`, { cause: err });
    }
  }
  const key = generateSecretKey();
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, `${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  } catch (err) {
    // Another process created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return { ...read(), created: false };
    throw new HookbookError("HB_ERR_CONFIG_INVALID", `cannot create the secret key file ${path}: ${(err as Error).message}`, { cause: err });
  }
  return { key, created: true };
}

export interface SecretKeyOptions {
  /** The key that seals (base64 or hex), from `outbound.secretKey`. */
  readonly current?: string;
  /** Further keys that open, from `outbound.secretKeys`. */
  readonly previous?: readonly string[];
  /** Without `current`: read or create the key here (`<dataDir>/outbound-secret.key`). */
  readonly keyFile?: string;
}

export interface SecretBoxLogger {
  info(o: object, m?: string): void;
  warn(o: object, m?: string): void;
}

/**
 * The box for the store, or undefined (plain text, with a warning) when neither a key nor a key
 * file is given (the in-memory bus: nothing reaches a disk).
 */
export function openSecretBox(opts: SecretKeyOptions | undefined, logger: SecretBoxLogger): SecretBox | undefined {
  const previous = (opts?.previous ?? []).map((k, i) => parseSecretKey(k, `outbound.secretKeys[${i}]`));
  if (opts?.current !== undefined) {
    const box = new SecretBox(parseSecretKey(opts.current, "outbound.secretKey"), previous);
    logger.info({ keyId: box.keyId, readable: box.keyIds() }, "webhook subscription secrets are encrypted at rest");
    return box;
  }
  if (opts?.keyFile !== undefined) {
    const { key, created, looseMode } = loadOrCreateKeyFile(opts.keyFile);
    const box = new SecretBox(key, previous);
    if (created) {
      logger.warn(
        { keyFile: opts.keyFile, keyId: box.keyId },
        "generated a key for webhook subscription secrets at rest; back it up with the data directory (without it stored subscriptions cannot be read), and give every replica sharing this NATS the same key via outbound.secretKey",
      );
    } else {
      logger.info({ keyFile: opts.keyFile, keyId: box.keyId }, "webhook subscription secrets are encrypted at rest");
    }
    if (looseMode !== undefined) logger.warn({ keyFile: opts.keyFile, mode: looseMode }, "the secret key file can be read by other users; chmod 600 it");
    return box;
  }
  logger.warn({}, "webhook subscription secrets are kept in plain text: no outbound.secretKey and no data directory key file (in-memory bus)");
  return undefined;
}
