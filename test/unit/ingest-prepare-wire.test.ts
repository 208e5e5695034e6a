// prepare-wire.ts: requests and prepared events come out of their packed form exactly as they went in.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PreparedEvent } from "../../src/ingest/prepare.js";
import { packJobs, packOutcomes, unpackJobs, unpackOutcomes } from "../../src/ingest/prepare-wire.js";
import type { Job, Outcome } from "../../src/ingest/prepare-wire.js";

/** As postMessage delivers it: a structured clone, the buffer moved. */
function across<T extends object>(value: T, buffer: ArrayBuffer): T {
  return structuredClone(value, { transfer: [buffer] });
}

const job = (id: number, body: string, rawHeaders: string[], extra: Partial<Job["req"]> = {}): Job => ({
  id,
  source: `src-${id}`,
  req: { body: Buffer.from(body), rawHeaders, receivedAt: `2026-05-12T16:00:0${id}Z`, ...extra },
  nowMs: 1_778_600_000_000 + id,
});

describe("jobs", () => {
  it("round-trip: bodies, headers (with a newline inside a value too), tls, times", () => {
    // a body that is a view into a larger buffer (as Node's pooled Buffers are): only its bytes go
    const pooled = Buffer.from('xx{"pooled": true}yy').subarray(2, 18);
    const jobs: Job[] = [
      job(1, '{"a": 1}', ["Content-Type", "application/json", "X-Hub-Signature-256", "sha256=ab"]),
      job(2, "", []),
      job(3, "{}", ["X-Odd", "line one\nline two", "Authorization", "Bearer t"], { tls: { authorized: true, subject: "O=acme\nCN=am" } }),
      { ...job(4, "", ["Host", "h"]), req: { body: pooled, rawHeaders: ["Host", "h"], receivedAt: "2026-05-12T16:00:04Z" } },
    ];
    const packed = packJobs(jobs);
    assert.equal(packed.bodies.byteLength, 8 + 0 + 2 + 16, "only the bodies' own bytes");
    const out = unpackJobs(across(packed, packed.bodies));
    assert.equal(out.length, 4);
    for (const [i, o] of out.entries()) {
      const want = jobs[i] as Job;
      assert.equal(o.id, want.id);
      assert.equal(o.source, want.source);
      assert.equal(o.nowMs, want.nowMs);
      assert.equal(o.req.receivedAt, want.req.receivedAt);
      assert.deepEqual([...o.req.rawHeaders], [...want.req.rawHeaders]);
      assert.equal(o.req.body.toString("utf8"), want.req.body.toString("utf8"));
      assert.deepEqual(o.req.tls, want.req.tls);
      assert.equal("tls" in o.req, want.req.tls !== undefined);
    }
  });
});

const event = (n: number, extra: Partial<PreparedEvent> = {}): PreparedEvent => ({
  id: `id-${n}`,
  type: "alertmanager.alert.firing",
  subject: `cluster/queue-${n}`,
  timeMs: 1_778_597_400_000 + n,
  streamSubject: "events.am.alertmanager.alert.firing",
  msgId: `am:alertmanager:${n}`,
  data: new Uint8Array(Buffer.from(`{"n":${n}}`)),
  ...extra,
});

describe("outcomes", () => {
  it("round-trip: events in order with their bytes, absent subject and time stay absent, errors by id", () => {
    const pooled = Buffer.from('--{"pooled":1}--').subarray(2, 14);
    const { subject: _s, timeMs: _t, ...bare } = event(3);
    const outcomes: Outcome[] = [
      { id: 10, events: [event(1), event(2)] },
      { id: 11, error: { code: "HB_ERR_AUTH_INVALID", message: "invalid authorization token" } },
      { id: 12, events: [] },
      { id: 13, events: [{ ...bare, data: new Uint8Array(pooled.buffer, pooled.byteOffset, pooled.byteLength) }] },
      { id: 14, error: { message: "boom", stack: "Error: boom\n    at x" } },
    ];
    const packed = packOutcomes(outcomes);
    const got: [number, PreparedEvent[] | string][] = [];
    unpackOutcomes(
      across(packed, packed.data),
      (id, events) => got.push([id, events]),
      (id, error) => got.push([id, `${error.code ?? "-"} ${error.message}${error.stack === undefined ? "" : " (stack)"}`]),
    );
    assert.deepEqual(
      got.map(([id]) => id),
      [10, 11, 12, 13, 14],
    );
    const text = (e: PreparedEvent): string => Buffer.from(e.data).toString("utf8");
    const first = got[0]?.[1] as PreparedEvent[];
    assert.deepEqual(
      first.map((e) => ({ ...e, data: text(e) })),
      [event(1), event(2)].map((e) => ({ ...e, data: text(e) })),
    );
    assert.equal(got[1]?.[1], "HB_ERR_AUTH_INVALID invalid authorization token");
    assert.deepEqual(got[2]?.[1], []);
    const [lone] = got[3]?.[1] as PreparedEvent[];
    assert.ok(lone);
    assert.equal(text(lone), '{"pooled":1}');
    assert.equal("subject" in lone, false);
    assert.equal("timeMs" in lone, false);
    assert.equal(got[4]?.[1], "- boom (stack)");
  });
});
