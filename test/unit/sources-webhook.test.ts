import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sha256Hex } from "../../src/core/ids.js";
import { sourceKinds } from "../../src/sources/registry.js";
import { headerValue, mediaTypeAccepted } from "../../src/sources/types.js";
import { WEBHOOK_EVENT_TYPE, metaHeaders, parseJsonBody, webhookSource } from "../../src/sources/webhook.js";
import { fixtureBytes, fixtureHeaders } from "../helpers/fixtures.js";
import { assertThrowsCode } from "../helpers/errors.js";

const throwsCode = assertThrowsCode;

const normalize = (body: string | Buffer, headers: Record<string, string> = {}, endpoint = "hooks-in") =>
  webhookSource.normalize({ body: Buffer.isBuffer(body) ? body : Buffer.from(body), headers, endpoint, options: {} });

describe("webhook source", () => {
  it("is registered under its kind", () => {
    assert.equal(sourceKinds.webhook, webhookSource);
    assert.equal(sourceKinds.webhook.kind, "webhook");
  });

  it("makes one ansible-shaped event {payload, meta:{endpoint, headers minus Authorization}}", () => {
    const body = fixtureBytes("github/push.json");
    const headers = { ...fixtureHeaders("github/push.headers.json"), AUTHORIZATION: "Bearer secret" };
    const events = normalize(body, headers, "gitops");
    assert.equal(events.length, 1);
    const [event] = events;
    assert.ok(event);
    assert.equal(event.type, WEBHOOK_EVENT_TYPE);
    assert.deepEqual(event.data.payload, JSON.parse(body.toString("utf8")));
    const meta = event.data.meta as { endpoint: string; headers: Record<string, string> };
    assert.equal(meta.endpoint, "gitops");
    assert.equal(meta.headers["X-GitHub-Event"], "push", "header names keep the sender's spelling");
    assert.ok(!Object.keys(meta.headers).some((h) => h.toLowerCase() === "authorization"));
    assert.deepEqual(Object.keys(event.data).sort(), ["meta", "payload"]);
  });

  it("dedupKey is the delivery id when a retry-stable header is present", () => {
    const headers = fixtureHeaders("github/push.headers.json");
    assert.equal(normalize("{}", headers, "gh")[0]?.dedupKey, "webhook:gh:x-github-delivery:3f6c2a80-4e1b-11f1-9a7e-5c1b6e0d8a21");
    assert.equal(normalize("{}", { "Webhook-Id": "msg_2Kx" }, "s")[0]?.dedupKey, "webhook:s:webhook-id:msg_2Kx");
    assert.equal(normalize("{}", { "Idempotency-Key": "k-1" }, "s")[0]?.dedupKey, "webhook:s:idempotency-key:k-1");
  });

  it("ignores request-id headers and falls back to the body hash", () => {
    const body = '{"action":"scale","pool":"a100"}';
    const a = normalize(body, { "X-Request-Id": "r-1" }, "s")[0]?.dedupKey;
    const b = normalize(body, { "X-Request-Id": "r-2" }, "s")[0]?.dedupKey;
    assert.equal(a, `webhook:s:sha256:${sha256Hex(body)}`);
    assert.equal(a, b, "a retry with a new request id is the same event");
    assert.notEqual(normalize('{"action":"scale","pool":"h100"}', {}, "s")[0]?.dedupKey, a);
  });

  it("accepts arrays, refuses scalars with HB_ERR_INVALID_PAYLOAD", () => {
    assert.deepEqual(normalize("[1,2]")[0]?.data.payload, [1, 2]);
    throwsCode(() => normalize("42"), "HB_ERR_INVALID_PAYLOAD");
    throwsCode(() => normalize('"text"'), "HB_ERR_INVALID_PAYLOAD");
    throwsCode(() => normalize("null"), "HB_ERR_INVALID_PAYLOAD");
  });

  it("invalid or empty JSON → HB_ERR_INVALID_JSON", () => {
    throwsCode(() => normalize("{not json"), "HB_ERR_INVALID_JSON");
    throwsCode(() => normalize(""), "HB_ERR_INVALID_JSON");
  });

  it("drops __proto__ keys, also when \\u-escaped", () => {
    const parsed = parseJsonBody(Buffer.from('{"__proto__":{"polluted":1},"\\u005f_proto__":{"p":2},"a":{"__proto__":3,"b":1}}'));
    assert.deepEqual(parsed, { a: { b: 1 } });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

describe("source helpers", () => {
  it("headerValue ignores case", () => {
    assert.equal(headerValue({ "X-GitHub-Delivery": "d" }, "x-github-delivery"), "d");
    assert.equal(headerValue({ a: "1" }, "b"), undefined);
  });
  it("metaHeaders strips Authorization in any case only", () => {
    assert.deepEqual(metaHeaders({ authorization: "x", Authorization: "y", "X-A": "1" }), { "X-A": "1" });
  });
  it("mediaTypeAccepted handles parameters, case and +json suffixes", () => {
    const accepted = ["application/json", "application/*+json"];
    assert.equal(mediaTypeAccepted("application/json; charset=utf-8", accepted), true);
    assert.equal(mediaTypeAccepted("Application/JSON", accepted), true);
    assert.equal(mediaTypeAccepted("application/cloudevents+json", accepted), true);
    assert.equal(mediaTypeAccepted("application/+json", accepted), false);
    assert.equal(mediaTypeAccepted("text/plain", accepted), false);
    assert.equal(mediaTypeAccepted("application/x-www-form-urlencoded", accepted), false);
    assert.equal(mediaTypeAccepted(undefined, accepted), false);
    assert.equal(mediaTypeAccepted("application/cloudevents+json", ["application/json"]), false);
  });
});
