import type { JsonAnswer, JsonRequest } from "../tickets/http-call.js";
import { RemoteFailure, baseUrl } from "../tickets/http-call.js";
import type { Settings } from "../tickets/integration-settings.js";
import { configFailure, optionalString } from "../tickets/integration-settings.js";
import type { NotifyMessage } from "./message.js";

const DEFAULT_API_URL = "https://slack.com/api";
/** chat.postMessage errors worth retrying; every other `ok: false` is permanent. */
const TRANSIENT_ERRORS = new Set(["internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"]);

type Http = (req: JsonRequest) => Promise<JsonAnswer>;

function payload(msg: NotifyMessage): Record<string, unknown> {
  return { ...(msg.text !== undefined ? { text: msg.text } : {}), ...(msg.blocks ? { blocks: msg.blocks } : {}) };
}

async function postMessage(http: Http, settings: Settings, token: string, channel: string, msg: NotifyMessage): Promise<Record<string, unknown>> {
  const url = `${baseUrl(optionalString(settings, "api_url") ?? DEFAULT_API_URL)}/chat.postMessage`;
  const answer = await http({
    method: "POST",
    url,
    label: "slack POST chat.postMessage",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json; charset=utf-8" },
    body: { channel, ...payload(msg) },
  });
  const body = (answer.json ?? {}) as { ok?: unknown; error?: unknown; channel?: unknown; ts?: unknown };
  if (body.ok !== true) {
    const error = typeof body.error === "string" ? body.error : "unknown_error";
    const retry = TRANSIENT_ERRORS.has(error) ? "transient" : "permanent";
    throw new RemoteFailure("HB_ERR_HTTP_STATUS", `slack chat.postMessage failed: ${error}`, retry, { status: answer.status, error, retry });
  }
  return { via: "chat.postMessage", slack_channel: body.channel ?? channel, ts: body.ts };
}

async function webhook(http: Http, url: string, msg: NotifyMessage): Promise<Record<string, unknown>> {
  const answer = await http({ method: "POST", url, label: "slack webhook", body: payload(msg) });
  return { via: "webhook", status: answer.status };
}

/**
 * Slack: chat.postMessage when a bot token and a channel (slack_channel, else
 * integrations.slack.channel) are known, else the incoming webhook (integrations.slack.webhook_url).
 */
export async function sendSlack(http: Http, settings: Settings, msg: NotifyMessage, slackChannel: string | undefined): Promise<Record<string, unknown>> {
  const token = optionalString(settings, "token");
  const channel = slackChannel ?? optionalString(settings, "channel");
  if (token && channel) return postMessage(http, settings, token, channel, msg);
  const hook = optionalString(settings, "webhook_url");
  if (hook) return webhook(http, hook, msg);
  if (token) throw configFailure("slack chat.postMessage needs a channel: slack_channel or integrations.slack.channel");
  throw configFailure("integrations.slack needs webhook_url, or token and channel");
}
