import { pino } from "pino";
import type { Logger } from "pino";

export type { Logger };

/** JSON logs with secrets redacted. `fd` 2 keeps stdout free for `hookbook run` records. */
export function createLogger(level: string, fd: 1 | 2 = 1): Logger {
  return pino(
    {
      level,
      base: { service: "hookbook" },
      redact: {
        paths: [
          "req.headers.authorization",
          "req.headers.cookie",
          "req.headers[\"x-hub-signature-256\"]",
          "req.headers[\"x-gitlab-token\"]",
          "headers.authorization",
          "*.secret",
          "*.token",
          "*.password",
        ],
        censor: "[redacted]",
      },
    },
    pino.destination({ fd, sync: fd === 2 }),
  );
}
