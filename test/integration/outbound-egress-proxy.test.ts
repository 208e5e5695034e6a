/**
 * Egress proxy (outbound.proxy): a small forward proxy written here (node:http 'connect' +
 * net.connect for CONNECT tunnels, absolute-form forwarding for http) that records what it
 * carries, resolves names from its own table (so only the proxy knows where receiver.test is),
 * can demand credentials and can refuse. Receivers: HTTPS with a self-signed CA and mTLS
 * (outbound-pki.ts) through the tunnel, plain HTTP through absolute-form.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import type { IncomingMessage, Server } from "node:http";
import { connect as netConnect } from "node:net";
import type { AddressInfo, Socket } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadConfig } from "../../src/config/load.js";
import { isHookbookError } from "../../src/core/errors.js";
import { compileEgressProxy } from "../../src/outbound/egress-proxy.js";
import { HttpRequestError, createGuardedHttpClient } from "../../src/outbound/http-client.js";
import { OUTBOUND_CODES } from "../../src/outbound/outbound-errors.js";
import type { OutboundOptions } from "../../src/outbound/service.js";
import { verifyWebhook } from "../../src/outbound/signer.js";
import { compileSsrfPolicy } from "../../src/outbound/ssrf-guard.js";
import { parseCreateInput } from "../../src/outbound/subscription-input.js";
import type { OutboundTestFile } from "./outbound-helpers.js";
import { errorCodeOf, header, outboundTestFile, publishOutcome, uniq, waitFor } from "./outbound-helpers.js";
import type { TestPki } from "./outbound-pki.js";
import { makeTestPki } from "./outbound-pki.js";

interface TestProxy {
  readonly url: string;
  readonly port: number;
  /** CONNECT authorities, in order. */
  readonly connects: string[];
  /** Absolute-form request URLs forwarded, in order. */
  readonly forwards: string[];
  /** Proxy-Authorization values seen. */
  readonly auths: (string | undefined)[];
  /** A status to refuse the target with (CONNECT authority or absolute URL), or undefined to carry it. */
  refuse: (target: string) => number | undefined;
  close(): Promise<void>;
}

/** A forward proxy; `hosts` is its own DNS (name → address); `credentials` "user:pass" makes it demand Basic auth (407). */
async function startProxy(hosts: Record<string, string> = {}, credentials?: string): Promise<TestProxy> {
  const sockets = new Set<Socket>();
  const resolve = (host: string): string => hosts[host] ?? host;
  const expected = credentials === undefined ? undefined : `Basic ${Buffer.from(credentials).toString("base64")}`;
  const proxy: TestProxy = {
    url: "",
    port: 0,
    connects: [],
    forwards: [],
    auths: [],
    refuse: () => undefined,
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
  const authFailed = (req: IncomingMessage): boolean => {
    proxy.auths.push(req.headers["proxy-authorization"]);
    return expected !== undefined && req.headers["proxy-authorization"] !== expected;
  };
  const server: Server = createServer((req, res) => {
    const target = req.url ?? "";
    proxy.forwards.push(target);
    if (authFailed(req)) {
      res.writeHead(407, { "proxy-authenticate": 'Basic realm="test"' }).end();
      return;
    }
    const refused = proxy.refuse(target);
    if (refused !== undefined) {
      res.writeHead(refused, { "proxy-status": "testproxy; error=destination_ip_prohibited" }).end("refused by proxy");
      return;
    }
    const u = new URL(target);
    const headers = { ...req.headers };
    delete headers["proxy-authorization"];
    const up = httpRequest({ host: resolve(u.hostname), port: u.port, path: u.pathname + u.search, method: req.method, headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on("error", () => res.writeHead(502).end());
    req.pipe(up);
  });
  server.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = req.url ?? "";
    proxy.connects.push(target);
    if (authFailed(req)) {
      client.end("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n");
      return;
    }
    const refused = proxy.refuse(target);
    if (refused !== undefined) {
      client.end(`HTTP/1.1 ${refused} Refused\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    const i = target.lastIndexOf(":");
    const upstream = netConnect(Number(target.slice(i + 1)), resolve(target.slice(0, i).replace(/^\[|\]$/g, "")), () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as AddressInfo).port;
  Object.assign(proxy, { port, url: `http://127.0.0.1:${port}` });
  return proxy;
}

let pki: TestPki;
before(() => {
  pki = makeTestPki();
});
after(() => pki.remove());

const file = outboundTestFile({ nats: false });
const cleanups = file.cleanups;

const setup = (over: Partial<OutboundOptions> = {}): ReturnType<OutboundTestFile["setup"]> => file.setup("memory", over);

async function proxyWith(hosts: Record<string, string> = {}, credentials?: string): Promise<TestProxy> {
  const p = await startProxy(hosts, credentials);
  cleanups.push(() => p.close());
  return p;
}

const receiver = file.receiver;
const subscribe = file.subscribe;

/** A name nobody's DNS knows: only the test proxy resolves it (its table). */
const PROXY_ONLY_NAME = "receiver.test";

describe("egress proxy", () => {
  it("tunnels https endpoints with CONNECT: TLS to the endpoint inside (SNI + its name's certificate, the endpoint's client certificate), the proxy resolving the name", async () => {
    const T = uniq();
    const proxy = await proxyWith({ [PROXY_ONLY_NAME]: "127.0.0.1" }, "hook:s3cr3t p@ss");
    const { bus, svc } = await setup({ proxy: { url: `http://hook:${encodeURIComponent("s3cr3t p@ss")}@127.0.0.1:${proxy.port}` } });
    const rx = await receiver(undefined, pki.serverOptions(pki.serverNamed));
    const url = `https://${PROXY_ONLY_NAME}:${rx.port}/hook`;
    const ep = await subscribe(svc, { url, events: [`${T}.*`], tls: { cert_pem: pki.client.cert, key_pem: pki.client.key, ca_pem: pki.ca.cert } });

    const { id, bytes } = await publishOutcome(bus, `${T}.action.failed`, { n: 1 });
    await waitFor("delivery through the tunnel", () => rx.requests.length === 1);
    const r = rx.requests[0]!;
    assert.deepEqual(proxy.connects, [`${PROXY_ONLY_NAME}:${rx.port}`]);
    assert.deepEqual(proxy.forwards, [], "https is never sent in absolute-form");
    assert.equal(proxy.auths[0], `Basic ${Buffer.from("hook:s3cr3t p@ss").toString("base64")}`, "credentials of the proxy URL, decoded");
    assert.equal(r.peer, "hookbook-client", "the endpoint's client certificate is presented inside the tunnel");
    assert.equal(header(r, "host"), `${PROXY_ONLY_NAME}:${rx.port}`);
    assert.equal(header(r, "proxy-authorization"), undefined, "proxy credentials never reach the receiver");
    assert.deepEqual(r.body, bytes);
    assert.equal(verifyWebhook(ep.secret, r.headers, r.body), true);
    assert.equal(header(r, "webhook-id"), `msg_${id}`);
  });

  it("sends http endpoints in absolute-form; OAuth2 token requests go through the proxy too", async () => {
    const T = uniq();
    const rx = await receiver();
    const tokens = await receiver(() => ({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ access_token: "tok-1", token_type: "bearer", expires_in: 3600 }) }));
    const proxy = await proxyWith({ "hooks.test": "127.0.0.1", "auth.test": "127.0.0.1" });
    const { bus, svc } = await setup({ proxy: { url: proxy.url } });
    await subscribe(svc, {
      url: `http://hooks.test:${rx.port}/hook?tenant=1`,
      events: [`${T}.*`],
      auth: { type: "oauth2", token_url: `http://auth.test:${tokens.port}/hook`, client_id: "c", client_secret: "s" },
    });
    await publishOutcome(bus, `${T}.x`);
    await waitFor("delivery", () => rx.requests.length === 1);
    assert.deepEqual(proxy.forwards, [`http://auth.test:${tokens.port}/hook`, `http://hooks.test:${rx.port}/hook?tenant=1`]);
    assert.deepEqual(proxy.connects, []);
    assert.equal(rx.requests[0]!.path, "/hook?tenant=1");
    assert.equal(header(rx.requests[0]!, "authorization"), "Bearer tok-1");
    assert.equal(tokens.requests.length, 1);
  });

  it("connects noProxy hosts directly, with the full SSRF guard; proxied hosts skip only the DNS check", async () => {
    const T = uniq();
    const proxy = await proxyWith();
    const rx = await receiver();
    // Direct, allow-listed: delivered without the proxy.
    {
      const { bus, svc } = await setup({ proxy: { url: proxy.url, noProxy: ["127.0.0.0/8", "*.internal.test"] } });
      await subscribe(svc, { url: rx.url, events: [`${T}.*`] });
      await publishOutcome(bus, `${T}.x`);
      await waitFor("direct delivery", () => rx.requests.length === 1);
      assert.deepEqual([...proxy.connects, ...proxy.forwards], []);
    }
    // Nothing allow-listed: a noProxy host gets the full guard (loopback refused, DNS checked),
    // a proxied name is accepted without resolving it, a proxied private literal is still refused.
    const { svc } = await setup({ ssrf: { allow: [], httpsOnly: false }, proxy: { url: proxy.url, noProxy: ["127.0.0.1", "*.internal.test"] } });
    assert.equal(await errorCodeOf(svc.create(parseCreateInput({ url: rx.url, events: ["*"] }))), OUTBOUND_CODES.urlForbidden);
    assert.equal(await errorCodeOf(svc.create(parseCreateInput({ url: "https://nowhere.internal.test/hook", events: ["*"] }))), OUTBOUND_CODES.urlForbidden);
    assert.equal(await errorCodeOf(svc.create(parseCreateInput({ url: "http://10.1.2.3/hook", events: ["*"] }))), OUTBOUND_CODES.urlForbidden);
    assert.equal(await errorCodeOf(svc.create(parseCreateInput({ url: "https://[::1]:8443/hook", events: ["*"] }))), OUTBOUND_CODES.urlForbidden);
    const ok = await svc.create(parseCreateInput({ url: `https://${PROXY_ONLY_NAME}/hook`, events: ["*"] }));
    await svc.remove(ok.id);
  });

  it("a proxy refusal is error_kind proxy (with its status), retried until the proxy lets it through", async () => {
    const T = uniq();
    const proxy = await proxyWith({ "hooks.test": "127.0.0.1" });
    const rxs = await receiver(undefined, { cert: pki.server.cert, key: pki.server.key });
    const rxh = await receiver();
    let refusals = 0;
    proxy.refuse = () => (refusals++ < 4 ? 403 : undefined);
    const { bus, svc } = await setup({ proxy: { url: proxy.url }, retry: [100, 100, 100, 100, 100] });
    const eps = await subscribe(svc, { url: rxs.url, events: [`${T}.*`], tls: { ca_pem: pki.ca.cert } });
    const eph = await subscribe(svc, { url: `http://hooks.test:${rxh.port}/hook`, events: [`${T}.*`] });
    await publishOutcome(bus, `${T}.x`);
    await waitFor("both delivered after the refusals", () => rxs.requests.length === 1 && rxh.requests.length === 1, 10_000);
    for (const ep of [eps, eph]) {
      await waitFor("delivered attempt logged", async () => (await svc.attempts(ep.id, 10)).some((a) => a.outcome === "delivered"));
      const attempts = (await svc.attempts(ep.id, 10)).sort((a, b) => a.attempt - b.attempt);
      const failed = attempts.filter((a) => a.outcome === "retry");
      assert.ok(failed.length >= 1, `refused attempts of ${ep.id} logged`);
      for (const a of failed) {
        assert.equal(a.error_kind, "proxy");
        assert.equal(a.status, undefined, "the proxy's answer is not the receiver's status");
        assert.match(a.error ?? "", /403/);
      }
      assert.equal(attempts.at(-1)?.outcome, "delivered");
    }
  });

  it("the guarded client: 407 without credentials and an unreachable proxy are kind proxy; bad config is refused naming the field", async () => {
    const proxy = await proxyWith({}, "u:p");
    const policy = compileSsrfPolicy({ allow: ["127.0.0.1/32"], httpsOnly: false });
    const send = async (proxyUrl: string, url: string): Promise<HttpRequestError> => {
      const client = createGuardedHttpClient({ policy, proxy: compileEgressProxy({ url: proxyUrl }) });
      try {
        await client.send({ url, headers: {}, body: "{}", timeoutMs: 2000 });
      } catch (err) {
        return err as HttpRequestError;
      } finally {
        client.close();
      }
      throw new Error("expected a failure");
    };
    for (const url of ["https://example.test/hook", "http://example.test/hook"]) {
      const e = await send(proxy.url, url);
      assert.ok(e instanceof HttpRequestError);
      assert.equal(e.kind, "proxy", url);
      assert.match(e.message, /407/);
    }
    await proxy.close();
    for (const url of ["https://example.test/hook", "http://example.test/hook"]) assert.equal((await send(proxy.url, url)).kind, "proxy", `${url} via a closed proxy`);

    const fieldOf = (cfg: Parameters<typeof compileEgressProxy>[0]): string => {
      try {
        compileEgressProxy(cfg);
      } catch (err) {
        assert.ok(isHookbookError(err));
        assert.equal(err.code, "HB_ERR_CONFIG_INVALID");
        return err.message;
      }
      return "accepted";
    };
    assert.match(fieldOf({ url: "socks5://p:1080" }), /outbound\.proxy\.url/);
    assert.match(fieldOf({ url: "not a url" }), /outbound\.proxy\.url/);
    assert.match(fieldOf({ url: "http://p:3128/path" }), /outbound\.proxy\.url/);
    assert.match(fieldOf({ url: "http://p:3128", noProxy: ["ok.test", "10.0.0.0/33"] }), /outbound\.proxy\.noProxy\[1\]/);
    assert.match(fieldOf({ url: "http://p:3128", noProxy: ["bad host!"] }), /outbound\.proxy\.noProxy\[0\]/);
  });

  it("config: outbound.proxy with the URL as a secret reference", () => {
    const dir = pki.dir;
    const file = join(dir, "proxy.yaml");
    writeFileSync(file, "outbound:\n  proxy:\n    url: {env: HB_PROXY}\n    noProxy: [hooks.internal, 10.0.0.0/8]\n");
    const cfg = loadConfig({ file, cwd: dir, env: { HB_PROXY: "http://u:p@proxy:4750" } });
    assert.deepEqual(cfg.outbound.proxy, { url: "http://u:p@proxy:4750", noProxy: ["hooks.internal", "10.0.0.0/8"] });
    writeFileSync(file, "outbound:\n  proxy:\n    url: https://proxy:4750\n");
    assert.throws(
      () => loadConfig({ file, cwd: dir, env: {} }),
      (err: unknown) => isHookbookError(err) && err.code === "HB_ERR_CONFIG_INVALID" && /outbound\.proxy\.url/.test(err.message),
    );
  });
});
