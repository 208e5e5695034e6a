import { failureResult, successResult } from "../tickets/action-result.js";
import { callJson } from "../tickets/http-call.js";
import type { JsonRequest } from "../tickets/http-call.js";
import { settingsOf } from "../tickets/integration-settings.js";
import { secretValues } from "../tickets/redact.js";
import { timeoutMs } from "../timeout-arg.js";
import type { ActionKind, ActionResult } from "../types.js";
import { sendEmail } from "./email.js";
import { buildMessage } from "./message.js";
import { sendSlack } from "./slack.js";
import { sendTeams } from "./teams.js";

/**
 * `notify`: a message to Slack (incoming webhook or chat.postMessage), Microsoft Teams (incoming
 * webhook) or email (SMTP). Text comes from `text` or a named template
 * (integrations.notify.templates), rendered against the matched event(s).
 */
export const notifyAction: ActionKind = {
  name: "notify",
  external: true,
  async run(ctx): Promise<ActionResult> {
    const secrets = secretValues(ctx.integrations);
    const base: Record<string, unknown> = { channel: ctx.args.channel };
    try {
      const msg = buildMessage(ctx);
      const limit = timeoutMs(ctx.args.timeout, ctx.limits.httpTimeoutMs);
      const http = (req: JsonRequest) => callJson(req, { signal: ctx.signal, timeoutMs: limit });
      let data: Record<string, unknown>;
      switch (msg.channel) {
        case "slack": {
          const slackChannel = typeof ctx.args.slack_channel === "string" && ctx.args.slack_channel !== "" ? ctx.args.slack_channel : undefined;
          data = await sendSlack(http, settingsOf(ctx.integrations, "slack"), msg, slackChannel);
          break;
        }
        case "teams":
          data = await sendTeams(http, settingsOf(ctx.integrations, "teams"), msg);
          break;
        case "email":
          data = await sendEmail(settingsOf(ctx.integrations, "smtp"), msg, { to: ctx.args.to, timeoutMs: limit, signal: ctx.signal });
          break;
      }
      return successResult({ ...base, ...data }, secrets);
    } catch (err) {
      return failureResult(err, secrets, base);
    }
  },
};
