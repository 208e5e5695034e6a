import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HookbookError } from "../../src/core/errors.js";
import { sha256Hex, stableId } from "../../src/core/ids.js";
import { MAX_MSG_ID_LENGTH, buildEnvelopes, publishMsgId } from "../../src/ingest/envelopes.js";
import { retryAfterSeconds, toIngestError } from "../../src/ingest/errors.js";
import { headersFromRaw } from "../../src/ingest/headers.js";

describe("publishMsgId", () => {
  it("is <source>:<dedupKey> when short and printable", () => {
    assert.equal(publishMsgId("alerts", "alertmanager:961eeed636a578b4:firing:2026-05-12T14:02:30.512Z"), "alerts:alertmanager:961eeed636a578b4:firing:2026-05-12T14:02:30.512Z");
  });
  it("hashes long keys and keys with spaces or control characters", () => {
    const long = "k".repeat(MAX_MSG_ID_LENGTH);
    assert.equal(publishMsgId("s", long), `sha256:${sha256Hex(`s:${long}`)}`);
    assert.equal(publishMsgId("s", "a b"), `sha256:${sha256Hex("s:a b")}`);
    assert.equal(publishMsgId("s", "a\r\nNats-Msg-Id: x"), `sha256:${sha256Hex("s:a\r\nNats-Msg-Id: x")}`);
    assert.notEqual(publishMsgId("s1", long), publishMsgId("s2", long), "still source-scoped");
  });
});

describe("buildEnvelopes", () => {
  it("stamps id, source, kind, receivedAt; time falls back to receivedAt; subject only when known", () => {
    const [a, b] = buildEnvelopes(
      { name: "alerts", kind: "alertmanager" },
      [
        { type: "t.x.y", dedupKey: "k1", time: "2026-01-01T00:00:00Z", subject: "node-1", data: { meta: {} } },
        { type: "t.x.z", dedupKey: "k2", data: { meta: {} } },
      ],
      "2026-05-12T00:00:00.000Z",
    );
    assert.deepEqual(a, {
      id: stableId("k1"),
      source: "alerts",
      kind: "alertmanager",
      type: "t.x.y",
      subject: "node-1",
      time: "2026-01-01T00:00:00Z",
      receivedAt: "2026-05-12T00:00:00.000Z",
      dedupKey: "k1",
      data: { meta: {} },
    });
    assert.equal(b?.time, "2026-05-12T00:00:00.000Z");
    assert.ok(b !== undefined && !("subject" in b));
  });
});

describe("headersFromRaw", () => {
  it("keeps the first spelling and joins repeats", () => {
    assert.deepEqual(headersFromRaw(["X-A", "1", "x-a", "2", "Host", "h", "__proto__", "p"]), { "X-A": "1, 2", Host: "h" });
  });
});

describe("error mapping", () => {
  it("maps fastify errors to catalog codes and hides unknown ones", () => {
    assert.equal(toIngestError(Object.assign(new Error("big"), { code: "FST_ERR_CTP_BODY_TOO_LARGE", statusCode: 413 })).code, "HB_ERR_BODY_TOO_LARGE");
    assert.equal(toIngestError(Object.assign(new Error("mt"), { code: "FST_ERR_CTP_INVALID_MEDIA_TYPE", statusCode: 415 })).code, "HB_ERR_UNSUPPORTED_MEDIA_TYPE");
    assert.equal(toIngestError(Object.assign(new Error("cl"), { code: "FST_ERR_CTP_INVALID_CONTENT_LENGTH", statusCode: 400 })).code, "HB_ERR_BAD_REQUEST");
    const internal = toIngestError(new Error("db password is hunter2"));
    assert.equal(internal.code, "HB_ERR_INTERNAL");
    assert.ok(!internal.message.includes("hunter2"));
    const own = new HookbookError("HB_ERR_AUTH_INVALID", "x");
    assert.equal(toIngestError(own), own);
  });
  it("Retry-After comes from the error's delay, else the fallback, at least 1 s", () => {
    assert.equal(retryAfterSeconds(new HookbookError("HB_ERR_BUS_UNAVAILABLE", "x", { retryAfterMs: 1200 })), 2);
    assert.equal(retryAfterSeconds(new HookbookError("HB_ERR_BUS_UNAVAILABLE", "x"), 9), 9);
    assert.equal(retryAfterSeconds(new HookbookError("HB_ERR_BUS_UNAVAILABLE", "x", { retryAfterMs: 10 })), 1);
  });
});
