// @ts-check
/** Formatting of API values for display (pure functions, no DOM). */

export const DASH = "—";

/**
 * 0.975 → "97.5 %"; null → "—".
 * @param {unknown} rate
 */
export function percent(rate) {
  if (typeof rate !== "number" || !Number.isFinite(rate)) return DASH;
  const p = rate * 100;
  return `${p === 100 || p === 0 ? p.toFixed(0) : p.toFixed(1)} %`;
}

/**
 * 38 → "38 ms", 1530 → "1.53 s".
 * @param {unknown} ms
 */
export function duration(ms) {
  if (typeof ms !== "number" || !Number.isFinite(ms)) return DASH;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/** @param {number} n */
const pad = (n) => String(n).padStart(2, "0");

/**
 * An RFC 3339 time as local "2026-05-12 14:05:01"; anything else → "—".
 * @param {unknown} iso
 */
export function localTime(iso) {
  if (typeof iso !== "string") return DASH;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return DASH;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * "3 min ago" / "in 20 s" relative to `now` (ms); "" when not a time.
 * @param {unknown} iso
 * @param {number} now
 */
export function ago(iso, now) {
  if (typeof iso !== "string") return "";
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return "";
  const diff = now - t;
  const s = Math.abs(diff) / 1000;
  if (s < 1) return "just now";
  const text = s < 60 ? `${Math.floor(s)} s` : s < 3600 ? `${Math.floor(s / 60)} min` : s < 172_800 ? `${Math.floor(s / 3600)} h` : `${Math.floor(s / 86_400)} d`;
  return diff >= 0 ? `${text} ago` : `in ${text}`;
}

/**
 * A value of unknown shape on one line: objects as "key: value, …", arrays comma-joined.
 * @param {unknown} v
 * @returns {string}
 */
export function summarize(v) {
  if (v === null || v === undefined || v === "") return DASH;
  if (Array.isArray(v)) return v.length === 0 ? DASH : v.map(summarize).join(", ");
  if (typeof v === "object") {
    const entries = Object.entries(v).filter(([, x]) => x !== null && x !== undefined);
    return entries.length === 0 ? DASH : entries.map(([k, x]) => `${k}: ${typeof x === "object" ? JSON.stringify(x) : String(x)}`).join(", ");
  }
  return String(v);
}

/**
 * An endpoint's `rate_limit`: `{requests, period_ms}` → "10 per 1.00 s", null → "unlimited".
 * @param {unknown} v
 */
export function rateLimit(v) {
  if (v === null) return "unlimited";
  if (typeof v === "object" && v !== null && "requests" in v && "period_ms" in v && typeof v.requests === "number") return `${v.requests} per ${duration(v.period_ms)}`;
  return summarize(v);
}

/**
 * The value of an `<input type="datetime-local">` (local time) as RFC 3339 UTC; "" stays "".
 * @param {string} value
 */
export function localInputToIso(value) {
  if (value.trim() === "") return "";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new RangeError(`not a date and time: ${value}`);
  return d.toISOString();
}

/**
 * ms since the epoch as an `<input type="datetime-local">` value (local time, minutes).
 * @param {number} ms
 */
export function isoToLocalInput(ms) {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * Byte length of a string as UTF-8, for "412 B" labels.
 * @param {string} s
 */
export function bytes(s) {
  const n = new TextEncoder().encode(s).length;
  return n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KiB`;
}
