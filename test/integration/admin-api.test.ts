/**
 * The admin API (src/api) via fastify inject(), mounted on the ingest server the way the
 * runtime does it: auth, CRUD, validation errors, SSRF refusals, read-only config endpoints,
 * rotation, replay, logs and stats. Runs on the memory bus and on a real nats-server (KV).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import Fastify from "fastify";
import { adminApiPlugin } from "../../src/api/admin-api.js";
import type { Bus } from "../../src/bus/port.js";
import { isHookbookError } from "../../src/core/errors.js";
import { createIngestServer } from "../../src/ingest/server.js";
import { OUTBOUND_CODES } from "../../src/outbound/outbound-errors.js";
import type { OutboundOptions } from "../../src/outbound/service.js";
import type { OutboundService } from "../../src/outbound/service-api.js";
import { verifyWebhook } from "../../src/outbound/signer.js";
import { natsServerBinary } from "../helpers/nats.js";
import type { BusKind, ControlledReceiver, Received, Reply } from "./outbound-helpers.js";
import { OK, header, makeBus, outboundTestFile, publishOutcome, startReceiver, startService, uniq, waitFor } from "./outbound-helpers.js";

const TOKEN = "admin-token-0123456789abcdef";
const AUTH = { authorization: `Bearer ${TOKEN}` };

const file = outboundTestFile();
const cleanups = file.cleanups;

const publicLookup = async (host: string): Promise<{ address: string; family: number }[]> => {
  const table: Record<string, string> = { "hooks.example.com": "93.184.216.34", "intranet.example.com": "192.168.1.10", "meta.example.com": "169.254.169.254" };
  const address = table[host];
  if (address === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
  return [{ address, family: 4 }];
};

interface Api {
  readonly app: FastifyInstance;
  readonly bus: Bus;
  readonly svc: OutboundService;
  call(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; json: Record<string, unknown>; headers: Record<string, unknown> }>;
}

for (const kind of ["memory", "nats"] as BusKind[]) {
  describe(`admin API on the ${kind} bus`, { skip: kind === "nats" && !natsServerBinary && "nats-server not installed" }, () => {
    async function setup(over: Partial<OutboundOptions> = {}): Promise<Api> {
      const bus = await makeBus(kind, file.nats());
      cleanups.push(() => bus.close());
      const { svc } = await startService(bus, { lookupAll: publicLookup, ...over });
      cleanups.push(() => svc.stop());
      const app = createIngestServer({ sources: [], bus, bodyLimit: 1024 * 1024 });
      await app.register(adminApiPlugin, { outbound: svc, adminToken: TOKEN });
      await app.ready();
      cleanups.push(() => app.close());
      const created: string[] = [];
      cleanups.push(async () => {
        for (const id of created) await svc.remove(id).catch(() => undefined);
      });
      return {
        app,
        bus,
        svc,
        async call(method, url, body, headers = AUTH) {
          const res = await app.inject({
            method: method as "GET",
            url,
            headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
            ...(body === undefined ? {} : { payload: typeof body === "string" ? body : JSON.stringify(body) }),
          });
          const json = res.body === "" ? {} : (JSON.parse(res.body) as Record<string, unknown>);
          if (method === "POST" && url === "/api/webhooks" && res.statusCode === 201) created.push(json["id"] as string);
          return { status: res.statusCode, json, headers: res.headers };
        },
      };
    }

    async function receiver(respond?: (r: Received) => Reply): Promise<ControlledReceiver> {
      const rx = await startReceiver(respond);
      cleanups.push(() => rx.close());
      return rx;
    }

    const codeOf = (r: { json: Record<string, unknown> }): unknown => (r.json["error"] as { code?: unknown } | undefined)?.code;

    it("every route needs the admin token (constant-time bearer); the OpenAPI document is public", async () => {
      const api = await setup();
      const none = await api.call("GET", "/api/webhooks", undefined, {});
      assert.equal(none.status, 401);
      assert.equal(codeOf(none), "HB_ERR_AUTH_MISSING");
      assert.match(String(none.headers["www-authenticate"]), /^Bearer/);
      for (const h of [{ authorization: "Bearer wrong-token-0123456789" }, { authorization: `Basic ${TOKEN}` }, { authorization: `Bearer ${TOKEN}x` }]) {
        const r = await api.call("POST", "/api/webhooks", { url: "http://127.0.0.1:1/", events: ["*"] }, h);
        assert.equal(r.status, 401);
        assert.equal(codeOf(r), "HB_ERR_AUTH_INVALID");
      }
      assert.equal(api.svc.list().length, 0, "nothing created without the token");
      const doc = await api.call("GET", "/api/openapi.json", undefined, {});
      assert.equal(doc.status, 200);
      assert.equal(doc.json["openapi"], "3.1.0");
      const unknown = await api.call("GET", "/api/nope");
      assert.equal(unknown.status, 404);
      assert.equal(codeOf(unknown), OUTBOUND_CODES.notFound);
      // ingest routes still answer as before
      assert.equal((await api.app.inject({ method: "GET", url: "/healthz" })).statusCode, 200);
    });

    it("refuses to start with a short admin token", async () => {
      const bus = await makeBus(kind, file.nats());
      cleanups.push(() => bus.close());
      const { svc } = await startService(bus);
      cleanups.push(() => svc.stop());
      const app = Fastify();
      cleanups.push(() => app.close());
      await assert.rejects(async () => {
        await app.register(adminApiPlugin, { outbound: svc, adminToken: "short" });
        await app.ready();
      }, (err: unknown) => isHookbookError(err) && err.code === "HB_ERR_CONFIG_INVALID");
    });

    it("create, list, get, patch, secret, enable/disable, delete", async () => {
      const api = await setup();
      const created = await api.call("POST", "/api/webhooks", {
        url: "http://127.0.0.1:9/hook",
        events: ["action.*", "rule.fired"],
        description: "GPU reservations",
        headers: { "X-Tenant": "acme" },
        auth: { type: "oauth2", token_url: "http://127.0.0.1:9/token", client_id: "c", client_secret: "very-secret" },
        filter: { "data.pool": "a100" },
      });
      assert.equal(created.status, 201);
      const id = created.json["id"] as string;
      assert.match(id, /^ep_[0-9a-f]{24}$/);
      assert.equal(created.json["status"], "enabled");
      assert.match(created.json["secret"] as string, /^whsec_[A-Za-z0-9+/]{43}=$/);
      assert.equal((created.json["auth"] as Record<string, unknown>)["client_secret"], "[redacted]");
      assert.deepEqual(created.json["headers"], { "x-tenant": "acme" });

      const got = await api.call("GET", `/api/webhooks/${id}`);
      assert.equal(got.status, 200);
      assert.equal(got.json["secret"], undefined, "the secret is only shown on create and via /secret");
      assert.equal(got.json["description"], "GPU reservations");
      assert.equal(got.json["timeout_ms"], 2000);
      const secret = await api.call("GET", `/api/webhooks/${id}/secret`);
      assert.equal(secret.json["secret"], created.json["secret"]);

      const patched = await api.call("PATCH", `/api/webhooks/${id}`, { events: ["action.failed"], filter: null, description: null, timeout_ms: 500 });
      assert.equal(patched.status, 200);
      assert.deepEqual(patched.json["events"], ["action.failed"]);
      assert.equal(patched.json["filter"], null);
      assert.equal(patched.json["description"], null);
      assert.equal(patched.json["timeout_ms"], 500);

      const disabled = await api.call("POST", `/api/webhooks/${id}/disable`);
      assert.deepEqual([disabled.json["status"], disabled.json["disabled_reason"]], ["disabled", "manual"]);
      const enabled = await api.call("POST", `/api/webhooks/${id}/enable`);
      assert.deepEqual([enabled.json["status"], enabled.json["disabled_reason"]], ["enabled", null]);

      const list = await api.call("GET", "/api/webhooks");
      assert.deepEqual((list.json["data"] as { id: string }[]).map((e) => e.id).filter((x) => x === id), [id]);
      if (kind === "nats") {
        await api.svc.reconcile();
        assert.equal(api.svc.get(id).timeout_ms, 500, "stored in KV");
      }

      assert.equal((await api.call("DELETE", `/api/webhooks/${id}`)).status, 204);
      const gone = await api.call("GET", `/api/webhooks/${id}`);
      assert.equal(gone.status, 404);
      assert.equal(codeOf(gone), OUTBOUND_CODES.notFound);
      assert.equal((await api.call("POST", `/api/webhooks/${id}/enable`)).status, 404);
    });

    it("validation errors answer 400 with a code naming the field", async () => {
      const api = await setup();
      const cases: [unknown, string, RegExp][] = [
        [{ events: ["*"] }, OUTBOUND_CODES.invalid, /^url/],
        [{ url: "ftp://x/", events: ["*"] }, OUTBOUND_CODES.urlForbidden, /url/],
        [{ url: "http://127.0.0.1:9/", events: [] }, OUTBOUND_CODES.invalid, /^events/],
        [{ url: "http://127.0.0.1:9/", events: ["a.**.b"] }, OUTBOUND_CODES.invalid, /^events\[0\]/],
        [{ url: "http://127.0.0.1:9/", events: ["*"], colour: "red" }, OUTBOUND_CODES.invalid, /^colour: unknown field/],
        [{ url: "http://127.0.0.1:9/", events: ["*"], headers: { "webhook-id": "x" } }, OUTBOUND_CODES.invalid, /^headers\.webhook-id/],
        [{ url: "http://127.0.0.1:9/", events: ["*"], headers: { "x-a": "b\r\nc" } }, OUTBOUND_CODES.invalid, /^headers\.x-a/],
        [{ url: "http://127.0.0.1:9/", events: ["*"], secret: "whsec_" }, OUTBOUND_CODES.secret, /^secret/],
        [{ url: "http://127.0.0.1:9/", events: ["*"], secret: "whsec_c2hvcnQ=" }, OUTBOUND_CODES.secret, /24–64 bytes/],
        [{ url: "http://127.0.0.1:9/", events: ["*"], filter: { $foo: 1 } }, OUTBOUND_CODES.invalid, /^filter/],
        [{ url: "http://127.0.0.1:9/", events: ["*"], filter: { "data.x": { $regex: "(" } } }, OUTBOUND_CODES.invalid, /regular expression/],
        [{ url: "http://127.0.0.1:9/", events: ["*"], auth: { type: "basic" } }, OUTBOUND_CODES.invalid, /^auth\.type/],
        [{ url: "http://127.0.0.1:9/", events: ["*"], auth: { type: "api_key", header: "X-Key", value: "v" }, headers: { "x-key": "w" } }, OUTBOUND_CODES.invalid, /set by auth/],
        [{ url: "http://127.0.0.1:9/", events: ["*"], signing: "md5" }, OUTBOUND_CODES.invalid, /^signing/],
        [{ url: "http://127.0.0.1:9/", events: ["*"], timeout_ms: 60_000 }, OUTBOUND_CODES.invalid, /^timeout_ms/],
        [["not", "an", "object"], OUTBOUND_CODES.invalid, /JSON object/],
      ];
      for (const [body, code, message] of cases) {
        const r = await api.call("POST", "/api/webhooks", body);
        assert.equal(r.status, 400, JSON.stringify(body));
        assert.equal(codeOf(r), code, JSON.stringify(body));
        assert.match((r.json["error"] as { message: string }).message, message, JSON.stringify(body));
      }
      const badJson = await api.call("POST", "/api/webhooks", "{nope");
      assert.deepEqual([badJson.status, codeOf(badJson)], [400, "HB_ERR_INVALID_JSON"]);
      const text = await api.app.inject({ method: "POST", url: "/api/webhooks", headers: { ...AUTH, "content-type": "text/plain" }, payload: "hi" });
      assert.equal(text.statusCode, 415);
      const id = (await api.call("POST", "/api/webhooks", { url: "http://127.0.0.1:9/", events: ["*"] })).json["id"] as string;
      assert.equal(codeOf(await api.call("PATCH", `/api/webhooks/${id}`, { secret: "whsec_x" })), OUTBOUND_CODES.invalid);
      assert.equal((await api.call("GET", `/api/webhooks/${id}/attempts?limit=0`)).status, 400);
      assert.equal((await api.call("POST", `/api/webhooks/${id}/rotate-secret`, { grace_period_seconds: 8 * 86_400 })).status, 400);
      assert.equal((await api.call("POST", `/api/webhooks/${id}/recover`, {})).status, 400);
      const tooWide = await api.call("POST", `/api/webhooks/${id}/recover`, { since: "2026-01-01T00:00:00Z", until: "2026-01-20T00:00:00Z" });
      assert.equal(tooWide.status, 400);
      assert.match((tooWide.json["error"] as { message: string }).message, /14 days/);
      assert.equal((await api.call("POST", `/api/webhooks/${id}/replay`, {})).status, 400);
    });

    it("SSRF guard: loopback unless allow-listed, private, metadata, wrapped and resolved-private addresses; https-only", async () => {
      const api = await setup({ ssrf: { allow: [], httpsOnly: false } });
      const refused = [
        "http://127.0.0.1:9/hook",
        "http://localhost:9/hook",
        "http://10.0.0.5/hook",
        "http://172.16.3.4/hook",
        "http://192.168.0.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[fd00::1]/",
        "http://[fe80::1]/",
        "http://[64:ff9b::a9fe:a9fe]/",
        "http://[2002:a00:1::1]/",
        "http://intranet.example.com/",
        "http://meta.example.com/",
        "http://does-not-resolve.example.com/",
        "http://user:pw@hooks.example.com/",
      ];
      for (const url of refused) {
        const r = await api.call("POST", "/api/webhooks", { url, events: ["*"] });
        assert.equal(r.status, 400, url);
        assert.equal(codeOf(r), OUTBOUND_CODES.urlForbidden, url);
      }
      assert.equal((await api.call("POST", "/api/webhooks", { url: "http://hooks.example.com/in", events: ["*"] })).status, 201);
      const token = await api.call("POST", "/api/webhooks", {
        url: "http://hooks.example.com/in",
        events: ["*"],
        auth: { type: "oauth2", token_url: "http://169.254.169.254/token", client_id: "c", client_secret: "s" },
      });
      assert.equal(token.status, 400);
      assert.match((token.json["error"] as { message: string }).message, /^auth\.token_url/);

      const allowed = await setup({ ssrf: { allow: ["127.0.0.1/32", "*.example.com"], httpsOnly: false } });
      assert.equal((await allowed.call("POST", "/api/webhooks", { url: "http://127.0.0.1:9/hook", events: ["*"] })).status, 201);
      assert.equal((await allowed.call("POST", "/api/webhooks", { url: "http://intranet.example.com/", events: ["*"] })).status, 201);
      assert.equal((await allowed.call("POST", "/api/webhooks", { url: "http://127.0.0.2:9/hook", events: ["*"] })).status, 400);

      const httpsOnly = await setup({ ssrf: { allow: ["127.0.0.1/32"], httpsOnly: true } });
      const plain = await httpsOnly.call("POST", "/api/webhooks", { url: "http://hooks.example.com/in", events: ["*"] });
      assert.deepEqual([plain.status, codeOf(plain)], [400, OUTBOUND_CODES.urlForbidden]);
      assert.equal((await httpsOnly.call("POST", "/api/webhooks", { url: "https://hooks.example.com/in", events: ["*"] })).status, 201);
      const id = (await httpsOnly.call("POST", "/api/webhooks", { url: "https://hooks.example.com/in", events: ["*"] })).json["id"] as string;
      assert.equal((await httpsOnly.call("PATCH", `/api/webhooks/${id}`, { url: "http://hooks.example.com/in" })).status, 400);
    });

    it("config endpoints are listed read-only; enable/disable work on them", async () => {
      const id = uniq("cfg_");
      const api = await setup({ staticEndpoints: [{ id, url: "http://127.0.0.1:9/", secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", events: ["*"], headers: {}, timeoutMs: 1000 }] });
      const list = await api.call("GET", "/api/webhooks");
      const entry = (list.json["data"] as Record<string, unknown>[]).find((e) => e["id"] === id);
      assert.equal(entry?.["read_only"], true);
      assert.equal(entry?.["source"], "config");
      for (const [method, url, body] of [
        ["PATCH", `/api/webhooks/${id}`, { description: "x" }],
        ["DELETE", `/api/webhooks/${id}`, undefined],
        ["POST", `/api/webhooks/${id}/rotate-secret`, {}],
      ] as const) {
        const r = await api.call(method, url, body);
        assert.equal(codeOf(r), OUTBOUND_CODES.readOnly, `${method} ${url}`);
      }
      assert.equal((await api.call("POST", `/api/webhooks/${id}/disable`)).json["status"], "disabled");
      assert.equal((await api.call("POST", `/api/webhooks/${id}/enable`)).json["status"], "enabled");
    });

    it("rotate-secret: both signatures verify; replay keeps the webhook-id; attempts, dead letters, stats, test", async () => {
      const T = uniq();
      const api = await setup({ retry: [20] });
      let healthy = false;
      const rx = await receiver(() => (healthy ? OK : { status: 500, body: "down" }));
      const created = await api.call("POST", "/api/webhooks", { url: rx.url, events: [`${T}.*`] });
      const id = created.json["id"] as string;
      const oldSecret = created.json["secret"] as string;
      const rotated = await api.call("POST", `/api/webhooks/${id}/rotate-secret`, { grace_period_seconds: 3600 });
      assert.equal(rotated.status, 200);
      const newSecret = rotated.json["secret"] as string;
      assert.ok(Math.abs(Date.parse(rotated.json["previous_expires_at"] as string) - Date.now() - 3_600_000) < 60_000);

      const o = await publishOutcome(api.bus, `${T}.action.failed`);
      await waitFor("dead letter", async () => ((await api.call("GET", `/api/webhooks/${id}/dead-letters`)).json["data"] as unknown[]).length === 1);
      const first = rx.requests[0]!;
      assert.equal(verifyWebhook(oldSecret, first.headers, first.body), true);
      assert.equal(verifyWebhook(newSecret, first.headers, first.body), true);

      healthy = true;
      const replay = await api.call("POST", `/api/webhooks/${id}/replay`, { message_id: `msg_${o.id}` });
      assert.equal(replay.status, 202);
      assert.deepEqual(replay.json, { message_id: `msg_${o.id}`, found_in: "dead_letters" });
      await waitFor("replayed", () => rx.deliveredIds().has(`msg_${o.id}`));
      const replayed = rx.requests.at(-1)!;
      assert.equal(header(replayed, "webhook-id"), `msg_${o.id}`, "the replay keeps the webhook-id");
      assert.deepEqual(replayed.body, o.bytes);
      const missing = await api.call("POST", `/api/webhooks/${id}/replay`, { message_id: "msg_unknown" });
      assert.deepEqual([missing.status, codeOf(missing)], [404, OUTBOUND_CODES.messageNotFound]);

      await waitFor("3 attempts", async () => ((await api.call("GET", `/api/webhooks/${id}/attempts`)).json["data"] as unknown[]).length === 3);
      const attempts = (await api.call("GET", `/api/webhooks/${id}/attempts?limit=2`)).json["data"] as Record<string, unknown>[];
      assert.deepEqual(attempts.map((a) => [a["outcome"], a["trigger"], a["status"]]), [
        ["delivered", "replay", 200],
        ["dead", "route", 500],
      ]);
      const stats = await api.call("GET", `/api/webhooks/${id}/stats`);
      assert.equal(stats.json["attempts"], 3);
      assert.equal(stats.json["failures_24h"], 2);
      assert.equal(stats.json["dead_letters_24h"], 1);
      assert.equal(stats.json["queued"], 0);
      assert.equal(typeof stats.json["last_success_at"], "string");
      assert.equal(typeof (stats.json["latency_ms"] as Record<string, unknown>)["p95"], "number");

      const test = await api.call("POST", `/api/webhooks/${id}/test`);
      assert.equal(test.status, 200);
      assert.deepEqual([test.json["delivered"], test.json["status"], test.json["body"]], [true, 200, "ok"]);

      await api.call("POST", `/api/webhooks/${id}/disable`);
      const refused = await api.call("POST", `/api/webhooks/${id}/replay`, { message_id: `msg_${o.id}` });
      assert.deepEqual([refused.status, codeOf(refused)], [409, OUTBOUND_CODES.endpointDisabled]);
    });
  });
}
