/**
 * AWS EventBridge API destination (sources.md §5.2): the body is one EventBridge event, sent
 * unchanged (no input transformer). Authentication is the connection's (API key header, basic or
 * OAuth client-credentials bearer) and is checked by ./auth.ts before this runs.
 *
 *   data = {
 *     payload: <the EventBridge event as received>,
 *     interruption | rebalance | retirement: <common block>,     // see ./aws-events.ts
 *     meta: {
 *       endpoint, headers (minus Authorization, X-Api-Key, Cookie and the stripHeaders option),
 *       eventbridge: { transport: "api-destination", id, source, detail_type, account?, region? }
 *     }
 *   }
 *
 * dedupKey `aws:<event id>`: the same as the SNS path, so an event arriving both ways is stored
 * once; EventBridge retries for 24 h with the same id. Schema: docs/sources/eventbridge.schema.json.
 *
 * Options: `nodeNameTags` (instance tags holding the Kubernetes node name, for Health events),
 * `stripHeaders` (extra header names kept out of meta.headers, e.g. a custom API-key header).
 */
import type { NormalizedEvent } from "../core/envelope.js";
import { isEventBridgeEvent, nodeNameTagsOption, normalizeEventBridgeEvent } from "./aws-events.js";
import { checkKnownOptions, invalidPayload, metaHeadersWithout, str, stripHeadersOption } from "./normalize-util.js";
import type { NormalizeRequest, SourceKindHandler } from "./types.js";
import { parseJsonBody } from "./webhook.js";

const KIND = "eventbridge";
const OPTIONS: readonly string[] = ["nodeNameTags", "stripHeaders"];

function checkOptions(options: Readonly<Record<string, unknown>>): void {
  checkKnownOptions(options, KIND, OPTIONS);
  nodeNameTagsOption(options, KIND);
  stripHeadersOption(options, KIND);
}

function normalize(req: NormalizeRequest): NormalizedEvent[] {
  const event = parseJsonBody(req.body);
  if (!isEventBridgeEvent(event)) {
    throw invalidPayload(
      "an EventBridge event",
      "expected an object with id, detail-type, source and detail (input transformers: use the webhook kind)",
    );
  }
  const transportMeta = {
    transport: "api-destination",
    id: event.id,
    source: event.source,
    detail_type: event["detail-type"],
    ...(str(event.account) === undefined ? {} : { account: event.account }),
    ...(str(event.region) === undefined ? {} : { region: event.region }),
  };
  return normalizeEventBridgeEvent(event, {
    endpoint: req.endpoint,
    headers: metaHeadersWithout(req.headers, stripHeadersOption(req.options, KIND)),
    metaKey: "eventbridge",
    transportMeta,
    nodeNameTags: nodeNameTagsOption(req.options, KIND),
  });
}

export const eventbridgeSource: SourceKindHandler = {
  kind: KIND,
  contentTypes: ["application/json"],
  normalize,
  checkOptions,
};
