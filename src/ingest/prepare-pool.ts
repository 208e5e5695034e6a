/**
 * Where requests are prepared (./prepare.ts): in the HTTP thread (`inlinePreparer`), or in a pool
 * of worker threads (`ThreadPreparer`) so that authentication, JSON parsing, normalizing and
 * encoding — most of a request's CPU — run beside the event loop that reads requests, publishes
 * and answers. The requests of one event-loop turn go to the thread with the fewest in flight,
 * in one message; the answers come back in one message per batch. Both travel packed
 * (./prepare-wire.ts): the bodies, or the encoded envelopes, in one buffer moved across.
 *
 * A thread takes work only once it has said it is ready (its modules loaded), so a starting
 * thread never holds requests up. A thread that crashes, or does not answer a batch within
 * `stallTimeoutMs` (a pathological input), is replaced: its requests are answered 500
 * HB_ERR_INTERNAL (senders retry) and nothing of them was stored. While no thread is ready,
 * requests are prepared inline.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { WorkerOptions } from "node:worker_threads";
import type { Clock } from "../core/clock.js";
import { HookbookError } from "../core/errors.js";
import type { AuthContext } from "../sources/auth.js";
import type { AuthFetchOptions } from "./auth-context.js";
import type { PrepareInput, PrepareLimits, PreparedEvent } from "./prepare.js";
import { deserializeError, prepareEvents } from "./prepare.js";
import { packJobs, unpackOutcomes } from "./prepare-wire.js";
import type { Job, OutcomeBatch } from "./prepare-wire.js";
import type { IngestSource, IngestSourceConfig } from "./source-set.js";

export interface Preparer {
  prepare(source: IngestSource, req: PrepareInput): PreparedEvent[] | Promise<PreparedEvent[]>;
  /** Preparation threads ready for work (0: requests are prepared in the HTTP thread). */
  readonly threads: number;
  /** Resolves once every thread is ready, or after timeoutMs (requests are prepared inline meanwhile). */
  whenReady(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/** `server.ingestThreads`: "auto" is one thread per core beyond the first (the HTTP thread's), at most 4. */
export function ingestThreadCount(setting: number | "auto"): number {
  return setting === "auto" ? Math.min(4, Math.max(0, availableParallelism() - 1)) : Math.max(0, Math.floor(setting));
}

export function inlinePreparer(ctx: AuthContext, limits: PrepareLimits): Preparer {
  return {
    threads: 0,
    whenReady: async () => undefined,
    prepare: (source, req) => prepareEvents(source, req, ctx, limits),
    close: async () => undefined,
  };
}

/** What a preparation thread is started with (workerData). */
export interface PrepareThreadData {
  readonly sources: readonly IngestSourceConfig[];
  readonly bodyLimit: number;
  readonly limits: PrepareLimits;
  /** The default auth context's fetch settings. */
  readonly authFetch?: AuthFetchOptions;
}

/** What a thread posts once, when it is ready for work; every other message is an OutcomeBatch (./prepare-wire.ts). */
export const THREAD_READY = "ready";

export interface ThreadPreparerOptions extends PrepareThreadData {
  readonly threads: number;
  readonly clock: Clock;
  /** Prepares while no thread runs. */
  readonly fallback: Preparer;
  readonly logger?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  /** A thread with requests in flight and no answer for this long is replaced (default 30 s). */
  readonly stallTimeoutMs?: number;
  /** Starts a thread (default: ./prepare-worker). Tests pass their own to provoke crashes. */
  readonly spawn?: (data: PrepareThreadData) => Worker;
}

interface Waiting {
  readonly resolve: (events: PreparedEvent[]) => void;
  readonly reject: (err: Error) => void;
}

interface Queued {
  readonly source: IngestSource;
  readonly req: PrepareInput;
  readonly nowMs: number;
  readonly waiting: Waiting;
}

interface Slot {
  worker: Worker | undefined;
  /** The worker has posted THREAD_READY: work may be handed to it. */
  ready: boolean;
  readonly waiting: Map<number, Waiting>;
  /** Last answer, or when work was handed to an idle thread. */
  progressAt: number;
  /** Consecutive crashes: the restart delay doubles with each. */
  crashes: number;
}

/** A thread running a TypeScript module (`entry`: its URL) through tsx: the sources as tests and benches run them. */
export function tsxThread(entry: string, options: WorkerOptions = {}): Worker {
  const boot = `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { ...options, eval: true });
}

/** The thread entry, from the compiled JS or, when running from the TypeScript sources (tests, benches), through tsx. */
export function spawnPrepareThread(data: PrepareThreadData): Worker {
  const here = import.meta.url;
  if (here.endsWith(".ts")) return tsxThread(new URL("./prepare-worker.ts", here).href, { workerData: data });
  return new Worker(new URL("./prepare-worker.js", here), { workerData: data });
}

export class ThreadPreparer implements Preparer {
  private readonly slots: Slot[];
  private readonly data: PrepareThreadData;
  private readonly stallTimeoutMs: number;
  private readonly spawn: (data: PrepareThreadData) => Worker;
  private readonly watchdog: ReturnType<typeof setInterval>;
  private queue: Queued[] = [];
  private readonly readyWaiters: (() => void)[] = [];
  private flushScheduled = false;
  private nextId = 0;
  private closed = false;

  constructor(private readonly opts: ThreadPreparerOptions) {
    this.data = { sources: opts.sources, bodyLimit: opts.bodyLimit, limits: opts.limits, ...(opts.authFetch === undefined ? {} : { authFetch: opts.authFetch }) };
    this.stallTimeoutMs = opts.stallTimeoutMs ?? 30_000;
    this.spawn = opts.spawn ?? spawnPrepareThread;
    this.slots = Array.from({ length: Math.max(1, opts.threads) }, () => ({ worker: undefined, ready: false, waiting: new Map(), progressAt: Date.now(), crashes: 0 }));
    for (const slot of this.slots) this.start(slot);
    this.watchdog = setInterval(() => this.checkStalls(), Math.min(1000, Math.max(10, this.stallTimeoutMs / 4)));
    this.watchdog.unref();
  }

  get threads(): number {
    return this.slots.filter((s) => s.ready).length;
  }

  whenReady(timeoutMs: number): Promise<void> {
    if (this.closed || this.slots.every((s) => s.ready)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      // not unref'd: whoever awaits this holds the process up to timeoutMs, while a thread restarts
      const timer = setTimeout(done, timeoutMs);
      const waiters = this.readyWaiters;
      function done(): void {
        clearTimeout(timer);
        const i = waiters.indexOf(done);
        if (i >= 0) waiters.splice(i, 1);
        resolve();
      }
      waiters.push(done);
    });
  }

  private notifyReady(): void {
    if (!this.closed && !this.slots.every((s) => s.ready)) return;
    for (const done of [...this.readyWaiters]) done();
  }

  prepare(source: IngestSource, req: PrepareInput): PreparedEvent[] | Promise<PreparedEvent[]> {
    if (this.closed || !this.slots.some((s) => s.ready)) return this.opts.fallback.prepare(source, req);
    const nowMs = this.opts.clock.now();
    return new Promise<PreparedEvent[]>((resolve, reject) => {
      this.queue.push({ source, req, nowMs, waiting: { resolve, reject } });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(this.flush);
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.watchdog);
    this.notifyReady();
    const queued = this.queue;
    this.queue = [];
    for (const q of queued) this.prepareInline(q);
    await Promise.all(
      this.slots.map(async (slot) => {
        const worker = slot.worker;
        slot.worker = undefined;
        slot.ready = false;
        this.failAll(slot, new HookbookError("HB_ERR_BUS_CLOSED", "ingest is shutting down; retry later"));
        await worker?.terminate();
      }),
    );
  }

  /** Hands this turn's requests to the running thread with the fewest in flight. */
  private readonly flush = (): void => {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    let target: Slot | undefined;
    for (const slot of this.slots) {
      if (slot.ready && (target === undefined || slot.waiting.size < target.waiting.size)) target = slot;
    }
    if (target?.worker === undefined) {
      // every ready thread stopped since these were queued: prepare them here
      for (const q of batch) this.prepareInline(q);
      return;
    }
    if (target.waiting.size === 0) target.progressAt = Date.now();
    const jobs: Job[] = [];
    for (const q of batch) {
      const id = this.nextId++;
      jobs.push({ id, source: q.source.name, req: q.req, nowMs: q.nowMs });
      target.waiting.set(id, q.waiting);
    }
    const packed = packJobs(jobs);
    target.worker.postMessage(packed, [packed.bodies]);
  };

  private prepareInline(q: Queued): void {
    try {
      const out = this.opts.fallback.prepare(q.source, q.req);
      if (Array.isArray(out)) q.waiting.resolve(out);
      else out.then(q.waiting.resolve, q.waiting.reject);
    } catch (err) {
      q.waiting.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private start(slot: Slot): void {
    if (this.closed) return;
    const worker = this.spawn(this.data);
    slot.worker = worker;
    slot.ready = false;
    const settle = (id: number): Waiting | undefined => {
      const waiting = slot.waiting.get(id);
      slot.waiting.delete(id);
      return waiting;
    };
    worker.on("message", (outcomes: OutcomeBatch | typeof THREAD_READY) => {
      slot.progressAt = Date.now();
      if (outcomes === THREAD_READY) {
        slot.ready = slot.worker === worker;
        this.notifyReady();
        return;
      }
      slot.crashes = 0;
      unpackOutcomes(
        outcomes,
        (id, events) => settle(id)?.resolve(events),
        (id, error) => settle(id)?.reject(deserializeError(error)),
      );
    });
    worker.on("error", (err) => this.opts.logger?.error({ err }, "ingest preparation thread failed"));
    worker.on("exit", (code) => this.retire(slot, worker, { code }, "ingest preparation thread exited"));
  }

  /** Takes a stopped or stalled thread out of service: its requests fail, a new one starts after a backoff. */
  private retire(slot: Slot, worker: Worker, details: object, message: string): void {
    if (slot.worker !== worker) return;
    slot.worker = undefined;
    slot.ready = false;
    this.failAll(slot, new HookbookError("HB_ERR_INTERNAL", "the request could not be prepared (preparation thread stopped); retry"));
    void worker.terminate();
    if (this.closed) return;
    slot.crashes++;
    const delay = Math.min(5000, 100 * 2 ** (slot.crashes - 1));
    this.opts.logger?.warn({ ...details, restartInMs: delay }, `${message}; requests are prepared in the HTTP thread until a new one runs`);
    setTimeout(() => this.start(slot), delay).unref();
  }

  private failAll(slot: Slot, err: Error): void {
    const waiting = [...slot.waiting.values()];
    slot.waiting.clear();
    for (const w of waiting) w.reject(err);
  }

  private checkStalls(): void {
    const now = Date.now();
    for (const slot of this.slots) {
      if (!slot.ready || slot.worker === undefined || slot.waiting.size === 0 || now - slot.progressAt < this.stallTimeoutMs) continue;
      this.retire(slot, slot.worker, { inFlight: slot.waiting.size, stalledMs: now - slot.progressAt }, "ingest preparation thread stopped answering");
    }
  }
}
