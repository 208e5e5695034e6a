// Shared pieces of the end-to-end tests that run the built `hookbook serve`.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import { join, resolve } from "node:path";

export const repoRoot = resolve(import.meta.dirname, "../..");

/** Poll until `check` gives something other than undefined/false; the error carries `context()`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false, context: () => string = () => "", timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${context().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface ReceivedHook {
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** A local webhook receiver on 127.0.0.1 that records every request and answers 204. */
export async function startReceiver(): Promise<{ url: string; received: ReceivedHook[]; close(): Promise<void> }> {
  const received: ReceivedHook[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])), body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/hook`, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export interface ServeProcess {
  readonly child: ChildProcess;
  /** Everything the process wrote so far (stdout and stderr). */
  log(): string;
  stop(): Promise<void>;
}

/** Run `node bin/hookbook.js serve …args` (the built binary) and collect its output. */
export function spawnServe(args: readonly string[], opts: { cwd: string; env: Record<string, string> }): ServeProcess {
  let log = "";
  const child = spawn(process.execPath, [join(repoRoot, "bin/hookbook.js"), "serve", ...args], { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.on("data", (d: Buffer) => (log += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (log += d.toString()));
  return {
    child,
    log: () => log,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    },
  };
}
