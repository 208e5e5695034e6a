// @ts-check
/** The endpoints list: every endpoint with its 24-hour delivery statistics. */
import { ApiError, call, endpointPath } from "./api.js";
import { h, replaceChildren } from "./dom.js";
import { DASH, duration, percent, rateLimit, summarize } from "./format.js";
import { autoRefresh, breakerEl, errorBox, statusEl, timeEl } from "./widgets.js";

/** Stats calls in flight at once. */
const PARALLEL = 6;

/**
 * Run `fn` over `items`, at most `parallel` at a time; results in order.
 * @template T, R
 * @param {T[]} items
 * @param {number} parallel
 * @param {(item: T) => Promise<R>} fn
 * @returns {Promise<R[]>}
 */
async function mapLimit(items, parallel, fn) {
  /** @type {R[]} */
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(/** @type {T} */ (items[i]));
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
  return out;
}

/**
 * @param {import("./types.js").Endpoint} ep
 * @param {import("./types.js").Stats | ApiError} stats
 * @param {number} now
 */
function row(ep, stats, now) {
  const href = `#/endpoints/${encodeURIComponent(ep.id)}`;
  const failed = stats instanceof ApiError;
  /** @param {string | HTMLElement} v @param {string} [cls] */
  const cell = (v, cls = "num") => h("td", { class: cls }, failed ? h("span", { class: "muted", title: `${stats.code}: ${stats.message}` }, "n/a") : v);
  const s = failed ? {} : stats;
  return h(
    "tr",
    { "data-endpoint": ep.id },
    h("th", { scope: "row" }, h("a", { href }, ep.id), ep.description ? h("div", { class: "muted small" }, ep.description) : null),
    h("td", { class: "url" }, ep.url),
    h("td", {}, ep.events.join(", ")),
    h(
      "td",
      { class: "status-cell" },
      statusEl(ep, now, true),
      ep.rate_limit === undefined || ep.rate_limit === null ? null : h("div", { class: "muted small" }, `rate limit: ${rateLimit(ep.rate_limit)}`),
      ep.tls === undefined || ep.tls === null ? null : h("div", { class: "muted small" }, `tls: ${summarize(ep.tls)}`),
    ),
    h("td", {}, ep.source ?? DASH),
    cell(percent(s.success_rate)),
    cell(duration(s.latency_ms?.p95)),
    cell(String(s.failures_24h ?? DASH)),
    cell(timeEl(s.last_success_at, now, true), "time"),
    h("td", {}, breakerEl(ep.breaker ?? s.breaker, now)),
    cell(String(s.queued ?? DASH)),
  );
}

/**
 * @param {HTMLElement} root
 * @returns {import("./types.js").View}
 */
export function endpointsView(root) {
  const tbody = h("tbody");
  const status = h("p", { class: "muted", "aria-live": "polite" }, "Loading…");
  const problems = h("div");
  const table = h(
    "table",
    { class: "data", id: "endpoints" },
    h("caption", { class: "visually-hidden" }, "Webhook endpoints and their delivery statistics over the last 24 hours"),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...["Endpoint", "URL", "Events", "Status", "Source", "Success (24 h)", "p95 latency", "Failures (24 h)", "Last success", "Breaker", "Queued"].map((t) => h("th", { scope: "col" }, t)),
      ),
    ),
    tbody,
  );
  let stopped = false;

  const load = async () => {
    try {
      const list = /** @type {{data: import("./types.js").Endpoint[]}} */ (await call("GET", "webhooks")).data;
      const stats = await mapLimit(list, PARALLEL, (ep) =>
        call("GET", endpointPath(ep.id, "stats")).catch((/** @type {unknown} */ err) => {
          if (err instanceof ApiError) return err;
          throw err;
        }),
      );
      if (stopped) return;
      const now = Date.now();
      replaceChildren(problems);
      replaceChildren(tbody, ...list.map((ep, i) => row(ep, stats[i], now)));
      if (list.length === 0) {
        replaceChildren(tbody, h("tr", {}, h("td", { colspan: 11, class: "empty" }, "No endpoints yet: add outbound.endpoints to the config or POST /api/webhooks.")));
      }
      status.textContent = `${list.length} endpoint${list.length === 1 ? "" : "s"} · updated ${new Date(now).toLocaleTimeString()}`;
    } catch (err) {
      if (stopped || (err instanceof ApiError && err.status === 401)) return;
      replaceChildren(problems, errorBox(err, "Loading the endpoints"));
      status.textContent = "";
    }
  };

  const auto = autoRefresh(load);
  replaceChildren(
    root,
    h("h1", {}, "Endpoints"),
    h("div", { class: "toolbar" }, h("button", { type: "button", id: "refresh", onclick: () => void auto.run() }, "Refresh"), auto.el, status),
    problems,
    h("div", { class: "table-wrap" }, table),
  );
  void auto.run();
  return {
    stop() {
      stopped = true;
      auto.stop();
    },
  };
}
