/**
 * Payload transformations of endpoints end to end, on the memory bus and on a real nats-server:
 * OUTCOMES → router (renders the transform, stores those bytes) → per-endpoint consumer → a local
 * receiver, which must get the transformed body signed over exactly those bytes. Failing
 * transforms dead-letter (transform_failed) without touching the other endpoints; replays resend
 * the same bytes; the admin API previews and test-sends through the transform.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import Fastify from "fastify";
import { adminApiPlugin } from "../../src/api/admin-api.js";
import type { Bus } from "../../src/bus/port.js";
import { decodeJson } from "../../src/bus/port.js";
import { STREAM_WEBHOOK_DLQ, deadLetterSubject } from "../../src/outbound/outbound-streams.js";
import type { DeadLetterRecord } from "../../src/outbound/records.js";
import type { OutboundOptions } from "../../src/outbound/service.js";
import type { OutboundService } from "../../src/outbound/service-api.js";
import { verifyWebhook } from "../../src/outbound/signer.js";
import { parsePatchInput } from "../../src/outbound/subscription-input.js";
import { natsServerBinary } from "../helpers/nats.js";
import type { BusKind, Received, Reply } from "./outbound-helpers.js";
import { OK, errorCodeOf, header, makeBus, outboundTestFile, publishOutcome, sleep, startService, uniq, waitFor } from "./outbound-helpers.js";

const file = outboundTestFile();
const cleanups = file.cleanups;
const TOKEN = "admin-token-0123456789abcdef";
const CONFIG_SECRET = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;

async function deadLettersOf(bus: Bus, endpointId: string): Promise<DeadLetterRecord[]> {
  const out: DeadLetterRecord[] = [];
  for await (const m of bus.readMessages!(STREAM_WEBHOOK_DLQ, { subject: deadLetterSubject(endpointId) })) out.push(decodeJson<DeadLetterRecord>(m.data));
  return out;
}

const SLACK = { body: { text: "{{ type }}: {{ data.rule }} on {{ data.host | default('?') }}" } };

for (const kind of ["memory", "nats"] as BusKind[]) {
  describe(`outbound transforms on the ${kind} bus`, { skip: kind === "nats" && !natsServerBinary && "nats-server not installed" }, () => {
    const setup = (over: Partial<OutboundOptions> = {}) => file.setup(kind, over);
    const receiver = (respond?: (r: Received) => Reply) => file.receiver(respond);
    const subscribe = (svc: OutboundService, body: Record<string, unknown>) => file.subscribe(svc, body);

    it("the receiver gets the transformed body, content type and headers, signed over exactly those bytes; filters see the original outcome", async () => {
      const T = uniq();
      const { bus, svc } = await setup();
      const slack = await receiver();
      const billing = await receiver();
      const plain = await receiver();
      const epSlack = await subscribe(svc, { url: slack.url, events: [`${T}.*`], transform: SLACK, headers: { "X-Tenant": "t1" } });
      // The filter is on data.pool, which the transform drops: it must still match (filters run on the outcome).
      const epBilling = await subscribe(svc, {
        url: billing.url,
        events: [`${T}.*`],
        filter: { "data.pool": "h100" },
        transform: {
          body: { event_id: "{{ id }}", kind: "{{ type }}", gpu_hours: "{{ data.gpus * data.hours }}", labels: "{{ data.labels }}" },
          headers: { "X-Event-Type": "{{ type }}" },
          content_type: "application/vnd.billing+json",
        },
      });
      await subscribe(svc, { url: plain.url, events: [`${T}.*`] });

      const o = await publishOutcome(bus, `${T}.action.succeeded`, { rule: "scale up", host: "gpu-7", pool: "h100", gpus: 4, hours: 2.5, labels: { team: "ml" } });
      const skipped = await publishOutcome(bus, `${T}.action.failed`, { rule: "r", pool: "a100", gpus: 1, hours: 1, labels: {} });
      await waitFor("deliveries", () => slack.requests.length === 2 && billing.requests.length === 1 && plain.requests.length === 2);
      await sleep(100);
      assert.equal(billing.requests.length, 1, "the payload filter matched the original outcome only");

      const s = slack.requests.find((r) => header(r, "webhook-id") === `msg_${o.id}`)!;
      assert.equal(s.body.toString("utf8"), JSON.stringify({ text: `${T}.action.succeeded: scale up on gpu-7` }));
      assert.equal(verifyWebhook(epSlack.secret, s.headers, s.body), true, "signature over the transformed bytes");
      assert.equal(header(s, "content-type"), "application/json");
      assert.equal(header(s, "x-tenant"), "t1");
      const s2 = slack.requests.find((r) => header(r, "webhook-id") === `msg_${skipped.id}`)!;
      assert.equal(JSON.parse(s2.body.toString("utf8")).text, `${T}.action.failed: r on ?`);

      const b = billing.requests[0]!;
      assert.deepEqual(JSON.parse(b.body.toString("utf8")), { event_id: o.id, kind: `${T}.action.succeeded`, gpu_hours: 10, labels: { team: "ml" } });
      assert.equal(verifyWebhook(epBilling.secret, b.headers, b.body), true);
      assert.equal(header(b, "content-type"), "application/vnd.billing+json");
      assert.equal(header(b, "x-event-type"), `${T}.action.succeeded`);
      assert.equal(header(b, "webhook-id"), `msg_${o.id}`, "webhook-id stays msg_<outcome id>");

      const p = plain.requests.find((r) => header(r, "webhook-id") === `msg_${o.id}`)!;
      assert.deepEqual(p.body, o.bytes, "an endpoint without a transform gets the outcome byte for byte");
    });

    it("a failing transform dead-letters (transform_failed, with the error) while another endpoint gets the original; recover after a fix sends the transformed body", async () => {
      const T = uniq();
      const { bus, svc, logger } = await setup();
      const broken = await receiver();
      const fine = await receiver();
      const epBroken = await subscribe(svc, { url: broken.url, events: [`${T}.*`], transform: { body: { owner: "{{ data.owner }}" } } });
      await subscribe(svc, { url: fine.url, events: [`${T}.*`] });

      const o = await publishOutcome(bus, `${T}.action.failed`, { rule: "r1" });
      await waitFor("the other endpoint", () => fine.requests.length === 1);
      await waitFor("the dead letter", async () => (await deadLettersOf(bus, epBroken.id)).length === 1);
      await sleep(100);
      assert.equal(broken.requests.length, 0, "nothing is sent for a failed transform");
      assert.deepEqual(fine.requests[0]!.body, o.bytes);

      const [dl] = await deadLettersOf(bus, epBroken.id);
      assert.equal(dl!.reason, "transform_failed");
      assert.equal(dl!.message_id, `msg_${o.id}`);
      assert.match(dl!.error ?? "", /^transform\.body\.owner: /);
      assert.deepEqual(dl!.outcome, JSON.parse(o.bytes.toString("utf8")));
      assert.equal((await svc.deadLetters(epBroken.id, 5))[0]?.reason, "transform_failed");
      assert.ok(logger.lines.some((l) => l.level === "error" && /transform failed/.test(l.msg ?? "")));
      const metrics = await svc.metrics.getSingleMetricAsString("hookbook_webhook_dead_letters_total");
      assert.match(metrics, new RegExp(`endpoint="${epBroken.id}",reason="transform_failed"} 1`));

      // Replaying it while the transform still fails is refused; after a fix, recover sends the transformed body.
      assert.equal(await errorCodeOf(svc.replay(epBroken.id, `msg_${o.id}`)), "HB_ERR_WEBHOOK_INVALID");
      await svc.update(epBroken.id, parsePatchInput({ transform: { body: { owner: "{{ data.owner | default('nobody') }}", rule: "{{ data.rule }}" } } }));
      const r = await svc.recover(epBroken.id, Date.now() - 60_000);
      assert.deepEqual(r.message_ids, [`msg_${o.id}`]);
      await waitFor("recovered", () => broken.requests.length === 1);
      assert.equal(broken.requests[0]!.body.toString("utf8"), JSON.stringify({ owner: "nobody", rule: "r1" }));
      assert.equal(verifyWebhook(epBroken.secret, broken.requests[0]!.headers, broken.requests[0]!.body), true);
    });

    it("replay resends the same transformed bytes and headers: a delivered message (from OUTCOMES) and a dead letter", async () => {
      const T = uniq();
      const { bus, svc } = await setup({ retry: [20] });
      let healthy = true;
      const rx = await receiver(() => (healthy ? OK : { status: 500 }));
      const ep = await subscribe(svc, { url: rx.url, events: [`${T}.*`], transform: { body: "{{ type }} on {{ data.host }}", content_type: "text/plain; charset=utf-8", headers: { "X-Host": "{{ data.host }}" } } });
      const done = await publishOutcome(bus, `${T}.action.succeeded`, { host: "gpu-1" });
      await waitFor("delivered", () => rx.deliveredIds().has(`msg_${done.id}`));
      healthy = false;
      const failed = await publishOutcome(bus, `${T}.action.failed`, { host: "gpu-2" });
      await waitFor("dead letter", async () => (await svc.deadLetters(ep.id, 5)).length === 1);
      const [dl] = await svc.deadLetters(ep.id, 5);
      assert.equal(dl!.reason, "exhausted");
      assert.equal(dl!.body, `${T}.action.failed on gpu-2`);
      assert.deepEqual(dl!.transformed, { content_type: "text/plain; charset=utf-8", headers: { "x-host": "gpu-2" } });
      healthy = true;

      assert.deepEqual(await svc.replay(ep.id, done.id), { message_id: `msg_${done.id}`, found_in: "outcomes" });
      assert.deepEqual(await svc.replay(ep.id, `msg_${failed.id}`), { message_id: `msg_${failed.id}`, found_in: "dead_letters" });
      await waitFor("replays", () => rx.deliveredIds().get(`msg_${done.id}`) === 2 && rx.deliveredIds().has(`msg_${failed.id}`));
      const sent = (id: string): Received[] => rx.requests.filter((r) => header(r, "webhook-id") === `msg_${id}`);
      const [first, again] = sent(done.id);
      assert.deepEqual(again!.body, first!.body, "the replay sends the same bytes");
      assert.equal(again!.body.toString("utf8"), `${T}.action.succeeded on gpu-1`);
      for (const r of [...sent(done.id), ...sent(failed.id)]) {
        assert.equal(verifyWebhook(ep.secret, r.headers, r.body), true);
        assert.equal(header(r, "content-type"), "text/plain; charset=utf-8");
      }
      const replayedDead = sent(failed.id).at(-1)!;
      assert.equal(replayedDead.body.toString("utf8"), `${T}.action.failed on gpu-2`);
      assert.equal(header(replayedDead, "x-host"), "gpu-2");
    });

    it("admin API: test sends through the transform; preview renders without sending; errors name the path; PATCH null clears it", async () => {
      const { bus, svc } = await setup();
      const rx = await receiver();
      const app: FastifyInstance = Fastify();
      await app.register(adminApiPlugin, { outbound: svc, adminToken: TOKEN });
      await app.ready();
      cleanups.push(() => app.close());
      const call = async (method: "GET" | "POST" | "PATCH", url: string, payload?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
        const res = await app.inject({ method, url, headers: { authorization: `Bearer ${TOKEN}` }, ...(payload === undefined ? {} : { payload: payload as object }) });
        return { status: res.statusCode, json: res.json() };
      };

      const bad = await call("POST", "/api/webhooks", { url: rx.url, events: ["*"], transform: { body: { text: "{{ type | nope }}" } } });
      assert.equal(bad.status, 400);
      assert.equal((bad.json["error"] as { code: string }).code, "HB_ERR_WEBHOOK_INVALID");
      assert.match((bad.json["error"] as { message: string }).message, /^transform\.body\.text: /);

      const created = await call("POST", "/api/webhooks", { url: rx.url, events: ["nothing.routed.here"], transform: SLACK });
      assert.equal(created.status, 201);
      const id = created.json["id"] as string;
      cleanups.push(() => svc.remove(id));
      assert.deepEqual(created.json["transform"], { body: SLACK.body, headers: {}, content_type: "application/json" });

      // StrictUndefined: the test event has no data.rule, so this transform fails and nothing is sent.
      const failedTest = await call("POST", `/api/webhooks/${id}/test`);
      assert.equal(failedTest.json["delivered"], false);
      assert.match(failedTest.json["error"] as string, /^transform_failed: transform\.body\.text: /);
      await sleep(50);
      assert.equal(rx.requests.length, 0);
      const guarded = { body: { text: "{{ type }}: {{ data.rule | default('-') }} on {{ data.host | default('?') }}" } };
      await call("PATCH", `/api/webhooks/${id}`, { transform: guarded });
      const test = await call("POST", `/api/webhooks/${id}/test`);
      assert.equal(test.json["delivered"], true);
      await waitFor("test send", () => rx.requests.length === 1);
      const t = rx.requests[0]!;
      assert.equal(t.body.toString("utf8"), JSON.stringify({ text: "webhook.test: - on ?" }));
      assert.equal(verifyWebhook(created.json["secret"] as string, t.headers, t.body), true);
      await call("PATCH", `/api/webhooks/${id}`, { transform: SLACK });

      const preview = await call("POST", `/api/webhooks/${id}/transform/preview`, { outcome: { type: "action.failed", data: { rule: "scale up", host: "gpu-7" } } });
      assert.equal(preview.status, 200);
      assert.deepEqual(preview.json, { ok: true, transformed: true, content_type: "application/json", headers: {}, body: '{"text":"action.failed: scale up on gpu-7"}', size_bytes: 43 });
      const failing = await call("POST", `/api/webhooks/${id}/transform/preview`, { outcome: { type: "x", data: {} }, transform: { body: { a: "{{ data.b.c }}" } } });
      assert.equal(failing.json["ok"], false);
      assert.deepEqual({ ...(failing.json["error"] as object), message: undefined }, { code: "HB_ERR_TEMPLATE_UNDEFINED", path: "transform.body.a", message: undefined });
      const invalid = await call("POST", `/api/webhooks/${id}/transform/preview`, { transform: { body: "{{ x" } });
      assert.equal(invalid.status, 400);
      assert.equal((invalid.json["error"] as { code: string }).code, "HB_ERR_WEBHOOK_INVALID");
      assert.equal((await call("POST", "/api/webhooks/ep_nope/transform/preview", {})).status, 404);
      assert.equal(rx.requests.length, 1, "previews send nothing");

      const cleared = await call("PATCH", `/api/webhooks/${id}`, { transform: null });
      assert.equal(cleared.json["transform"], null);
      const raw = await call("POST", `/api/webhooks/${id}/transform/preview`, {});
      assert.equal(raw.json["transformed"], false);
      assert.equal(JSON.parse(raw.json["body"] as string).type, "webhook.test");
      void bus;
    });

    it("config endpoints take a transform (contentType in camelCase) and a bad one stops the start", async () => {
      const T = uniq();
      const rx = await receiver();
      const { bus, svc } = await setup({
        staticEndpoints: [{ id: `cfg${T}`, url: rx.url, secret: CONFIG_SECRET, events: [`${T}.*`], headers: {}, timeoutMs: 2000, transform: { body: "{{ data.n }} nodes", contentType: "text/plain" } }],
      });
      await publishOutcome(bus, `${T}.action.succeeded`, { n: 3 });
      await waitFor("delivery", () => rx.requests.length === 1);
      assert.equal(rx.requests[0]!.body.toString("utf8"), "3 nodes");
      assert.equal(header(rx.requests[0]!, "content-type"), "text/plain");
      assert.equal(verifyWebhook(CONFIG_SECRET, rx.requests[0]!.headers, rx.requests[0]!.body), true);
      assert.equal((svc.get(`cfg${T}`).transform as { content_type: string }).content_type, "text/plain");

      const bus2 = await makeBus(kind, file.nats());
      cleanups.push(() => bus2.close());
      const code = await errorCodeOf(
        startService(bus2, { staticEndpoints: [{ id: `bad${T}`, url: rx.url, secret: CONFIG_SECRET, events: ["*"], headers: {}, timeoutMs: 2000, transform: { body: "{% if %}" } }] }).then((s) => s.svc.stop()),
      );
      assert.equal(code, "HB_ERR_CONFIG_INVALID");
    });
  });
}
