/**
 * How requests and their prepared events cross between the HTTP thread and a preparation thread
 * (./prepare-pool.ts). A batch travels as one buffer holding every body (or every encoded
 * envelope), moved across, plus one flat array of strings and numbers; no object per request.
 * Structured clone spends much of its time on objects and their property names:
 * `npm run bench:prepare-wire` measured the hand-off of the same batches at ~12.4 µs of CPU per
 * request packed like this against ~16 µs as objects (job and header objects, PreparedEvent
 * objects), both threads together.
 */
import type { TlsPeer } from "../sources/auth.js";
import type { PrepareInput, PreparedEvent, SerializedError } from "./prepare.js";

/** One request for a thread; the one a thread unpacks has its body as a view into the batch's buffer. */
export interface Job {
  readonly id: number;
  readonly source: string;
  readonly req: PrepareInput;
  /** The ingest clock when the request was read (replay windows, token expiry). */
  readonly nowMs: number;
}

/**
 * Requests: `fields` holds JOB_FIELDS entries per request: id, source, body length, raw
 * headers, receivedAt, nowMs, tls. Raw headers are one string joined by "\n" when none of them
 * holds a "\n" (Node's HTTP parser refuses those; inject() does not), else the array itself.
 */
export interface JobBatch {
  readonly bodies: ArrayBuffer;
  readonly fields: readonly (string | number | readonly string[] | TlsPeer | null)[];
}

const JOB_FIELDS = 7;
const NEWLINE = "\n";

function packHeaders(raw: readonly string[]): string | readonly string[] {
  const joined = raw.join(NEWLINE);
  let newlines = 0;
  for (let at = joined.indexOf(NEWLINE); at >= 0; at = joined.indexOf(NEWLINE, at + 1)) newlines++;
  return newlines === Math.max(0, raw.length - 1) ? joined : raw;
}

function unpackHeaders(packed: string | readonly string[]): readonly string[] {
  if (typeof packed !== "string") return packed;
  return packed === "" ? [] : packed.split(NEWLINE);
}

/** A batch to post, with the buffer to move (postMessage(batch, [batch.bodies])). */
export function packJobs(jobs: readonly Job[]): JobBatch {
  let size = 0;
  for (const j of jobs) size += j.req.body.byteLength;
  // a copy the size of the bodies: a pooled Buffer moved across would drag its whole slab along
  const bodies = new Uint8Array(size);
  const fields: JobBatch["fields"][number][] = [];
  let at = 0;
  for (const j of jobs) {
    bodies.set(j.req.body, at);
    at += j.req.body.byteLength;
    fields.push(j.id, j.source, j.req.body.byteLength, packHeaders(j.req.rawHeaders), j.req.receivedAt, j.nowMs, j.req.tls ?? null);
  }
  return { bodies: bodies.buffer, fields };
}

export function unpackJobs(batch: JobBatch): Job[] {
  const out: Job[] = [];
  const f = batch.fields;
  let at = 0;
  for (let i = 0; i + JOB_FIELDS <= f.length; i += JOB_FIELDS) {
    const length = f[i + 2] as number;
    const tls = f[i + 6] as TlsPeer | null;
    const req: PrepareInput = {
      body: Buffer.from(batch.bodies, at, length),
      rawHeaders: unpackHeaders(f[i + 3] as string | readonly string[]),
      receivedAt: f[i + 4] as string,
      ...(tls === null ? {} : { tls }),
    };
    at += length;
    out.push({ id: f[i] as number, source: f[i + 1] as string, req, nowMs: f[i + 5] as number });
  }
  return out;
}

/** What a thread answers for one request. */
export type Outcome = { readonly id: number; readonly events: readonly PreparedEvent[] } | { readonly id: number; readonly error: SerializedError };

/**
 * Answers: for each request, its id and event count, then EVENT_FIELDS entries per event: id,
 * type, subject, timeMs, streamSubject, msgId, data length (the data in `data`, in order); a
 * refused request has count -1 and its error in `errors`, under its id.
 */
export interface OutcomeBatch {
  readonly data: ArrayBuffer;
  readonly fields: readonly (string | number | null)[];
  readonly errors: readonly { readonly id: number; readonly error: SerializedError }[];
}

const EVENT_FIELDS = 7;

export function packOutcomes(outcomes: readonly Outcome[]): OutcomeBatch {
  let size = 0;
  for (const o of outcomes) if ("events" in o) for (const e of o.events) size += e.data.byteLength;
  const data = new Uint8Array(size);
  const fields: (string | number | null)[] = [];
  const errors: { id: number; error: SerializedError }[] = [];
  let at = 0;
  for (const o of outcomes) {
    if (!("events" in o)) {
      fields.push(o.id, -1);
      errors.push(o);
      continue;
    }
    fields.push(o.id, o.events.length);
    for (const e of o.events) {
      data.set(e.data, at);
      at += e.data.byteLength;
      fields.push(e.id, e.type, e.subject ?? null, e.timeMs ?? null, e.streamSubject, e.msgId, e.data.byteLength);
    }
  }
  return { data: data.buffer, fields, errors };
}

/** Calls `onEvents` or `onError` for each request of the batch, in order. */
export function unpackOutcomes(batch: OutcomeBatch, onEvents: (id: number, events: PreparedEvent[]) => void, onError: (id: number, error: SerializedError) => void): void {
  const f = batch.fields;
  const errors = batch.errors.length === 0 ? undefined : new Map(batch.errors.map((e) => [e.id, e.error]));
  let i = 0;
  let at = 0;
  while (i + 2 <= f.length) {
    const id = f[i] as number;
    const count = f[i + 1] as number;
    i += 2;
    if (count < 0) {
      onError(id, errors?.get(id) ?? { message: "the preparation thread sent no error" });
      continue;
    }
    const events: PreparedEvent[] = [];
    for (let n = 0; n < count && i + EVENT_FIELDS <= f.length; n++, i += EVENT_FIELDS) {
      const length = f[i + 6] as number;
      // assigned, not spread: this runs on the HTTP thread for every event
      const event: { -readonly [K in keyof PreparedEvent]: PreparedEvent[K] } = { id: f[i] as string, type: f[i + 1] as string, streamSubject: f[i + 4] as string, msgId: f[i + 5] as string, data: new Uint8Array(batch.data, at, length) };
      const subject = f[i + 2] as string | null;
      const timeMs = f[i + 3] as number | null;
      if (subject !== null) event.subject = subject;
      if (timeMs !== null) event.timeMs = timeMs;
      events.push(event);
      at += length;
    }
    onEvents(id, events);
  }
}
