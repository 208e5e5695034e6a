import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { parseDuration } from "../core/duration.js";
import { HookbookError } from "../core/errors.js";

export type EventsLine =
  | { readonly kind: "event"; readonly event: Record<string, unknown>; readonly line: number }
  | { readonly kind: "advance"; readonly ms: number; readonly line: number };

/**
 * Lines of a JSONL events file: an object per line is an event; `{"$advance": "5 seconds"}`
 * moves the virtual clock. Blank lines and lines starting with `#` or `//` are skipped.
 */
export async function* readEventsFile(path: string): AsyncGenerator<EventsLine> {
  const input = path === "-" ? process.stdin : createReadStream(path, { encoding: "utf8" });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const raw of lines) {
      n++;
      const text = raw.trim();
      if (text === "" || text.startsWith("#") || text.startsWith("//")) continue;
      yield parseEventsLine(text, path, n);
    }
  } catch (err) {
    if (err instanceof HookbookError) throw err;
    throw new HookbookError("HB_ERR_EVENTS_FILE", `cannot read events file ${path}: ${(err as Error).message}`);
  }
}

export function parseEventsLine(text: string, file: string, line: number): EventsLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new HookbookError("HB_ERR_EVENTS_FILE", `${file}:${line}:1: not valid JSON: ${(err as Error).message}`, { location: { file, line, col: 1 } });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new HookbookError("HB_ERR_EVENTS_FILE", `${file}:${line}:1: each line must be a JSON object`, { location: { file, line, col: 1 } });
  }
  const obj = value as Record<string, unknown>;
  if ("$advance" in obj) {
    const ms = typeof obj.$advance === "string" ? parseDuration(obj.$advance) : undefined;
    if (ms === undefined) {
      throw new HookbookError("HB_ERR_EVENTS_FILE", `${file}:${line}:1: $advance must be a duration like "5 seconds"`, { location: { file, line, col: 1 } });
    }
    return { kind: "advance", ms, line };
  }
  return { kind: "event", event: obj, line };
}
