import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { isHookbookError } from "../core/errors.js";
import { loadConfig } from "../config/load.js";
import type { ServeRole } from "../config/types.js";
import { formatDiagnostic } from "../rulebook/load.js";
import { loadVarsFile } from "../rulebook/vars.js";
import { loadRulebooks } from "../runtime/load-rulebooks.js";
import { createLogger } from "../runtime/logger.js";
import { runEvents } from "../runtime/run-events.js";
import { runTestFiles } from "../runtime/rulebook-tests/run-test-files.js";
import { startServe } from "../runtime/serve.js";

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

const out = (line: string): void => void process.stdout.write(`${line}\n`);
const err = (line: string): void => void process.stderr.write(`${line}\n`);

/** Entry point of the `hookbook` binary; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command()
    .name("hookbook")
    .description("Event-driven automation rules engine for GPU platforms: webhooks in, ansible-rulebook compatible rules, actions, signed webhooks out.")
    .version(version())
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });

  program
    .command("validate")
    .description("check rulebooks: schema, names, actions, durations, conditions; prints file:line:col diagnostics")
    .argument("<paths...>", "rulebook files or directories")
    .option("--vars <file>", "variables file (YAML/JSON) for vars. in conditions")
    .action(async (paths: string[], opts: { vars?: string }) => {
      const vars = await loadVarsFile(opts.vars);
      const loaded = await loadRulebooks(paths, vars);
      for (const d of loaded.diagnostics) err(formatDiagnostic(d));
      const errors = loaded.diagnostics.filter((d) => d.severity === "error").length;
      const warnings = loaded.diagnostics.length - errors;
      err(`${loaded.files.length} rulebook(s), ${errors} error(s), ${warnings} warning(s)`);
      exitCode = errors > 0 || loaded.files.length === 0 ? 1 : 0;
    });

  program
    .command("run")
    .description("run a rulebook over a JSONL events file without a server; prints one JSON Action record per action on stdout")
    .argument("<rulebook>", "rulebook file")
    .requiredOption("--events <file>", "JSONL events file ('-' for stdin); {\"$advance\": \"5 seconds\"} moves the virtual clock")
    .option("--vars <file>", "variables file (YAML/JSON)")
    .option("--dry-run", "record actions with outside effects (run_command, post, …) instead of executing them", false)
    .option("--evaluator <kind>", "compiled | json-rules-engine", "compiled")
    .action(async (rulebook: string, opts: { events: string; vars?: string; dryRun: boolean; evaluator: string }) => {
      if (opts.evaluator !== "compiled" && opts.evaluator !== "json-rules-engine") {
        err(`--evaluator must be 'compiled' or 'json-rules-engine'`);
        exitCode = 2;
        return;
      }
      exitCode = await runEvents({ rulebook, events: opts.events, ...(opts.vars ? { vars: opts.vars } : {}), dryRun: opts.dryRun, evaluator: opts.evaluator, out, err });
    });

  program
    .command("test")
    .description("run rulebook unit tests (*.test.yml) without a server: virtual clock, dry-run actions; prints ok/not ok per test, a summary and rule coverage")
    .argument("[paths...]", "test files or directories (searched recursively for *.test.yml / *.test.yaml)", ["."])
    .option("--evaluator <kind>", "compiled | json-rules-engine", "compiled")
    .option("--run-external", "run actions with outside effects (run_command, post, …) instead of recording them as dry_run", false)
    .option("--verbose", "also list every test's actions, what they printed, and rulebook warnings", false)
    .action(async (paths: string[], opts: { evaluator: string; runExternal: boolean; verbose: boolean }) => {
      if (opts.evaluator !== "compiled" && opts.evaluator !== "json-rules-engine") {
        err(`--evaluator must be 'compiled' or 'json-rules-engine'`);
        exitCode = 2;
        return;
      }
      const result = await runTestFiles(paths, { evaluator: opts.evaluator, runExternal: opts.runExternal, verbose: opts.verbose, out, err });
      exitCode = result.exitCode;
    });

  program
    .command("serve")
    .description("serve the ingest URL and run the rulebooks (NATS_URL, else an embedded nats-server, else in-memory)")
    .option("--config <file>", "config file (YAML/JSON); default $HOOKBOOK_CONFIG or built-in defaults")
    .option("--port <port>", "listen port (overrides config)")
    .option("--roles <roles>", "parts to run in this process, comma-separated: ingest,engine,runner,delivery (default all)")
    .action(async (opts: { config?: string; port?: string; roles?: string }) => {
      const overrides = {
        ...(opts.port ? { server: { port: Number(opts.port) } } : {}),
        ...(opts.roles ? { roles: opts.roles.split(",").map((r) => r.trim()).filter(Boolean) as ServeRole[] } : {}),
      };
      const config = loadConfig({ ...(opts.config ? { file: opts.config } : {}), overrides });
      const logger = createLogger(config.log.level);
      const handle = await startServe(config, logger);
      await new Promise<void>((resolve) => {
        const shutdown = (signal: string): void => {
          logger.info({ signal }, "shutting down");
          handle.stop().then(resolve, (e: unknown) => {
            logger.error({ err: e }, "shutdown failed");
            resolve();
          });
        };
        process.once("SIGINT", () => shutdown("SIGINT"));
        process.once("SIGTERM", () => shutdown("SIGTERM"));
      });
    });

  try {
    await program.parseAsync(["node", "hookbook", ...argv]);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (isHookbookError(e)) {
      err(`hookbook: ${e.code} ${e.message}`);
      return 2;
    }
    throw e;
  }
  return exitCode;
}
