import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { isHookbookError } from "../../src/core/errors.js";
import { createFetchHttpClient, createGuardedHttpClient, HttpRequestError } from "../../src/outbound/http-client.js";
import { SsrfBlockedError, blockedRange, checkUrl, compileSsrfPolicy } from "../../src/outbound/ssrf-guard.js";

const open = compileSsrfPolicy({ allow: [], httpsOnly: false });
const lookup = (table: Record<string, string[]>) => async (host: string) => {
  const addrs = table[host];
  if (!addrs) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
  return addrs.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
};

async function reason(policy = open, url: string, table: Record<string, string[]> = {}): Promise<string | undefined> {
  try {
    await checkUrl(policy, url, lookup(table));
    return undefined;
  } catch (err) {
    assert.ok(err instanceof SsrfBlockedError, String(err));
    return err.reason;
  }
}

describe("SSRF guard: address classification", () => {
  it("refuses everything that is not global unicast", () => {
    const cases: [string, string][] = [
      ["127.0.0.1", "loopback"],
      ["10.1.2.3", "private"],
      ["172.31.255.255", "private"],
      ["192.168.10.1", "private"],
      ["169.254.169.254", "linkLocal"],
      ["100.100.1.1", "carrierGradeNat"],
      ["224.0.0.251", "multicast"],
      ["255.255.255.255", "broadcast"],
      ["0.0.0.0", "unspecified"],
      ["192.0.2.7", "reserved"],
      ["198.51.100.7", "reserved"],
      ["203.0.113.7", "reserved"],
      ["240.0.0.1", "reserved"],
      ["::1", "loopback"],
      ["::", "unspecified"],
      ["fe80::1", "linkLocal"],
      ["fc00::1", "uniqueLocal"],
      ["ff02::1", "multicast"],
      ["2001:db8::1", "reserved"],
      ["::ffff:10.0.0.1", "ipv4Mapped private"],
      ["::ffff:169.254.169.254", "ipv4Mapped linkLocal"],
      ["64:ff9b::7f00:1", "nat64 loopback"],
      ["64:ff9b:1::1", "nat64 local-use"],
      ["2002:c0a8:0101::1", "6to4 private"],
      ["2001::1", "teredo"],
      ["::7f00:1", "ipv4Compatible"],
      ["4000::1", "notGlobalUnicast"],
    ];
    for (const [ip, why] of cases) assert.equal(blockedRange(ip), why, ip);
  });

  it("lets public addresses through, wrapped public ones too", () => {
    for (const ip of ["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:0808:0808::1"]) {
      assert.equal(blockedRange(ip), undefined, ip);
    }
  });
});

describe("SSRF guard: URLs", () => {
  it("checks literals, every resolved address, schemes, credentials and https-only", async () => {
    assert.equal(await reason(open, "http://127.0.0.1:8080/x"), "loopback");
    assert.equal(await reason(open, "http://[::1]/"), "loopback");
    assert.equal(await reason(open, "http://mixed.example/", { "mixed.example": ["93.184.216.34", "10.0.0.1"] }), "private", "one bad address is enough");
    assert.equal(await reason(open, "http://ok.example/", { "ok.example": ["93.184.216.34"] }), undefined);
    assert.equal(await reason(open, "http://nx.example/"), "dns");
    assert.equal(await reason(open, "gopher://ok.example/"), "scheme");
    assert.equal(await reason(open, "http://a:b@ok.example/", { "ok.example": ["93.184.216.34"] }), "credentials");
    assert.equal(await reason(open, "not a url"), "invalid_url");
    const httpsOnly = compileSsrfPolicy({ allow: [], httpsOnly: true });
    assert.equal(await reason(httpsOnly, "http://ok.example/", { "ok.example": ["93.184.216.34"] }), "https_only");
    assert.equal(await reason(httpsOnly, "https://ok.example/", { "ok.example": ["93.184.216.34"] }), undefined);
  });

  it("honours the allow-list: CIDRs, bare addresses, host names and *.suffix", async () => {
    const p = compileSsrfPolicy({ allow: ["127.0.0.1/32", "10.20.0.0/16", "fd00::/8", "192.168.1.5", "hooks.internal", "*.svc.cluster.local"], httpsOnly: false });
    assert.equal(await reason(p, "http://127.0.0.1/"), undefined);
    assert.equal(await reason(p, "http://127.0.0.2/"), "loopback");
    assert.equal(await reason(p, "http://[::ffff:127.0.0.1]/"), undefined, "IPv4-mapped form of an allowed address");
    assert.equal(await reason(p, "http://x.example/", { "x.example": ["10.20.3.4"] }), undefined);
    assert.equal(await reason(p, "http://[fd12::1]/"), undefined);
    assert.equal(await reason(p, "http://192.168.1.5/"), undefined);
    assert.equal(await reason(p, "http://192.168.1.6/"), "private");
    assert.equal(await reason(p, "http://HOOKS.internal./"), undefined, "host names are case- and trailing-dot-insensitive");
    assert.equal(await reason(p, "http://api.ns.svc.cluster.local/"), undefined);
    assert.equal(await reason(p, "http://svc.cluster.local.evil.example/", { "svc.cluster.local.evil.example": ["10.0.0.1"] }), "private");
  });

  it("refuses an invalid allow-list entry at start", () => {
    for (const bad of ["10.0.0.0/99", "http://x", "a b"]) {
      assert.throws(() => compileSsrfPolicy({ allow: [bad], httpsOnly: false }), (err) => isHookbookError(err) && err.code === "HB_ERR_CONFIG_INVALID", bad);
    }
  });
});

describe("SSRF guard in the HTTP clients", () => {
  async function server(): Promise<{ port: number; hits: () => number; close: () => Promise<void> }> {
    let hits = 0;
    const s = createServer((_req, res) => {
      hits++;
      res.writeHead(302, { location: "http://example.com/" }).end("moved");
    });
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    const { port } = s.address() as AddressInfo;
    return { port, hits: () => hits, close: () => new Promise((r) => s.close(() => r())) };
  }

  it("the guarded client checks the address it connects to and never follows redirects", async () => {
    const srv = await server();
    try {
      const denied = createGuardedHttpClient({ policy: open, lookupAll: lookup({ "rebind.example": ["127.0.0.1"] }) });
      await assert.rejects(denied.send({ url: `http://rebind.example:${srv.port}/`, headers: {}, body: "{}", timeoutMs: 1000 }), (err) => err instanceof HttpRequestError && err.kind === "ssrf");
      await assert.rejects(denied.send({ url: `http://127.0.0.1:${srv.port}/`, headers: {}, body: "{}", timeoutMs: 1000 }), (err) => err instanceof HttpRequestError && err.kind === "ssrf");
      denied.close();
      assert.equal(srv.hits(), 0);

      const allowed = createGuardedHttpClient({ policy: compileSsrfPolicy({ allow: ["127.0.0.1/32"], httpsOnly: false }), lookupAll: lookup({ "local.example": ["127.0.0.1"] }) });
      const res = await allowed.send({ url: `http://local.example:${srv.port}/`, headers: {}, body: "{}", timeoutMs: 1000, maxResponseBytes: 3 });
      allowed.close();
      assert.deepEqual([res.status, res.body, res.truncated], [302, "mov", true]);
      assert.equal(srv.hits(), 1, "the redirect was not followed");
    } finally {
      await srv.close();
    }
  });

  it("the fetch client resolves and checks before fetching", async () => {
    let fetched = 0;
    const fetchImpl = (async () => {
      fetched++;
      return new Response("hi", { status: 200 });
    }) as typeof fetch;
    const client = createFetchHttpClient({ policy: open, fetchImpl, lookupAll: lookup({ "private.example": ["10.0.0.1"], "ok.example": ["93.184.216.34"] }) });
    await assert.rejects(client.send({ url: "http://private.example/", headers: {}, body: "", timeoutMs: 1000 }), (err) => err instanceof HttpRequestError && err.kind === "ssrf");
    assert.equal(fetched, 0);
    const res = await client.send({ url: "http://ok.example/", headers: {}, body: "", timeoutMs: 1000 });
    assert.deepEqual([res.status, res.body], [200, "hi"]);
  });
});
