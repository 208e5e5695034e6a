/**
 * A lean HTTP/1.1 load generator for the ingest bench: `connections` keep-alive sockets, each
 * sending one request at a time (no pipelining) for `durationSec`, every request with a body
 * and identity of its own. Run as a child process so it never shares the server's event loop:
 * `node --import tsx bench/http-load.ts '<LoadSpec JSON>'` prints one LoadResult JSON line.
 *
 * Why not autocannon: on the 2-core machines we bench on, autocannon spends ~30 µs of CPU per
 * request building the per-request bodies and parsing answers — a whole core at bare fastify's
 * rate — and that core is the one nats-server and the server under test compete for. Here a
 * request is one string write, and an answer is read by its status line and Content-Length
 * (~5–8 µs per request), so the servers, not the load generator, are what gets measured.
 */
import { createHmac } from "node:crypto";
import { connect } from "node:net";
import type { Socket } from "node:net";
import { pathToFileURL } from "node:url";

/** One kind of request of the mix; `__N__` in the body is replaced by a number unique to the request. */
export interface RequestKind {
  readonly source: string;
  /** Share of the requests, out of the sum of all weights. */
  readonly weight: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Header set to the request's unique id (a delivery id). */
  readonly idHeader?: string;
  /** Sign the body: `<header>: <prefix><hex HMAC-SHA256(secret, body)>`. */
  readonly hmac?: { readonly header: string; readonly prefix: string; readonly secret: string };
}

export interface LoadSpec {
  /** e.g. http://127.0.0.1:8080; requests go to `/hooks/<source>`. */
  readonly urlBase: string;
  readonly kinds: readonly RequestKind[];
  /** Every run gets its own range of unique numbers (runId × 1e9 + n). */
  readonly runId: number;
  readonly connections: number;
  readonly durationSec: number;
  /** Requests built before the clock starts (default: 25,000 per second of the run; the rest are built as they are sent). */
  readonly prebuilt?: number;
}

export interface LoadResult {
  /** Answers completed within the run, per second. */
  readonly reqPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly total: number;
  readonly ok2xx: number;
  readonly non2xx: number;
  /** Socket errors and answers that could not be read. */
  readonly errors: number;
  /** CPU the load generator used per answered request (user + system), µs. */
  readonly loadgenCpuUsPerReq: number;
}

export const UNIQUE_MARK = "__N__";

/** Builds the bytes of every request of a run, round-robin over the weighted kinds. */
export class RequestFactory {
  private readonly wheel: { kind: RequestKind; parts: string[]; head: string }[];
  private n = 0;
  private ready: Buffer[] = [];

  constructor(
    host: string,
    kinds: readonly RequestKind[],
    private readonly runId: number,
  ) {
    this.wheel = kinds.flatMap((kind) => {
      let head = `POST /hooks/${kind.source} HTTP/1.1\r\nhost: ${host}\r\n`;
      for (const [name, value] of Object.entries(kind.headers)) head += `${name}: ${value}\r\n`;
      const entry = { kind, parts: kind.body.split(UNIQUE_MARK), head };
      return Array.from({ length: kind.weight }, () => entry);
    });
    if (this.wheel.length === 0) throw new Error("the mix has no request kinds with a positive weight");
  }

  /** The bytes of request `i` (requests are numbered from 0 in the order they are sent). */
  build(i: number): Buffer {
    const { head, extra, body } = this.parts(i);
    let more = "";
    for (const [name, value] of extra) more += `${name}: ${value}\r\n`;
    return Buffer.from(`${head}${more}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }

  /**
   * Request `i` in parts: its kind, the head common to its kind (request line and fixed headers,
   * as HTTP text), the headers of its own (delivery id, signature) and its body.
   */
  parts(i: number): { readonly kind: RequestKind; readonly head: string; readonly extra: readonly (readonly [string, string])[]; readonly body: string } {
    const { kind, parts, head } = this.wheel[i % this.wheel.length] as (typeof this.wheel)[number];
    const unique = String(this.runId * 1e9 + i);
    const body = parts.join(unique);
    const extra: [string, string][] = [];
    if (kind.idHeader !== undefined) extra.push([kind.idHeader, `bench-${unique}`]);
    if (kind.hmac !== undefined) extra.push([kind.hmac.header, `${kind.hmac.prefix}${createHmac("sha256", kind.hmac.secret).update(body).digest("hex")}`]);
    return { kind, head, extra, body };
  }

  /**
   * The next request. The first `prebuilt` ones are built before the run starts, so building
   * (body, signature) is not part of the CPU the run competes with the servers for.
   */
  next(): Buffer {
    const i = this.n++;
    return this.ready[i] ?? this.build(i);
  }

  prebuild(count: number): void {
    this.ready = Array.from({ length: count }, (_, i) => this.build(i));
  }

  /** Drops what was built and not sent. */
  discard(): void {
    this.ready = [];
  }
}

const HEAD_END = Buffer.from("\r\n\r\n");
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)[ \t]*(?=\r\n|$)/i;

/**
 * Reads HTTP/1.1 answers off a byte stream: calls `onAnswer(status)` once per complete answer.
 * Answers need a Content-Length (every answer of the servers benched has one); one without,
 * or a head that does not parse, throws.
 */
export class AnswerReader {
  private pending: Buffer | undefined;

  constructor(private readonly onAnswer: (status: number) => void) {}

  push(chunk: Buffer): void {
    let buf = this.pending === undefined ? chunk : Buffer.concat([this.pending, chunk]);
    for (;;) {
      const end = buf.indexOf(HEAD_END);
      if (end < 0) break;
      const head = buf.toString("latin1", 0, end);
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      if (status === null) throw new Error(`not an HTTP/1.1 answer: ${JSON.stringify(head.slice(0, 40))}`);
      const length = CONTENT_LENGTH.exec(head);
      if (length === null) throw new Error("an answer without Content-Length");
      const size = end + HEAD_END.length + Number(length[1]);
      if (buf.length < size) break;
      this.onAnswer(Number(status[1]));
      buf = buf.subarray(size);
    }
    this.pending = buf.length === 0 ? undefined : buf;
  }
}

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

export async function runHttpLoad(spec: LoadSpec): Promise<LoadResult> {
  const url = new URL(spec.urlBase);
  const factory = new RequestFactory(url.host, spec.kinds, spec.runId);
  factory.prebuild(spec.prebuilt ?? Math.ceil(spec.durationSec * 25_000));
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  let ok2xx = 0;
  let non2xx = 0;
  let errors = 0;
  let stopping = false;
  const sockets: Socket[] = [];

  const open = (): void => {
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    socket.setNoDelay(true);
    sockets.push(socket);
    let sentAt = 0;
    const send = (): void => {
      if (stopping) return;
      sentAt = performance.now();
      socket.write(factory.next());
    };
    const reader = new AnswerReader((status) => {
      if (stopping) return;
      if (count === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[count++] = performance.now() - sentAt;
      if (status >= 200 && status < 300) ok2xx++;
      else non2xx++;
      send();
    });
    socket.on("connect", send);
    socket.on("data", (chunk: Buffer) => {
      try {
        reader.push(chunk);
      } catch {
        errors++;
        socket.destroy();
        if (!stopping) open();
      }
    });
    socket.on("error", () => {
      if (!stopping) errors++;
    });
  };
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < spec.connections; i++) open();
  await new Promise((resolve) => setTimeout(resolve, spec.durationSec * 1000));
  stopping = true;
  const cpu = process.cpuUsage(cpu0);
  for (const s of sockets) s.destroy();
  const sorted = latencies.slice(0, count).sort();
  return {
    reqPerSec: count / spec.durationSec,
    p50Ms: Number(quantile(sorted, 0.5).toFixed(2)),
    p99Ms: Number(quantile(sorted, 0.99).toFixed(2)),
    total: count,
    ok2xx,
    non2xx,
    errors,
    loadgenCpuUsPerReq: count > 0 ? Number(((cpu.user + cpu.system) / count).toFixed(1)) : 0,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  runHttpLoad(JSON.parse(process.argv[2] ?? "{}") as LoadSpec).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
