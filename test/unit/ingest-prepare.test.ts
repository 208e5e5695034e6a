// prepare.ts: envelopes encoded with the request body's own bytes decode to exactly the envelope.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodeJson } from "../../src/bus/port.js";
import type { EventEnvelope } from "../../src/core/envelope.js";
import { HookbookError } from "../../src/core/errors.js";
import { buildEnvelopes } from "../../src/ingest/envelopes.js";
import { deserializeError, encodeEnvelope, markStale, serializeError } from "../../src/ingest/prepare.js";
import { sourceKindHandler } from "../../src/sources/registry.js";
import { fixtureBytes, fixtureHeaders } from "../helpers/fixtures.js";

const decode = (bytes: Uint8Array): unknown => JSON.parse(Buffer.from(bytes).toString("utf8"));

function envelopes(kind: Parameters<typeof sourceKindHandler>[0], body: Buffer, headers: Record<string, string>): EventEnvelope[] {
  const handler = sourceKindHandler(kind);
  assert.ok(handler);
  return buildEnvelopes({ name: "src", kind }, handler.normalize({ body, headers, endpoint: "src", options: {} }), "2026-05-12T16:00:00Z");
}

const CASES: [Parameters<typeof sourceKindHandler>[0], string, string][] = [
  ["github", "github/push.json", "github/push.headers.json"],
  ["github", "github/push.form.txt", "github/push.form.headers.json"],
  ["k8s-events", "k8s/event-failedscheduling-gpu.json", "k8s/event-failedscheduling-gpu.headers.json"],
  ["eventbridge", "aws/spot-interruption-eventbridge.json", "aws/spot-interruption-eventbridge.headers.json"],
  ["alertmanager", "alertmanager/firing-queue-depth.json", "alertmanager/firing-queue-depth.headers.json"],
  ["cloudevents", "cloudevents/batch.json", "cloudevents/batch.headers.json"],
  ["gitlab", "gitlab/push.json", "gitlab/push.headers.json"],
  ["webhook", "github/pull_request-opened.json", "github/pull_request-opened.headers.json"],
];

describe("encodeEnvelope", () => {
  for (const [kind, body, headers] of CASES) {
    it(`${kind} ${body}: decodes to the envelope itself`, () => {
      for (const env of envelopes(kind, fixtureBytes(body), fixtureHeaders(headers))) {
        assert.deepEqual(decode(encodeEnvelope(env)), JSON.parse(JSON.stringify(env)));
      }
    });
  }

  it("copies the body's bytes when the payload is the body parsed whole (pretty-printed fixtures keep their layout)", () => {
    const [env] = envelopes("k8s-events", fixtureBytes("k8s/event-failedscheduling-gpu.json"), fixtureHeaders("k8s/event-failedscheduling-gpu.headers.json"));
    assert.ok(env);
    const text = Buffer.from(encodeEnvelope(env)).toString("utf8");
    assert.ok(text.includes(fixtureBytes("k8s/event-failedscheduling-gpu.json").toString("utf8")), "the body as received");
    assert.notEqual(text, Buffer.from(encodeJson(env)).toString("utf8"));
  });

  it("serializes the payload when it was parsed with the __proto__ guard or is not valid UTF-8", () => {
    const guarded = Buffer.from('{"a": 1, "__proto__": {"polluted": true}, "b": [1, 2]}');
    const [g] = envelopes("webhook", guarded, { "content-type": "application/json" });
    assert.ok(g);
    assert.equal(Buffer.from(encodeEnvelope(g)).toString("utf8"), Buffer.from(encodeJson(g)).toString("utf8"));
    assert.deepEqual((decode(encodeEnvelope(g)) as { data: { payload: unknown } }).data.payload, { a: 1, b: [1, 2] });

    const latin1 = Buffer.concat([Buffer.from('{"name": "caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
    const [l] = envelopes("webhook", latin1, { "content-type": "application/json" });
    assert.ok(l);
    assert.equal(Buffer.from(encodeEnvelope(l)).toString("utf8"), Buffer.from(encodeJson(l)).toString("utf8"));
  });
});

describe("markStale and errors across threads", () => {
  it("markStale sets stale on the envelope and meta.stale, nothing else", () => {
    const [env] = envelopes("alertmanager", fixtureBytes("alertmanager/resolved.json"), fixtureHeaders("alertmanager/resolved.headers.json"));
    assert.ok(env);
    const stale = decode(markStale(encodeEnvelope(env))) as EventEnvelope;
    const plain = JSON.parse(JSON.stringify(env)) as EventEnvelope;
    assert.deepEqual(stale, { ...plain, stale: true, data: { ...plain.data, meta: { ...(plain.data.meta as object), stale: true } } });
  });

  it("a HookbookError keeps its code and retry delay; anything else becomes a plain Error with its stack", () => {
    const back = deserializeError(serializeError(new HookbookError("HB_ERR_BUS_UNAVAILABLE", "down", { retryAfterMs: 1500 })));
    assert.ok(back instanceof HookbookError);
    assert.equal(back.code, "HB_ERR_BUS_UNAVAILABLE");
    assert.equal(back.retryAfterMs, 1500);
    const bug = new TypeError("x is undefined");
    const other = deserializeError(serializeError(bug));
    assert.ok(!(other instanceof HookbookError));
    assert.equal(other.message, "x is undefined");
    assert.equal(other.stack, bug.stack);
  });
});
