import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { OutcomeMessage } from "../../src/core/outcome.js";
import { attemptHeaders } from "../../src/outbound/attempt-sender.js";
import { parseCreateInput, parsePatchInput } from "../../src/outbound/subscription-input.js";
import type { Subscription } from "../../src/outbound/subscription.js";
import { configTransform } from "../../src/outbound/subscription.js";
import { thrownError } from "../helpers/errors.js";
import {
  TRANSFORM_LIMITS,
  TransformError,
  decodeTransformHeader,
  encodeTransformHeader,
  parsePreviewInput,
  parseTransform,
  previewTransform,
  renderTransform,
} from "../../src/outbound/transform.js";

const outcome: OutcomeMessage = {
  id: "3f-0-end",
  type: "action.failed",
  timestamp: "2026-05-12T14:05:01.123Z",
  data: { ruleset: "gpu capacity", rule: "scale up", host: "gpu-7", attempt: 3, pool: "h100", tags: ["prod", "us"], result: { exit_code: 2 }, amount: 12.5 },
};

const text = (b: Uint8Array): string => Buffer.from(b).toString("utf8");

describe("outbound transform: rendering", () => {
  it("renders a Slack-style body with filters and defaults against the outcome variables", () => {
    const t = parseTransform({ body: { text: "{{ type }}: {{ data.rule }} on {{ data.host | default('?') }} ({{ data.missing | default('?') }})" } });
    const r = renderTransform(t, outcome);
    assert.equal(text(r.body), JSON.stringify({ text: "action.failed: scale up on gpu-7 (?)" }));
    assert.equal(r.contentType, "application/json");
    assert.deepEqual(r.headers, {});
  });

  it("keeps native types for single-expression templates, renders nested objects and arrays, leaves keys and plain values", () => {
    const t = parseTransform({
      body: {
        event_id: "{{ id }}",
        when: "{{ timestamp }}",
        attempt: "{{ data.attempt }}",
        amount: "{{ data.amount * 2 }}",
        tags: "{{ data.tags }}",
        result: "{{ event.data.result }}",
        "{{ not_a_key_template }}": [1, true, null, "{{ data.pool | upper }}", { deep: ["{{ data.tags | length }}"] }],
        literal: "no templates here {",
        json_text: "{{ data.result | to_json }}",
      },
    });
    const r = JSON.parse(text(renderTransform(t, outcome).body)) as Record<string, unknown>;
    assert.deepEqual(r, {
      event_id: "3f-0-end",
      when: "2026-05-12T14:05:01.123Z",
      attempt: 3,
      amount: 25,
      tags: ["prod", "us"],
      result: { exit_code: 2 },
      "{{ not_a_key_template }}": [1, true, null, "H100", { deep: [2] }],
      literal: "no templates here {",
      json_text: '{"exit_code": 2}',
    });
    // Key order is kept, so the bytes are the same on every rendering (replays send the same).
    assert.equal(text(renderTransform(t, outcome).body), text(renderTransform(t, outcome).body));
  });

  it("a whole-body template can produce an object (flattened billing record) or text with a non-JSON content type", () => {
    const flat = parseTransform({ body: "{{ {'event': type, 'pool': data.pool, 'attempt': data.attempt} }}" });
    assert.deepEqual(JSON.parse(text(renderTransform(flat, outcome).body)), { event: "action.failed", pool: "h100", attempt: 3 });
    const plain = parseTransform({ body: "{{ type }} on {{ data.host }}", content_type: "text/plain; charset=utf-8" });
    const r = renderTransform(plain, outcome);
    assert.equal(text(r.body), "action.failed on gpu-7");
    assert.equal(r.contentType, "text/plain; charset=utf-8");
    // The same string body with a JSON content type is JSON-encoded.
    assert.equal(text(renderTransform(parseTransform({ body: "{{ type }} on {{ data.host }}" }), outcome).body), '"action.failed on gpu-7"');
  });

  it("renders headers to text; they come after the subscription's own headers and before hookbook's", () => {
    const t = parseTransform({ body: { a: 1 }, headers: { "X-Event-Type": "{{ type }}", "X-Attempt": "{{ data.attempt }}", "X-Static": "fixed" }, content_type: "application/vnd.acme+json" });
    const r = renderTransform(t, outcome);
    assert.deepEqual(r.headers, { "x-event-type": "action.failed", "x-attempt": "3", "x-static": "fixed" });
    const sub = { id: "ep_1", url: "http://x", events: ["*"], headers: { "x-static": "from-sub", "x-tenant": "acme" }, signing: "standard", secret: `whsec_${Buffer.alloc(32, 1).toString("base64")}`, previousSecrets: [], status: "enabled", createdAt: 0, updatedAt: 0 } as unknown as Subscription;
    const h = attemptHeaders(sub, "msg_1", r.body, 1_700_000_000, 1_700_000_000_000, r);
    assert.equal(h["content-type"], "application/vnd.acme+json");
    assert.equal(h["x-static"], "fixed");
    assert.equal(h["x-tenant"], "acme");
    assert.equal(h["x-event-type"], "action.failed");
    assert.match(h["webhook-signature"] ?? "", /^v1,/);
  });

  it("StrictUndefined: an undefined variable fails with the body path and the template error code", () => {
    const t = parseTransform({ body: { blocks: [{ text: "ok" }, { text: "{{ data.nope.deeper }}" }] } });
    assert.throws(
      () => renderTransform(t, outcome),
      (err: unknown) => err instanceof TransformError && err.path === "transform.body.blocks[1].text" && err.code === "HB_ERR_TEMPLATE_UNDEFINED" && err.message.startsWith("transform.body.blocks[1].text: "),
    );
    const h = parseTransform({ body: {}, headers: { "x-who": "{{ data.owner }}" } });
    assert.throws(() => renderTransform(h, outcome), (err: unknown) => err instanceof TransformError && err.path === "transform.headers.x-who" && err.code === "HB_ERR_TEMPLATE_UNDEFINED");
  });

  it("filter and type errors fail with HB_ERR_TEMPLATE_RUNTIME and the path", () => {
    const t = parseTransform({ body: { n: "{{ data.host - 1 }}", b: "{{ 'x' | b64decode }}" } });
    assert.throws(() => renderTransform(t, outcome), (err: unknown) => err instanceof TransformError && err.path === "transform.body.n" && err.code === "HB_ERR_TEMPLATE_RUNTIME");
  });

  it("limits: a rendered body over 256 KiB and a header value with a line break are errors, not sent", () => {
    const big = parseTransform({ body: { pad: `{{ 'x' * ${TRANSFORM_LIMITS.bodyBytes} }}` } });
    assert.throws(() => renderTransform(big, outcome), (err: unknown) => err instanceof TransformError && err.path === "transform.body" && /more than 262144/.test(err.message));
    const nl = parseTransform({ body: {}, headers: { "x-a": "{{ 'a\\nb' }}" } });
    assert.throws(() => renderTransform(nl, outcome), (err: unknown) => err instanceof TransformError && err.path === "transform.headers.x-a");
  });

  it("the Hb-Transform bus header round-trips content type and headers; garbage decodes to nothing", () => {
    const enc = encodeTransformHeader({ contentType: "text/plain", headers: { "x-a": "é ü" } });
    assert.deepEqual(decodeTransformHeader(enc), { contentType: "text/plain", headers: { "x-a": "é ü" } });
    assert.equal(decodeTransformHeader("%%%"), undefined);
    assert.equal(decodeTransformHeader(undefined), undefined);
  });
});

describe("outbound transform: validation", () => {
  it("syntax errors and unknown filters are refused at create with HB_ERR_WEBHOOK_INVALID naming transform.body.<path>", () => {
    const base = { url: "https://hooks.example.com/x", events: ["*"] };
    const e1 = thrownError(() => parseCreateInput({ ...base, transform: { body: { attachments: [{ title: "{{ type " }] } } }));
    assert.equal(e1.code, "HB_ERR_WEBHOOK_INVALID");
    assert.match(e1.message, /^transform\.body\.attachments\[0\]\.title: template syntax error/);
    const e2 = thrownError(() => parsePatchInput({ transform: { body: { text: "{{ type | no_such_filter }}" } } }));
    assert.equal(e2.code, "HB_ERR_WEBHOOK_INVALID");
    assert.match(e2.message, /^transform\.body\.text: /);
    const e3 = thrownError(() => parseCreateInput({ ...base, transform: { body: {}, headers: { "x-a": "{% if %}" } } }));
    assert.match(e3.message, /^transform\.headers\.x-a: /);
  });

  it("refuses bad shapes: missing body, unknown fields, reserved or credential header names, bad content type, limits", () => {
    const codeOf = (v: unknown): string => thrownError(() => parseCreateInput({ url: "https://h.example.com/", events: ["*"], transform: v })).message;
    assert.match(codeOf({}), /^transform\.body: is required/);
    assert.match(codeOf({ body: 1, extra: 2 }), /^transform\.extra: unknown field/);
    assert.match(codeOf({ body: 1, headers: { "content-type": "x" } }), /^transform\.headers\.content-type: use transform\.content_type/);
    assert.match(codeOf({ body: 1, headers: { "webhook-id": "x" } }), /^transform\.headers\.webhook-id: is set by hookbook/);
    assert.match(codeOf({ body: 1, headers: { "X-Api-Token": "{{ id }}" } }), /^transform\.headers\.X-Api-Token: looks like a credential/);
    assert.match(codeOf({ body: 1, headers: { "x-a": 5 } }), /^transform\.headers\.x-a: must be a template string/);
    assert.match(codeOf({ body: 1, content_type: "not a type" }), /^transform\.content_type: /);
    assert.match(codeOf({ body: { t: "{{ id }}".padEnd(TRANSFORM_LIMITS.templateChars + 1, " ") } }), /^transform\.body\.t: template longer than/);
    assert.match(codeOf({ body: "x".repeat(TRANSFORM_LIMITS.transformChars) }), /^transform: larger than/);
    let deep: unknown = "{{ id }}";
    for (let i = 0; i <= TRANSFORM_LIMITS.depth; i++) deep = [deep];
    assert.match(codeOf({ body: deep }), /nested deeper than/);
    assert.match(codeOf("text"), /^transform: must be an object/);
  });

  it("create keeps the transform; PATCH null clears it", () => {
    const input = parseCreateInput({ url: "https://h.example.com/", events: ["*"], transform: { body: { text: "{{ type }}" }, headers: { "X-Kind": "{{ type }}" } } });
    assert.deepEqual(input.transform, { body: { text: "{{ type }}" }, headers: { "x-kind": "{{ type }}" } });
    assert.equal(parsePatchInput({ transform: null }).transform, null);
    assert.equal(parsePatchInput({ description: "x" }).transform, undefined);
  });

  it("config endpoints: contentType (camelCase) is accepted; a bad template stops the start with HB_ERR_CONFIG_INVALID", () => {
    assert.deepEqual(configTransform("ops", { body: "{{ type }}", contentType: "text/plain" }), { body: "{{ type }}", contentType: "text/plain" });
    const e = thrownError(() => configTransform("ops", { body: { text: "{{ " } }));
    assert.equal(e.code, "HB_ERR_CONFIG_INVALID");
    assert.match(e.message, /outbound endpoint ops: transform\.body\.text: /);
  });
});

describe("outbound transform: preview", () => {
  it("renders the body as it would be sent, or answers the error with its path", () => {
    const t = parseTransform({ body: { text: "{{ data.rule }}" } });
    const ok = previewTransform(t, outcome);
    assert.deepEqual(ok, { ok: true, transformed: true, content_type: "application/json", headers: {}, body: '{"text":"scale up"}', size_bytes: 19 });
    const bad = previewTransform(parseTransform({ body: { text: "{{ data.nope }}" } }), outcome);
    assert.equal(bad.ok, false);
    assert.ok(!bad.ok && bad.error.code === "HB_ERR_TEMPLATE_UNDEFINED" && bad.error.path === "transform.body.text");
    const none = previewTransform(undefined, outcome);
    assert.ok(none.ok && none.transformed === false && none.body === JSON.stringify(outcome));
  });

  it("checks the preview body: outcome needs type and data; unknown fields are refused", () => {
    const now = Date.parse("2026-05-12T00:00:00Z");
    const p = parsePreviewInput({ outcome: { type: "rule.fired", data: { a: 1 } } }, now);
    assert.deepEqual(p.outcome, { id: "preview", type: "rule.fired", timestamp: "2026-05-12T00:00:00.000Z", data: { a: 1 } });
    assert.deepEqual(parsePreviewInput(undefined, now), {});
    assert.match(thrownError(() => parsePreviewInput({ outcome: { type: "x" } }, now)).message, /^outcome\.data: /);
    assert.match(thrownError(() => parsePreviewInput({ nope: 1 }, now)).message, /^nope: unknown field/);
    assert.match(thrownError(() => parsePreviewInput({ transform: { body: "{{ x" } }, now)).message, /^transform\.body: /);
  });
});
