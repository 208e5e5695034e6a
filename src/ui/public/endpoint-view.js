// @ts-check
/**
 * One endpoint: its settings and 24-hour statistics, the attempt log (filter by outcome, search
 * by message id or type), dead letters, and the operator actions — replay, recover a time
 * range, send a test event, enable/disable. Every answer of an action is shown on the page.
 */
import { ApiError, call, endpointPath } from "./api.js";
import { h, replaceChildren } from "./dom.js";
import { DASH, duration, isoToLocalInput, localInputToIso, percent, rateLimit, summarize } from "./format.js";
import { autoRefresh, badge, breakerEl, errorBox, excerpt, statusEl, timeEl } from "./widgets.js";

/** @typedef {import("./types.js").Attempt} Attempt */
/** @typedef {import("./types.js").DeadLetter} DeadLetter */
/** @typedef {import("./types.js").Endpoint} Endpoint */
/** @typedef {import("./types.js").Stats} Stats */

const OUTCOMES = ["delivered", "retry", "dead", "test"];
const LIMITS = [50, 200, 1000];

/** @param {Attempt} a */
const attemptKey = (a) => `${a.message_id}#${a.attempt}#${a.at}#${a.trigger ?? ""}`;

/**
 * @param {string} term
 * @param {...(string | undefined)} fields
 */
const matches = (term, ...fields) => term === "" || fields.some((f) => f !== undefined && f.toLowerCase().includes(term));

/**
 * @param {string} label
 * @param {Node | string} value
 * @param {string} [id]
 */
const item = (label, value, id) => h("div", { class: "item", ...(id === undefined ? {} : { "data-stat": id }) }, h("dt", {}, label), h("dd", {}, value));

/**
 * @param {HTMLElement} root
 * @param {string} id
 * @returns {import("./types.js").View}
 */
export function endpointView(root, id) {
  /** @type {Endpoint | undefined} */
  let endpoint;
  /** @type {Attempt[]} */
  let attempts = [];
  /** @type {DeadLetter[]} */
  let deadLetters = [];
  /** Response excerpts the user opened, kept open across refreshes. */
  const open = new Set();
  let stopped = false;

  const title = h("h1", {}, "Endpoint ", h("code", {}, id));
  const headline = h("div", { class: "headline" });
  const problems = h("div");
  const result = h("div", { id: "result", class: "result", "aria-live": "polite" });
  const info = h("dl", { class: "info", id: "info" });
  const stats = h("dl", { class: "stats", id: "stats" });
  const updated = h("span", { class: "muted", "aria-live": "polite" });

  // attempt log controls
  const outcomeSel = h("select", { id: "filter-outcome" }, h("option", { value: "" }, "all outcomes"), ...OUTCOMES.map((o) => h("option", { value: o }, o)));
  const search = h("input", { id: "filter-q", type: "search", placeholder: "message id or type", autocomplete: "off" });
  const limitSel = h("select", { id: "limit" }, ...LIMITS.map((n) => h("option", { value: n }, `newest ${n}`)));
  const shown = h("span", { class: "muted", id: "attempts-count" });
  const attemptRows = h("tbody");
  const deadRows = h("tbody");

  // actions
  const enableBtn = h("button", { type: "button", id: "enable" }, "Enable");
  const disableBtn = h("button", { type: "button", id: "disable", class: "danger" }, "Disable");
  const confirmBox = h("span", { class: "confirm", hidden: true });
  const testBtn = h("button", { type: "button", id: "send-test" }, "Send test event");

  /**
   * Run an operator action: the button is disabled meanwhile, the answer or the error lands in
   * the result box, then the page data is reloaded.
   * @param {HTMLButtonElement | null} button
   * @param {string} what
   * @param {() => Promise<Node>} fn
   */
  const act = async (button, what, fn) => {
    if (button) button.disabled = true;
    replaceChildren(result, h("p", { class: "muted" }, `${what}…`));
    try {
      const shownAnswer = await fn();
      if (!stopped) replaceChildren(result, shownAnswer);
    } catch (err) {
      if (stopped || (err instanceof ApiError && err.status === 401)) return;
      replaceChildren(result, errorBox(err, what));
    } finally {
      if (button) button.disabled = false;
    }
    await auto.run();
  };

  /** @param {string} messageId */
  const replay = (messageId) => async (/** @type {Event} */ ev) => {
    const btn = ev.currentTarget instanceof HTMLButtonElement ? ev.currentTarget : null;
    await act(btn, `Replay of ${messageId}`, async () => {
      const r = await call("POST", endpointPath(id, "replay"), { message_id: messageId });
      return h(
        "p",
        { class: "ok", "data-result": "replay" },
        "Replay queued: ",
        h("code", {}, String(r.message_id)),
        ` (found in ${r.found_in === "dead_letters" ? "dead letters" : String(r.found_in)}; same webhook-id, fresh retry schedule).`,
      );
    });
  };

  /** @param {Attempt} a @param {number} now */
  const attemptRow = (a, now) => {
    const key = attemptKey(a);
    return h(
      "tr",
      { "data-outcome": a.outcome, "data-message": a.message_id },
      h("td", { class: "time" }, timeEl(a.at, now)),
      h("td", {}, h("code", {}, a.message_id)),
      h("td", {}, a.type),
      h("td", { class: "num" }, String(a.attempt)),
      h("td", { class: "num" }, a.status === undefined ? DASH : String(a.status)),
      h("td", { class: "num" }, duration(a.latency_ms)),
      h(
        "td",
        {},
        badge(a.outcome),
        a.trigger && a.trigger !== "route" && a.trigger !== "test" ? h("span", { class: "muted small" }, ` ${a.trigger}`) : null,
        a.outcome === "retry" && typeof a.next_retry_ms === "number" ? h("div", { class: "muted small" }, `next in ${duration(a.next_retry_ms)}`) : null,
      ),
      h(
        "td",
        { class: "err" },
        // a non-2xx answer's error only repeats the status column
        a.error === undefined || (a.error_kind === "status" && a.error === `HTTP ${a.status}`) ? DASH : a.error,
        a.error_kind && a.error_kind !== "status" ? h("span", { class: "muted small" }, ` [${a.error_kind}]`) : null,
      ),
      h(
        "td",
        { class: "response" },
        excerpt(a.response, {
          truncated: a.response_truncated === true,
          open: open.has(key),
          onToggle: (isOpen) => (isOpen ? open.add(key) : open.delete(key)),
        }),
      ),
      h("td", {}, a.outcome === "test" ? null : h("button", { type: "button", class: "small-btn", onclick: replay(a.message_id), "aria-label": `Replay ${a.message_id}` }, "Replay")),
    );
  };

  /** @param {DeadLetter} d @param {number} now */
  const deadRow = (d, now) => {
    const last = d.last_attempt;
    return h(
      "tr",
      { "data-message": d.message_id, "data-reason": d.reason },
      h("td", { class: "time" }, timeEl(d.dead_at, now)),
      h("td", {}, h("code", {}, d.message_id)),
      h("td", {}, d.type),
      h("td", {}, badge(d.reason, "dead")),
      h("td", { class: "num" }, String(d.attempts)),
      h("td", { class: "err" }, last ? (last.error ?? (last.status === undefined ? DASH : `HTTP ${last.status}`)) : DASH),
      h("td", { class: "response" }, excerpt(d.body, { label: "body" })),
      h("td", {}, h("button", { type: "button", class: "small-btn", onclick: replay(d.message_id), "aria-label": `Replay ${d.message_id}` }, "Replay")),
    );
  };

  const renderAttempts = () => {
    const now = Date.now();
    const outcome = outcomeSel.value;
    const term = search.value.trim().toLowerCase();
    const rows = attempts.filter((a) => (outcome === "" || a.outcome === outcome) && matches(term, a.message_id, a.outcome_id, a.type));
    replaceChildren(
      attemptRows,
      rows.length === 0 ? h("tr", {}, h("td", { colspan: 10, class: "empty" }, attempts.length === 0 ? "No attempts recorded yet." : "No attempt matches the filter.")) : rows.map((a) => attemptRow(a, now)),
    );
    shown.textContent = `${rows.length} of ${attempts.length} shown`;
  };

  const renderDead = () => {
    const now = Date.now();
    replaceChildren(deadRows, deadLetters.length === 0 ? h("tr", {}, h("td", { colspan: 8, class: "empty" }, "No dead letters.")) : deadLetters.map((d) => deadRow(d, now)));
  };

  /** @param {Endpoint} ep @param {number} now */
  const renderEndpoint = (ep, now) => {
    replaceChildren(headline, statusEl(ep, now), ep.description ? h("span", { class: "description" }, ` ${ep.description}`) : null);
    const disabled = ep.status === "disabled";
    enableBtn.hidden = !disabled;
    disableBtn.hidden = disabled;
    if (disabled) confirmBox.hidden = true;
    replaceChildren(
      info,
      item("URL", h("span", { class: "url" }, ep.url)),
      item("Events", ep.events.join(", ")),
      item("Source", `${ep.source ?? DASH}${ep.read_only ? " (read-only: config file)" : ""}`),
      item("Signing", ep.signing ?? DASH),
      item("Timeout", duration(ep.timeout_ms)),
      item("In flight (max)", String(ep.max_in_flight ?? DASH)),
      item("Filter", ep.filter === null || ep.filter === undefined ? DASH : JSON.stringify(ep.filter)),
      item("Created", timeEl(ep.created_at, now)),
      ep.breaker !== undefined ? item("Breaker", breakerEl(ep.breaker, now)) : null,
      ep.rate_limit !== undefined ? item("Rate limit", rateLimit(ep.rate_limit)) : null,
      ep.tls !== undefined && ep.tls !== null ? item("TLS", summarize(ep.tls)) : null,
    );
  };

  /** @param {Stats} s @param {number} now */
  const renderStats = (s, now) => {
    replaceChildren(
      stats,
      item("Success rate 24 h", percent(s.success_rate), "success_rate"),
      item("Attempts 24 h", String(s.attempts ?? DASH), "attempts"),
      item("Delivered 24 h", String(s.delivered ?? DASH), "delivered"),
      item("Failures 24 h", String(s.failures_24h ?? DASH), "failures_24h"),
      item("Dead letters 24 h", String(s.dead_letters_24h ?? DASH), "dead_letters_24h"),
      item("Latency p50 / p95", s.latency_ms ? `${duration(s.latency_ms.p50)} / ${duration(s.latency_ms.p95)}` : DASH, "latency"),
      item("Last success", timeEl(s.last_success_at, now), "last_success_at"),
      item("Last attempt", timeEl(s.last_attempt_at, now), "last_attempt_at"),
      item("Failing since", timeEl(s.failing_since, now), "failing_since"),
      item("Queued", String(s.queued ?? DASH), "queued"),
      s.breaker !== undefined && endpoint?.breaker === undefined ? item("Breaker", breakerEl(s.breaker, now), "breaker") : null,
    );
  };

  const load = async () => {
    const limit = Number(limitSel.value) || 50;
    const [ep, st, at, dl] = await Promise.allSettled([
      call("GET", endpointPath(id)),
      call("GET", endpointPath(id, "stats")),
      call("GET", endpointPath(id, `attempts?limit=${limit}`)),
      call("GET", endpointPath(id, "dead-letters?limit=50")),
    ]);
    if (stopped) return;
    const failures = [ep, st, at, dl].flatMap((r, i) => (r.status === "rejected" ? [{ err: r.reason, what: ["Loading the endpoint", "Loading the statistics", "Loading the attempts", "Loading the dead letters"][i] }] : []));
    if (failures.some((f) => f.err instanceof ApiError && f.err.status === 401)) return;
    replaceChildren(problems, ...failures.map((f) => errorBox(f.err, f.what)));
    const now = Date.now();
    if (ep.status === "fulfilled") {
      endpoint = ep.value;
      renderEndpoint(ep.value, now);
    }
    if (st.status === "fulfilled") renderStats(st.value, now);
    if (at.status === "fulfilled") {
      attempts = at.value.data;
      renderAttempts();
    }
    if (dl.status === "fulfilled") {
      deadLetters = dl.value.data;
      renderDead();
    }
    updated.textContent = `updated ${new Date(now).toLocaleTimeString()}`;
  };

  const auto = autoRefresh(load);

  enableBtn.addEventListener("click", () =>
    void act(enableBtn, "Enable", async () => {
      await call("POST", endpointPath(id, "enable"));
      return h("p", { class: "ok", "data-result": "enable" }, "Endpoint enabled: delivery resumes.");
    }),
  );
  const confirmDisable = h("button", { type: "button", id: "confirm-disable", class: "danger" }, "Disable now");
  const cancelDisable = h("button", { type: "button", id: "cancel-disable" }, "Cancel");
  replaceChildren(confirmBox, "Queued messages will be dead-lettered (replayable later). ", confirmDisable, " ", cancelDisable);
  disableBtn.addEventListener("click", () => {
    confirmBox.hidden = false;
    confirmDisable.focus();
  });
  cancelDisable.addEventListener("click", () => {
    confirmBox.hidden = true;
    disableBtn.focus();
  });
  confirmDisable.addEventListener("click", () => {
    confirmBox.hidden = true;
    void act(disableBtn, "Disable", async () => {
      await call("POST", endpointPath(id, "disable"));
      return h("p", { class: "ok", "data-result": "disable" }, "Endpoint disabled: nothing is sent until it is enabled again.");
    });
  });
  testBtn.addEventListener("click", () =>
    void act(testBtn, "Test send", async () => {
      /** @type {import("./types.js").TestResult} */
      const r = await call("POST", endpointPath(id, "test"));
      return h(
        "div",
        { class: r.delivered ? "ok" : "warn", "data-result": "test" },
        h("p", {}, r.delivered ? "Test event delivered. " : "Test event NOT delivered. ", "Receiver answered ", h("strong", { "data-field": "status" }, r.status === null ? "nothing" : `HTTP ${r.status}`), ` in ${duration(r.latency_ms)}`, r.error ? ` — ${r.error}` : "", "."),
        h("p", { class: "muted small" }, "message id ", h("code", {}, r.message_id)),
        r.body === "" ? h("p", { class: "muted" }, "(empty body)") : h("pre", { class: "body", "data-field": "body" }, r.body),
      );
    }),
  );

  // recover a time range of dead letters
  const since = h("input", { type: "datetime-local", id: "recover-since", required: true, value: isoToLocalInput(Date.now() - 24 * 3_600_000) });
  const until = h("input", { type: "datetime-local", id: "recover-until" });
  const recoverBtn = h("button", { type: "submit", id: "recover" }, "Recover dead letters");
  const recoverForm = h(
    "form",
    { class: "recover", "aria-labelledby": "recover-title" },
    h("label", { for: "recover-since" }, "Since"),
    since,
    h("label", { for: "recover-until" }, "Until (empty: now)"),
    until,
    recoverBtn,
  );
  recoverForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void act(recoverBtn, "Recover", async () => {
      /** @type {{since: string, until?: string}} */
      const body = { since: localInputToIso(since.value) };
      const u = localInputToIso(until.value);
      if (u !== "") body.until = u;
      const r = await call("POST", endpointPath(id, "recover"), body);
      /** @type {string[]} */
      const ids = Array.isArray(r.message_ids) ? r.message_ids.map(String) : [];
      return h(
        "div",
        { class: "ok", "data-result": "recover" },
        h("p", {}, `Recover: ${r.replayed} dead letter${r.replayed === 1 ? "" : "s"} queued again.`),
        ids.length === 0 ? null : h("ul", { class: "ids" }, ids.map((m) => h("li", {}, h("code", {}, m)))),
      );
    });
  });

  outcomeSel.addEventListener("change", renderAttempts);
  search.addEventListener("input", renderAttempts);
  limitSel.addEventListener("change", () => void auto.run());

  replaceChildren(
    root,
    h("p", { class: "crumbs" }, h("a", { href: "#/" }, "← All endpoints")),
    title,
    headline,
    h("div", { class: "toolbar" }, enableBtn, disableBtn, confirmBox, testBtn, h("button", { type: "button", id: "refresh", onclick: () => void auto.run() }, "Refresh"), auto.el, updated),
    result,
    problems,
    h("section", { "aria-labelledby": "stats-title" }, h("h2", { id: "stats-title" }, "Last 24 hours"), stats),
    h("section", { "aria-labelledby": "info-title" }, h("h2", { id: "info-title" }, "Settings"), info),
    h(
      "section",
      { "aria-labelledby": "attempts-title" },
      h("h2", { id: "attempts-title" }, "Delivery attempts"),
      h(
        "div",
        { class: "toolbar filters", role: "search" },
        h("label", { for: "filter-outcome" }, "Outcome"),
        outcomeSel,
        h("label", { for: "filter-q" }, "Search"),
        search,
        h("label", { for: "limit" }, "Load"),
        limitSel,
        shown,
      ),
      h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          { class: "data", id: "attempts" },
          h("caption", { class: "visually-hidden" }, "Delivery attempts, newest first"),
          h("thead", {}, h("tr", {}, ...["Time", "Message id", "Type", "Attempt", "Status", "Latency", "Outcome", "Error", "Response", ""].map((t) => h("th", { scope: "col" }, t)))),
          attemptRows,
        ),
      ),
    ),
    h(
      "section",
      { "aria-labelledby": "dead-title" },
      h("h2", { id: "dead-title" }, "Dead letters"),
      h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          { class: "data", id: "dead-letters" },
          h("caption", { class: "visually-hidden" }, "Dead-lettered messages, newest first"),
          h("thead", {}, h("tr", {}, ...["Dead since", "Message id", "Type", "Reason", "Attempts", "Last answer", "Body", ""].map((t) => h("th", { scope: "col" }, t)))),
          deadRows,
        ),
      ),
      h("h3", { id: "recover-title" }, "Recover a time range"),
      h("p", { class: "muted small" }, "Sends every dead letter stored in the range again (at most 14 days), keeping each webhook-id."),
      recoverForm,
    ),
  );
  void auto.run();
  return {
    stop() {
      stopped = true;
      auto.stop();
    },
  };
}
