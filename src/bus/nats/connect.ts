/** Connect the Bus to a NATS server (DESIGN.md §4 `NATS_URL` and embedded modes). */
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { connect } from "@nats-io/transport-node";
import type { Bus } from "../port.js";
import { createNatsBus } from "./nats-bus.js";
import type { BusLogger } from "./nats-errors.js";
import { consoleBusLogger, unavailable } from "./nats-errors.js";
import { PubAckPipeline } from "./pub-ack-pipeline.js";

export interface NatsBusOptions {
  readonly url: string;
  /** Client name shown by the server (connz). */
  readonly name?: string;
  readonly logger?: BusLogger;
  /** PubAck wait per publish; default 3 s. */
  readonly publishTimeoutMs?: number;
  /** JetStream API request timeout; default 5 s. */
  readonly apiTimeoutMs?: number;
  /** First connect timeout; default 5 s. */
  readonly connectTimeoutMs?: number;
}

const DRAIN_TIMEOUT_MS = 5000;

async function drainOrClose(nc: NatsConnection): Promise<void> {
  if (nc.isClosed()) return;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), DRAIN_TIMEOUT_MS);
  });
  try {
    const r = await Promise.race([nc.drain().then(() => "drained" as const), timedOut]);
    if (r === "timeout") await nc.close();
  } catch {
    if (!nc.isClosed()) await nc.close().catch(() => undefined);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Connect to NATS and return the Bus. Reconnects forever (a restarted server is picked up);
 * while disconnected, publish fails fast with HB_ERR_BUS_UNAVAILABLE. The first connect must
 * succeed: it throws HB_ERR_BUS_UNAVAILABLE when the server is unreachable or has no JetStream.
 */
export async function connectNatsBus(opts: NatsBusOptions): Promise<Bus> {
  const logger = opts.logger ?? consoleBusLogger;
  const apiTimeoutMs = opts.apiTimeoutMs ?? 5000;
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: opts.url,
      name: opts.name ?? "hookbook",
      noAsyncTraces: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      timeout: opts.connectTimeoutMs ?? 5000,
    });
  } catch (err) {
    throw unavailable(`cannot connect to NATS at ${opts.url}`, err);
  }
  let connected = true;
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === "disconnect") {
        connected = false;
        logger.warn({ server: s.server }, "NATS disconnected; reconnecting");
      } else if (s.type === "reconnect") {
        connected = true;
        logger.warn({ server: s.server }, "NATS reconnected");
      }
    }
  })().catch(() => undefined);

  try {
    const jsm = await jetstreamManager(nc, { timeout: apiTimeoutMs });
    const js = jetstream(nc, { timeout: apiTimeoutMs });
    return createNatsBus(
      {
        nc,
        js,
        jsm,
        publisher: new PubAckPipeline(nc),
        logger,
        isConnected: () => connected && !nc.isClosed(),
        publishTimeoutMs: opts.publishTimeoutMs ?? 3000,
        healthTimeoutMs: 2000,
      },
      () => drainOrClose(nc),
    );
  } catch (err) {
    await nc.close().catch(() => undefined);
    throw unavailable(`NATS at ${opts.url} has no JetStream (start nats-server with -js)`, err);
  }
}
