/**
 * The ingest HTTP server (DESIGN.md §1): `POST /hooks/<source>` → limits → auth on the raw bytes
 * → normalize → publish every event to the EVENTS stream → 202 once every PubAck is in.
 *
 * Answers: 202 `{accepted, duplicates, events: [{id, type, duplicate}]}`; every error is
 * `{error: {code, message}}` with the catalog status (404 unknown source, 405 other method,
 * 413 body over the source's limit or more events than `maxItemsPerRequest`, 415 not JSON /
 * content-encoded, 431 headers over `maxHeaderSize`, 400 bad JSON or payload, 400 signature
 * header missing, 401 auth, 503 + Retry-After when the bus cannot store or the server is
 * closing, 500 anything unexpected). Nothing is stored on a 4xx. On a 503 some events of the
 * request may already be stored; their Nats-Msg-Ids are stable, so the sender's retry
 * deduplicates them. Also `GET /healthz` (process up), `GET /readyz` (bus reachable),
 * `GET /metrics` (Prometheus, ./metrics.ts), `GET /openapi.json` (./openapi.ts) and
 * `GET /schemas/<kind>.json` (event schemas). With `tls` the server speaks
 * HTTPS and asks for client certificates; the connection's verified peer subject goes to auth
 * (sources with `mtls` auth), the handshake itself never fails for want of one.
 *
 * Imports only the Bus port: the runtime injects the concrete bus.
 */
import { Buffer } from "node:buffer";
import { performance } from "node:perf_hooks";
import Fastify, { LogController } from "fastify";
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Registry } from "prom-client";
import type { Bus } from "../bus/port.js";
import { systemClock } from "../core/clock.js";
import type { Clock } from "../core/clock.js";
import { HookbookError } from "../core/errors.js";
import type { IdGen } from "../core/ids.js";
import { authNeedsClientCert } from "../sources/auth.js";
import type { AuthContext } from "../sources/auth.js";
import { mediaTypeAccepted } from "../sources/types.js";
import { retryAfterSeconds, toIngestError } from "./errors.js";
import { createDefaultAuthContext } from "./auth-context.js";
import type { AuthFetchOptions } from "./auth-context.js";
import { acceptHook } from "./pipeline.js";
import { ThreadPreparer, inlinePreparer } from "./prepare-pool.js";
import type { IngestMemory } from "./ingest-memory.js";
import type { PipelineDeps } from "./pipeline.js";
import { resolveSources } from "./source-set.js";
import type { IngestSource, IngestSourceConfig } from "./source-set.js";
import { httpsServerOptions, tlsPeerOf } from "./tls.js";
import type { IngestTlsOptions } from "./tls.js";
import { loadEventSchemas } from "./event-schemas.js";
import { DEFAULT_MAX_HEADER_SIZE, DEFAULT_MAX_ITEMS_PER_REQUEST, checkHeaderSize, ingestClientErrorHandler } from "./limits.js";
import { lazyChildLoggerFactory } from "./logger.js";
import { IngestMetrics, UNKNOWN_SOURCE_LABEL } from "./metrics.js";
import { buildIngestOpenApi } from "./openapi.js";
import { packageVersion, registerOpsRoutes } from "./ops-routes.js";

export interface IngestOptions {
  readonly sources: readonly IngestSourceConfig[];
  readonly bus: Bus;
  /** Server-wide body limit in bytes; a source's own `bodyLimit` (> 0) wins for its route. */
  readonly bodyLimit: number;
  readonly clock?: Clock;
  /** Passed to bus.publish as timeoutMs (default: the bus adapter's). */
  readonly publishTimeoutMs?: number;
  /** Retry-After on 503 when the bus error carries no delay (default 5). */
  readonly retryAfterSeconds?: number;
  /** /readyz gives up on bus.healthy() after this long (default 2000). */
  readonly readyTimeoutMs?: number;
  /** Clock and fetches for request verification (default: the clock plus global fetch, cached). */
  readonly authContext?: AuthContext;
  /** Options of the default authContext's fetches (SNS certificates, JWKS), in every thread. */
  readonly authFetch?: AuthFetchOptions;
  /** Long-horizon dedup and staleness (openIngestMemory); absent: the stream's duplicate window only. */
  readonly memory?: IngestMemory;
  /**
   * Where the ingest metrics are registered and what `GET /metrics` serves (default: a fresh
   * Registry, never prom-client's global one). Pass `Registry.merge([...])` of other components'
   * registries to serve theirs too.
   */
  readonly metrics?: { readonly registry: Registry };
  /** Most events one request may carry (default 1000); more → 413 HB_ERR_TOO_MANY_ITEMS. */
  readonly maxItemsPerRequest?: number;
  /** Largest request line + headers in bytes (default 16 KiB); more → 431 HB_ERR_HEADERS_TOO_LARGE. */
  readonly maxHeaderSize?: number;
  /** Folder of `<name>.schema.json` event schemas served at /schemas (default: the package's docs/sources). */
  readonly schemasDir?: string;
  /**
   * Threads that authenticate, parse, normalize and encode requests beside the HTTP event loop
   * (./prepare-pool.ts); 0 (default) does it in the HTTP thread. Only with the default
   * `authContext`: a custom one keeps preparation in the HTTP thread.
   */
  readonly threads?: number;
  /** A preparation thread with requests in flight and no answer for this long is replaced (default 30 s). */
  readonly threadStallTimeoutMs?: number;
}

export interface IngestServerOptions extends IngestOptions {
  /** pino (or pino-compatible) logger; create one with createIngestLogger() for redaction. Default: silent. */
  readonly logger?: FastifyBaseLogger;
  /** Request ids (default: fastify's counter). */
  readonly ids?: IdGen;
  /** Serve HTTPS (PEM contents, see readTlsFiles); needed by sources with `mtls` auth. */
  readonly tls?: IngestTlsOptions;
}

type SourceParams = { Params: { source: string } };

const FORBIDDEN_METHODS = ["GET", "PUT", "DELETE", "PATCH", "OPTIONS"] as const;
const JSON_TYPE = "application/json; charset=utf-8";
/** How long the server waits, when it starts, for its preparation threads to be ready. */
const THREAD_START_WAIT_MS = 5000;

function sendError(req: FastifyRequest, reply: FastifyReply, err: HookbookError, fallbackRetryAfter: number): FastifyReply {
  if (err.retry === "retry-after") reply.header("retry-after", String(retryAfterSeconds(err, fallbackRetryAfter)));
  if (err.code === "HB_ERR_METHOD_NOT_ALLOWED") reply.header("allow", "POST");
  const params = req.params as { source?: unknown } | undefined;
  const fields = { source: typeof params?.source === "string" ? params.source : undefined, code: err.code, status: err.status };
  if (err.code === "HB_ERR_INTERNAL") req.log.error({ ...fields, err: err.cause ?? err }, err.message);
  else if (err.status >= 500) req.log.warn({ ...fields, err: err.cause ?? err }, err.message);
  else req.log.warn(fields, err.message);
  // An internal error's message may describe internals: the log has it, the sender does not.
  const body = err.code === "HB_ERR_INTERNAL" ? { error: { code: err.code, message: "internal error" } } : err.toBody();
  return reply.code(err.status).type(JSON_TYPE).send(body);
}

async function withTimeout(promise: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Fastify plugin with the ingest routes, health routes, raw-body parser and error mapping,
 * scoped to the instance it is registered on: `app.register(ingestPlugin, opts)`.
 */
export async function ingestPlugin(app: FastifyInstance, opts: IngestOptions): Promise<void> {
  const metrics = new IngestMetrics(opts.metrics?.registry ?? new Registry());
  const maxItems = opts.maxItemsPerRequest ?? DEFAULT_MAX_ITEMS_PER_REQUEST;
  const maxHeaderSize = opts.maxHeaderSize ?? DEFAULT_MAX_HEADER_SIZE;
  const sources = resolveSources(opts);
  const clock = opts.clock ?? systemClock;
  const limits = { maxItemsPerRequest: maxItems };
  const inline = inlinePreparer(opts.authContext ?? createDefaultAuthContext({ ...opts.authFetch, clock }), limits);
  const threads = opts.authContext === undefined ? Math.max(0, Math.floor(opts.threads ?? 0)) : 0;
  const preparer =
    threads === 0
      ? inline
      : new ThreadPreparer({
          threads,
          sources: opts.sources,
          bodyLimit: opts.bodyLimit,
          limits,
          ...(opts.authFetch === undefined ? {} : { authFetch: opts.authFetch }),
          clock,
          fallback: inline,
          logger: app.log,
          ...(opts.threadStallTimeoutMs === undefined ? {} : { stallTimeoutMs: opts.threadStallTimeoutMs }),
        });
  metrics.threadsFrom(() => preparer.threads);
  // serve listens once the threads are ready; one that is slow to start does not hold it up for long
  app.addHook("onReady", async () => preparer.whenReady(THREAD_START_WAIT_MS));
  app.addHook("onClose", async () => preparer.close());
  const deps: PipelineDeps = {
    bus: opts.bus,
    clock,
    preparer,
    onReceived: (source, count) => metrics.eventsReceived(source.name, count),
    ...(opts.publishTimeoutMs === undefined ? {} : { publishTimeoutMs: opts.publishTimeoutMs }),
    ...(opts.memory === undefined ? {} : { memory: opts.memory }),
  };
  const fallbackRetryAfter = opts.retryAfterSeconds ?? 5;
  const readyTimeoutMs = opts.readyTimeoutMs ?? 2000;
  const routeBodyLimit = Math.max(opts.bodyLimit, ...[...sources.values()].map((s) => s.bodyLimit));

  const sourceOf = (req: FastifyRequest<SourceParams>): IngestSource => {
    const source = sources.get(req.params.source);
    if (source === undefined) throw new HookbookError("HB_ERR_SOURCE_NOT_FOUND", `no source named ${JSON.stringify(req.params.source)}`);
    return source;
  };
  const sourceLabel = (req: FastifyRequest): string => {
    const name = (req.params as { source?: unknown } | undefined)?.source;
    return typeof name === "string" && sources.has(name) ? name : UNKNOWN_SOURCE_LABEL;
  };
  const isHookRoute = (req: FastifyRequest): boolean => req.routeOptions.url === "/hooks/:source";
  // Every answer on /hooks/<source>, whatever produced it (route, hook, parser, error handler).
  // Hooks here are callback-style: no promise per request (a thrown error goes to the error handler).
  const countRequest = (req: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    const name = sourceLabel(req);
    metrics.requestDone(name, sources.get(name)?.kind ?? UNKNOWN_SOURCE_LABEL, reply.statusCode, reply.elapsedTime / 1000);
    done();
  };

  // Raw bytes for every content type: auth runs on exactly what was received.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));
  app.setErrorHandler((err, req, reply) => {
    const error = toIngestError(err);
    if (isHookRoute(req)) metrics.requestRejected(sourceLabel(req), error.code);
    return sendError(req, reply, error, fallbackRetryAfter);
  });
  // Node enforces maxHeaderSize on real sockets (createIngestServer); this also covers inject()
  // and a host server with a larger limit.
  app.addHook("onRequest", (req, _reply, done) => {
    checkHeaderSize(req.raw, maxHeaderSize);
    done();
  });

  app.post<SourceParams>("/hooks/:source", {
    bodyLimit: routeBodyLimit,
    onResponse: countRequest,
    // Reject before the body is read: unknown source, encoding, media type, declared length.
    onRequest: (req, _reply, done) => {
      const source = sourceOf(req);
      const encoding = req.headers["content-encoding"]?.trim().toLowerCase();
      if (encoding !== undefined && encoding !== "" && encoding !== "identity") {
        throw new HookbookError("HB_ERR_UNSUPPORTED_MEDIA_TYPE", `content-encoding ${encoding} is not accepted; send the body uncompressed`);
      }
      if (!mediaTypeAccepted(req.headers["content-type"], source.handler.contentTypes)) {
        throw new HookbookError(
          "HB_ERR_UNSUPPORTED_MEDIA_TYPE",
          `content type ${JSON.stringify(req.headers["content-type"] ?? "")} not accepted; send ${source.handler.contentTypes.join(" or ")}`,
        );
      }
      const declared = Number(req.headers["content-length"]);
      if (Number.isFinite(declared) && declared > source.bodyLimit) {
        throw new HookbookError("HB_ERR_BODY_TOO_LARGE", `request body is over the ${source.bodyLimit} byte limit of this source`);
      }
      done();
    },
    handler: async (req, reply) => {
      const source = sourceOf(req);
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const tls = tlsPeerOf(req.raw.socket);
      const accepted = await acceptHook(deps, source, { body, rawHeaders: req.raw.rawHeaders, ...(tls === undefined ? {} : { tls }) });
      // Publish latency: from the events being ready (prepared) to the last PubAck.
      metrics.eventsStored(source.name, accepted.body, (performance.now() - accepted.readyAt) / 1000);
      // debug: at thousands of requests a second an info line each would flood the log (the metrics count them); refusals log at warn
      req.log.debug({ source: source.name, accepted: accepted.body.accepted, duplicates: accepted.body.duplicates }, "events stored");
      return reply.code(202).type(JSON_TYPE).send(JSON.stringify(accepted.body));
    },
  });

  app.route<SourceParams>({
    method: [...FORBIDDEN_METHODS],
    url: "/hooks/:source",
    onResponse: countRequest,
    handler: async (req) => {
      sourceOf(req);
      throw new HookbookError("HB_ERR_METHOD_NOT_ALLOWED", `${req.method} is not allowed; POST events to /hooks/${req.params.source}`);
    },
  });

  app.get("/healthz", async () => ({ status: "ok" }));

  app.get("/readyz", async (_req, reply) => {
    if (await withTimeout(opts.bus.healthy(), readyTimeoutMs)) return { status: "ready", bus: opts.bus.kind, durable: opts.bus.durable };
    reply.header("retry-after", String(fallbackRetryAfter));
    return reply.code(503).send(new HookbookError("HB_ERR_BUS_UNAVAILABLE", "event bus is not reachable").toBody());
  });

  const schemas = await loadEventSchemas(opts.schemasDir);
  const openapi = buildIngestOpenApi({
    sources: sources.values(),
    schemas: new Set(schemas.keys()),
    maxItemsPerRequest: maxItems,
    maxHeaderSize,
    ...(await packageVersion().then((version) => (version === undefined ? {} : { version }))),
  });
  await registerOpsRoutes(app, { registry: metrics.registry, openapi: JSON.stringify(openapi), schemas });
}

/** The metrics registry of each server createIngestServer made (ingestMetricsRegistry). */
const registries = new WeakMap<FastifyInstance, Registry>();

/**
 * A fastify instance serving only ingest. Source problems (unknown kind, duplicate name, bad
 * options) throw HB_ERR_CONFIG_INVALID right here. Call `listen()` or `inject()` on the result.
 */
export function createIngestServer(opts: IngestServerOptions): FastifyInstance {
  resolveSources(opts);
  const tls = opts.tls === undefined ? undefined : httpsServerOptions(opts.tls);
  const needsCert = opts.sources.filter((s) => authNeedsClientCert(s.auth)).map((s) => s.name);
  if (needsCert.length > 0 && tls?.requestCert !== true) {
    throw new HookbookError("HB_ERR_CONFIG_INVALID", `source(s) ${needsCert.join(", ")} use mtls auth: set server.tls with cert, key and ca`);
  }
  const bodyLimit = Math.max(opts.bodyLimit, ...opts.sources.map((s) => s.bodyLimit));
  const ids = opts.ids;
  const maxHeaderSize = opts.maxHeaderSize ?? DEFAULT_MAX_HEADER_SIZE;
  const registry = opts.metrics?.registry ?? new Registry();
  const metrics = new IngestMetrics(registry);
  // A source name longer than find-my-way's default (100) would otherwise never route.
  const maxParamLength = Math.max(100, ...opts.sources.map((s) => encodeURIComponent(s.name).length));
  const app = Fastify({
    ...(opts.logger === undefined ? { logger: false } : { loggerInstance: opts.logger, childLoggerFactory: lazyChildLoggerFactory }),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength },
    // Refused below with the catalog's body and Retry-After instead of fastify's own 503.
    return503OnClosing: false,
    clientErrorHandler: ingestClientErrorHandler((code) => metrics.clientError(code)),
    // Errors raised before routing answer with the catalog body too, never fastify's own.
    frameworkErrors: (err, req, reply) => sendError(req, reply, frameworkError(err), opts.retryAfterSeconds ?? 5),
    ...(tls === undefined ? { http: { maxHeaderSize } } : { https: { ...tls, maxHeaderSize } }),
    ...(ids === undefined ? {} : { genReqId: () => ids.uuid() }),
  }) as unknown as FastifyInstance;
  registries.set(app, registry);
  const fallbackRetryAfter = opts.retryAfterSeconds ?? 5;
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onRequest", (_req, reply, done) => {
    if (!closing) return done();
    reply.header("connection", "close");
    throw new HookbookError("HB_ERR_BUS_CLOSED", "ingest is shutting down; retry later");
  });
  app.setErrorHandler((err, req, reply) => sendError(req, reply, toIngestError(err), fallbackRetryAfter));
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split("?")[0] ?? "";
    const err = new HookbookError("HB_ERR_SOURCE_NOT_FOUND", `no route ${req.method} ${path}; events are POSTed to /hooks/<source>`);
    return sendError(req, reply, err, fallbackRetryAfter);
  });
  void app.register(ingestPlugin, { ...opts, metrics: { registry }, maxHeaderSize });
  return app;
}

export type { IngestSourceConfig } from "./source-set.js";

/** fastify's pre-routing errors: a bad percent-encoding, or a name longer than any source's. */
function frameworkError(err: { readonly code?: string }): HookbookError {
  if (err.code === "FST_ERR_MAX_PARAM_LENGTH") return new HookbookError("HB_ERR_SOURCE_NOT_FOUND", "no source has a name this long", { cause: err });
  if (err.code === "FST_ERR_BAD_URL") return new HookbookError("HB_ERR_BAD_REQUEST", "the URL path is not valid percent-encoding", { cause: err });
  return toIngestError(err);
}

/**
 * The Registry a server made by createIngestServer registers its metrics on and serves at
 * `/metrics` (the one passed as `metrics.registry`, or the fresh one it made).
 */
export function ingestMetricsRegistry(app: FastifyInstance): Registry | undefined {
  return registries.get(app);
}
