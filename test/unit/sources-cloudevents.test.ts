import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cloudeventsSource, decodeHeaderValue } from "../../src/sources/cloudevents.js";
import { fixtureBytes } from "../helpers/fixtures.js";
import { assertEnvelope, assertGolden, fixtureJson, normalizeFixture, throwsCode } from "./sources-golden-helper.js";

const KIND = "cloudevents";
const KEY = "ce://scheduler.gpu.acme.example/clusters/us-east-1-prod#b3c1e0f4-8a27-4d95-9e6b-0f2c7a1d5e38";
const structuredBody = fixtureJson("cloudevents/structured.json") as Record<string, unknown>;
const normalize = (body: string | Buffer, headers: Record<string, string>) =>
  cloudeventsSource.normalize({ body: Buffer.isBuffer(body) ? body : Buffer.from(body), headers, endpoint: "ce", options: {} });
const STRUCTURED = { "Content-Type": "application/cloudevents+json" };

describe("cloudevents source: fixtures", () => {
  for (const name of ["structured", "binary", "batch"]) {
    it(`${name} normalizes to its golden file and matches the schema`, () => {
      const events = normalizeFixture(cloudeventsSource, `cloudevents/${name}`);
      assertGolden(KIND, name, events);
      assertEnvelope(KIND, events);
    });
  }

  it("structured and binary are the same event: same README key, type, subject, time and payload", () => {
    const [s] = normalizeFixture(cloudeventsSource, "cloudevents/structured");
    const [b] = normalizeFixture(cloudeventsSource, "cloudevents/binary");
    assert.ok(s && b);
    assert.equal(s.dedupKey, KEY);
    assert.equal(b.dedupKey, KEY);
    assert.deepEqual([b.type, b.subject, b.time], [s.type, s.subject, s.time]);
    assert.deepEqual([s.type, s.subject, s.time], ["com.acme-gpu.scheduler.workload.preempted.v1", "team-nlp/llama3-ft-7b", "2026-05-12T15:01:44.205Z"]);
    assert.deepEqual(b.data.payload, s.data.payload);
    assert.deepEqual(s.data.payload, structuredBody.data);
    const { gpuclass, ...binaryAttrs } = b.data.cloudevent as Record<string, unknown>;
    assert.equal(gpuclass, "a100-80gb", "extension attribute from ce-gpuclass");
    assert.deepEqual(binaryAttrs, s.data.cloudevent);
    assert.deepEqual([(s.data.meta as { cloudevents: { mode: string } }).cloudevents.mode, (b.data.meta as { cloudevents: { mode: string } }).cloudevents.mode], ["structured", "binary"]);
    assert.ok(!("Authorization" in (s.data.meta as { headers: Record<string, string> }).headers));
  });

  it("batch fans out to one event per entry; data_base64 stays base64 for binary content", () => {
    const events = normalizeFixture(cloudeventsSource, "cloudevents/batch");
    assert.equal(events.length, 2);
    assert.deepEqual(events.map((e) => e.dedupKey), [
      "ce://fleet.gpu.acme.example/clusters/us-east-1-prod#1c8e2f7a-0b4d-4e93-a5c6-7d1f9b3e0a24",
      "ce://telemetry.gpu.acme.example/agents/gpu-node-h100-12#6f0a3d9b-2c7e-4b18-9e5a-c4d1f8b2e7a0",
    ]);
    assert.equal(events[1]?.data.payload, null);
    assert.equal(events[1]?.data.payload_base64, "RENHTQEIZ3B1LW5vZGUtaDEwMC0xMgAAAGE=");
    assert.deepEqual((events[1]?.data.meta as { cloudevents: unknown }).cloudevents, { mode: "batch", batch_index: 1, batch_size: 2 });
  });
});

describe("cloudevents source: details", () => {
  it("data_base64 with a JSON or text content type is decoded", () => {
    const json = { ...structuredBody, data: undefined, data_base64: Buffer.from('{"a":1}').toString("base64") };
    assert.deepEqual(normalize(JSON.stringify(json), STRUCTURED)[0]?.data.payload, { a: 1 });
    const text = { ...structuredBody, data: undefined, datacontenttype: "text/plain", data_base64: Buffer.from("héllo").toString("base64") };
    assert.equal(normalize(JSON.stringify(text), STRUCTURED)[0]?.data.payload, "héllo");
  });

  it("binary mode: header values are percent-decoded once; text and opaque bodies", () => {
    const headers = {
      "ce-specversion": "1.0",
      "ce-id": "1",
      "ce-source": "/agents/a",
      "ce-type": "t",
      "ce-subject": "caf%C3%A9%2520x",
      "Content-Type": "text/plain; charset=utf-8",
    };
    const [e] = normalize("hello", headers);
    assert.equal(e?.subject, "café%20x", "decoded exactly once");
    assert.equal(e?.data.payload, "hello");
    assert.equal(e?.time, undefined, "no ce-time: ingest stamps the receipt time");
    const [bin] = normalize(Buffer.from([1, 2, 3]), { ...headers, "Content-Type": "application/octet-stream" });
    assert.equal(bin?.data.payload_base64, "AQID");
    assert.equal(normalize("", headers)[0]?.data.payload, null);
    assert.equal(decodeHeaderValue("%22a%22"), '"a"');
    throwsCode(() => decodeHeaderValue("%C3"), "HB_ERR_INVALID_PAYLOAD");
    throwsCode(() => decodeHeaderValue("%zz"), "HB_ERR_INVALID_PAYLOAD");
    throwsCode(() => normalize("{", { ...headers, "Content-Type": "application/json" }), "HB_ERR_INVALID_JSON");
  });

  it("refuses events missing required attributes or with a wrong specversion", () => {
    for (const edit of [{ specversion: "0.3" }, { id: "" }, { source: undefined }, { type: 3 }, { time: "yesterday" }, { "Bad-Name": "x" }, { ext: { a: 1 } }]) {
      throwsCode(() => normalize(JSON.stringify({ ...structuredBody, ...edit }), STRUCTURED), "HB_ERR_INVALID_PAYLOAD");
    }
    throwsCode(() => normalize(JSON.stringify({ ...structuredBody, data_base64: "AQID" }), STRUCTURED), "HB_ERR_INVALID_PAYLOAD");
    throwsCode(() => normalize(JSON.stringify(structuredBody), { "Content-Type": "application/cloudevents-batch+json" }), "HB_ERR_INVALID_PAYLOAD");
    throwsCode(() => normalize(JSON.stringify([{ ...structuredBody, specversion: "2.0" }]), { "Content-Type": "application/cloudevents-batch+json" }), "HB_ERR_INVALID_PAYLOAD");
  });

  it("a plain JSON body without ce- headers is not a CloudEvent (415)", () => {
    throwsCode(() => normalize(fixtureBytes("cloudevents/binary.json"), { "Content-Type": "application/json" }), "HB_ERR_UNSUPPORTED_MEDIA_TYPE");
  });

  it("an empty batch has no events", () => {
    assert.deepEqual(normalize("[]", { "Content-Type": "application/cloudevents-batch+json" }), []);
  });
});
