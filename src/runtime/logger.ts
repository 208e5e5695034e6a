import { pino } from "pino";
import type { Logger } from "pino";

export type { Logger };

/**
 * JSON logs with secrets redacted. `fd` 2 keeps stdout free for `hookbook run` records; a
 * destination stream instead of a descriptor is for benches and tests.
 */
export function createLogger(level: string, fd: 1 | 2 | pino.DestinationStream = 1): Logger {
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
    typeof fd === "number" ? pino.destination({ fd, sync: fd === 2 }) : fd,
  );
}
