// The ingest bench's load generator: requests are unique and signed; answers are counted right however the bytes are split.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, it } from "node:test";
import { AnswerReader, RequestFactory } from "../../bench/http-load.js";

const answer = (status: number, body: string) => `HTTP/1.1 ${status} X\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

describe("AnswerReader", () => {
  it("reads answers split anywhere and several in one chunk", () => {
    const bytes = Buffer.from(answer(202, '{"accepted":1}') + answer(503, '{"error":{}}') + answer(202, ""));
    for (let step = 1; step <= bytes.length; step++) {
      const seen: number[] = [];
      const reader = new AnswerReader((s) => seen.push(s));
      for (let i = 0; i < bytes.length; i += step) reader.push(bytes.subarray(i, i + step));
      assert.deepEqual(seen, [202, 503, 202], `chunks of ${step}`);
    }
  });

  it("refuses an answer it cannot delimit", () => {
    const reader = new AnswerReader(() => undefined);
    assert.throws(() => reader.push(Buffer.from("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")));
    assert.throws(() => new AnswerReader(() => undefined).push(Buffer.from("garbage\r\n\r\n")));
  });
});

describe("RequestFactory", () => {
  it("follows the weights, makes every body unique and signs it", () => {
    const factory = new RequestFactory(
      "127.0.0.1:1",
      [
        { source: "a", weight: 2, headers: { "content-type": "application/json" }, body: '{"n":"__N__"}' },
        { source: "g", weight: 1, headers: {}, body: '{"id":__N__}', idHeader: "x-delivery", hmac: { header: "x-sig", prefix: "sha256=", secret: "s" } },
      ],
      7,
    );
    factory.prebuild(2);
    const texts = Array.from({ length: 6 }, () => factory.next().toString("utf8"));
    assert.deepEqual(
      texts.map((t) => t.split(" ")[1]),
      ["/hooks/a", "/hooks/a", "/hooks/g", "/hooks/a", "/hooks/a", "/hooks/g"],
    );
    const bodies = texts.map((t) => t.slice(t.indexOf("\r\n\r\n") + 4));
    assert.equal(new Set(bodies).size, 6);
    const signed = texts[2] as string;
    const body = bodies[2] as string;
    assert.ok(signed.includes(`x-sig: sha256=${createHmac("sha256", "s").update(body).digest("hex")}\r\n`));
    assert.ok(signed.includes("x-delivery: bench-7000000002\r\n"));
    assert.ok(signed.includes(`content-length: ${Buffer.byteLength(body)}\r\n`));
  });
});
