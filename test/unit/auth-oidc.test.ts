/**
 * OIDC bearer verification with the GCP fixture (gcp/README.md): the JWKS in gcp/test-keys is
 * served by a fake fetchText, "now" is 2026-05-12T16:03:20Z. Tokens for the negative cases are
 * signed here with the same test key.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync, sign } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { GOOGLE_JWKS_URL, parseJwks, verifyOidcRequest } from "../../src/sources/auth-oidc.js";
import type { OidcVerifyContext, OidcVerifyOptions } from "../../src/sources/auth-oidc.js";
import { fixtureHeaders, fixturePath } from "../helpers/fixtures.js";
import { rejectsCode } from "./sources-golden-helper.js";

const JWKS_URL = "https://keys.test/jwks.json";
const JWKS = readFileSync(fixturePath("gcp/test-keys/jwks.json"), "utf8");
const KEY_PEM = readFileSync(fixturePath("gcp/test-keys/oidc-test-signing-key.pem"), "utf8");
const HEADERS = fixtureHeaders("gcp/pubsub-push-preempted.headers.json");
const NOW = Date.parse("2026-05-12T16:03:20Z");
const OPTS: OidcVerifyOptions = {
  audience: "https://events.gpu.acme.example/ingest/gcp/pubsub",
  serviceAccountEmail: "pubsub-push@acme-gpu-prod.iam.gserviceaccount.com",
  jwksUrl: JWKS_URL,
  leewaySec: 60,
};
const CLAIMS = {
  aud: OPTS.audience,
  azp: "107734217612345678901",
  email: OPTS.serviceAccountEmail,
  email_verified: true,
  exp: 1778605392,
  iat: 1778601792,
  iss: "https://accounts.google.com",
  sub: "107734217612345678901",
};

interface Ctx extends OidcVerifyContext {
  readonly calls: string[];
  now: number;
}

function ctxWith(serve: () => string = () => JWKS): Ctx {
  const ctx: Ctx = {
    calls: [],
    now: NOW,
    nowMs: () => ctx.now,
    fetchText: async (url: string) => {
      ctx.calls.push(url);
      return serve();
    },
  };
  return ctx;
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

function token(claims: Record<string, unknown>, header: Record<string, unknown> = { alg: "RS256", kid: "fixture-test-kid-1", typ: "JWT" }, key: string | KeyObject = KEY_PEM): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${sign("RSA-SHA256", Buffer.from(input), key).toString("base64url")}`;
}

const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

describe("verifyOidcRequest: valid", () => {
  it("the fixture's Pub/Sub token verifies and its claims are returned", async () => {
    const ctx = ctxWith();
    const claims = await verifyOidcRequest(HEADERS, OPTS, ctx);
    assert.equal(claims.email, OPTS.serviceAccountEmail);
    assert.deepEqual(ctx.calls, [JWKS_URL]);
  });

  it("a token signed here with the same key verifies (the helper is sound)", async () => {
    await verifyOidcRequest(bearer(token(CLAIMS)), OPTS, ctxWith());
    await verifyOidcRequest(bearer(token({ ...CLAIMS, aud: ["x", OPTS.audience], iss: "accounts.google.com" })), OPTS, ctxWith());
  });

  it("the JWKS is cached: two verifications, one fetch; refetched after the TTL", async () => {
    const ctx = ctxWith();
    await verifyOidcRequest(HEADERS, OPTS, ctx);
    await verifyOidcRequest(HEADERS, OPTS, ctx);
    assert.equal(ctx.calls.length, 1);
    ctx.now += 3601_000;
    await verifyOidcRequest(bearer(token({ ...CLAIMS, exp: CLAIMS.exp + 7200 })), OPTS, ctx);
    assert.equal(ctx.calls.length, 2);
  });

  it("an unknown kid triggers one refetch (after the cooldown) and then verifies with the rotated key", async () => {
    const rotated = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const jwk = { ...rotated.publicKey.export({ format: "jwk" }), kid: "rotated-kid-2", alg: "RS256", use: "sig" };
    let doc = JWKS;
    const ctx = ctxWith(() => doc);
    await verifyOidcRequest(HEADERS, OPTS, ctx);
    doc = JSON.stringify({ keys: [...(JSON.parse(JWKS) as { keys: unknown[] }).keys, jwk] });
    const t = token(CLAIMS, { alg: "RS256", kid: "rotated-kid-2" }, rotated.privateKey);
    await rejectsCode(verifyOidcRequest(bearer(t), OPTS, ctx), "HB_ERR_AUTH_INVALID"); // inside the cooldown: no refetch
    assert.equal(ctx.calls.length, 1);
    ctx.now += 31_000;
    await verifyOidcRequest(bearer(t), { ...OPTS, leewaySec: 300 }, ctx);
    assert.equal(ctx.calls.length, 2);
  });

  it("defaults: Google's JWKS URL and issuers", async () => {
    const ctx = ctxWith();
    await verifyOidcRequest(HEADERS, { audience: OPTS.audience }, ctx);
    assert.deepEqual(ctx.calls, [GOOGLE_JWKS_URL]);
  });
});

describe("verifyOidcRequest: refused", () => {
  const cases: [string, Record<string, string>, Partial<OidcVerifyOptions>?][] = [
    ["wrong audience", HEADERS, { audience: "https://other.example/push" }],
    ["wrong issuer", bearer(token({ ...CLAIMS, iss: "https://evil.example" }))],
    ["issuer not in the configured list", HEADERS, { issuers: ["https://issuer.example"] }],
    ["another service account", HEADERS, { serviceAccountEmail: "someone@acme-gpu-prod.iam.gserviceaccount.com" }],
    ["email not verified", bearer(token({ ...CLAIMS, email_verified: false }))],
    ["no exp", bearer(token({ ...CLAIMS, exp: undefined }))],
    ["nbf in the future", bearer(token({ ...CLAIMS, nbf: NOW / 1000 + 3600 }))],
    ["iat in the future", bearer(token({ ...CLAIMS, iat: NOW / 1000 + 3600 }))],
    ["unknown kid", bearer(token(CLAIMS, { alg: "RS256", kid: "no-such-kid" }))],
    ["no kid", bearer(token(CLAIMS, { alg: "RS256" }))],
    ["alg none", bearer(`${b64({ alg: "none", kid: "fixture-test-kid-1" })}.${b64(CLAIMS)}.`)],
    ["alg none with a signature part", bearer(`${b64({ alg: "none", kid: "fixture-test-kid-1" })}.${b64(CLAIMS)}.AAAA`)],
    ["alg HS256", bearer(token(CLAIMS, { alg: "HS256", kid: "fixture-test-kid-1" }))],
    ["crit header", bearer(token(CLAIMS, { alg: "RS256", kid: "fixture-test-kid-1", crit: ["exp"] }))],
    ["signed by another key", bearer(token(CLAIMS, undefined, generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey))],
    ["not a JWT", bearer("abc.def")],
    ["garbage segments", bearer("e30.!!!.e30")],
    ["Basic scheme", { Authorization: "Basic dXNlcjpwYXNz" }],
  ];
  for (const [name, headers, opts] of cases) {
    it(`${name} → HB_ERR_AUTH_INVALID`, async () => {
      await rejectsCode(verifyOidcRequest(headers, { ...OPTS, ...opts }, ctxWith()), "HB_ERR_AUTH_INVALID");
    });
  }

  it("a flipped byte in the signed payload → HB_ERR_AUTH_INVALID", async () => {
    const [h, p, s] = (HEADERS.Authorization as string).slice("Bearer ".length).split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, "base64url").toString()) as Record<string, unknown>;
    const tampered = `${h}.${b64({ ...claims, email: "attacker@evil.example" })}.${s}`;
    await rejectsCode(verifyOidcRequest(bearer(tampered), { ...OPTS, serviceAccountEmail: undefined }, ctxWith()), "HB_ERR_AUTH_INVALID");
    const flipped = `${h}.${p}.${s.slice(0, 10)}${s[10] === "A" ? "B" : "A"}${s.slice(11)}`;
    await rejectsCode(verifyOidcRequest(bearer(flipped), OPTS, ctxWith()), "HB_ERR_AUTH_INVALID");
  });

  it("expired once the clock moves past exp + leeway; accepted inside the leeway", async () => {
    const ctx = ctxWith();
    ctx.now = (CLAIMS.exp + 30) * 1000;
    await verifyOidcRequest(HEADERS, OPTS, ctx);
    ctx.now = (CLAIMS.exp + 61) * 1000;
    await rejectsCode(verifyOidcRequest(HEADERS, OPTS, ctx), "HB_ERR_AUTH_INVALID");
    ctx.now = (CLAIMS.exp + 1) * 1000;
    await rejectsCode(verifyOidcRequest(HEADERS, { ...OPTS, leewaySec: 0 }, ctx), "HB_ERR_AUTH_INVALID");
  });

  it("no Authorization header → HB_ERR_AUTH_MISSING", async () => {
    await rejectsCode(verifyOidcRequest({ "Content-Type": "application/json" }, OPTS, ctxWith()), "HB_ERR_AUTH_MISSING");
    await rejectsCode(verifyOidcRequest({ authorization: "  " }, OPTS, ctxWith()), "HB_ERR_AUTH_MISSING");
  });

  it("JWKS unreachable with nothing cached → HB_ERR_INTERNAL (transient); a stale cache keeps working", async () => {
    let up = false;
    const ctx = ctxWith(() => {
      if (!up) throw new Error("ECONNREFUSED");
      return JWKS;
    });
    await rejectsCode(verifyOidcRequest(HEADERS, OPTS, ctx), "HB_ERR_INTERNAL");
    up = true;
    await verifyOidcRequest(HEADERS, OPTS, ctx);
    up = false;
    ctx.now += 3601_000;
    await verifyOidcRequest(bearer(token({ ...CLAIMS, exp: CLAIMS.exp + 7200 })), OPTS, ctx);
  });

  it("parseJwks skips keys that are not RSA signing keys", () => {
    const keys = parseJwks(
      JSON.stringify({
        keys: [
          ...(JSON.parse(JWKS) as { keys: unknown[] }).keys,
          { kty: "EC", kid: "ec", crv: "P-256", x: "x", y: "y" },
          { kty: "RSA", kid: "enc", use: "enc", n: "AQAB", e: "AQAB" },
          { kty: "RSA", kid: "broken", n: "!!", e: "AQAB" },
        ],
      }),
    );
    assert.deepEqual([...keys.keys()], ["fixture-test-kid-1"]);
  });
});
