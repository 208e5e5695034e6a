/**
 * The admin REST API (fastify plugin): webhook subscriptions under /api/webhooks, every route
 * behind `Authorization: Bearer <admin token>` except GET /api/openapi.json. Register it
 * without a prefix: `app.register(adminApiPlugin, { outbound, adminToken })`.
 *
 * Errors answer `{error: {code, message}}` with the catalog status: 400 invalid body or field,
 * 401 missing/invalid token, 404 unknown endpoint/message/route, 405 config endpoint is
 * read-only, 413 body over 64 KiB, 415 not JSON, 503 bus unavailable, 500 anything else.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { HookbookError, isHookbookError } from "../core/errors.js";
import { outboundError } from "../outbound/outbound-errors.js";
import { IDEMPOTENCY_HEADER, idempotencyKeyOf } from "../outbound/idempotency.js";
import type { OutboundService } from "../outbound/service-api.js";
import { parseCreateInput, parsePatchInput, parseRotateInput } from "../outbound/subscription-input.js";
import { uiPlugin } from "../ui/ui-plugin.js";
import { bearerChecker } from "./admin-auth.js";
import { openApiDocument } from "./openapi.js";

export interface AdminApiOptions {
  readonly outbound: OutboundService;
  /** `api.token`: at least 16 characters. */
  readonly adminToken: string;
  /** JSON body limit in bytes (default 64 KiB). */
  readonly bodyLimit?: number;
  /** Serve the operator web UI at /ui/ (static files, no data; default true). */
  readonly ui?: boolean;
}

type IdParams = { Params: { id: string } };

function sendError(req: FastifyRequest, reply: FastifyReply, err: HookbookError): FastifyReply {
  if (err.status >= 500) req.log.error({ err, code: err.code }, "admin API error");
  if (err.status === 401) void reply.header("www-authenticate", 'Bearer realm="hookbook admin"');
  if (err.retry === "retry-after") void reply.header("retry-after", String(Math.ceil((err.retryAfterMs ?? 5000) / 1000)));
  return reply.code(err.status).send(err.toBody());
}

function toApiError(err: unknown): HookbookError {
  if (isHookbookError(err)) return err;
  const e = err as FastifyError;
  if (e?.code === "FST_ERR_CTP_BODY_TOO_LARGE") return new HookbookError("HB_ERR_BODY_TOO_LARGE", "request body over the admin API limit");
  if (e?.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") return new HookbookError("HB_ERR_UNSUPPORTED_MEDIA_TYPE", "send application/json");
  if (e?.validation !== undefined || (typeof e?.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500)) {
    return outboundError("invalid", e.message);
  }
  return new HookbookError("HB_ERR_INTERNAL", "internal error", { cause: err });
}

function parseTime(v: unknown, field: string): number {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && /^\d{4}-\d{2}-\d{2}T/.test(v)) {
    const t = Date.parse(v);
    if (!Number.isNaN(t)) return t;
  }
  throw outboundError("invalid", `${field}: must be an RFC 3339 time (or ms since the epoch)`);
}

function body(req: FastifyRequest): Record<string, unknown> {
  const b = req.body;
  if (b === undefined || b === null) return {};
  if (typeof b !== "object" || Array.isArray(b)) throw outboundError("invalid", "request body must be a JSON object");
  return b as Record<string, unknown>;
}

function limitOf(req: FastifyRequest): number {
  const raw = (req.query as Record<string, unknown> | undefined)?.["limit"];
  if (raw === undefined) return 50;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw outboundError("invalid", "limit: must be an integer between 1 and 1000");
  return n;
}

/**
 * A POST that creates something, made idempotent by an `Idempotency-Key` header
 * (outbound/idempotency.ts): the same key, route and body within 12 h → the kept answer.
 */
async function idempotent(svc: OutboundService, req: FastifyRequest, reply: FastifyReply, status: number, run: () => Promise<unknown>): Promise<FastifyReply> {
  const key = idempotencyKeyOf(req.headers[IDEMPOTENCY_HEADER]);
  if (key === undefined || svc.idempotency === undefined) return reply.code(status).send(await run());
  const route = `${req.method} ${req.url.split("?")[0] ?? ""}`;
  const answer = await svc.idempotency.run(route, key, req.body ?? null, async () => ({ status, body: await run() }));
  if (answer.replayed) void reply.header("idempotent-replayed", "true");
  return reply.code(answer.status).send(answer.body);
}

async function webhookRoutes(api: FastifyInstance, opts: AdminApiOptions): Promise<void> {
  const svc = opts.outbound;
  const check = bearerChecker(opts.adminToken);
  const bodyLimit = opts.bodyLimit ?? 64 * 1024;

  api.removeAllContentTypeParsers();
  api.addContentTypeParser("application/json", { parseAs: "string", bodyLimit }, (_req, text, done) => {
    const s = typeof text === "string" ? text : text.toString("utf8");
    if (s.trim() === "") return done(null, undefined);
    try {
      done(null, JSON.parse(s) as unknown);
    } catch {
      done(new HookbookError("HB_ERR_INVALID_JSON", "request body is not valid JSON"), undefined);
    }
  });
  api.setErrorHandler((err, req, reply) => sendError(req, reply, toApiError(err)));
  api.setNotFoundHandler((req, reply) => sendError(req, reply, outboundError("notFound", `no route ${req.method} ${req.url.split("?")[0] ?? ""}`)));
  api.addHook("onRequest", async (req) => {
    if (req.method === "GET" && req.url.split("?")[0] === "/api/openapi.json") return;
    check(req.headers.authorization);
  });

  api.get("/openapi.json", async () => openApiDocument());

  api.post("/webhooks", async (req, reply) => idempotent(svc, req, reply, 201, () => svc.create(parseCreateInput(req.body))));
  api.get("/webhooks", async () => ({ data: svc.list() }));
  api.get<IdParams>("/webhooks/:id", async (req) => svc.get(req.params.id));
  api.patch<IdParams>("/webhooks/:id", async (req) => svc.update(req.params.id, parsePatchInput(req.body)));
  api.delete<IdParams>("/webhooks/:id", async (req, reply) => {
    await svc.remove(req.params.id);
    return reply.code(204).send();
  });
  api.post<IdParams>("/webhooks/:id/enable", async (req) => svc.enable(req.params.id));
  api.post<IdParams>("/webhooks/:id/disable", async (req) => svc.disable(req.params.id));
  api.get<IdParams>("/webhooks/:id/secret", async (req) => svc.secret(req.params.id));
  api.post<IdParams>("/webhooks/:id/rotate-secret", async (req, reply) => idempotent(svc, req, reply, 200, () => svc.rotateSecret(req.params.id, parseRotateInput(req.body))));
  api.post<IdParams>("/webhooks/:id/replay", async (req, reply) => {
    const messageId = body(req)["message_id"];
    if (typeof messageId !== "string" || messageId.length === 0 || messageId.length > 256) throw outboundError("invalid", "message_id: required string");
    return idempotent(svc, req, reply, 202, () => svc.replay(req.params.id, messageId));
  });
  api.post<IdParams>("/webhooks/:id/recover", async (req, reply) => {
    const b = body(req);
    for (const k of Object.keys(b)) if (k !== "since" && k !== "until") throw outboundError("invalid", `${k}: unknown field (allowed: since, until)`);
    const since = parseTime(b["since"], "since");
    const until = b["until"] === undefined ? undefined : parseTime(b["until"], "until");
    return idempotent(svc, req, reply, 202, () => svc.recover(req.params.id, since, until));
  });
  api.get<IdParams>("/webhooks/:id/attempts", async (req) => ({ data: await svc.attempts(req.params.id, limitOf(req)) }));
  api.get<IdParams>("/webhooks/:id/dead-letters", async (req) => ({ data: await svc.deadLetters(req.params.id, limitOf(req)) }));
  api.get<IdParams>("/webhooks/:id/stats", async (req) => svc.stats(req.params.id));
  api.post<IdParams>("/webhooks/:id/test", async (req) => svc.sendTest(req.params.id));
  api.post<IdParams>("/webhooks/:id/transform/preview", async (req) => svc.previewTransform(req.params.id, req.body));
}

/** Fastify plugin: the admin API routes under /api, and the web UI (src/ui) at /ui/. */
export async function adminApiPlugin(app: FastifyInstance, opts: AdminApiOptions): Promise<void> {
  bearerChecker(opts.adminToken);
  await app.register(webhookRoutes, { ...opts, prefix: "/api" });
  if (opts.ui !== false) await app.register(uiPlugin);
}
