import { hash, randomUUID } from "node:crypto";

/** Id generation port: tests inject a deterministic one. */
export interface IdGen {
  uuid(): string;
}

export const randomIds: IdGen = { uuid: () => randomUUID() };

/** Deterministic ids for tests and virtual-clock runs. */
export function sequentialIds(prefix = "00000000-0000-4000-8000-"): IdGen {
  let n = 0;
  return { uuid: () => `${prefix}${(n++).toString(16).padStart(12, "0")}` };
}

/** sha256 as lowercase hex. One-shot `crypto.hash` (no Hash object): ~3x cheaper for the short keys ingest hashes per event. */
export function sha256Hex(input: string | Uint8Array): string {
  return hash("sha256", input, "hex");
}

/** A short stable id derived from a key (first 32 hex chars of sha256). */
export function stableId(key: string): string {
  return sha256Hex(key).slice(0, 32);
}
