import type { JsonAnswer, JsonRequest } from "../tickets/http-call.js";
import { RemoteFailure } from "../tickets/http-call.js";
import type { Settings } from "../tickets/integration-settings.js";
import { configFailure, optionalString, requiredString } from "../tickets/integration-settings.js";
import type { NotifyMessage } from "./message.js";

type Http = (req: JsonRequest) => Promise<JsonAnswer>;

const ADAPTIVE = "application/vnd.microsoft.card.adaptive";

function envelope(card: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return { type: "message", attachments: [{ contentType: ADAPTIVE, contentUrl: null, content: card }] };
}

/** The body posted to the webhook: a given card as-is (an Adaptive Card is wrapped in a message), else one built from text. */
export function teamsPayload(settings: Settings, msg: NotifyMessage): Record<string, unknown> {
  if (msg.card) return msg.card.type === "AdaptiveCard" ? envelope(msg.card) : { ...msg.card };
  const text = msg.text ?? "";
  const format = optionalString(settings, "format") ?? "adaptive";
  if (format === "messagecard") {
    return {
      "@type": "MessageCard",
      "@context": "https://schema.org/extensions",
      summary: msg.subject ?? text.slice(0, 80),
      ...(msg.subject !== undefined ? { title: msg.subject } : {}),
      text,
    };
  }
  if (format !== "adaptive") throw configFailure("integrations.teams.format must be adaptive or messagecard");
  return envelope({
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    type: "AdaptiveCard",
    version: "1.4",
    body: [
      ...(msg.subject !== undefined ? [{ type: "TextBlock", text: msg.subject, weight: "Bolder", size: "Medium", wrap: true }] : []),
      { type: "TextBlock", text, wrap: true },
    ],
  });
}

/**
 * Microsoft Teams incoming webhook (Workflows or the older Office 365 connector). The connector
 * can answer 200 with an error text (e.g. "... returned HTTP error 429 ..."): that is a failure.
 */
export async function sendTeams(http: Http, settings: Settings, msg: NotifyMessage): Promise<Record<string, unknown>> {
  const url = requiredString(settings, "teams", "webhook_url");
  const answer = await http({ method: "POST", url, label: "teams webhook", body: teamsPayload(settings, msg) });
  const text = answer.text.trim();
  if (text !== "" && text !== "1" && /error|fail/i.test(text)) {
    const retry = /\b429\b|throttl/i.test(text) ? "transient" : "permanent";
    throw new RemoteFailure("HB_ERR_HTTP_STATUS", `teams webhook answered ${answer.status} with an error`, retry, { status: answer.status, body: text.slice(0, 1024), retry });
  }
  return { via: "webhook", status: answer.status };
}
