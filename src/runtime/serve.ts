import { join } from "node:path";
import { kvStateStore } from "../actions/kv-state.js";
import { Registry, collectDefaultMetrics } from "prom-client";
import { ActionRunner } from "../actions/runner.js";
import { defaultActionRegistry } from "../actions/registry.js";
import { encodeJson } from "../bus/port.js";
import type { ConsumerHandle } from "../bus/port.js";
import { STREAM_ACTIONS, STREAM_EVENTS, defaultStreams } from "../bus/streams.js";
import { systemClock } from "../core/clock.js";
import { PauseGate } from "../core/pause-gate.js";
import type { Clock } from "../core/clock.js";
import { eventSubject, subjectToken } from "../core/envelope.js";
import type { EngineCommand } from "../core/command.js";
import type { EventEnvelope } from "../core/envelope.js";
import { HookbookError } from "../core/errors.js";
import { randomIds } from "../core/ids.js";
import type { ActionIntent } from "../core/intent.js";
import { outcomeSubject } from "../core/outcome.js";
import type { HookbookConfig, ServeRole } from "../config/types.js";
import { Engine } from "../engine/engine.js";
import { openIngestMemory } from "../ingest/ingest-memory.js";
import { createIngestServer } from "../ingest/server.js";
import { ingestThreadCount } from "../ingest/prepare-pool.js";
import { readTlsFiles } from "../ingest/tls.js";
import { actionsApiPlugin } from "../api/actions-api.js";
import { adminApiPlugin } from "../api/admin-api.js";
import { startOutbound } from "../outbound/service.js";
import { formatDiagnostic } from "../rulebook/load.js";
import { loadVarsFile } from "../rulebook/vars.js";
import { openBus } from "./bus-mode.js";
import type { BusHandle } from "./bus-mode.js";
import { planIngestSources } from "./ingest-sources.js";
import { lanesFor } from "./lanes.js";
import { loadRulebooks } from "./load-rulebooks.js";
import type { Logger } from "./logger.js";

export interface ServeHandle {
  /** Base URL of the ingest server, e.g. http://127.0.0.1:8080 ("" without the ingest role). */
  readonly url: string;
  readonly busMode: BusHandle["mode"];
  readonly natsUrl: string | undefined;
  readonly sourceNames: readonly string[];
  stop(): Promise<void>;
}

const LEDGER_BUCKET = "hb_action_ledger";
/** Durable state of actions: ticket ids per dedup key, provisioning plans, budget windows. */
const STATE_BUCKET = "hb_action_state";
/** Envelopes carrying an action's engine command back to the engine (source names cannot start with "_"). */
const INTERNAL_SOURCE = "_internal";
const INTERNAL_KIND = "internal";

interface InternalCommand {
  readonly command: EngineCommand;
  readonly ruleset: string;
}
const LEDGER_TTL_MS = 7 * 24 * 3_600_000;
const HEARTBEAT_MS = 10_000;

/**
 * `hookbook serve`: ingest → EVENTS → engine → ACTIONS → runner → OUTCOMES → delivery, every hop
 * a durable stream. Throws HookbookError when the config or a rulebook is invalid.
 */
export async function startServe(config: HookbookConfig, logger: Logger, clock: Clock = systemClock): Promise<ServeHandle> {
  const vars = await loadVarsFile(config.varsFile);
  const loaded = await loadRulebooks(config.rulebooks, vars);
  for (const d of loaded.diagnostics) (d.severity === "error" ? logger.error : logger.warn).call(logger, { code: d.code }, formatDiagnostic(d));
  const errors = loaded.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) {
    throw new HookbookError("HB_ERR_RULEBOOK_SCHEMA", `${errors.length} rulebook error(s); first: ${formatDiagnostic(errors[0]!)}`);
  }
  logger.info({ rulebooks: loaded.files, rulesets: loaded.rulebooks.flatMap((r) => r.rulesets.map((s) => s.name)) }, "rulebooks loaded");

  // Firings of timers (not_all windows, once_after throttles) go to ACTIONS like any other.
  let publishFiring: (intent: ActionIntent) => Promise<void> = async () => undefined;
  const engine = new Engine({
    rulebooks: loaded.rulebooks,
    clock,
    evaluator: config.engine.evaluator,
    warn: (m) => logger.warn({}, m),
    onDeferredFirings: (firings) => {
      for (const f of firings) publishFiring(f).catch((err: unknown) => logger.error({ err, rule: f.rule }, "could not store a timer firing"));
    },
  });
  const declared = [...engine.sourceNames()].map(([name, s]) => ({ name, plugin: s.plugin, args: s.args }));
  const plan = planIngestSources(config.sources, declared, vars, config.server.bodyLimit);
  for (const w of plan.warnings) logger.warn({}, w);

  // One registry for every component: ingest serves it at /metrics.
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const busHandle = await openBus(config, logger);
  const { bus } = busHandle;
  const consumers: ConsumerHandle[] = [];
  const stops: (() => Promise<void>)[] = [];
  try {
    await bus.ensureStreams(defaultStreams());
    const ledger = await bus.kv({ bucket: LEDGER_BUCKET, ttlMs: LEDGER_TTL_MS });

    // OUTCOMES → signed webhooks, one durable consumer per endpoint. Started first: a new
    // endpoint's consumer starts at new outcomes, so it must exist before anything runs.
    const has = (role: ServeRole): boolean => config.roles.includes(role);
    const outbound = !has("delivery")
      ? undefined
      : await startOutbound({
      bus,
      logger,
      clock,
      staticEndpoints: config.outbound.endpoints,
      retry: config.outbound.retry,
      ssrf: config.outbound.ssrf,
      disableAfterMs: config.outbound.disableAfterMs,
      rotationGraceMs: config.outbound.rotationGraceMs,
      reconcileIntervalMs: config.outbound.reconcileIntervalMs,
      breaker: config.outbound.breaker,
      deliveryMaxBytes: config.outbound.deliveryMaxBytes,
      ...(config.outbound.proxy === undefined ? {} : { proxy: config.outbound.proxy }),
      // Credentials of API subscriptions are sealed in KV; without a configured key one is kept in the data directory.
      secretKeys: {
        ...(config.outbound.secretKey === undefined ? {} : { current: config.outbound.secretKey }),
        previous: config.outbound.secretKeys,
        ...(busHandle.mode === "memory" ? {} : { keyFile: join(config.dataDir, "outbound-secret.key") }),
      },
      metricsRegistry: metrics,
    });
    if (outbound) stops.push(() => outbound.stop());

    publishFiring = async (intent) => {
      await bus.publish(`actions.${subjectToken(intent.ruleset)}`, encodeJson(intent), { msgId: intent.key });
      logger.info({ ruleset: intent.ruleset, rule: intent.rule, eventIds: intent.eventIds, firing: intent.key }, "rule fired");
    };

    // EVENTS → engine → ACTIONS. An event is acked only after its firings are stored.
    if (has("engine")) consumers.push(
      await bus.consume({ stream: STREAM_EVENTS, durable: "engine", filterSubjects: ["events.>"], ackWaitMs: 60_000, maxAckPending: 1 }, async (d) => {
        const envelope = d.json<EventEnvelope>();
        const firings =
          envelope.kind === INTERNAL_KIND
            ? await engine.apply((envelope.data as unknown as InternalCommand).command, (envelope.data as unknown as InternalCommand).ruleset)
            : await engine.process({ data: envelope.data, source: envelope.source, uuid: envelope.id, receivedAt: Date.parse(envelope.receivedAt) || clock.now() });
        for (const intent of firings) await publishFiring(intent);
      }),
    );

    // ACTIONS → runner → OUTCOMES. The ledger makes a redelivered intent run nothing twice.
    const lanes = lanesFor(loaded.rulebooks);
    const pause = new PauseGate(config.actions.paused);
    const runner = new ActionRunner({
      lanes,
      registry: defaultActionRegistry(),
      vars,
      clock,
      ids: randomIds,
      output: { print: (text) => logger.info({ output: text }, "action output") },
      logger,
      limits: { commandTimeoutMs: config.actions.commandTimeoutMs, httpTimeoutMs: config.actions.httpTimeoutMs },
      dryRun: config.actions.dryRun,
      integrations: config.integrations,
      state: kvStateStore(await bus.kv({ bucket: STATE_BUCKET })),
      ledger,
      emitOutcome: async (outcome, msgId) => {
        await bus.publish(outcomeSubject(outcome.type), encodeJson(outcome), { msgId });
      },
      // post_event / set_fact / retract_fact go back through EVENTS, so the engine applies them in order.
      emitCommands: async (commands, actionKey) => {
        for (const [i, command] of commands.entries()) {
          if (command.kind === "shutdown") {
            logger.warn({ actionKey, message: command.message }, "shutdown action ignored: hookbook serve keeps running (stop it with SIGTERM)");
            continue;
          }
          const now = new Date(clock.now()).toISOString();
          const id = `${actionKey}-cmd-${i}`;
          const envelope: EventEnvelope = { id, source: INTERNAL_SOURCE, kind: INTERNAL_KIND, type: `internal.${command.kind}`, time: now, receivedAt: now, dedupKey: id, data: { command, ruleset: command.ruleset } as unknown as Record<string, unknown> };
          await bus.publish(eventSubject(INTERNAL_SOURCE, envelope.type), encodeJson(envelope), { msgId: id });
        }
      },
    });
    if (has("runner")) consumers.push(
      await bus.consume(
        // Up to 32 intents in flight; the lanes keep a sequential ruleset's firings in order.
        { stream: STREAM_ACTIONS, durable: "runner", filterSubjects: ["actions.>"], ackWaitMs: 60_000, maxAckPending: 32, maxDeliver: 10 },
        async (d) => {
          const intent = d.json<ActionIntent>();
          const beat = setInterval(() => d.working(), HEARTBEAT_MS);
          try {
            if (pause.isPaused) logger.info({ ruleset: intent.ruleset, rule: intent.rule }, "actions paused: firing waits");
            await pause.wait();
            const records = await lanes.run(intent.ruleset, () => runner.run(intent));
            for (const record of records) logger.info({ audit: record }, `action ${record.ruleset}::${record.rule}::${record.action} ${record.status}`);
          } finally {
            clearInterval(beat);
          }
        },
      ),
    );

    let address = "";
    if (has("ingest")) {
      const tls = config.server.tls === undefined ? {} : { tls: readTlsFiles(config.server.tls) };
      const memory = await openIngestMemory(bus);
      stops.push(async () => memory.close());
      const app = createIngestServer({
        sources: plan.sources,
        bus,
        bodyLimit: config.server.bodyLimit,
        maxItemsPerRequest: config.server.maxItemsPerRequest,
        maxHeaderSize: config.server.maxHeaderSize,
        threads: ingestThreadCount(config.server.ingestThreads),
        metrics: { registry: metrics },
        logger,
        memory,
        ...tls,
      });
      if (config.api.token) {
        if (outbound) await app.register(adminApiPlugin, { outbound, adminToken: config.api.token });
        if (has("runner")) await app.register(actionsApiPlugin, { gate: pause, adminToken: config.api.token });
      } else {
        logger.info({}, "admin API not mounted: set api.token (or HOOKBOOK_API_TOKEN) to manage webhooks and pause actions over HTTP");
      }
      address = await app.listen({ host: config.server.host, port: config.server.port });
      stops.push(() => app.close());
    }
    // The web UI comes with the admin API (adminApiPlugin mounts it at /ui/).
    const ui = address !== "" && config.api.token && outbound ? `${address}/ui/` : undefined;
    logger.info({ url: address || undefined, ui, roles: config.roles, sources: has("ingest") ? plan.sources.map((s) => `/hooks/${s.name}`) : [], bus: busHandle.mode }, "hookbook serving");
    // stdout is buffered (runtime/logger.ts): the startup lines go out now, not within the second
    logger.flush();

    let stopped = false;
    return {
      url: address,
      busMode: busHandle.mode,
      natsUrl: busHandle.natsUrl,
      sourceNames: plan.sources.map((s) => s.name),
      async stop() {
        if (stopped) return;
        stopped = true;
        for (const s of stops.reverse()) await s().catch((err: unknown) => logger.warn({ err }, "stop failed"));
        for (const c of consumers) await c.stop().catch((err: unknown) => logger.warn({ err }, "consumer stop failed"));
        await busHandle.stop();
      },
    };
  } catch (err) {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    for (const c of consumers) await c.stop().catch(() => undefined);
    await busHandle.stop();
    throw err;
  }
}
