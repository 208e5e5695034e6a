import { execa } from "execa";
import { timeoutMs, truncate } from "./timeout-arg.js";
import type { ActionKind } from "./types.js";

const DEFAULT_MAX_OUTPUT = 65_536;

/**
 * `run_command`: runs a program with an argv array through execa — never a shell, so event data
 * in arguments is passed as literal bytes. The exit code decides success.
 */
export const runCommandAction: ActionKind = {
  name: "run_command",
  external: true,
  async run(ctx) {
    const { args } = ctx;
    const command = String(args.command);
    const argv = Array.isArray(args.args) ? args.args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))) : [];
    const env = args.env && typeof args.env === "object" ? Object.fromEntries(Object.entries(args.env).map(([k, v]) => [k, String(v)])) : undefined;
    const max = typeof args.max_output === "number" ? args.max_output : DEFAULT_MAX_OUTPUT;
    const limit = timeoutMs(args.timeout, ctx.limits.commandTimeoutMs);
    const started = Date.now();
    const result = await execa(command, argv, {
      shell: false,
      reject: false,
      stdin: "ignore",
      timeout: limit,
      cancelSignal: ctx.signal,
      forceKillAfterDelay: 5_000,
      maxBuffer: 16 * 1024 * 1024,
      ...(env ? { env } : {}),
      ...(typeof args.cwd === "string" ? { cwd: args.cwd } : {}),
    });
    const data = {
      command,
      args: argv,
      exit_code: result.exitCode ?? null,
      signal: result.signal ?? null,
      stdout: truncate(String(result.stdout ?? ""), max),
      stderr: truncate(String(result.stderr ?? ""), max),
      duration_ms: Date.now() - started,
    };
    if (result.timedOut) {
      return { ok: false, timedOut: true, code: "HB_ERR_ACTION_TIMEOUT", message: `${command} timed out after ${limit} ms`, data };
    }
    if (result.failed && result.exitCode === undefined) {
      const notFound = (result.cause as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
      return {
        ok: false,
        code: notFound ? "HB_ERR_COMMAND_NOT_FOUND" : "HB_ERR_ACTION_FAILED",
        message: notFound ? `command not found: ${command}` : (result.shortMessage ?? `${command} failed`),
        data,
      };
    }
    if (result.exitCode !== 0) {
      return { ok: false, code: "HB_ERR_ACTION_FAILED", message: `${command} exited with code ${result.exitCode}`, data };
    }
    return { ok: true, data };
  },
};
