/** Stand-ins for external systems (local HTTP on 127.0.0.1, port 0) and a hand-built ActionContext. */
import type { IncomingHttpHeaders } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { memoryStateStore } from "../../src/actions/memory-state.js";
import type { ActionContext, ActionKind, ActionResult, ActionStateStore } from "../../src/actions/types.js";

export interface Recorded {
  readonly method: string;
  /** Path with query string. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly raw: string;
  /** Parsed JSON body (undefined when empty or not JSON). */
  readonly body: unknown;
}

export interface StubReply {
  readonly status?: number;
  readonly json?: unknown;
  readonly text?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Wait before answering (ms). */
  readonly delayMs?: number;
}

export interface Stub {
  readonly url: string;
  readonly requests: Recorded[];
  /** Replace the responder. */
  respond(fn: (req: Recorded) => StubReply): void;
  close(): Promise<void>;
}

export async function startStub(fn: (req: Recorded) => StubReply = () => ({ status: 200, json: {} })): Promise<Stub> {
  let responder = fn;
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      let body: unknown;
      try {
        body = raw === "" ? undefined : (JSON.parse(raw) as unknown);
      } catch {
        body = undefined;
      }
      const rec: Recorded = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, raw, body };
      requests.push(rec);
      const reply = responder(rec);
      const send = (): void => {
        const text = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.text ?? "");
        res.writeHead(reply.status ?? 200, { ...(reply.json !== undefined ? { "content-type": "application/json" } : {}), ...(reply.headers ?? {}) });
        res.end(text);
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respond(next) {
      responder = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface ContextOptions {
  readonly name: string;
  readonly args: Record<string, unknown>;
  readonly integrations: Record<string, Record<string, unknown>>;
  readonly state?: ActionStateStore;
  readonly event?: Record<string, unknown>;
  readonly vars?: Record<string, unknown>;
  readonly httpTimeoutMs?: number;
  readonly nowMs?: () => number;
  readonly signal?: AbortSignal;
}

/** The ActionContext the runner would build (args already rendered). */
export function actionContext(o: ContextOptions): ActionContext {
  const event = { ...(o.event ?? { alert: { labels: { alertname: "GPUXidError", node: "gpu-7" } } }), meta: { uuid: "e1" } };
  return {
    intent: {
      rulebookVersion: "v1",
      ruleset: "rs",
      rule: "r",
      ruleIndex: 0,
      matchingEvents: { m: event },
      eventIds: ["e1"],
      hosts: ["all"],
      actions: [{ name: o.name, args: o.args, index: 0 }],
      ruleRunAt: new Date(0).toISOString(),
      key: "k1",
    },
    action: { name: o.name, args: o.args, index: 0 },
    args: o.args,
    templateVars: { ...(o.vars ?? {}), event },
    signal: o.signal ?? new AbortController().signal,
    output: { print: () => undefined },
    limits: { commandTimeoutMs: 10_000, httpTimeoutMs: o.httpTimeoutMs ?? 5_000 },
    progress: async () => undefined,
    state: o.state ?? memoryStateStore(),
    integrations: o.integrations,
    nowMs: o.nowMs ?? (() => Date.now()),
  };
}

/** Run an action kind with a hand-built context. */
export function runAction(kind: ActionKind, o: Omit<ContextOptions, "name">): Promise<ActionResult> {
  return kind.run(actionContext({ ...o, name: kind.name }));
}

/** Basic credentials as a header value. */
export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

/** Fails when any secret (or its base64 form in a basic header) appears anywhere in `value`. */
export function secretsAbsent(value: unknown, secrets: readonly string[]): string | undefined {
  const text = JSON.stringify(value);
  return secrets.find((s) => text.includes(s));
}
