import { pino } from "pino";
import type { Logger } from "pino";

export type { Logger };

/**
 * Where log lines go: stdout (1) is buffered — written once 4 KiB have gathered or a second has
 * passed, and on exit — so a busy ingest does not make one write per request line; stderr (2) is
 * written line by line (`hookbook run` keeps stdout for its records). `{ path }` (benches,
 * tests) is buffered like stdout.
 */
export type LogTarget = 1 | 2 | { readonly path: string };

function destination(target: LogTarget): pino.DestinationStream {
  if (target === 2) return pino.destination({ fd: 2, sync: true });
  const where = target === 1 ? { fd: 1 } : { dest: target.path };
  return pino.destination({ ...where, sync: false, minLength: 4096, periodicFlush: 1000 });
}

/** JSON logs with secrets redacted. */
export function createLogger(level: string, target: LogTarget = 1): Logger {
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
    destination(target),
  );
}
