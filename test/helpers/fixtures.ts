/** Paths and bytes of the shared request fixtures (<repo>/../shared/fixtures). */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const FIXTURES_ROOT = new URL("../../../shared/fixtures/", import.meta.url);

/** Absolute path of `<repo>/../shared/fixtures/<rel>`. */
export function fixturePath(rel: string): string {
  return fileURLToPath(new URL(rel, FIXTURES_ROOT));
}

/** The exact bytes of a fixture body (signatures cover these bytes; never re-serialise). */
export function fixtureBytes(rel: string): Buffer {
  return readFileSync(fixturePath(rel));
}

/** A `<name>.headers.json` map. */
export function fixtureHeaders(rel: string): Record<string, string> {
  return JSON.parse(readFileSync(fixturePath(rel), "utf8")) as Record<string, string>;
}
