/**
 * A nats-server per test file: random free port, temporary JetStream store, removed on stop().
 * stopServer()/startServer() take the server down and bring it back on the same port and store
 * ("bus down mid-test").
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NatsServerProcess } from "../../src/bus/nats/server-process.js";
import { findNatsServerBinary, pickFreePort, startNatsServer } from "../../src/bus/nats/server-process.js";

export interface TestNats {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  /** Stop the server and delete the store. */
  stop(): Promise<void>;
  /** Stop the server, keeping port and store. */
  stopServer(): Promise<void>;
  /** Start it again on the same port and store. */
  startServer(): Promise<void>;
  /** stopServer() then startServer(). */
  restart(): Promise<void>;
}

/** The nats-server binary, or undefined: integration tests skip themselves when it is missing. */
export const natsServerBinary: string | undefined = findNatsServerBinary("nats-server", process.env["PATH"]);

export async function startTestNats(): Promise<TestNats> {
  const storeDir = await mkdtemp(join(tmpdir(), "hookbook-nats-"));
  const port = await pickFreePort();
  let server: NatsServerProcess | undefined;
  const startServer = async (): Promise<void> => {
    if (server) return;
    // the port can linger briefly after a stop: retry a few times
    for (let attempt = 0; ; attempt++) {
      try {
        server = await startNatsServer({ storeDir, port, ...(natsServerBinary ? { binary: natsServerBinary } : {}) });
        return;
      } catch (err) {
        if (attempt >= 5) throw err;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  };
  const stopServer = async (): Promise<void> => {
    const s = server;
    server = undefined;
    await s?.stop();
  };
  try {
    await startServer();
  } catch (err) {
    await rm(storeDir, { recursive: true, force: true });
    throw err;
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    startServer,
    stopServer,
    async restart() {
      await stopServer();
      await startServer();
    },
    async stop() {
      await stopServer();
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}
