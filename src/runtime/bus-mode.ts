import { join } from "node:path";
import { mkdir } from "node:fs/promises";
import { createMemoryBus } from "../bus/memory.js";
import { connectNatsBus } from "../bus/nats/connect.js";
import { findNatsServerBinary, startNatsServer } from "../bus/nats/server-process.js";
import type { NatsServerProcess } from "../bus/nats/server-process.js";
import type { Bus } from "../bus/port.js";
import type { HookbookConfig } from "../config/types.js";
import type { Logger } from "./logger.js";

export interface BusHandle {
  readonly bus: Bus;
  readonly mode: "nats-url" | "embedded" | "memory";
  readonly natsUrl?: string;
  stop(): Promise<void>;
}

/**
 * DESIGN.md §4: NATS_URL → that server; else an embedded `nats-server -js` child with its store
 * under the data directory; else the in-memory bus with one loud warning.
 */
export async function openBus(config: HookbookConfig, logger: Logger): Promise<BusHandle> {
  const busLogger = { warn: (o: object, m?: string) => logger.warn(o, m), error: (o: object, m?: string) => logger.error(o, m) };
  if (config.nats.url) {
    const bus = await connectNatsBus({ url: config.nats.url, logger: busLogger });
    logger.info({ nats: config.nats.url }, "connected to NATS");
    return { bus, mode: "nats-url", natsUrl: config.nats.url, stop: () => bus.close() };
  }
  const binary = config.nats.embedded ? findNatsServerBinary(config.nats.binary, config.nats.searchPath) : undefined;
  if (binary) {
    const storeDir = join(config.dataDir, "nats");
    await mkdir(storeDir, { recursive: true });
    const server: NatsServerProcess = await startNatsServer({ binary, storeDir, logFile: join(config.dataDir, "nats-server.log"), env: config.nats.serverEnv });
    try {
      const bus = await connectNatsBus({ url: server.url, logger: busLogger });
      logger.info({ nats: server.url, storeDir, pid: server.pid }, "started embedded nats-server with JetStream");
      return {
        bus,
        mode: "embedded",
        natsUrl: server.url,
        stop: async () => {
          await bus.close();
          await server.stop();
        },
      };
    } catch (err) {
      await server.stop();
      throw err;
    }
  }
  logger.warn(
    { nats: "none" },
    "NOTHING IS DURABLE: no NATS_URL and no nats-server binary found, running on the in-memory bus. Events, actions and outcomes are lost on exit. Install nats-server or set NATS_URL.",
  );
  const bus = createMemoryBus();
  return { bus, mode: "memory", stop: () => bus.close() };
}
