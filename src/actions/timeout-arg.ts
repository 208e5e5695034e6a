import { parseDuration } from "../core/duration.js";

/** An action `timeout` argument: seconds as a number, or a duration string; else the default. */
export function timeoutMs(value: unknown, fallbackMs: number): number {
  if (typeof value === "number" && value > 0) return Math.round(value * 1000);
  if (typeof value === "string") return parseDuration(value) ?? fallbackMs;
  return fallbackMs;
}

/** Keep at most `max` bytes of text (UTF-8), marking the cut. */
export function truncate(text: string, max: number): string {
  const buf = Buffer.from(text, "utf8");
  if (buf.length <= max) return text;
  return `${buf.subarray(0, max).toString("utf8")}…[truncated ${buf.length - max} bytes]`;
}
