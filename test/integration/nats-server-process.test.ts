/**
 * The embedded nats-server's GOMAXPROCS: half the cores (at least one) unless the environment
 * already sets it (config.nats.serverEnv). Read back from the running child's environment
 * (/proc/<pid>/environ, Linux).
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { embeddedNatsProcs, startNatsServer } from "../../src/bus/nats/server-process.js";
import { loadConfig } from "../../src/config/load.js";
import { natsServerBinary } from "../helpers/nats.js";

function goMaxProcsOf(pid: number): string | undefined {
  const vars = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
  return vars.find((v) => v.startsWith("GOMAXPROCS="))?.slice("GOMAXPROCS=".length);
}

async function withServer(env: Readonly<Record<string, string>>, check: (pid: number) => void): Promise<void> {
  const storeDir = await mkdtemp(join(tmpdir(), "hookbook-nats-procs-"));
  const server = await startNatsServer({ storeDir, ...(natsServerBinary ? { binary: natsServerBinary } : {}), env });
  try {
    check(server.pid);
  } finally {
    await server.stop();
    await rm(storeDir, { recursive: true, force: true });
  }
}

describe("embedded nats-server GOMAXPROCS", { skip: natsServerBinary === undefined || !existsSync("/proc/self/environ") ? "needs nats-server and Linux /proc" : false }, () => {
  it("half the cores, at least one", () => {
    assert.deepEqual(
      [1, 2, 3, 4, 8, 64].map((cores) => embeddedNatsProcs(cores)),
      [1, 1, 1, 2, 4, 32],
    );
  });

  it("the server runs with config.nats.serverEnv: hookbook's environment and half the cores", async () => {
    const config = loadConfig({ env: { PATH: "/usr/bin:/bin", HOOKBOOK_TEST_MARK: "x" }, cwd: tmpdir() });
    assert.equal(config.nats.serverEnv.HOOKBOOK_TEST_MARK, "x");
    await withServer(config.nats.serverEnv, (pid) => assert.equal(goMaxProcsOf(pid), String(embeddedNatsProcs(availableParallelism()))));
  });

  it("a GOMAXPROCS in the environment wins (the operator chose it)", async () => {
    const config = loadConfig({ env: { PATH: "/usr/bin:/bin", GOMAXPROCS: "3" }, cwd: tmpdir() });
    assert.equal(config.nats.serverEnv.GOMAXPROCS, "3");
    await withServer(config.nats.serverEnv, (pid) => assert.equal(goMaxProcsOf(pid), "3"));
  });
});
