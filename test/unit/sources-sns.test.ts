import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { eventbridgeSource } from "../../src/sources/eventbridge.js";
import { snsConfirmationUrl, snsSource } from "../../src/sources/sns.js";
import { fixtureBytes } from "../helpers/fixtures.js";
import { assertEnvelope, assertGolden, fixtureJson, normalizeFixture, throwsCode } from "./sources-golden-helper.js";

const KIND = "sns";
const TOPIC = "arn:aws:sns:us-east-1:123456789012:gpu-fleet-interruptions";
const confirmation = fixtureJson("aws/sns-subscription-confirmation.json") as Record<string, unknown>;
const notification = fixtureJson("aws/sns-notification-spot.json") as Record<string, unknown>;

const normalizeJson = (body: unknown, headers: Record<string, string> = {}) =>
  snsSource.normalize({ body: Buffer.from(JSON.stringify(body)), headers, endpoint: "sns-in", options: {} });

describe("sns source: fixtures", () => {
  for (const name of ["sns-notification-spot", "sns-subscription-confirmation", "sns-unsubscribe-confirmation"]) {
    it(`${name} normalizes to its golden file and matches the schema`, () => {
      const events = normalizeFixture(snsSource, `aws/${name}`);
      assert.equal(events.length, 1);
      assertGolden(KIND, name, events);
      assertEnvelope(KIND, events);
    });
  }

  it("a Notification carrying an EventBridge event is unwrapped: same type, payload, common block and dedupKey as the direct path", () => {
    const [viaSns] = normalizeFixture(snsSource, "aws/sns-notification-spot");
    const [direct] = normalizeFixture(eventbridgeSource, "aws/spot-interruption-eventbridge");
    assert.ok(viaSns && direct);
    assert.equal(viaSns.dedupKey, "aws:7d3f9a1e-5b2c-4e8d-9f06-1a2b3c4d5e6f");
    assert.equal(viaSns.dedupKey, direct.dedupKey);
    assert.equal(viaSns.type, direct.type);
    assert.equal(viaSns.subject, direct.subject);
    assert.equal(viaSns.time, direct.time, "the inner event time, not the SNS Timestamp");
    assert.deepEqual(viaSns.data.payload, direct.data.payload);
    assert.deepEqual(viaSns.data.interruption, direct.data.interruption);
    const sns = (viaSns.data.meta as { sns: Record<string, unknown> }).sns;
    assert.equal(sns.unwrapped, "eventbridge");
    assert.equal(sns.message_id, "e5c0d8a2-7f14-5b3e-9a6c-1d8f4b2e0c97");
    assert.equal(sns.topic_arn, TOPIC);
    assert.equal(sns.subscription_arn, `${TOPIC}:2f6b9e1c-4a7d-4c3e-b8f0-5d1a9c7e2b64`);
    assert.ok(!("signature" in sns) && !("Signature" in sns));
  });

  it("confirmations become aws.sns.*_confirmation events carrying SubscribeURL and TopicArn", () => {
    const [sub] = normalizeFixture(snsSource, "aws/sns-subscription-confirmation");
    assert.equal(sub?.type, "aws.sns.subscription_confirmation");
    assert.equal(sub?.dedupKey, "sns:9a1b6e0f-2c7d-4e3a-8b5f-0d4c9e2a7f16");
    assert.equal(sub?.subject, TOPIC);
    assert.equal(sub?.time, "2026-05-12T11:40:27.319Z");
    const s = sub?.data.subscription as Record<string, unknown>;
    assert.equal(s.topic_arn, TOPIC);
    assert.equal(s.subscribe_url, confirmation.SubscribeURL);
    const [unsub] = normalizeFixture(snsSource, "aws/sns-unsubscribe-confirmation");
    assert.equal(unsub?.type, "aws.sns.unsubscribe_confirmation");
    assert.equal(unsub?.dedupKey, "sns:4d7e2b9c-0a1f-4e6b-8c3d-f5a2e7b1c094");
  });
});

describe("sns source: other messages", () => {
  it("a non-EventBridge Notification keeps its parsed Message with key sns:<MessageId>", () => {
    const body = { ...notification, Message: JSON.stringify({ hello: "gpu" }), Subject: "test" };
    const [e] = normalizeJson(body);
    assert.equal(e?.type, "aws.sns.notification");
    assert.equal(e?.dedupKey, "sns:e5c0d8a2-7f14-5b3e-9a6c-1d8f4b2e0c97");
    assert.deepEqual(e?.data.payload, { hello: "gpu" });
    assert.equal(e?.time, "2026-05-12T15:20:04.871Z");
    assert.equal((e?.data.meta as { sns: { subject: string } }).sns.subject, "test");
    const [text] = normalizeJson({ ...notification, Message: "plain text" });
    assert.equal(text?.data.payload, "plain text");
  });

  it("refuses malformed messages", () => {
    throwsCode(() => normalizeJson({ ...notification, Type: "Other" }), "HB_ERR_INVALID_PAYLOAD");
    throwsCode(() => normalizeJson({ ...notification, MessageId: undefined }), "HB_ERR_INVALID_PAYLOAD");
    throwsCode(() => normalizeJson({ ...notification, Message: { a: 1 } }), "HB_ERR_INVALID_PAYLOAD");
    throwsCode(() => normalizeJson(notification, { "x-amz-sns-message-type": "SubscriptionConfirmation" }), "HB_ERR_INVALID_PAYLOAD");
    throwsCode(() => snsSource.normalize({ body: Buffer.from("nope"), headers: {}, endpoint: "s", options: {} }), "HB_ERR_INVALID_JSON");
  });
});

describe("snsConfirmationUrl", () => {
  it("returns SubscribeURL for a SubscriptionConfirmation (Buffer, string or parsed body)", () => {
    const bytes = fixtureBytes("aws/sns-subscription-confirmation.json");
    assert.equal(snsConfirmationUrl(bytes), confirmation.SubscribeURL);
    assert.equal(snsConfirmationUrl(bytes.toString("utf8")), confirmation.SubscribeURL);
    assert.equal(snsConfirmationUrl(confirmation, { topicArnAllowlist: [TOPIC] }), confirmation.SubscribeURL);
  });

  it("is undefined for other types, foreign hosts, mismatched topics or a topic outside the allowlist", () => {
    assert.equal(snsConfirmationUrl(fixtureBytes("aws/sns-unsubscribe-confirmation.json")), undefined);
    assert.equal(snsConfirmationUrl(fixtureBytes("aws/sns-notification-spot.json")), undefined);
    assert.equal(snsConfirmationUrl(Buffer.from("not json")), undefined);
    assert.equal(snsConfirmationUrl(confirmation, { topicArnAllowlist: ["arn:aws:sns:us-east-1:123456789012:other"] }), undefined);
    const url = confirmation.SubscribeURL as string;
    const variants = [
      url.replace("https://sns.us-east-1.amazonaws.com", "https://sns.us-east-1.amazonaws.com.evil.example"),
      url.replace("https://sns.us-east-1.amazonaws.com", "http://sns.us-east-1.amazonaws.com"),
      url.replace("https://sns.us-east-1.amazonaws.com", "https://sns.eu-west-1.amazonaws.com"),
      url.replace("https://sns.us-east-1.amazonaws.com", "https://sns.us-east-1.amazonaws.com:8443"),
      url.replace("gpu-fleet-interruptions&", "other-topic&"),
      url.replace("Action=ConfirmSubscription", "Action=Unsubscribe"),
    ];
    for (const SubscribeURL of variants) assert.equal(snsConfirmationUrl({ ...confirmation, SubscribeURL }), undefined, SubscribeURL);
  });
});
