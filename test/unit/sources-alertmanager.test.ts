import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { NormalizedEvent } from "../../src/core/envelope.js";
import type { ErrorCode } from "../../src/core/errors.js";
import { HookbookError } from "../../src/core/errors.js";
import { alertmanagerOptions, alertmanagerSource, labelsFingerprint, stripPort } from "../../src/sources/alertmanager.js";
import { sourceKinds } from "../../src/sources/registry.js";
import { fixtureBytes, fixtureHeaders } from "../helpers/fixtures.js";

interface AmMeta {
  endpoint: string;
  headers: Record<string, string>;
  hosts: string[];
  alertmanager: Record<string, unknown>;
}

function normalizeFixture(name: string, options: Record<string, unknown> = {}): NormalizedEvent[] {
  return alertmanagerSource.normalize({
    body: fixtureBytes(`alertmanager/${name}.json`),
    headers: fixtureHeaders(`alertmanager/${name}.headers.json`),
    endpoint: "alerts",
    options,
  });
}

function normalizeJson(body: unknown, options: Record<string, unknown> = {}): NormalizedEvent[] {
  return alertmanagerSource.normalize({ body: Buffer.from(JSON.stringify(body)), headers: {}, endpoint: "alerts", options });
}

function throwsPayload(fn: () => unknown, fieldInMessage: string, code: ErrorCode = "HB_ERR_INVALID_PAYLOAD"): void {
  assert.throws(fn, (err: unknown) => err instanceof HookbookError && err.code === code && err.message.includes(fieldInMessage));
}

const meta = (e: NormalizedEvent | undefined): AmMeta => e?.data.meta as AmMeta;

describe("alertmanager source: firing-queue-depth fixture (pre-0.33 body)", () => {
  const body = JSON.parse(fixtureBytes("alertmanager/firing-queue-depth.json").toString("utf8")) as {
    alerts: unknown[];
    groupKey: string;
  };
  const events = normalizeFixture("firing-queue-depth");

  it("is registered under its kind", () => {
    assert.equal(sourceKinds.alertmanager, alertmanagerSource);
  });

  it("makes one event per alert with the fixture README's dedup keys", () => {
    assert.equal(events.length, 2);
    assert.deepEqual(
      events.map((e) => e.dedupKey),
      [
        "alertmanager:961eeed636a578b4:firing:2026-05-12T14:02:30.512Z",
        "alertmanager:57c24eb9774b6842:firing:2026-05-12T14:04:00.512Z",
      ],
    );
  });

  it("type, subject and time", () => {
    assert.deepEqual(events.map((e) => e.type), ["alertmanager.alert.firing", "alertmanager.alert.firing"]);
    assert.deepEqual(events.map((e) => e.subject), ["us-east-1-prod/training-a100", "us-east-1-prod/inference-h100"]);
    assert.deepEqual(events.map((e) => e.time), ["2026-05-12T14:02:30.512Z", "2026-05-12T14:04:00.512Z"]);
  });

  it("data is ansible's {alert, meta:{endpoint, headers, hosts}} plus meta.alertmanager group context", () => {
    const [first] = events;
    assert.ok(first);
    assert.deepEqual(Object.keys(first.data).sort(), ["alert", "meta"]);
    assert.deepEqual(first.data.alert, body.alerts[0], "alert is exactly the alert object");
    const m = meta(first);
    assert.equal(m.endpoint, "alerts");
    assert.deepEqual(m.hosts, [], "no labels.instance on these alerts");
    assert.equal(m.headers["User-Agent"], "Alertmanager/0.28.1");
    assert.ok(!("Authorization" in m.headers), "Authorization stripped");
    assert.equal(m.alertmanager.groupKey, body.groupKey);
    assert.equal(m.alertmanager.receiver, "gpu-automation-webhook");
    assert.deepEqual(m.alertmanager.commonLabels, { alertname: "GPUJobQueueDepthHigh", cluster: "us-east-1-prod", team: "gpu-platform" });
    assert.ok(!("alerts" in m.alertmanager), "group context does not repeat the alerts");
  });
});

describe("alertmanager source: other fixtures", () => {
  it("resolved.json (0.34 body) → resolved events keyed and timed by endsAt, with notification_reason", () => {
    const events = normalizeFixture("resolved");
    assert.deepEqual(
      events.map((e) => [e.type, e.dedupKey, e.time]),
      [
        ["alertmanager.alert.resolved", "alertmanager:961eeed636a578b4:resolved:2026-05-12T14:02:30.512Z", "2026-05-12T14:31:00.512Z"],
        ["alertmanager.alert.resolved", "alertmanager:57c24eb9774b6842:resolved:2026-05-12T14:04:00.512Z", "2026-05-12T14:33:30.512Z"],
      ],
    );
    assert.equal(meta(events[0]).alertmanager.notification_reason, "all alerts resolved");
    assert.deepEqual(meta(events[0]).alertmanager.routeLabels, {});
  });

  it("firing-gpu-xid → node subject, README dedup key; dataHostPath picks hosts", () => {
    const [event] = normalizeFixture("firing-gpu-xid");
    assert.equal(event?.dedupKey, "alertmanager:0242a018f88e7cdf:firing:2026-05-12T13:47:42.118Z");
    assert.equal(event?.subject, "gpu-node-a100-07");
    assert.deepEqual(meta(event).hosts, []);
    const [withHost] = normalizeFixture("firing-gpu-xid", { dataHostPath: "labels.Hostname" });
    assert.deepEqual(meta(withHost).hosts, ["gpu-node-a100-07"]);
    const [snake] = normalizeFixture("firing-gpu-xid", { data_host_path: "labels/Hostname", data_path_separator: "/" });
    assert.deepEqual(meta(snake).hosts, ["gpu-node-a100-07"]);
  });
});

describe("alertmanager source: hosts, fingerprints, options", () => {
  const alert = (labels: Record<string, string>, extra: Record<string, unknown> = {}) => ({
    status: "firing",
    labels,
    annotations: {},
    startsAt: "2026-05-12T14:00:00.123456789Z",
    endsAt: "0001-01-01T00:00:00Z",
    ...extra,
  });

  it("hosts = labels.instance with the port stripped by default; '' disables", () => {
    const body = { alerts: [alert({ alertname: "NodeDown", instance: "10.0.0.7:9100" }, { fingerprint: "00000000000000aa" })] };
    assert.deepEqual(meta(normalizeJson(body)[0]).hosts, ["10.0.0.7"]);
    assert.equal(normalizeJson(body)[0]?.subject, "10.0.0.7");
    assert.deepEqual(meta(normalizeJson(body, { dataHostPath: "" })[0]).hosts, []);
  });

  it("stripPort keeps bare IPv6 and unwraps bracketed IPv6", () => {
    assert.equal(stripPort("node-1:9100"), "node-1");
    assert.equal(stripPort("[fe80::1]:9100"), "fe80::1");
    assert.equal(stripPort("fe80::1"), "fe80::1");
    assert.equal(stripPort("node-1"), "node-1");
  });

  it("computes Alertmanager's fingerprint when the sender left it out", () => {
    assert.equal(labelsFingerprint({ job: "foo", severity: "warning" }), "9266ef3da838ad95");
    const fixture = JSON.parse(fixtureBytes("alertmanager/firing-queue-depth.json").toString("utf8")) as {
      alerts: { labels: Record<string, string>; fingerprint: string }[];
    };
    for (const a of fixture.alerts) assert.equal(labelsFingerprint(a.labels), a.fingerprint);
    const [event] = normalizeJson({ alerts: [alert({ job: "foo", severity: "warning" })] });
    assert.equal(event?.dedupKey, "alertmanager:9266ef3da838ad95:firing:2026-05-12T14:00:00.123456789Z");
  });

  it("resolved without a usable endsAt leaves time to ingest (receivedAt)", () => {
    const [event] = normalizeJson({ alerts: [alert({ a: "b" }, { status: "resolved", fingerprint: "01" })] });
    assert.equal(event?.type, "alertmanager.alert.resolved");
    assert.equal(event?.time, undefined);
  });

  it("skipOriginalData: false adds ansible's whole-payload event first", () => {
    const events = normalizeFixture("firing-queue-depth", { skipOriginalData: false });
    assert.equal(events.length, 3);
    assert.equal(events[0]?.type, "alertmanager.notification.received");
    assert.equal((events[0]?.data.payload as { receiver: string }).receiver, "gpu-automation-webhook");
    assert.equal(events[1]?.type, "alertmanager.alert.firing");
  });

  it("bad options → HB_ERR_CONFIG_INVALID", () => {
    throwsPayload(() => alertmanagerOptions({ dataHostPath: 3 }), "dataHostPath", "HB_ERR_CONFIG_INVALID");
    throwsPayload(() => alertmanagerOptions({ skipOriginalData: "no" }), "skipOriginalData", "HB_ERR_CONFIG_INVALID");
  });

  it("an empty alerts array is zero events", () => {
    assert.deepEqual(normalizeJson({ alerts: [], receiver: "r" }), []);
  });
});

describe("alertmanager source: validation names the wrong field", () => {
  const good = { status: "firing", labels: { a: "b" }, startsAt: "2026-05-12T14:00:00Z", fingerprint: "0a" };
  it("body and alerts", () => {
    throwsPayload(() => normalizeJson([good]), "body must be a JSON object");
    throwsPayload(() => normalizeJson({ receiver: "r" }), "alerts must be an array");
    throwsPayload(() => normalizeJson({ alerts: {} }), "alerts must be an array");
    throwsPayload(() => normalizeJson({ alerts: [good, "x"] }), "alerts[1] must be an object");
  });
  it("each alert's status, labels, startsAt, fingerprint", () => {
    throwsPayload(() => normalizeJson({ alerts: [{ ...good, status: "pending" }] }), "alerts[0].status");
    throwsPayload(() => normalizeJson({ alerts: [{ ...good, labels: undefined }] }), "alerts[0].labels");
    throwsPayload(() => normalizeJson({ alerts: [{ ...good, labels: { a: 1 } }] }), "alerts[0].labels.a");
    throwsPayload(() => normalizeJson({ alerts: [good, { ...good, startsAt: "yesterday" }] }), "alerts[1].startsAt");
    throwsPayload(() => normalizeJson({ alerts: [{ ...good, startsAt: undefined }] }), "alerts[0].startsAt");
    throwsPayload(() => normalizeJson({ alerts: [{ ...good, fingerprint: 12 }] }), "alerts[0].fingerprint");
    throwsPayload(() => normalizeJson({ alerts: [{ ...good, fingerprint: "x\ny" }] }), "alerts[0].fingerprint");
  });
  it("invalid JSON → HB_ERR_INVALID_JSON", () => {
    assert.throws(
      () => alertmanagerSource.normalize({ body: Buffer.from("{"), headers: {}, endpoint: "a", options: {} }),
      (err: unknown) => err instanceof HookbookError && err.code === "HB_ERR_INVALID_JSON",
    );
  });
});
