/**
 * The JSON Schemas of normalized event data (`docs/sources/<name>.schema.json`), read once at
 * start so ingest can serve them at `/schemas/<name>.json` and reference them from its OpenAPI
 * document. The folder is found relative to this module (src/ingest or dist/ingest → ../../docs);
 * a packaged install without docs simply serves no schemas.
 */
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const SCHEMA_SUFFIX = ".schema.json";

/** `<repo>/docs/sources` as seen from this module, in the source tree and in dist/. */
export function defaultSchemasDir(): string {
  return fileURLToPath(new URL("../../docs/sources/", import.meta.url));
}

/** Schema documents by name (`alertmanager`, `interruption`, …), already serialized for serving. */
export type EventSchemas = ReadonlyMap<string, string>;

/**
 * Reads every `<name>.schema.json` of `dir`. A missing folder, an unreadable file or bad JSON is
 * skipped (the route answers 404 for it); nothing here stops the server from starting.
 * The served copy has no `$id`, so its relative `$ref`s ("interruption.schema.json") resolve
 * against the URL it was fetched from, which ingest also serves.
 */
export async function loadEventSchemas(dir: string = defaultSchemasDir()): Promise<EventSchemas> {
  const out = new Map<string, string>();
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return out;
  }
  for (const entry of entries.sort()) {
    if (!entry.endsWith(SCHEMA_SUFFIX)) continue;
    const name = entry.slice(0, -SCHEMA_SUFFIX.length);
    if (!/^[a-z0-9-]+$/.test(name)) continue;
    try {
      const doc = JSON.parse(await readFile(join(dir, entry), "utf8")) as unknown;
      if (doc === null || typeof doc !== "object" || Array.isArray(doc)) continue;
      const { $id: _id, ...served } = doc as Record<string, unknown>;
      out.set(name, JSON.stringify(served));
    } catch {
      continue;
    }
  }
  return out;
}

/** The URL path a schema is served at. */
export function eventSchemaPath(name: string): string {
  return `/schemas/${name}.json`;
}
