import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { notifyAction } from "../../src/actions/notify/notify.js";
import type { Stub } from "./action-stubs.js";
import { runAction, secretsAbsent, startStub } from "./action-stubs.js";

const HOOK_PATH = "/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig=S1gnatureS3cret";
let stub: Stub;
const settings = (extra: Record<string, unknown> = {}) => ({ teams: { webhook_url: `${stub.url}${HOOK_PATH}`, ...extra } });

before(async () => {
  stub = await startStub(() => ({ status: 202, text: "" }));
});
after(() => stub.close());
beforeEach(() => {
  stub.requests.length = 0;
  stub.respond(() => ({ status: 202, text: "" }));
});

describe("notify: Microsoft Teams incoming webhook", () => {
  test("text (and subject) become an Adaptive Card message by default", async () => {
    const res = await runAction(notifyAction, { args: { channel: "teams", subject: "GPU drain", text: "Draining gpu-7" }, integrations: settings() });
    assert.equal(res.ok, true, res.message);
    const req = stub.requests[0]!;
    assert.equal(req.method, "POST");
    assert.equal(req.path, HOOK_PATH);
    assert.equal(req.headers["content-type"], "application/json");
    assert.deepEqual(req.body, {
      type: "message",
      attachments: [
        {
          contentType: "application/vnd.microsoft.card.adaptive",
          contentUrl: null,
          content: {
            $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
            type: "AdaptiveCard",
            version: "1.4",
            body: [
              { type: "TextBlock", text: "GPU drain", weight: "Bolder", size: "Medium", wrap: true },
              { type: "TextBlock", text: "Draining gpu-7", wrap: true },
            ],
          },
        },
      ],
    });
    assert.deepEqual(res.data, { channel: "teams", via: "webhook", status: 202 });
    assert.equal(secretsAbsent(res, ["S1gnatureS3cret"]), undefined);
  });

  test("format: messagecard (Office 365 connector)", async () => {
    stub.respond(() => ({ status: 200, text: "1" }));
    const res = await runAction(notifyAction, { args: { channel: "teams", subject: "S", text: "T" }, integrations: settings({ format: "messagecard" }) });
    assert.equal(res.ok, true, res.message);
    assert.deepEqual(stub.requests[0]?.body, { "@type": "MessageCard", "@context": "https://schema.org/extensions", summary: "S", title: "S", text: "T" });
  });

  test("a given card is sent as is (an Adaptive Card wrapped in a message)", async () => {
    const adaptive = { type: "AdaptiveCard", version: "1.5", body: [{ type: "TextBlock", text: "custom" }] };
    const messageCard = { "@type": "MessageCard", "@context": "https://schema.org/extensions", summary: "s", sections: [{ activityTitle: "x" }] };
    await runAction(notifyAction, { args: { channel: "teams", card: adaptive }, integrations: settings() });
    await runAction(notifyAction, { args: { channel: "teams", card: messageCard }, integrations: settings() });
    assert.deepEqual(stub.requests[0]?.body, { type: "message", attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null, content: adaptive }] });
    assert.deepEqual(stub.requests[1]?.body, messageCard);
  });

  test("the connector's 200-with-error answer is a failure (429 inside → transient)", async () => {
    stub.respond(() => ({ status: 200, text: "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId x" }));
    const res = await runAction(notifyAction, { args: { channel: "teams", text: "x" }, integrations: settings() });
    assert.equal(res.ok, false);
    assert.equal(res.code, "HB_ERR_HTTP_STATUS");
    assert.equal(res.data?.retry, "transient");
  });

  test("4xx is permanent; the webhook URL never appears", async () => {
    stub.respond(() => ({ status: 400, text: `bad request for ${HOOK_PATH}` }));
    const res = await runAction(notifyAction, { args: { channel: "teams", text: "x" }, integrations: settings() });
    assert.equal(res.ok, false);
    assert.equal(res.data?.retry, "permanent");
    assert.equal(secretsAbsent(res, ["S1gnatureS3cret", "/workflows/abc"]), undefined);
  });
});
