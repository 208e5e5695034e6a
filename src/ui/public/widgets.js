// @ts-check
/** Small building blocks shared by the views: error box, badges, times, auto-refresh. */
import { ApiError } from "./api.js";
import { h } from "./dom.js";
import { DASH, ago, localTime, summarize } from "./format.js";

/**
 * `{error: {code, message}}` of the API (or any thrown value) as an alert box.
 * @param {unknown} err
 * @param {string} [what] what was being done, e.g. "Replay"
 */
export function errorBox(err, what) {
  const code = err instanceof ApiError ? err.code : "ERROR";
  const message = err instanceof Error ? err.message : String(err);
  const status = err instanceof ApiError && err.status > 0 ? ` (HTTP ${err.status})` : "";
  return h(
    "div",
    { class: "error", role: "alert" },
    what === undefined ? null : h("strong", {}, `${what} failed${status}: `),
    h("code", { class: "code" }, code),
    " ",
    h("span", { class: "message" }, message),
  );
}

/**
 * A status word with a colour class: enabled, disabled, delivered, retry, dead, test, open …
 * @param {string} text
 * @param {string} [kind] class suffix (default: text)
 */
export function badge(text, kind = text) {
  return h("span", { class: `badge badge-${kind.replace(/[^a-z0-9_-]/gi, "")}` }, text);
}

/**
 * A time as local text with the relative age; the exact RFC 3339 value in the title.
 * `compact`: only the age ("3 min ago"), the local time in the title.
 * @param {unknown} iso
 * @param {number} now
 * @param {boolean} [compact]
 */
export function timeEl(iso, now, compact = false) {
  if (typeof iso !== "string" || localTime(iso) === DASH) return h("span", { class: "muted" }, DASH);
  if (compact) return h("time", { datetime: iso, title: `${localTime(iso)} (${iso})` }, ago(iso, now));
  return h("time", { datetime: iso, title: iso }, localTime(iso), " ", h("span", { class: "muted" }, `(${ago(iso, now)})`));
}

/**
 * Endpoint status: badge + reason and time when disabled (`compact`: only the age).
 * @param {import("./types.js").Endpoint} ep
 * @param {number} now
 * @param {boolean} [compact]
 */
export function statusEl(ep, now, compact = false) {
  if (ep.status !== "disabled") return badge(ep.status || "unknown");
  const since = ep.disabled_at ? (compact ? ` ${ago(ep.disabled_at, now)}` : ` since ${localTime(ep.disabled_at)} (${ago(ep.disabled_at, now)})`) : "";
  return h(
    "span",
    { class: "status" },
    badge("disabled"),
    ep.disabled_reason ? h("span", { class: "reason" }, ` ${ep.disabled_reason}`) : null,
    since === "" ? null : h("span", { class: "muted", title: ep.disabled_at ?? "" }, since),
  );
}

/**
 * Circuit breaker state when the API reports one, else "—".
 * @param {import("./types.js").Breaker | null | undefined} b
 * @param {number} now
 */
export function breakerEl(b, now) {
  if (b === null || b === undefined || typeof b !== "object") return h("span", { class: "muted" }, DASH);
  const state = typeof b.state === "string" ? b.state : summarize(b);
  return h(
    "span",
    { class: "breaker" },
    badge(state, `breaker-${state}`),
    typeof b.retry_at === "string" && b.retry_at !== "" ? h("span", { class: "muted", title: b.retry_at }, ` retry ${ago(b.retry_at, now)}`) : null,
    typeof b.consecutive_failures === "number" && b.consecutive_failures > 0 ? h("span", { class: "muted small" }, ` ${b.consecutive_failures} failed in a row`) : null,
  );
}

/**
 * Text that can be long (response bodies, dead-letter bodies): a disclosure showing its size,
 * opening to the exact text in a <pre> (as text: attacker-controlled content is never markup).
 * @param {string | undefined} text
 * @param {{label?: string, truncated?: boolean, open?: boolean, onToggle?: (open: boolean) => void}} [opts]
 */
export function excerpt(text, opts = {}) {
  if (text === undefined || text === "") return h("span", { class: "muted" }, DASH);
  const preview = text.length > 60 ? `${text.slice(0, 60)}…` : text;
  const d = h(
    "details",
    { class: "excerpt", open: opts.open === true },
    h("summary", {}, opts.label ? `${opts.label}: ` : "", h("code", {}, preview.replace(/\s+/g, " "))),
    h("pre", {}, text),
    opts.truncated ? h("p", { class: "muted" }, "(first 4 KiB only)") : null,
  );
  if (opts.onToggle) {
    const fn = opts.onToggle;
    d.addEventListener("toggle", () => fn(d.open));
  }
  return d;
}

const AUTO_KEY = "hookbook.autoRefresh";

/**
 * An "Auto-refresh every 5 s" checkbox driving `tick` (never two ticks at once). The choice is
 * kept for the tab; stop() ends the timer.
 * @param {() => Promise<void>} tick
 * @param {number} [everyMs]
 */
export function autoRefresh(tick, everyMs = 5000) {
  /** @type {ReturnType<typeof setInterval> | undefined} */
  let timer;
  let busy = false;
  const run = async () => {
    if (busy) return;
    busy = true;
    try {
      await tick();
    } finally {
      busy = false;
    }
  };
  const input = h("input", { type: "checkbox", id: "auto-refresh" });
  const set = (/** @type {boolean} */ on) => {
    if (timer !== undefined) clearInterval(timer);
    timer = on ? setInterval(() => void run(), everyMs) : undefined;
    try {
      sessionStorage.setItem(AUTO_KEY, on ? "1" : "0");
    } catch {
      // not kept
    }
  };
  input.addEventListener("change", () => set(input.checked));
  try {
    input.checked = sessionStorage.getItem(AUTO_KEY) === "1";
  } catch {
    input.checked = false;
  }
  set(input.checked);
  const el = h("label", { class: "toggle" }, input, ` Auto-refresh every ${Math.round(everyMs / 1000)} s`);
  return {
    el,
    run,
    stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
  };
}
