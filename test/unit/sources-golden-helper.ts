/**
 * Shared by the cloud/cluster source-kind tests: normalize a shared fixture, compare with a golden
 * file under test/golden/sources/<kind>/<name>.json (UPDATE_GOLDEN=1 rewrites them; review the
 * diff), and validate event data against the kind's JSON Schema in docs/sources/.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import type { ValidateFunction } from "ajv";
import type { NormalizedEvent } from "../../src/core/envelope.js";
import type { ErrorCode } from "../../src/core/errors.js";
import { HookbookError } from "../../src/core/errors.js";
import type { SourceKindHandler } from "../../src/sources/types.js";
import { fixtureBytes, fixtureHeaders, fixturePath } from "../helpers/fixtures.js";

const GOLDEN_ROOT = new URL("../golden/sources/", import.meta.url);
const SCHEMA_ROOT = new URL("../../docs/sources/", import.meta.url);

export interface FixtureRequest {
  readonly endpoint?: string;
  readonly headers?: Record<string, string>;
  readonly options?: Record<string, unknown>;
}

/** Normalizes `<rel>.json` with its `<rel>.headers.json` when that exists (plus `req.headers`). */
export function normalizeFixture(handler: SourceKindHandler, rel: string, req: FixtureRequest = {}): NormalizedEvent[] {
  const headersRel = `${rel}.headers.json`;
  const base = existsSync(fixturePath(headersRel)) ? fixtureHeaders(headersRel) : {};
  return handler.normalize({
    body: fixtureBytes(`${rel}.json`),
    headers: { ...base, ...req.headers },
    endpoint: req.endpoint ?? "cloud",
    options: req.options ?? {},
  });
}

export function fixtureJson(rel: string): unknown {
  return JSON.parse(fixtureBytes(rel).toString("utf8"));
}

/** Compares with (or, under UPDATE_GOLDEN=1, writes) test/golden/sources/<kind>/<name>.json. */
export function assertGolden(kind: string, name: string, events: readonly NormalizedEvent[]): void {
  const path = fileURLToPath(new URL(`${kind}/${name}.json`, GOLDEN_ROOT));
  const actual = `${JSON.stringify(events, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === "1") {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  assert.ok(existsSync(path), `golden file ${path} is missing: run with UPDATE_GOLDEN=1 and review it`);
  assert.deepEqual(JSON.parse(actual), JSON.parse(readFileSync(path, "utf8")), `golden ${kind}/${name} differs (UPDATE_GOLDEN=1 rewrites)`);
}

let ajv: Ajv | undefined;

function schemaText(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(fileURLToPath(new URL(file, SCHEMA_ROOT)), "utf8")) as Record<string, unknown>;
}

/** The compiled docs/sources/<kind>.schema.json (formats are checked by assertEnvelope instead). */
export function kindSchema(kind: string): ValidateFunction {
  if (ajv === undefined) {
    ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
    ajv.addSchema(schemaText("interruption.schema.json"));
  }
  const id = `https://hookbook.dev/schema/sources/${kind}.schema.json`;
  return ajv.getSchema(id) ?? ajv.compile(schemaText(`${kind}.schema.json`));
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Every event: schema-valid data with a meta object, RFC 3339 time when present, non-empty dedupKey. */
export function assertEnvelope(kind: string, events: readonly NormalizedEvent[]): void {
  const validate = kindSchema(kind);
  for (const e of events) {
    assert.ok(validate(e.data), `${kind} ${e.type} data does not match its schema: ${JSON.stringify(validate.errors)}`);
    assert.ok(e.dedupKey.length > 0);
    assert.ok(/^[A-Za-z0-9_.-]+(\.[A-Za-z0-9_-]+)*$/.test(e.type), `type ${e.type}`);
    if (e.time !== undefined) assert.match(e.time, RFC3339);
    assert.equal(typeof e.data.meta, "object");
  }
}

export function throwsCode(fn: () => unknown, code: ErrorCode): void {
  assert.throws(fn, (err: unknown) => err instanceof HookbookError && err.code === code, `expected ${code}`);
}

export async function rejectsCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof HookbookError, `expected a HookbookError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return true;
  });
}
