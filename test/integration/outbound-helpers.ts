/**
 * Helpers of the outbound tests: a local receiver that fails on command (status, Retry-After,
 * hang, slow, down/up on the same port), a memory/NATS bus factory, a service starter with
 * test-sized defaults (short schedule, loopback allow-listed), and small waits.
 */
import { createServer } from "node:http";
import type { IncomingHttpHeaders, RequestListener, Server, ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { ServerOptions as HttpsServerOptions } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { createMemoryBus } from "../../src/bus/memory.js";
import { connectNatsBus } from "../../src/bus/nats/connect.js";
import type { Bus } from "../../src/bus/port.js";
import { decodeJson } from "../../src/bus/port.js";
import { STREAM_OUTCOMES, defaultStreams } from "../../src/bus/streams.js";
import { parseCreateInput } from "../../src/outbound/subscription-input.js";
import { outcomeSubject } from "../../src/core/outcome.js";
import type { OutboundOptions } from "../../src/outbound/service.js";
import { startOutbound } from "../../src/outbound/service.js";
import type { OutboundService } from "../../src/outbound/service-api.js";
import { after, afterEach, before } from "node:test";
import { isHookbookError } from "../../src/core/errors.js";
import type { TestNats } from "../helpers/nats.js";
import { natsServerBinary, startTestNats } from "../helpers/nats.js";

export interface Received {
  readonly n: number;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly at: number;
  /** HTTPS: CN of the client certificate the connection presented, if any. */
  readonly peer?: string;
}

/** What the receiver answers: a status (+headers, body, delay) or "hang" (never answers). */
export type Reply = { readonly status: number; readonly headers?: Record<string, string>; readonly body?: string; readonly delayMs?: number } | "hang";

export interface ControlledReceiver {
  readonly url: string;
  readonly port: number;
  readonly requests: Received[];
  /** HTTPS: codes (or messages) of failed TLS handshakes (`tlsClientError`). */
  readonly tlsErrors: string[];
  /** Decides each answer; replace it at any time ("fail on command"). */
  respond: (req: Received) => Reply;
  /** Requests answered 2xx, per webhook-id (or x-webhook-id). */
  deliveredIds(): Map<string, number>;
  /** Stop listening (connections refused), keeping the port. */
  down(): Promise<void>;
  /** Listen again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

export const OK: Reply = { status: 200, body: "ok" };

export function header(r: Received, name: string): string | undefined {
  const v = r.headers[name];
  return Array.isArray(v) ? v.join(",") : v;
}

/** A receiver over HTTP, or over HTTPS with `tls` (e.g. `{cert, key, ca, requestCert: true, rejectUnauthorized: true}` for mTLS). */
export async function startReceiver(respond: (req: Received) => Reply = () => OK, path = "/hook", tls?: HttpsServerOptions): Promise<ControlledReceiver> {
  const requests: Received[] = [];
  const tlsErrors: string[] = [];
  const delivered = new Map<string, number>();
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();
  let server: Server | undefined;
  let port = 0;
  const rx: ControlledReceiver = {
    url: "",
    port: 0,
    requests,
    tlsErrors,
    respond,
    deliveredIds: () => delivered,
    async down() {
      const s = server;
      server = undefined;
      if (!s) return;
      for (const res of hanging) res.destroy();
      for (const sock of sockets) sock.destroy();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    async up() {
      if (server) return;
      const listen = (h: RequestListener): Server => (tls ? (createHttpsServer(tls, h) as unknown as Server) : createServer(h));
      const s = listen((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
          const cn = tls ? (req.socket as TLSSocket).getPeerCertificate?.()?.subject?.CN : undefined;
          const peer = Array.isArray(cn) ? cn.join(",") : cn;
          const r: Received = { n: requests.length + 1, path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks), at: Date.now(), ...(peer ? { peer } : {}) };
          requests.push(r);
          const reply = rx.respond(r);
          if (reply === "hang") {
            hanging.add(res);
            return;
          }
          const send = (): void => {
            if (res.destroyed) return;
            res.writeHead(reply.status, reply.headers ?? {}).end(reply.body ?? "");
            if (reply.status >= 200 && reply.status < 300) {
              const id = header(r, "webhook-id") ?? header(r, "x-webhook-id") ?? "";
              delivered.set(id, (delivered.get(id) ?? 0) + 1);
            }
          };
          if (reply.delayMs) setTimeout(send, reply.delayMs);
          else send();
        });
      });
      s.on("tlsClientError", (err: NodeJS.ErrnoException) => tlsErrors.push(err.code ?? err.message));
      s.on("connection", (sock: Socket) => {
        sockets.add(sock);
        sock.on("close", () => sockets.delete(sock));
      });
      for (let i = 0; ; i++) {
        try {
          await new Promise<void>((resolve, reject) => {
            s.once("error", reject);
            s.listen(port, "127.0.0.1", () => resolve());
          });
          break;
        } catch (err) {
          if (i > 20) throw err;
          await sleep(50);
        }
      }
      server = s;
      port = (s.address() as AddressInfo).port;
    },
    async close() {
      await rx.down();
    },
  };
  await rx.up();
  Object.assign(rx, { port, url: `${tls ? "https" : "http"}://127.0.0.1:${port}${path}` });
  return rx;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export interface LogLine {
  readonly level: string;
  readonly obj: object;
  readonly msg: string | undefined;
}

export function memoryLogger(): { lines: LogLine[]; info(o: object, m?: string): void; warn(o: object, m?: string): void; error(o: object, m?: string): void } {
  const lines: LogLine[] = [];
  return {
    lines,
    info: (obj, msg) => lines.push({ level: "info", obj, msg }),
    warn: (obj, msg) => lines.push({ level: "warn", obj, msg }),
    error: (obj, msg) => lines.push({ level: "error", obj, msg }),
  };
}

export type BusKind = "memory" | "nats";

/** What outboundTestFile() gives a test file. */
export interface OutboundTestFile {
  /** The file's nats-server (undefined when nats-server is not installed). */
  nats(): TestNats | undefined;
  /** Run after the current test, last registered first; failures are ignored. */
  readonly cleanups: (() => Promise<unknown> | unknown)[];
  /** A bus of `kind` with the default streams and the outbound service on it; both closed after the test. */
  setup(kind: BusKind, over?: Partial<OutboundOptions>): Promise<{ bus: Bus; svc: OutboundService; logger: ReturnType<typeof memoryLogger> }>;
  /** A local receiver (HTTPS with `tls`), closed after the test. */
  receiver(respond?: (r: Received) => Reply, tls?: HttpsServerOptions): Promise<ControlledReceiver>;
  /** An API subscription, removed after the test. */
  subscribe(svc: OutboundService, body: Record<string, unknown>): Promise<{ id: string; secret: string }>;
}

/**
 * The hooks of an outbound test file: one nats-server for the whole file (when installed and
 * `nats` is not false) and cleanups run after each test. Call once, at the top level of the file.
 */
export function outboundTestFile(opts: { readonly nats?: boolean } = {}): OutboundTestFile {
  let nats: TestNats | undefined;
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  before(async () => {
    if (natsServerBinary && opts.nats !== false) nats = await startTestNats();
  });
  after(async () => {
    await nats?.stop();
  });
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await Promise.resolve(fn()).catch(() => undefined);
  });
  return {
    nats: () => nats,
    cleanups,
    async setup(kind, over = {}) {
      const bus = await makeBus(kind, nats);
      cleanups.push(() => bus.close());
      const s = await startService(bus, over);
      cleanups.push(() => s.svc.stop());
      return { bus, ...s };
    },
    async receiver(respond, tls) {
      const rx = await startReceiver(respond, "/hook", tls);
      cleanups.push(() => rx.close());
      return rx;
    },
    async subscribe(svc, body) {
      const created = await svc.create(parseCreateInput(body));
      cleanups.push(() => svc.remove(created.id));
      return { id: created.id, secret: created.secret };
    },
  };
}

/** The outcomes of one type stored on HB_OUTCOMES (operational events included), oldest first. */
export async function outcomesOfType(bus: Bus, type: string): Promise<{ id: string; type: string; data: Record<string, unknown> }[]> {
  const out: { id: string; type: string; data: Record<string, unknown> }[] = [];
  for await (const m of bus.readMessages!(STREAM_OUTCOMES, { subject: `outcomes.${type}` })) out.push(decodeJson(m.data));
  return out;
}

/** The HB error code a promise rejects with (String(err) for anything else), undefined when it resolves. */
export async function errorCodeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    return isHookbookError(err) ? err.code : String(err);
  }
  return undefined;
}

export async function makeBus(kind: BusKind, nats: TestNats | undefined): Promise<Bus> {
  const bus = kind === "memory" ? createMemoryBus() : await connectNatsBus({ url: nats!.url, logger: { warn: () => undefined } });
  await bus.ensureStreams(defaultStreams());
  return bus;
}

let seq = 0;
/** A unique token for outcome types and ids, so tests sharing a NATS server never see each other's outcomes. */
export function uniq(prefix = "t"): string {
  return `${prefix}${Date.now().toString(36)}${(seq++).toString(36)}`;
}

/** Publish an outcome `{id, type, timestamp, data}`; returns its id and exact bytes. */
export async function publishOutcome(bus: Bus, type: string, data: Record<string, unknown> = {}, id = uniq("out-")): Promise<{ id: string; bytes: Buffer }> {
  const bytes = Buffer.from(JSON.stringify({ id, type, timestamp: new Date().toISOString(), data }), "utf8");
  await bus.publish(outcomeSubject(type), bytes, { msgId: id });
  return { id, bytes };
}

export const TEST_SCHEDULE = [50, 100, 200];

export async function startService(bus: Bus, over: Partial<OutboundOptions> = {}): Promise<{ svc: OutboundService; logger: ReturnType<typeof memoryLogger> }> {
  const logger = memoryLogger();
  const svc = await startOutbound({
    bus,
    logger,
    retry: TEST_SCHEDULE,
    ssrf: { allow: ["127.0.0.1/32"], httpsOnly: false },
    reconcileIntervalMs: 0,
    // Off unless a test asks for it: retry and disable tests fail an endpoint on purpose (outbound-controls.test.ts tests the breaker).
    breaker: { enabled: false },
    defaultTimeoutMs: 2000,
    drainTimeoutMs: 5000,
    ...over,
  });
  return { svc, logger };
}
