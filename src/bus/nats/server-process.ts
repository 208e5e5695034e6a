/**
 * Run a `nats-server -js` child process: the runtime's embedded mode (DESIGN.md §4) and the
 * per-file server of the integration tests. Does not import @nats-io.
 */
import { spawn } from "node:child_process";
import { accessSync, constants, readFileSync } from "node:fs";
import { createServer, connect as tcpConnect } from "node:net";
import { availableParallelism } from "node:os";
import { delimiter, isAbsolute, join } from "node:path";
import { HookbookError } from "../../core/errors.js";

export interface NatsServerOptions {
  /** Binary name or path; default: found on PATH, /usr/sbin or /usr/local/bin. */
  readonly binary?: string;
  /** JetStream store directory (-sd). */
  readonly storeDir: string;
  /** Listen address; default 127.0.0.1. */
  readonly host?: string;
  /** Client port; default a free port. */
  readonly port?: number;
  /** Server log file (-l); default the log is kept in memory for error reports. */
  readonly logFile?: string;
  /** How long to wait for the server to accept connections; default 10 s. */
  readonly startTimeoutMs?: number;
  /** The server's whole environment; default hookbook's own (config.nats.serverEnv sets GOMAXPROCS). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface NatsServerProcess {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process exited. */
  stop(): Promise<void>;
}

const EXTRA_DIRS = ["/usr/sbin", "/usr/local/bin", "/usr/bin", "/usr/local/sbin"];
const TAIL_BYTES = 4096;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Path of the nats-server binary, or undefined when it is not installed. Looks in the dirs of
 * `searchPath` (a PATH string; config.nats.searchPath, read by loadConfig) and then in the usual
 * sbin/bin dirs. A name with a "/" is taken as a path.
 */
export function findNatsServerBinary(binary = "nats-server", searchPath?: string): string | undefined {
  if (binary.includes("/")) return isExecutable(binary) ? binary : undefined;
  const dirs = [...(searchPath ?? "").split(delimiter).filter((d) => isAbsolute(d)), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, binary);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** A TCP port that was free a moment ago (bound and released on `host`). */
export function pickFreePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error("no free port"))));
    });
  });
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * GOMAXPROCS of an embedded nats-server (the cores its Go runtime schedules on): half the
 * machine's, at least one. It shares the machine with hookbook, which is busiest exactly when
 * nats-server is (ingest publishing); with a Go P per core its idle threads spin looking for work
 * on cores the HTTP and preparation threads need. bench:ingest on 2 cores against a server with
 * Go's default: nats-server CPU per request 20–25 % lower; durable throughput +6 % in alternating
 * rounds, within the bench's noise in runs minutes apart.
 */
export function embeddedNatsProcs(cores = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / 2));
}

/** Spawn `nats-server -js -a <host> -p <port> -sd <storeDir>` and wait until it accepts clients. */
export async function startNatsServer(opts: NatsServerOptions): Promise<NatsServerProcess> {
  const binary = findNatsServerBinary(opts.binary ?? "nats-server");
  if (!binary) {
    throw new HookbookError("HB_ERR_NATS_SERVER_START", `nats-server binary "${opts.binary ?? "nats-server"}" not found`, {
      hint: "install nats-server or set NATS_URL",
    });
  }
  const host = opts.host ?? "127.0.0.1";
  const port = opts.port ?? (await pickFreePort(host));
  const args = ["-js", "-a", host, "-p", String(port), "-sd", opts.storeDir];
  if (opts.logFile) args.push("-l", opts.logFile);
  const child = spawn(binary, args, { stdio: ["ignore", "ignore", "pipe"], ...(opts.env === undefined ? {} : { env: opts.env }) });

  let tail = "";
  let readyLine = false;
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    tail = (tail + chunk).slice(-TAIL_BYTES);
    if (chunk.includes("Server is ready")) readyLine = true;
  });
  let exited = child.exitCode !== null;
  let spawnError: Error | undefined;
  const exit = new Promise<void>((resolve) => {
    child.once("exit", () => {
      exited = true;
      resolve();
    });
    child.once("error", (err) => {
      spawnError = err;
      exited = true;
      resolve();
    });
  });

  // never leave an orphan holding the store when this process exits without stop()
  const killOnExit = (): void => {
    if (!exited) child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);
  void exit.then(() => process.removeListener("exit", killOnExit));

  const stop = async (): Promise<void> => {
    if (exited) return;
    child.kill("SIGTERM");
    const killTimer = setTimeout(() => {
      if (!exited) child.kill("SIGKILL");
    }, 5000);
    await exit;
    clearTimeout(killTimer);
  };

  const failure = (why: string): HookbookError => {
    let log = tail;
    if (opts.logFile) {
      try {
        log = readFileSync(opts.logFile, "utf8").slice(-TAIL_BYTES);
      } catch {
        // no log file yet
      }
    }
    return new HookbookError("HB_ERR_NATS_SERVER_START", `nats-server on ${host}:${port} ${why}${log ? `:\n${log.trim()}` : ""}`, {
      cause: spawnError,
    });
  };

  const deadline = Date.now() + (opts.startTimeoutMs ?? 10_000);
  for (;;) {
    if (exited) throw failure(spawnError ? `could not be spawned (${spawnError.message})` : `exited with code ${child.exitCode ?? "?"}`);
    if (readyLine || (await canConnect(host, port))) {
      await sleep(20);
      if (!exited) break;
      continue;
    }
    if (Date.now() > deadline) {
      await stop();
      throw failure("did not become ready in time");
    }
    await sleep(50);
  }

  return { url: `nats://${host}:${port}`, port, pid: child.pid ?? -1, stop };
}
