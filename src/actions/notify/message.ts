import { HookbookError } from "../../core/errors.js";
import { renderString, renderValue } from "../../rulebook/template/index.js";
import type { ActionContext } from "../types.js";

export const NOTIFY_CHANNELS = ["slack", "teams", "email"] as const;
export type NotifyChannel = (typeof NOTIFY_CHANNELS)[number];

/** What is sent, after the template (if any) is rendered and explicit arguments are applied. */
export interface NotifyMessage {
  readonly channel: NotifyChannel;
  readonly text?: string;
  readonly subject?: string;
  /** Slack Block Kit blocks, sent as given. */
  readonly blocks?: readonly unknown[];
  /** Teams card (Adaptive Card, MessageCard or a full message envelope), sent as given. */
  readonly card?: Readonly<Record<string, unknown>>;
}

interface TemplateDef {
  readonly text?: unknown;
  readonly subject?: unknown;
  readonly blocks?: unknown;
  readonly card?: unknown;
}

function argError(message: string): HookbookError {
  return new HookbookError("HB_ERR_ACTION_ARGS", `notify: ${message}`);
}

function optionalText(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw argError(`'${name}' must be a string`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * integrations.notify.templates.<name>: a string (the text) or {text, subject?, blocks?, card?},
 * rendered with the action-argument renderer against the same variables (event / events, vars).
 */
function fromTemplate(ctx: ActionContext, name: string): TemplateDef {
  const templates = ctx.integrations.notify?.templates;
  const def = isRecord(templates) ? templates[name] : undefined;
  if (def === undefined) {
    const known = isRecord(templates) ? Object.keys(templates) : [];
    throw argError(`unknown template '${name}' (integrations.notify.templates has: ${known.join(", ") || "none"})`);
  }
  const spec: TemplateDef = typeof def === "string" ? { text: def } : isRecord(def) ? def : {};
  const vars = ctx.templateVars;
  return {
    ...(typeof spec.text === "string" ? { text: renderString(spec.text, vars) } : {}),
    ...(typeof spec.subject === "string" ? { subject: renderString(spec.subject, vars) } : {}),
    ...(spec.blocks !== undefined ? { blocks: renderValue(spec.blocks, vars) } : {}),
    ...(spec.card !== undefined ? { card: renderValue(spec.card, vars) } : {}),
  };
}

/** Explicit arguments win over the template's parts. */
export function buildMessage(ctx: ActionContext): NotifyMessage {
  const { args } = ctx;
  const channel = args.channel;
  if (typeof channel !== "string" || !(NOTIFY_CHANNELS as readonly string[]).includes(channel)) {
    throw argError(`'channel' must be one of ${NOTIFY_CHANNELS.join(", ")}`);
  }
  const templateName = optionalText(args.template, "template");
  const t: TemplateDef = templateName !== undefined ? fromTemplate(ctx, templateName) : {};
  const text = optionalText(args.text, "text") ?? optionalText(t.text, "template text");
  const subject = optionalText(args.subject, "subject") ?? optionalText(t.subject, "template subject");
  const blocks = args.blocks ?? t.blocks;
  const card = args.card ?? t.card;
  if (blocks !== undefined && !Array.isArray(blocks)) throw argError("'blocks' must be a list");
  if (card !== undefined && !isRecord(card)) throw argError("'card' must be a mapping");
  const message: NotifyMessage = {
    channel: channel as NotifyChannel,
    ...(text !== undefined ? { text } : {}),
    ...(subject !== undefined ? { subject } : {}),
    ...(blocks !== undefined ? { blocks } : {}),
    ...(card !== undefined ? { card } : {}),
  };
  const empty = message.text === undefined || message.text === "";
  if (message.channel === "email" && empty) throw argError("email needs 'text' (or a template with text)");
  if (message.channel === "slack" && empty && !message.blocks) throw argError("slack needs 'text', 'blocks' or a template");
  if (message.channel === "teams" && empty && !message.card) throw argError("teams needs 'text', 'card' or a template");
  return message;
}
