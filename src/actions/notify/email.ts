import { createTransport } from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport/index.js";
import { RemoteFailure } from "../tickets/http-call.js";
import type { Settings } from "../tickets/integration-settings.js";
import { configFailure, optionalRecord, optionalString, requiredString, stringList } from "../tickets/integration-settings.js";
import type { NotifyMessage } from "./message.js";

export interface EmailOptions {
  readonly to: unknown;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

function subjectOf(msg: NotifyMessage): string {
  if (msg.subject !== undefined && msg.subject !== "") return msg.subject.replace(/\s*\n\s*/g, " ");
  const first = (msg.text ?? "").split("\n", 1)[0]?.trim() ?? "";
  return first === "" ? "hookbook notification" : first.length > 120 ? `${first.slice(0, 119)}…` : first;
}

function transportOptions(settings: Settings, timeoutMs: number): SMTPTransport.Options {
  const port = Number(settings.port ?? (settings.secure === true ? 465 : 587));
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw configFailure("integrations.smtp.port must be a port number");
  const user = optionalString(settings, "user");
  const password = optionalString(settings, "password");
  const tls = optionalRecord(settings, "tls");
  return {
    host: requiredString(settings, "smtp", "host"),
    port,
    secure: typeof settings.secure === "boolean" ? settings.secure : port === 465,
    ...(settings.require_tls === true ? { requireTLS: true } : {}),
    ...(user !== undefined ? { auth: { user, pass: password ?? "" } } : {}),
    ...(tls ? { tls: tls as SMTPTransport.Options["tls"] } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  };
}

function smtpFailure(err: unknown): RemoteFailure {
  const e = err as { code?: unknown; responseCode?: unknown; message?: unknown };
  const responseCode = typeof e.responseCode === "number" ? e.responseCode : undefined;
  const code = typeof e.code === "string" ? e.code : undefined;
  const timedOut = code === "ETIMEDOUT" || (typeof e.message === "string" && /timeout/i.test(e.message));
  const permanent = code === "EAUTH" || code === "EENVELOPE" || (responseCode !== undefined && responseCode >= 500);
  const retry = permanent ? "permanent" : "transient";
  const reason = typeof e.message === "string" ? e.message : String(err);
  return new RemoteFailure(
    timedOut ? "HB_ERR_ACTION_TIMEOUT" : "HB_ERR_ACTION_FAILED",
    `smtp send failed: ${reason}`,
    retry,
    { ...(code ? { smtp_code: code } : {}), ...(responseCode !== undefined ? { response_code: responseCode } : {}), retry },
    timedOut,
  );
}

/** Email over SMTP with nodemailer (integrations.smtp = {host, port, secure?, user?, password?, from, to?}). */
export async function sendEmail(settings: Settings, msg: NotifyMessage, opts: EmailOptions): Promise<Record<string, unknown>> {
  const from = requiredString(settings, "smtp", "from");
  const to = stringList(opts.to ?? settings.to);
  if (to.length === 0) throw new RemoteFailure("HB_ERR_ACTION_ARGS", "notify: email needs 'to' (or integrations.smtp.to)", "permanent", { retry: "permanent" });
  const transport = createTransport(transportOptions(settings, opts.timeoutMs));
  const onAbort = (): void => transport.close();
  opts.signal.addEventListener("abort", onAbort, { once: true });
  try {
    if (opts.signal.aborted) throw new RemoteFailure("HB_ERR_ACTION_TIMEOUT", "smtp send cancelled", "transient", { retry: "transient" }, true);
    const info = await transport.sendMail({ from, to, subject: subjectOf(msg), text: msg.text ?? "" }).catch((err: unknown) => {
      throw smtpFailure(err);
    });
    const accepted = info.accepted.map(String);
    const rejected = info.rejected.map(String);
    if (accepted.length === 0) {
      throw new RemoteFailure("HB_ERR_ACTION_FAILED", "smtp server rejected every recipient", "permanent", { rejected, retry: "permanent" });
    }
    return { via: "smtp", message_id: info.messageId, accepted, rejected, response: info.response };
  } finally {
    opts.signal.removeEventListener("abort", onAbort);
    transport.close();
  }
}
