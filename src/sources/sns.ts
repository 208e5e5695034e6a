/**
 * AWS SNS HTTPS subscription (sources.md §5.3). The body is JSON (sent as text/plain); its RSA
 * signature is checked by ./auth-sns.ts (verifySnsRequest) before this runs.
 *
 *  - `Notification` whose `Message` is an EventBridge event (rule → SNS topic): unwrapped and
 *    normalized exactly like the `eventbridge` kind (./aws-events.ts) — same type, same
 *    `payload`, same dedupKey `aws:<event id>` — with `meta.sns` instead of `meta.eventbridge`.
 *  - other `Notification`: type `aws.sns.notification`, subject = TopicArn, dedupKey
 *    `sns:<MessageId>`, `data.payload` = the parsed `Message` when it is JSON, else the string.
 *  - `SubscriptionConfirmation` / `UnsubscribeConfirmation`: type
 *    `aws.sns.subscription_confirmation` / `aws.sns.unsubscribe_confirmation`, subject = TopicArn,
 *    dedupKey `sns:<MessageId>`, `data.subscription = { topic_arn, subscribe_url, token, message }`.
 *    Ingest confirms allowlisted topics with `snsConfirmationUrl(body)` (GET that URL).
 *
 *   meta.sns = { type, message_id, topic_arn, timestamp, signature_version, signing_cert_url,
 *                subscription_arn?, subject?, unsubscribe_url?, message_attributes?, unwrapped? }
 *
 * time = the inner event's `time`, else `Timestamp`. Schema: docs/sources/sns.schema.json.
 * Options: `nodeNameTags`, `stripHeaders` (as for eventbridge).
 */
import type { NormalizedEvent } from "../core/envelope.js";
import { isEventBridgeEvent, nodeNameTagsOption, normalizeEventBridgeEvent } from "./aws-events.js";
import type { Json } from "./normalize-util.js";
import { checkKnownOptions, invalidPayload, isObject, metaHeadersWithout, rfc3339, str, stripHeadersOption } from "./normalize-util.js";
import type { NormalizeRequest, SourceKindHandler } from "./types.js";
import { headerValue } from "./types.js";
import { parseJsonBody } from "./webhook.js";

const KIND = "sns";
const FORMAT = "an SNS HTTPS message";
const OPTIONS: readonly string[] = ["nodeNameTags", "stripHeaders"];

export const SNS_SUBSCRIPTION_CONFIRMATION_TYPE = "aws.sns.subscription_confirmation";
export const SNS_UNSUBSCRIBE_CONFIRMATION_TYPE = "aws.sns.unsubscribe_confirmation";
export const SNS_NOTIFICATION_TYPE = "aws.sns.notification";

/** Hosts SNS sends SubscribeURL / SigningCertURL on. */
const SNS_HOST = /^sns\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/;

function checkOptions(options: Readonly<Record<string, unknown>>): void {
  checkKnownOptions(options, KIND, OPTIONS);
  nodeNameTagsOption(options, KIND);
  stripHeadersOption(options, KIND);
}

function parseBody(body: Buffer | string | Readonly<Record<string, unknown>>): unknown {
  if (Buffer.isBuffer(body)) return parseJsonBody(body);
  if (typeof body === "string") return parseJsonBody(Buffer.from(body, "utf8"));
  return body;
}

/**
 * The URL to GET to confirm a `SubscriptionConfirmation`, or undefined when the body is not one
 * or its SubscribeURL is not SNS's own `https://sns.<topic region>.amazonaws.com/?Action=
 * ConfirmSubscription&TopicArn=<the message's TopicArn>&…`, or the topic is not in the allowlist
 * (when one is given). Call it only after verifySnsRequest accepted the same body.
 */
export function snsConfirmationUrl(
  body: Buffer | string | Readonly<Record<string, unknown>>,
  opts: { readonly topicArnAllowlist?: readonly string[] } = {},
): string | undefined {
  let msg: unknown;
  try {
    msg = parseBody(body);
  } catch {
    return undefined;
  }
  if (!isObject(msg) || msg.Type !== "SubscriptionConfirmation") return undefined;
  const topicArn = str(msg.TopicArn);
  const subscribeUrl = str(msg.SubscribeURL);
  if (topicArn === undefined || subscribeUrl === undefined) return undefined;
  if (opts.topicArnAllowlist !== undefined && !opts.topicArnAllowlist.includes(topicArn)) return undefined;
  const arn = /^arn:aws(?:-cn|-us-gov)?:sns:([a-z0-9-]+):\d{12}:[A-Za-z0-9_.-]+$/.exec(topicArn);
  let url: URL;
  try {
    url = new URL(subscribeUrl);
  } catch {
    return undefined;
  }
  const host = SNS_HOST.exec(url.hostname);
  if (arn === null || host === null || host[1] !== arn[1]) return undefined;
  if (url.protocol !== "https:" || url.port !== "" || url.username !== "" || url.password !== "") return undefined;
  if (url.searchParams.get("Action") !== "ConfirmSubscription" || url.searchParams.get("TopicArn") !== topicArn) return undefined;
  return subscribeUrl;
}

function snsMeta(msg: Json, headers: Readonly<Record<string, string>>): Json {
  const meta: Json = {
    type: msg.Type,
    message_id: msg.MessageId,
    topic_arn: msg.TopicArn,
    timestamp: msg.Timestamp,
    signature_version: msg.SignatureVersion,
    signing_cert_url: msg.SigningCertURL,
  };
  const subscriptionArn = headerValue(headers, "x-amz-sns-subscription-arn");
  if (subscriptionArn !== undefined) meta.subscription_arn = subscriptionArn;
  if (str(msg.Subject) !== undefined) meta.subject = msg.Subject;
  if (str(msg.UnsubscribeURL) !== undefined) meta.unsubscribe_url = msg.UnsubscribeURL;
  if (isObject(msg.MessageAttributes)) meta.message_attributes = msg.MessageAttributes;
  return meta;
}

function parseMessage(message: string): unknown {
  try {
    return parseJsonBody(Buffer.from(message, "utf8"));
  } catch {
    return message;
  }
}

function normalize(req: NormalizeRequest): NormalizedEvent[] {
  const msg = parseJsonBody(req.body);
  if (!isObject(msg)) throw invalidPayload(FORMAT, "body must be a JSON object");
  const type = msg.Type;
  if (type !== "Notification" && type !== "SubscriptionConfirmation" && type !== "UnsubscribeConfirmation") {
    throw invalidPayload(FORMAT, "Type must be Notification, SubscriptionConfirmation or UnsubscribeConfirmation");
  }
  const headerType = headerValue(req.headers, "x-amz-sns-message-type");
  if (headerType !== undefined && headerType !== type) throw invalidPayload(FORMAT, "x-amz-sns-message-type does not match Type");
  const messageId = str(msg.MessageId);
  const topicArn = str(msg.TopicArn);
  if (messageId === undefined) throw invalidPayload(FORMAT, "MessageId must be a non-empty string");
  if (topicArn === undefined) throw invalidPayload(FORMAT, "TopicArn must be a non-empty string");
  if (typeof msg.Message !== "string") throw invalidPayload(FORMAT, "Message must be a string");
  const timestamp = rfc3339(msg.Timestamp);
  const time = timestamp === undefined ? {} : { time: timestamp };
  const headers = metaHeadersWithout(req.headers, stripHeadersOption(req.options, KIND));
  const sns = snsMeta(msg, req.headers);
  const dedupKey = `sns:${messageId}`;

  if (type !== "Notification") {
    const subscription: Json = { topic_arn: topicArn, message: msg.Message };
    if (str(msg.SubscribeURL) !== undefined) subscription.subscribe_url = msg.SubscribeURL;
    if (str(msg.Token) !== undefined) subscription.token = msg.Token;
    return [
      {
        type: type === "SubscriptionConfirmation" ? SNS_SUBSCRIPTION_CONFIRMATION_TYPE : SNS_UNSUBSCRIBE_CONFIRMATION_TYPE,
        subject: topicArn,
        ...time,
        dedupKey,
        data: { subscription, meta: { endpoint: req.endpoint, headers, sns } },
      },
    ];
  }

  const message = parseMessage(msg.Message);
  if (isEventBridgeEvent(message)) {
    const events = normalizeEventBridgeEvent(message, {
      endpoint: req.endpoint,
      headers,
      metaKey: "sns",
      transportMeta: { ...sns, unwrapped: "eventbridge" },
      nodeNameTags: nodeNameTagsOption(req.options, KIND),
    });
    return events.map((e) => (e.time === undefined && timestamp !== undefined ? { ...e, time: timestamp } : e));
  }
  return [
    {
      type: SNS_NOTIFICATION_TYPE,
      subject: topicArn,
      ...time,
      dedupKey,
      data: { payload: message, meta: { endpoint: req.endpoint, headers, sns } },
    },
  ];
}

export const snsSource: SourceKindHandler = {
  kind: KIND,
  contentTypes: ["text/plain", "application/json"],
  normalize,
  checkOptions,
};
