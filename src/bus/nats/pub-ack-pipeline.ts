/**
 * JetStream publish with many acknowledgements in flight at a low cost per message.
 *
 * `js.publish()` of the client builds a request per message (its own reply subject in the
 * request mux, a timer, header copies): about 30 µs of CPU per message on the machines we
 * measure, which made the client, not nats-server, the ceiling of durable ingest. Here one
 * wildcard subscription on a private inbox prefix receives every PubAck (and the replies of
 * `request()`, used for KV direct gets); each publish is a plain
 * `nc.publish()` with reply subject `<prefix>.<token>` and an entry in a map; timeouts are
 * found by one sweep timer instead of a timer per message. The server-side semantics are the
 * same: the message is stored (or found to be a duplicate of its Nats-Msg-Id) before the
 * PubAck arrives, and the PubAck's JSON says which stream and sequence.
 *
 * Failures: a PubAck carrying an API error rejects with the client's JetStreamApiError (so
 * "stream full" and the rest map as before); no stream for the subject (the server's 503 "no
 * responders" status) rejects with NoRespondersError; no answer within the timeout rejects
 * with TimeoutError; close() rejects whatever is still waiting.
 */
import { JetStreamApiError } from "@nats-io/jetstream";
import type { ApiError } from "@nats-io/jetstream";
import type { Msg, MsgHdrs, NatsConnection, Subscription } from "@nats-io/transport-node";
import { ClosedConnectionError, NoRespondersError, TimeoutError, createInbox } from "@nats-io/transport-node";

export interface PubAckResult {
  readonly stream: string;
  readonly seq: number;
  readonly duplicate: boolean;
}

interface Waiting {
  /** Called with the reply (status replies included). */
  readonly settle: (msg: Msg) => void;
  readonly reject: (err: Error) => void;
  readonly deadline: number;
  readonly subject: string;
}

interface Queued {
  readonly token: string;
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: MsgHdrs | undefined;
}

interface PubAckJson {
  readonly stream?: string;
  readonly seq?: number;
  readonly duplicate?: boolean;
  readonly error?: ApiError;
}

const decoder = new TextDecoder();

/** The PubAck in a publish's reply; throws what the client's js.publish would. */
function pubAckOf(subject: string, msg: Msg): PubAckResult {
  if (msg.headers?.hasError) {
    // 503: nothing listens on the subject — no stream captures it (or JetStream is off).
    throw msg.headers.code === 503 ? new NoRespondersError(subject) : new Error(`publish to ${subject}: ${msg.headers.code} ${msg.headers.description}`);
  }
  let ack: PubAckJson;
  try {
    ack = JSON.parse(decoder.decode(msg.data)) as PubAckJson;
  } catch {
    throw new Error(`publish to ${subject}: the acknowledgement is not JSON`);
  }
  if (ack.error !== undefined) throw new JetStreamApiError(ack.error);
  if (typeof ack.stream !== "string" || typeof ack.seq !== "number") throw new Error(`publish to ${subject}: the acknowledgement has no stream and sequence`);
  return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate === true };
}

export class PubAckPipeline {
  private readonly prefix = createInbox();
  private readonly waiting = new Map<string, Waiting>();
  private readonly sub: Subscription;
  private readonly sweeper: NodeJS.Timeout;
  private next = 0;
  private closed = false;
  private queue: Queued[] = [];
  private flushScheduled = false;

  constructor(
    private readonly nc: NatsConnection,
    /** How often pending acknowledgements are checked for their deadline. */
    sweepEveryMs = 100,
  ) {
    this.sub = nc.subscribe(`${this.prefix}.*`, { callback: (err, msg) => (err ? this.failAll(err) : this.onReply(msg)) });
    this.sweeper = setInterval(() => this.sweep(), sweepEveryMs);
    this.sweeper.unref();
  }

  /** In flight right now. */
  get pending(): number {
    return this.waiting.size;
  }

  publish(subject: string, data: Uint8Array, headers: MsgHdrs | undefined, timeoutMs: number): Promise<PubAckResult> {
    return new Promise<PubAckResult>((resolve, reject) => {
      this.send(subject, data, headers, timeoutMs, reject, (msg) => {
        try {
          resolve(pubAckOf(subject, msg));
        } catch (err) {
          reject(err as Error);
        }
      });
    });
  }

  /**
   * A request whose reply is wanted as it is (status replies such as a direct get's 404
   * included): for JetStream API calls on the hot path.
   */
  request(subject: string, data: Uint8Array, headers: MsgHdrs | undefined, timeoutMs: number): Promise<Msg> {
    return new Promise<Msg>((resolve, reject) => this.send(subject, data, headers, timeoutMs, reject, resolve));
  }

  private send(subject: string, data: Uint8Array, headers: MsgHdrs | undefined, timeoutMs: number, reject: (err: Error) => void, settle: (msg: Msg) => void): void {
    if (this.closed) {
      reject(new ClosedConnectionError());
      return;
    }
    const token = (this.next++).toString(36);
    this.waiting.set(token, { settle, reject, deadline: Date.now() + timeoutMs, subject });
    this.queue.push({ token, subject, data, headers });
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
  }

  /**
   * Hands the queued messages to the client in one go, once the event loop has run every I/O
   * callback that was ready: the publishes of all requests read in the same loop turn leave in
   * one socket write (the client flushes its buffer in a microtask after this), instead of one
   * write — and one wake-up of nats-server — per request.
   */
  private readonly flush = (): void => {
    this.flushScheduled = false;
    const queue = this.queue;
    this.queue = [];
    for (const q of queue) {
      try {
        this.nc.publish(q.subject, q.data, { reply: `${this.prefix}.${q.token}`, ...(q.headers === undefined ? {} : { headers: q.headers }) });
      } catch (err) {
        const w = this.waiting.get(q.token);
        this.waiting.delete(q.token);
        w?.reject(err instanceof Error ? err : new Error(String(err)));
      }
    }
  };

  private onReply(msg: Msg): void {
    const token = msg.subject.slice(this.prefix.length + 1);
    const w = this.waiting.get(token);
    if (w === undefined) return; // timed out already
    this.waiting.delete(token);
    w.settle(msg);
  }

  private sweep(): void {
    if (this.waiting.size === 0) return;
    const now = Date.now();
    for (const [token, w] of this.waiting) {
      if (w.deadline > now) continue;
      this.waiting.delete(token);
      w.reject(new TimeoutError());
    }
  }

  private failAll(err: Error): void {
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of waiting) w.reject(err);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweeper);
    this.sub.unsubscribe();
    this.failAll(new ClosedConnectionError());
  }
}
