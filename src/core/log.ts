/** The logging port modules take (pino's Logger satisfies it; tests pass plain objects). */
export interface LogSink {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
