/** The ingest logger: pino, JSON, with every credential-bearing field redacted. */
import { pino } from "pino";
import type { Logger } from "pino";

const SECRET_HEADERS = [
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-hub-signature",
  "x-hub-signature-256",
  "x-gitea-signature",
  "x-gogs-signature",
  "x-forgejo-signature",
  "x-gitlab-token",
  "x-grafana-alerting-signature",
  "webhook-signature",
  "svix-signature",
  "x-api-key",
];

const HEADER_HOLDERS = ["req.headers", "headers", "meta.headers", "*.headers", "*.meta.headers"];

/** pino `redact` paths: secret headers wherever headers are logged, and secret config keys. */
export const REDACT_PATHS: readonly string[] = [
  ...HEADER_HOLDERS.flatMap((holder) => SECRET_HEADERS.map((h) => `${holder}["${h}"]`)),
  "auth.token",
  "auth.secret",
  "auth.password",
  "auth.key",
  "*.auth.token",
  "*.auth.secret",
  "*.auth.password",
  "*.auth.key",
  "auth[*].token",
  "auth[*].secret",
  "auth[*].password",
  "auth[*].key",
];

export interface IngestLoggerOptions {
  readonly level?: string;
  /** Where lines go (default stdout). */
  readonly destination?: pino.DestinationStream;
}

export function createIngestLogger(opts: IngestLoggerOptions = {}): Logger {
  const options = { level: opts.level ?? "info", redact: { paths: [...REDACT_PATHS], censor: "[redacted]" } };
  return opts.destination === undefined ? pino(options) : pino(options, opts.destination);
}
