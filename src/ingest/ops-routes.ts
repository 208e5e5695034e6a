/**
 * Operational routes of the ingest server besides /healthz and /readyz: Prometheus `/metrics`,
 * the OpenAPI document `/openapi.json`, and the event schemas `/schemas/<name>.json`.
 */
import { readFile } from "node:fs/promises";
import type { FastifyInstance } from "fastify";
import type { Registry } from "prom-client";
import { HookbookError } from "../core/errors.js";
import type { EventSchemas } from "./event-schemas.js";

export interface OpsRoutesOptions {
  readonly registry: Registry;
  /** The OpenAPI document, serialized once. */
  readonly openapi: string;
  readonly schemas: EventSchemas;
}

const SCHEMA_FILE = /^([a-z0-9-]+)(?:\.schema)?\.json$/;

export async function registerOpsRoutes(app: FastifyInstance, opts: OpsRoutesOptions): Promise<void> {
  app.get("/metrics", async (_req, reply) => {
    const text = await opts.registry.metrics();
    return reply.type(opts.registry.contentType).send(text);
  });

  app.get("/openapi.json", async (_req, reply) => reply.type("application/json; charset=utf-8").send(opts.openapi));

  // Both spellings: `/schemas/eventbridge.json`, and the file's own name, which its relative
  // `$ref`s ("interruption.schema.json") resolve to.
  app.get<{ Params: { file: string } }>("/schemas/:file", async (req, reply) => {
    const name = SCHEMA_FILE.exec(req.params.file)?.[1];
    const doc = name === undefined ? undefined : opts.schemas.get(name);
    if (doc === undefined) throw new HookbookError("HB_ERR_SOURCE_NOT_FOUND", `no event schema ${JSON.stringify(req.params.file)}; see /openapi.json`);
    return reply.type("application/schema+json; charset=utf-8").send(doc);
  });
}

/** hookbook's version from its package.json (relative to this module), or undefined. */
export async function packageVersion(): Promise<string | undefined> {
  try {
    const pkg = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8")) as { version?: unknown };
    return typeof pkg.version === "string" ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}
