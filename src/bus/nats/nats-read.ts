/**
 * Consumer-less reads and consumer deletion on JetStream: `Bus.readMessages` walks a stream
 * with a short-lived ephemeral consumer (AckPolicy none, memory storage, removed afterwards),
 * `Bus.deleteConsumer` removes a durable.
 */
import type { ConsumerConfig, JetStreamClient, JetStreamManager, JsMsg } from "@nats-io/jetstream";
import { AckPolicy, DeliverPolicy, ReplayPolicy, RetentionPolicy } from "@nats-io/jetstream";
import { nanos } from "@nats-io/transport-node";
import { HookbookError } from "../../core/errors.js";
import type { ReadOptions, StoredMessage } from "../port.js";
import { isConsumerNotFound, isStreamNotFound, toBusError } from "./nats-errors.js";

export interface ReadLink {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
}

const BATCH = 256;
const FETCH_EXPIRES_MS = 2000;
const INACTIVE_THRESHOLD_MS = 60_000;

function headersOf(m: JsMsg): Record<string, string> {
  const out: Record<string, string> = {};
  if (!m.headers) return out;
  for (const [k, v] of m.headers) if (v[0] !== undefined) out[k] = v[0];
  return out;
}

function stored(m: JsMsg): StoredMessage {
  return {
    subject: m.subject,
    seq: m.seq,
    data: new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength),
    headers: headersOf(m),
    storedAt: Number(m.timestampNanos / 1_000_000n),
  };
}

function readerConfig(opts: ReadOptions): Partial<ConsumerConfig> {
  const cfg: Partial<ConsumerConfig> = {
    ack_policy: AckPolicy.None,
    replay_policy: ReplayPolicy.Instant,
    mem_storage: true,
    num_replicas: 1,
    inactive_threshold: nanos(INACTIVE_THRESHOLD_MS),
  };
  if (opts.subject !== undefined) cfg.filter_subject = opts.subject;
  if (opts.startSeq !== undefined && opts.startSeq > 1) {
    cfg.deliver_policy = DeliverPolicy.StartSequence;
    cfg.opt_start_seq = Math.floor(opts.startSeq);
  } else if (opts.startTimeMs !== undefined) {
    cfg.deliver_policy = DeliverPolicy.StartTime;
    cfg.opt_start_time = new Date(Math.max(0, opts.startTimeMs)).toISOString();
  } else {
    cfg.deliver_policy = DeliverPolicy.All;
  }
  return cfg;
}

export async function* readNatsMessages(link: ReadLink, stream: string, opts: ReadOptions = {}): AsyncIterable<StoredMessage> {
  let last: number;
  try {
    const info = await link.jsm.streams.info(stream);
    if (info.config.retention === RetentionPolicy.Workqueue) {
      throw new HookbookError("HB_ERR_CONFIG_INVALID", `stream ${stream} is a work queue: JetStream cannot read it without consuming (use countMessages)`);
    }
    if (info.state.messages === 0) return;
    last = info.state.last_seq;
    if (opts.startSeq !== undefined && opts.startSeq > last) return;
  } catch (err) {
    if (err instanceof HookbookError) throw err;
    if (isStreamNotFound(err)) throw new HookbookError("HB_ERR_CONFIG_INVALID", `stream ${stream} does not exist`, { cause: err });
    throw toBusError(`read ${stream}`, err);
  }
  let name: string;
  try {
    name = (await link.jsm.consumers.add(stream, readerConfig(opts))).name;
  } catch (err) {
    throw toBusError(`read ${stream}`, err);
  }
  try {
    const consumer = await link.js.consumers.get(stream, name);
    if ((await consumer.info()).num_pending === 0) return;
    for (;;) {
      const batch = await consumer.fetch({ max_messages: BATCH, expires: FETCH_EXPIRES_MS });
      let got = 0;
      let done = false;
      for await (const m of batch) {
        got++;
        if (m.seq > last) {
          done = true;
          break;
        }
        if (opts.startTimeMs === undefined || Number(m.timestampNanos / 1_000_000n) >= opts.startTimeMs) yield stored(m);
        if (m.info.pending === 0 || m.seq >= last) {
          done = true;
          break;
        }
      }
      if (done) batch.stop();
      if (done || got === 0) return;
    }
  } catch (err) {
    throw toBusError(`read ${stream}`, err);
  } finally {
    await link.jsm.consumers.delete(stream, name).catch(() => undefined);
  }
}

export async function countNatsMessages(link: ReadLink, stream: string, subject: string): Promise<number> {
  try {
    const info = await link.jsm.streams.info(stream, { subjects_filter: subject });
    if (info.state.messages === 0) return 0;
    let n = 0;
    for (const count of Object.values(info.state.subjects ?? {})) n += count;
    return n;
  } catch (err) {
    if (isStreamNotFound(err)) return 0;
    throw toBusError(`count ${stream} ${subject}`, err);
  }
}

export async function deleteNatsConsumer(link: ReadLink, stream: string, durable: string): Promise<void> {
  try {
    await link.jsm.consumers.delete(stream, durable);
  } catch (err) {
    if (isConsumerNotFound(err) || isStreamNotFound(err)) return;
    throw toBusError(`delete consumer ${stream}/${durable}`, err);
  }
}
