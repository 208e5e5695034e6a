import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { notifyAction } from "../../src/actions/notify/notify.js";
import type { Recorded, Stub, StubReply } from "./action-stubs.js";
import { runAction, secretsAbsent, startStub } from "./action-stubs.js";

const HOOK_PATH = "/services/T0001/B0001/hookS3cretPart";
const BOT_TOKEN = "xoxb-1111-2222-s3cret";
let stub: Stub;

function slack(req: Recorded): StubReply {
  if (req.path === HOOK_PATH) return { text: "ok" };
  if (req.path === "/api/chat.postMessage") {
    const channel = (req.body as { channel?: string }).channel;
    if (channel === "#missing") return { json: { ok: false, error: "channel_not_found" } };
    return { json: { ok: true, channel: "C024BE91L", ts: "1700000000.000100", message: {} } };
  }
  return { status: 404, text: "no_service" };
}

const webhookSettings = () => ({ slack: { webhook_url: `${stub.url}${HOOK_PATH}` } });
const apiSettings = () => ({ slack: { token: BOT_TOKEN, api_url: `${stub.url}/api`, channel: "#gpu-alerts" } });
const event = { alert: { labels: { queue: "training-a100", alertname: "GPUJobQueueDepthHigh" }, annotations: { depth: 42 } } };

before(async () => {
  stub = await startStub(slack);
});
after(() => stub.close());
beforeEach(() => {
  stub.requests.length = 0;
  stub.respond(slack);
});

describe("notify: Slack", () => {
  test("incoming webhook: POST {text, blocks} to the webhook URL", async () => {
    const blocks = [{ type: "section", text: { type: "mrkdwn", text: "*Scaling*" } }];
    const res = await runAction(notifyAction, { args: { channel: "slack", text: "Scaling training-a100", blocks }, integrations: webhookSettings(), event });
    assert.equal(res.ok, true, res.message);
    assert.equal(stub.requests.length, 1);
    const req = stub.requests[0]!;
    assert.equal(req.method, "POST");
    assert.equal(req.path, HOOK_PATH);
    assert.equal(req.headers["content-type"], "application/json");
    assert.equal(req.headers.authorization, undefined);
    assert.deepEqual(req.body, { text: "Scaling training-a100", blocks });
    assert.deepEqual(res.data, { channel: "slack", via: "webhook", status: 200 });
    assert.equal(secretsAbsent(res, [HOOK_PATH, "hookS3cretPart"]), undefined);
  });

  test("chat.postMessage with a bot token: bearer auth, channel from slack_channel or settings", async () => {
    const res = await runAction(notifyAction, { args: { channel: "slack", text: "hello", slack_channel: "#gpu-oncall" }, integrations: apiSettings(), event });
    assert.equal(res.ok, true, res.message);
    const req = stub.requests[0]!;
    assert.equal(req.method, "POST");
    assert.equal(req.path, "/api/chat.postMessage");
    assert.equal(req.headers.authorization, `Bearer ${BOT_TOKEN}`);
    assert.equal(req.headers["content-type"], "application/json; charset=utf-8");
    assert.deepEqual(req.body, { channel: "#gpu-oncall", text: "hello" });
    assert.deepEqual(res.data, { channel: "slack", via: "chat.postMessage", slack_channel: "C024BE91L", ts: "1700000000.000100" });

    await runAction(notifyAction, { args: { channel: "slack", text: "hi" }, integrations: apiSettings(), event });
    assert.deepEqual(stub.requests[1]?.body, { channel: "#gpu-alerts", text: "hi" });
  });

  test("200 with ok:false is a permanent failure carrying Slack's error", async () => {
    const res = await runAction(notifyAction, { args: { channel: "slack", text: "x", slack_channel: "#missing" }, integrations: apiSettings(), event });
    assert.equal(res.ok, false);
    assert.equal(res.code, "HB_ERR_HTTP_STATUS");
    assert.equal(res.data?.error, "channel_not_found");
    assert.equal(res.data?.retry, "permanent");
    assert.equal(secretsAbsent(res, [BOT_TOKEN]), undefined);
  });

  test("429 → retry-after failure with retry_after (seconds) in data", async () => {
    stub.respond(() => ({ status: 429, headers: { "retry-after": "30" }, text: "rate_limited" }));
    for (const integrations of [webhookSettings(), apiSettings()]) {
      const res = await runAction(notifyAction, { args: { channel: "slack", text: "x" }, integrations, event });
      assert.equal(res.ok, false);
      assert.equal(res.code, "HB_ERR_HTTP_STATUS");
      assert.equal(res.data?.status, 429);
      assert.equal(res.data?.retry, "retry-after");
      assert.equal(res.data?.retry_after, 30);
      assert.equal(secretsAbsent(res, [BOT_TOKEN, HOOK_PATH]), undefined);
    }
  });

  test("webhook errors (e.g. 404 no_service) are permanent and never show the webhook URL", async () => {
    const res = await runAction(notifyAction, { args: { channel: "slack", text: "x" }, integrations: { slack: { webhook_url: `${stub.url}/services/T1/B1/wrongS3cret` } }, event });
    assert.equal(res.ok, false);
    assert.equal(res.data?.status, 404);
    assert.equal(res.data?.retry, "permanent");
    assert.match(String(res.message), /slack webhook answered 404/);
    assert.equal(secretsAbsent(res, ["wrongS3cret", stub.url]), undefined);
  });

  test("templates from integrations.notify.templates render against the event; explicit text wins", async () => {
    const integrations = {
      ...webhookSettings(),
      notify: { templates: { queue_deep: { text: "Queue {{ event.alert.labels.queue }} depth {{ event.alert.annotations.depth }}" }, short: "{{ event.alert.labels.alertname }}" } },
    };
    const a = await runAction(notifyAction, { args: { channel: "slack", template: "queue_deep" }, integrations, event });
    const b = await runAction(notifyAction, { args: { channel: "slack", template: "short" }, integrations, event });
    const c = await runAction(notifyAction, { args: { channel: "slack", template: "short", text: "override" }, integrations, event });
    assert.ok(a.ok && b.ok && c.ok);
    assert.deepEqual(stub.requests.map((r) => r.body), [{ text: "Queue training-a100 depth 42" }, { text: "GPUJobQueueDepthHigh" }, { text: "override" }]);

    const unknown = await runAction(notifyAction, { args: { channel: "slack", template: "nope" }, integrations, event });
    assert.equal(unknown.code, "HB_ERR_ACTION_ARGS");
    const undef = await runAction(notifyAction, { args: { channel: "slack", template: "bad" }, integrations: { ...integrations, notify: { templates: { bad: "{{ event.nope.deeper }}" } } }, event });
    assert.equal(undef.code, "HB_ERR_TEMPLATE_UNDEFINED");
    assert.equal(stub.requests.length, 3);
  });

  test("no slack settings → HB_ERR_CONFIG_INVALID; no text → HB_ERR_ACTION_ARGS", async () => {
    assert.equal((await runAction(notifyAction, { args: { channel: "slack", text: "x" }, integrations: {}, event })).code, "HB_ERR_CONFIG_INVALID");
    assert.equal((await runAction(notifyAction, { args: { channel: "slack", text: "x" }, integrations: { slack: { token: BOT_TOKEN } }, event })).code, "HB_ERR_CONFIG_INVALID");
    assert.equal((await runAction(notifyAction, { args: { channel: "slack" }, integrations: webhookSettings(), event })).code, "HB_ERR_ACTION_ARGS");
    assert.equal((await runAction(notifyAction, { args: { channel: "pager", text: "x" }, integrations: webhookSettings(), event })).code, "HB_ERR_ACTION_ARGS");
    assert.equal(stub.requests.length, 0);
  });
});
