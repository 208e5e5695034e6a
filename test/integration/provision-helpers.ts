/** Shared by the provision-*.test.ts files: a hand-built ActionContext and a recording HTTP stand-in. */
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { memoryStateStore } from "../../src/actions/memory-state.js";
import type { ActionContext, ActionKind, ActionResult, ActionStateStore } from "../../src/actions/types.js";
import type { ActionIntent } from "../../src/core/intent.js";

export interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
}

export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly contentType?: string;
}

export interface StandIn {
  readonly url: string;
  readonly requests: Recorded[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1:0 recording every request; `handle` answers it. */
export async function startStandIn(handle: (req: Recorded) => Reply | Promise<Reply>): Promise<StandIn> {
  const requests: Recorded[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const u = new URL(req.url ?? "/", "http://x");
      const rec: Recorded = { method: req.method ?? "", path: u.pathname, query: u.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      requests.push(rec);
      Promise.resolve(handle(rec)).then(
        (r) => {
          const text = r.body === undefined ? "" : typeof r.body === "string" ? r.body : JSON.stringify(r.body);
          res.writeHead(r.status, { "content-type": r.contentType ?? "application/json" });
          res.end(text);
        },
        (err: unknown) => {
          res.writeHead(500, { "content-type": "text/plain" });
          res.end(String(err));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function intent(key = `k${Math.random().toString(16).slice(2, 10)}`): ActionIntent {
  return {
    rulebookVersion: "v1",
    ruleset: "gpu",
    rule: "scale",
    ruleIndex: 0,
    matchingEvents: { m: { meta: { uuid: "e1" } } },
    eventIds: ["e1"],
    hosts: ["all"],
    actions: [],
    ruleRunAt: new Date(0).toISOString(),
    key,
  };
}

export interface Harness {
  readonly state: ActionStateStore;
  readonly progress: Record<string, unknown>[];
  /** Virtual clock in ms (drive it by assigning). */
  now: number;
  run(kind: ActionKind, args: Record<string, unknown>, opts?: { intent?: ActionIntent; index?: number; signal?: AbortSignal }): Promise<ActionResult>;
}

/** ActionContext built by hand: memory state, a virtual clock, recorded progress. */
export function harness(integrations: Record<string, Record<string, unknown>>, limits = { commandTimeoutMs: 10_000, httpTimeoutMs: 5_000 }): Harness {
  const h: Harness = {
    state: memoryStateStore(),
    progress: [],
    now: Date.UTC(2025, 0, 1),
    async run(kind, args, opts = {}) {
      const i = opts.intent ?? intent();
      const index = opts.index ?? 0;
      const ctx: ActionContext = {
        intent: i,
        action: { name: kind.name, args, index },
        args,
        templateVars: {},
        signal: opts.signal ?? new AbortController().signal,
        output: { print: () => undefined },
        limits,
        progress: async (d) => void h.progress.push({ ...d }),
        state: h.state,
        integrations,
        nowMs: () => h.now,
      };
      return kind.run(ctx);
    },
  };
  return h;
}

export function json(body: string): unknown {
  return body === "" ? undefined : JSON.parse(body);
}
