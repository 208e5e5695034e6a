/**
 * The operator web UI (src/ui) at /ui/: its static files and headers, then the real page in
 * Debian chromium (playwright-core) against a real stack — a nats-server per file, the outbound
 * service, the admin API on a real port and a local receiver that fails on command. In the
 * browser: token prompt (wrong token, right token), the endpoints list with stats, an
 * endpoint's attempt log (statuses, filter, search), replay of a dead letter (the receiver gets
 * the same webhook-id again), recover, test send, disable/enable, auto-refresh, a 401 back to
 * the prompt, and that attacker-controlled response excerpts are shown as text, never markup.
 * Finally the built binary (dist/) serves the same files.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, relative } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { chromium } from "playwright-core";
import type { Browser, Page, Request as PwRequest } from "playwright-core";
import { adminApiPlugin } from "../../src/api/admin-api.js";
import { pickFreePort } from "../../src/bus/nats/server-process.js";
import type { Bus } from "../../src/bus/port.js";
import { createIngestServer } from "../../src/ingest/server.js";
import type { OutboundService } from "../../src/outbound/service-api.js";
import { UI_CSP, UI_PUBLIC_DIR } from "../../src/ui/ui-plugin.js";
import type { TestNats } from "../helpers/nats.js";
import { natsServerBinary, startTestNats } from "../helpers/nats.js";
import { repoRoot, spawnServe, waitFor as waitUntil } from "../helpers/serve-process.js";
import type { ControlledReceiver, Received, Reply } from "../integration/outbound-helpers.js";
import { header, makeBus, publishOutcome, startReceiver, startService, waitFor } from "../integration/outbound-helpers.js";

const TOKEN = "ui-admin-token-0123456789abcdef";
/** CHROMIUM_PATH, else Debian's /usr/bin/chromium, else `chromium` on PATH. */
const CHROMIUM =
  process.env["CHROMIUM_PATH"] ??
  ["/usr/bin/chromium", ...(process.env["PATH"] ?? "").split(delimiter).filter(Boolean).map((d) => join(d, "chromium"))].find((p) => existsSync(p)) ??
  "/usr/bin/chromium";
const IN_CI = process.env["CI"] === "true" || process.env["CI"] === "1";
const XSS = "<img src=x onerror=alert(1)>";
const XSS_IN_BODY = "<script>alert(2)</script>";

/** Skip (outside CI) or fail (in CI) when a tool is missing. */
function requirement(): string | false {
  if (!natsServerBinary) return "nats-server not installed";
  if (!existsSync(CHROMIUM)) return `chromium not found at ${CHROMIUM} (set CHROMIUM_PATH or apt-get install chromium)`;
  return false;
}
const missing = requirement();

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push(relative(dir, full));
    }
  };
  walk(dir);
  return out.sort();
}

describe("web UI: static files", () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
  });

  async function server(opts: { admin: boolean; ui?: boolean }): Promise<FastifyInstance> {
    const { createMemoryBus } = await import("../../src/bus/memory.js");
    const bus = createMemoryBus();
    cleanups.push(() => bus.close());
    const app = createIngestServer({ sources: [], bus, bodyLimit: 1024 * 1024 });
    if (opts.admin) {
      const { svc } = await startService(bus);
      cleanups.push(() => svc.stop());
      await app.register(adminApiPlugin, { outbound: svc, adminToken: TOKEN, ...(opts.ui === undefined ? {} : { ui: opts.ui }) });
    }
    await app.ready();
    cleanups.push(() => app.close());
    return app;
  }

  it("serves the page without a token, with content types, no-cache, a strict CSP, nosniff and DENY framing", async () => {
    const app = await server({ admin: true });
    const expected: Record<string, RegExp> = { "/ui/": /^text\/html; charset=utf-8$/, "/ui/app.js": /^text\/javascript; charset=utf-8$/, "/ui/app.css": /^text\/css; charset=utf-8$/, "/ui/favicon.svg": /^image\/svg\+xml$/ };
    for (const [url, type] of Object.entries(expected)) {
      const r = await app.inject({ method: "GET", url });
      assert.equal(r.statusCode, 200, url);
      assert.match(String(r.headers["content-type"]), type, url);
      assert.equal(r.headers["cache-control"], "no-cache", url);
      assert.equal(r.headers["content-security-policy"], UI_CSP, url);
      assert.equal(r.headers["x-content-type-options"], "nosniff", url);
      assert.equal(r.headers["x-frame-options"], "DENY", url);
      assert.equal(r.headers["referrer-policy"], "no-referrer", url);
      // a conditional request answers 304 without a body
      const again = await app.inject({ method: "GET", url, headers: { "if-none-match": String(r.headers["etag"]) } });
      assert.equal(again.statusCode, 304, url);
      assert.equal(again.body, "");
    }
    const csp = UI_CSP.split("; ");
    for (const d of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "form-action 'none'", "base-uri 'none'"]) assert.ok(csp.includes(d), d);
    assert.ok(!UI_CSP.includes("unsafe-"), "no unsafe-inline / unsafe-eval");
    // every module the page loads is served
    for (const f of listFiles(UI_PUBLIC_DIR)) assert.equal((await app.inject({ method: "GET", url: `/ui/${f}` })).statusCode, 200, f);
    // "/ui" → "ui/" (relative, so the page's relative URLs resolve under /ui/)
    const bare = await app.inject({ method: "GET", url: "/ui" });
    assert.equal(bare.statusCode, 301);
    assert.equal(bare.headers["location"], "ui/");
  });

  it("the page has no inline script, style or event handler (the CSP forbids them) and no token field name", () => {
    for (const f of listFiles(UI_PUBLIC_DIR).filter((f) => f.endsWith(".html"))) {
      const html = readFileSync(join(UI_PUBLIC_DIR, f), "utf8");
      for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
        assert.match(m[1] ?? "", /\bsrc=/, `${f}: every script has a src`);
        assert.equal((m[2] ?? "").trim(), "", `${f}: no inline script body`);
      }
      assert.doesNotMatch(html, /<style\b/i, `${f}: no inline <style>`);
      assert.doesNotMatch(html, /\sstyle=/i, `${f}: no style attribute`);
      assert.doesNotMatch(html, /\son[a-z]+=/i, `${f}: no inline event handler`);
    }
    for (const f of listFiles(UI_PUBLIC_DIR).filter((f) => f.endsWith(".js"))) {
      const js = readFileSync(join(UI_PUBLIC_DIR, f), "utf8");
      assert.doesNotMatch(js, /\.(innerHTML|outerHTML)\b|insertAdjacentHTML|document\.write/, `${f}: no HTML strings`);
      assert.match(js, /^\/\/ @ts-check/, `${f}: type-checked`);
    }
  });

  it("unknown files and paths outside the folder are 404; nothing under /ui without the admin API or with ui: false", async () => {
    const app = await server({ admin: true });
    for (const url of ["/ui/nope.js", "/ui/../package.json", "/ui/%2e%2e/package.json", "/ui/..%2fpackage.json", "/ui/ui-plugin.ts", "/ui/.hidden"]) {
      const r = await app.inject({ method: "GET", url });
      assert.equal(r.statusCode, 404, url);
      assert.ok(!r.body.includes("hookbook operator UI"), url);
    }
    for (const app2 of [await server({ admin: false }), await server({ admin: true, ui: false })]) {
      assert.equal((await app2.inject({ method: "GET", url: "/ui/" })).statusCode, 404);
      assert.equal((await app2.inject({ method: "GET", url: "/ui/app.js" })).statusCode, 404);
    }
  });
});

describe("web UI in chromium against a real stack", { skip: !IN_CI && missing }, () => {
  let nats: TestNats;
  let bus: Bus;
  let svc: OutboundService;
  let app: FastifyInstance;
  let rx: ControlledReceiver;
  let browser: Browser;
  let page: Page;
  let base = "";
  let endpointId = "";
  let shotDir = "";
  const dialogs: string[] = [];
  const pageErrors: string[] = [];
  const requests: PwRequest[] = [];
  let ids: { ok: string; flaky: string; dead: string } = { ok: "", flaky: "", dead: "" };
  /** Receiver mode: "dead" messages fail with an HTML-looking body until healed. */
  let healed = false;
  const flakySeen = new Set<string>();

  const api = async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
    const r = await fetch(`${base}/api/${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await r.text();
    assert.ok(r.ok, `${method} ${path}: ${r.status} ${text}`);
    return text === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
  };
  const data = async (path: string): Promise<Record<string, unknown>[]> => (await api("GET", path))["data"] as Record<string, unknown>[];

  const respond = (r: Received): Reply => {
    const text = r.body.toString("utf8");
    if (text.includes('"type":"webhook.test"')) return { status: 200, headers: { "content-type": "application/json" }, body: '{"ok":true,"note":"<b>test received</b>"}' };
    if (text.includes('"mode":"flaky"')) {
      const id = header(r, "webhook-id") ?? "";
      if (!flakySeen.has(id)) {
        flakySeen.add(id);
        return { status: 503, body: "busy, try later" };
      }
      return { status: 200, body: "ok after retry" };
    }
    if (text.includes('"mode":"dead"') && !healed) return { status: 500, headers: { "content-type": "text/html" }, body: XSS };
    return { status: 200, body: "thanks" };
  };

  before(async () => {
    if (missing) throw new Error(`web UI browser test: ${missing}. .ci/run installs chromium and nats-server with apt-get when they are missing`);
    nats = await startTestNats();
    bus = await makeBus("nats", nats);
    rx = await startReceiver(respond);
    const secret = `whsec_${randomBytes(32).toString("base64")}`;
    svc = (
      await startService(bus, {
        staticEndpoints: [{ id: "ops-config", url: rx.url.replace("/hook", "/ops"), secret, events: ["endpoint.*"], headers: {}, timeoutMs: 2000 }],
      })
    ).svc;
    app = createIngestServer({ sources: [], bus, bodyLimit: 1024 * 1024 });
    await app.register(adminApiPlugin, { outbound: svc, adminToken: TOKEN });
    base = await app.listen({ host: "127.0.0.1", port: 0 });

    const created = await api("POST", "webhooks", { url: rx.url, events: ["action.*"], description: "GPU reservations" });
    endpointId = String(created["id"]);
    const ok = await publishOutcome(bus, "action.succeeded", { mode: "ok", ruleset: "gpu capacity" });
    const flaky = await publishOutcome(bus, "action.succeeded", { mode: "flaky", ruleset: "gpu capacity" });
    const dead = await publishOutcome(bus, "action.failed", { mode: "dead", note: XSS_IN_BODY });
    ids = { ok: `msg_${ok.id}`, flaky: `msg_${flaky.id}`, dead: `msg_${dead.id}` };
    const settled = async (): Promise<boolean> => {
      const dl = await data(`webhooks/${endpointId}/dead-letters`);
      const delivered = rx.deliveredIds();
      return dl.some((d) => d["message_id"] === ids.dead) && delivered.has(ids.ok) && delivered.has(ids.flaky);
    };
    await waitFor("delivered, retried and dead-lettered messages", settled, 20_000).catch(async (err: unknown) => {
      const seen = rx.requests.map((r) => `${header(r, "webhook-id")} ${r.body.toString("utf8").slice(0, 80)}`).join("\n");
      throw new Error(`${String(err)}\nreceiver got:\n${seen}\ndead letters: ${JSON.stringify(await data(`webhooks/${endpointId}/dead-letters`))}`);
    });

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(15_000);
    page.on("dialog", (d) => {
      dialogs.push(`${d.type()}: ${d.message()}`);
      void d.dismiss();
    });
    page.on("pageerror", (e) => pageErrors.push(`pageerror: ${e.message}`));
    page.on("console", (m) => {
      // the API errors the tests provoke on purpose (wrong token, too wide range, disabled endpoint)
      if (m.type() === "error" && !/^Failed to load resource: the server responded with a status of (400|401|409) /.test(m.text())) pageErrors.push(`console: ${m.text()}`);
    });
    page.on("request", (r) => requests.push(r));
    shotDir = mkdtempSync(join(tmpdir(), "hookbook-ui-"));
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    await svc?.stop();
    await bus?.close();
    await rx?.close();
    await nats?.stop();
    if (shotDir) rmSync(shotDir, { recursive: true, force: true });
  });

  const signIn = async (token: string): Promise<void> => {
    await page.locator("#token").fill(token);
    await page.locator("#sign-in").click();
  };
  const attemptRows = () => page.locator("#attempts tbody tr[data-outcome]");
  const storedToken = (): Promise<string | null> => page.evaluate<string | null>('sessionStorage.getItem("hookbook.adminToken")');

  it("asks for the token; a wrong token shows the API's error code and keeps nothing", async () => {
    await page.goto(`${base}/ui/`);
    await page.locator("#token").waitFor();
    assert.equal(await page.locator("#token").getAttribute("name"), null, "an unnamed field is never submitted into a URL");
    await signIn("wrong-token-0123456789abcdef");
    const err = page.locator("#login-message .error");
    await err.waitFor();
    assert.equal(await err.locator(".code").textContent(), "HB_ERR_AUTH_INVALID");
    assert.match((await err.textContent()) ?? "", /admin token invalid/);
    assert.equal(await storedToken(), null);
    assert.equal(await page.locator("#endpoints").count(), 0);
  });

  it("the right token opens the endpoints list with each endpoint's stats", async () => {
    requests.length = 0;
    await signIn(TOKEN);
    const row = page.locator(`#endpoints tr[data-endpoint="${endpointId}"]`);
    await row.waitFor();
    await page.locator(`#endpoints tr[data-endpoint="ops-config"]`).waitFor();
    const stats = await api("GET", `webhooks/${endpointId}/stats`);
    const cells = async (): Promise<string[]> => (await row.locator("th, td").allTextContents()).map((t) => t.trim());
    await waitFor("stats cells", async () => (await cells())[5] !== "—" && (await cells())[5] !== "", 10_000);
    const c = await cells();
    assert.equal(c[0], `${endpointId}GPU reservations`);
    assert.equal(c[1], rx.url);
    assert.equal(c[2], "action.*");
    assert.equal(c[3], "enabled");
    assert.equal(c[4], "api");
    const rate = stats["success_rate"] as number;
    assert.ok(rate > 0 && rate < 1, `some attempts failed: ${rate}`);
    assert.equal(c[5], `${(rate * 100).toFixed(1)} %`);
    assert.match(c[6] ?? "", /^\d+ ms$|^\d+\.\d+ s$/);
    assert.equal(c[7], String(stats["failures_24h"]));
    assert.match(c[8] ?? "", /^(just now|\d+ (s|min) ago)$/, "last success, relative");
    assert.equal(await row.locator("td time").first().getAttribute("datetime"), stats["last_success_at"]);
    assert.equal(c[10], String(stats["queued"]));
    const config = (await page.locator(`#endpoints tr[data-endpoint="ops-config"] td`).allTextContents()).map((t) => t.trim());
    assert.equal(config[3], "config");
    // the token is kept in sessionStorage, never in a URL
    assert.equal(await storedToken(), TOKEN);
    for (const r of requests) assert.ok(!r.url().includes(TOKEN), r.url());
    const apiCalls = requests.filter((r) => new URL(r.url()).pathname.startsWith("/api/"));
    assert.ok(apiCalls.length >= 3);
    for (const r of apiCalls) assert.equal((await r.allHeaders())["authorization"], `Bearer ${TOKEN}`, r.url());
  });

  it("an endpoint shows its attempts with statuses; filter by outcome and search by message id", async () => {
    await page.locator(`#endpoints a[href="#/endpoints/${endpointId}"]`).click();
    await page.locator("#attempts tbody tr[data-outcome]").first().waitFor();
    const all = await data(`webhooks/${endpointId}/attempts?limit=50`);
    assert.equal(await attemptRows().count(), all.length);
    assert.equal(await page.locator("#stats [data-stat=failures_24h] dd").textContent(), String((await api("GET", `webhooks/${endpointId}/stats`))["failures_24h"]));

    // statuses per outcome, as the receiver answered
    const statusesOf = async (messageId: string): Promise<string[]> =>
      page.locator(`#attempts tbody tr[data-message="${messageId}"] td:nth-child(5)`).allTextContents();
    assert.deepEqual(await statusesOf(ids.ok), ["200"]);
    assert.deepEqual((await statusesOf(ids.flaky)).sort(), ["200", "503"]);
    assert.deepEqual([...new Set(await statusesOf(ids.dead))], ["500"]);

    await page.locator("#filter-outcome").selectOption("dead");
    const dead = await attemptRows().evaluateAll((rows) => rows.map((r) => [r.getAttribute("data-outcome"), r.getAttribute("data-message")]));
    assert.deepEqual(dead, [["dead", ids.dead]], "the last attempt of the dead-lettered message");
    await page.locator("#filter-outcome").selectOption("retry");
    const retries = await attemptRows().evaluateAll((rows) => rows.map((r) => r.getAttribute("data-message")));
    assert.equal(retries.filter((m) => m === ids.flaky).length, 1);
    assert.equal(retries.filter((m) => m === ids.dead).length, 3, "3 retries before the 4th, dead attempt");
    assert.ok(retries.every((m) => m === ids.flaky || m === ids.dead));
    await page.locator("#filter-outcome").selectOption("");

    await page.locator("#filter-q").fill(ids.flaky.slice(-10));
    await waitFor("search", async () => (await attemptRows().count()) === 2);
    assert.deepEqual(await attemptRows().evaluateAll((rows) => rows.map((r) => r.getAttribute("data-outcome"))), ["delivered", "retry"]);
    assert.match((await page.locator("#attempts-count").textContent()) ?? "", new RegExp(`^2 of ${all.length} shown$`));
    await page.locator("#filter-q").fill("action.failed");
    await waitFor("search by type", async () => (await attemptRows().count()) === 4);
    await page.locator("#filter-q").fill("");
  });

  it("response excerpts and dead-letter bodies are shown as text, never as markup", async () => {
    const deadRow = page.locator(`#attempts tbody tr[data-message="${ids.dead}"][data-outcome="dead"]`);
    await deadRow.locator("td.response summary").click();
    const pre = deadRow.locator("td.response pre");
    await pre.waitFor({ state: "visible" });
    assert.equal(await pre.textContent(), XSS);
    assert.equal(await pre.innerText(), XSS, "rendered as the literal text");
    assert.equal(await pre.locator("*").count(), 0, "no element inside the excerpt");
    const dlBody = page.locator(`#dead-letters tbody tr[data-message="${ids.dead}"] td.response pre`);
    assert.ok(((await dlBody.textContent()) ?? "").includes(JSON.stringify(XSS_IN_BODY).slice(1, -1)), "the dead letter body, as sent");
    assert.equal(await page.locator("img").count(), 0, "no <img> was created from the response");
    assert.equal(await page.locator("main script").count(), 0, "no <script> was created from the body");
    assert.deepEqual(dialogs, [], "no script ran");
  });

  it("Replay on a dead letter sends the same message again with the same webhook-id", async () => {
    const before = rx.requests.filter((r) => header(r, "webhook-id") === ids.dead);
    assert.equal(before.length, 4, "4 failed attempts");
    healed = true;
    await page.locator(`#dead-letters tbody tr[data-message="${ids.dead}"] button`).click();
    const answer = page.locator('#result [data-result="replay"]');
    await answer.waitFor();
    assert.match((await answer.textContent()) ?? "", new RegExp(`Replay queued: ${ids.dead} \\(found in dead letters`));
    await waitFor("the replayed message at the receiver", () => rx.deliveredIds().get(ids.dead) === 1, 15_000);
    const again = rx.requests.filter((r) => header(r, "webhook-id") === ids.dead);
    assert.equal(again.length, 5);
    assert.ok(again[4]!.body.equals(again[0]!.body), "the same body, byte for byte");
    // the page shows the new delivered attempt (replay trigger)
    await waitFor("replay attempt on the page", async () => {
      await page.locator("#refresh").click();
      return (await page.locator(`#attempts tbody tr[data-message="${ids.dead}"][data-outcome="delivered"]`).count()) === 1;
    });
    assert.match((await page.locator(`#attempts tbody tr[data-message="${ids.dead}"][data-outcome="delivered"]`).textContent()) ?? "", /replay/);
  });

  it("Recover shows how many dead letters were queued again; a too wide range shows the API error", async () => {
    await page.locator("#recover").click();
    const answer = page.locator('#result [data-result="recover"]');
    await answer.waitFor();
    assert.match((await answer.textContent()) ?? "", /Recover: 1 dead letter queued again\./);
    assert.equal(await answer.locator("li code").textContent(), ids.dead);
    await waitFor("the recovered message", () => rx.deliveredIds().get(ids.dead) === 2, 15_000);

    await page.locator("#recover-since").fill("2020-01-01T00:00");
    await page.locator("#recover").click();
    const err = page.locator("#result .error");
    await err.waitFor();
    assert.equal(await err.locator(".code").textContent(), "HB_ERR_WEBHOOK_INVALID");
    assert.match((await err.textContent()) ?? "", /Recover failed \(HTTP 400\)/);
  });

  it("Send test shows the receiver's status and body excerpt", async () => {
    const tests = (): number => rx.requests.filter((r) => r.body.toString("utf8").includes('"type":"webhook.test"')).length;
    const before = tests();
    await page.locator("#send-test").click();
    const answer = page.locator('#result [data-result="test"]');
    await answer.waitFor();
    assert.equal(await answer.locator('[data-field="status"]').textContent(), "HTTP 200");
    assert.equal(await answer.locator('[data-field="body"]').textContent(), '{"ok":true,"note":"<b>test received</b>"}');
    assert.equal(await answer.locator("b").count(), 0, "the body is text");
    assert.match((await answer.textContent()) ?? "", /Test event delivered/);
    assert.equal(tests(), before + 1);
  });

  it("Disable (with a confirmation step) and Enable switch the endpoint", async () => {
    await page.locator("#disable").click();
    await page.locator("#confirm-disable").click();
    await page.locator('#result [data-result="disable"]').waitFor();
    await waitFor("disabled on the page", async () => (await page.locator(".headline").textContent())?.includes("disabled manual") ?? false);
    assert.equal((await api("GET", `webhooks/${endpointId}`))["status"], "disabled");
    assert.equal(await page.locator("#disable").isHidden(), true);

    // replay of a disabled endpoint: the API's error is shown
    await page.locator(`#dead-letters tbody tr[data-message="${ids.dead}"] button`).click();
    const err = page.locator("#result .error");
    await err.waitFor();
    assert.equal(await err.locator(".code").textContent(), "HB_ERR_WEBHOOK_DISABLED");

    await page.locator("#enable").click();
    await page.locator('#result [data-result="enable"]').waitFor();
    await waitFor("enabled on the page", async () => (await page.locator(".headline .badge").textContent()) === "enabled");
    assert.equal((await api("GET", `webhooks/${endpointId}`))["status"], "enabled");
  });

  it("auto-refresh shows new attempts without a click", async () => {
    await page.locator("#auto-refresh").check();
    const fresh = await publishOutcome(bus, "action.succeeded", { mode: "ok", ruleset: "late" });
    await page.locator(`#attempts tbody tr[data-message="msg_${fresh.id}"]`).waitFor({ timeout: 20_000 });
    await page.locator("#auto-refresh").uncheck();
  });

  it("an open circuit breaker and a rate limit are shown (the list answer altered in the browser)", async () => {
    await page.route("**/api/webhooks", async (route) => {
      const res = await route.fetch();
      const body = (await res.json()) as { data: Record<string, unknown>[] };
      for (const ep of body.data) Object.assign(ep, { breaker: { state: "open", opened_at: new Date().toISOString(), retry_at: new Date(Date.now() + 30_000).toISOString() }, rate_limit: { requests: 5, period_ms: 1000 } });
      await route.fulfill({ response: res, json: body });
    });
    await page.locator('.session a[href="#/"]').click();
    const row = page.locator(`#endpoints tr[data-endpoint="${endpointId}"]`);
    await waitFor("breaker cell", async () => ((await row.locator(".breaker").textContent()) ?? "").startsWith("open"));
    assert.match((await row.textContent()) ?? "", /rate limit: 5 per 1\.00 s/);
    await page.unroute("**/api/webhooks");
  });

  it("a screenshot of the endpoint page is a PNG", async () => {
    await page.goto(`${base}/ui/#/endpoints/${endpointId}`);
    await attemptRows().first().waitFor();
    const file = join(shotDir, "endpoint.png");
    await page.screenshot({ path: file, fullPage: true });
    const png = readFileSync(file);
    assert.ok(png.length > 10_000, `screenshot size ${png.length}`);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // HOOKBOOK_UI_SCREENSHOT=/some/file.png keeps a copy to look at
    if (process.env["HOOKBOOK_UI_SCREENSHOT"]) writeFileSync(process.env["HOOKBOOK_UI_SCREENSHOT"], png);
  });

  it("a 401 during the session (token changed) goes back to the prompt with the error", async () => {
    await page.evaluate('sessionStorage.setItem("hookbook.adminToken", "rotated-away-0123456789abcdef")');
    await page.locator("#refresh").click();
    const err = page.locator("#login-message .error");
    await err.waitFor();
    assert.equal(await err.locator(".code").textContent(), "HB_ERR_AUTH_INVALID");
    assert.equal(await storedToken(), null, "the refused token is dropped");
    await signIn(TOKEN);
    await attemptRows().first().waitFor();
    assert.equal(await page.locator("#sign-out").isVisible(), true);
    await page.locator("#sign-out").click();
    await page.locator("#token").waitFor();
    assert.equal(await storedToken(), null);
  });

  it("no script error or CSP violation happened on the page", () => {
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(dialogs, []);
  });
});

describe("web UI from the built binary (dist/)", { skip: !natsServerBinary && "nats-server not installed" }, () => {
  it("hookbook serve with api.token serves /ui/ from dist, identical to src/ui/public", async () => {
    assert.ok(existsSync(join(repoRoot, "dist/cli/main.js")), "run `npm run build` (npm ci does) before the e2e test");
    const distPublic = join(repoRoot, "dist/ui/public");
    assert.ok(existsSync(distPublic), "npm run build copies src/ui/public to dist/ui/public");
    assert.deepEqual(listFiles(distPublic), listFiles(UI_PUBLIC_DIR));
    const nats = await startTestNats();
    const dir = mkdtempSync(join(tmpdir(), "hookbook-ui-dist-"));
    const port = await pickFreePort();
    writeFileSync(
      join(dir, "rulebook.yml"),
      `- name: ui
  hosts: all
  sources: [{name: alertmanager, hookbook.alertmanager: {}}]
  rules:
    - name: nothing
      condition: event.alert.labels.alertname == "Never"
      action: {debug: {msg: never}}
`,
    );
    writeFileSync(
      join(dir, "hookbook.yaml"),
      JSON.stringify({ server: { host: "127.0.0.1", port }, dataDir: join(dir, "data"), rulebooks: [join(dir, "rulebook.yml")], api: { token: { env: "ADMIN_TOKEN" } } }),
    );
    const serve = spawnServe(["--config", join(dir, "hookbook.yaml")], { cwd: dir, env: { NATS_URL: nats.url, ADMIN_TOKEN: TOKEN } });
    try {
      await waitUntil("serve", () => serve.log().includes("hookbook serving"), () => serve.log());
      const base = `http://127.0.0.1:${port}`;
      for (const f of listFiles(UI_PUBLIC_DIR)) {
        const r = await fetch(`${base}/ui/${f}`);
        assert.equal(r.status, 200, f);
        assert.equal(r.headers.get("content-security-policy"), UI_CSP);
        assert.ok(Buffer.from(await r.arrayBuffer()).equals(readFileSync(join(UI_PUBLIC_DIR, f))), `${f} as in src/ui/public`);
      }
      assert.equal((await fetch(`${base}/ui/`)).status, 200);
      assert.match(serve.log(), /"ui":"http:\/\/127\.0\.0\.1:\d+\/ui\/"/, "the log says where the UI is");
    } finally {
      await serve.stop();
      await nats.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
