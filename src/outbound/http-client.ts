/**
 * The HTTP client of outbound delivery: one POST, a total timeout, redirects never followed
 * (a 3xx is just a status), at most `maxResponseBytes` of the answer kept.
 *
 * `createGuardedHttpClient` (default) uses node:http/https with keep-alive agents and a custom
 * DNS `lookup` that runs the SSRF guard on every address a new connection would use, so the
 * address connected to is the address checked (no DNS-rebinding window); address literals are
 * checked before connecting. A request with client TLS material (mTLS) goes through an https
 * agent of its own per distinct identity (certificate + key + trusted CAs + server name), with
 * the same guarded lookup; agents are cached, and closed when idle for 5 minutes, when the
 * endpoint that used one switches to another identity, and on close().
 *
 * With an egress proxy (`proxy`, egress-proxy.ts) requests to hosts outside its `noProxy` list go
 * through it: https in a CONNECT tunnel (TLS to the endpoint inside, client certificate
 * included; one tunnel per request, no keep-alive), http in absolute-form over a keep-alive
 * agent to the proxy. The proxy resolves those hosts, so only the URL and address-literal
 * checks run here; `noProxy` hosts get the full guard.
 *
 * Error kinds tell whether the request can have reached the receiver (at-most-once delivery
 * relies on it): `dns`, `connect`, `tls`, `ssrf`, `proxy` mean it never did — a timeout or a
 * reset before the connection to the receiver (or the proxy, for http) was established is
 * reported as `connect`; `timeout` and `network` mean it may have.
 *
 * `createFetchHttpClient` wraps an injected fetch: it resolves and checks the host first, then
 * lets fetch resolve again; a DNS answer that changes between the two (rebinding) is not caught
 * there, which is why it is only used when a fetch is injected. It cannot present client
 * certificates (a request with `tls` fails with kind "tls").
 */
import type { LookupAddress } from "node:dns";
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import type { IncomingMessage, RequestOptions } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { RequestOptions as HttpsRequestOptions } from "node:https";
import type { LookupFunction, Socket } from "node:net";
import { connect as tlsConnect, rootCertificates } from "node:tls";
import type { TLSSocket } from "node:tls";
import ipaddr from "ipaddr.js";
import type { ClientTls } from "./client-tls.js";
import type { EgressProxy } from "./egress-proxy.js";
import { ProxyError, authorityOf, openTunnel, proxyRefusal } from "./egress-proxy.js";
import type { LookupAll, SsrfPolicy } from "./ssrf-guard.js";
import { SsrfBlockedError, checkAddress, checkUrl, checkUrlSyntax, hostOf, systemLookupAll } from "./ssrf-guard.js";
import { TlsAgents } from "./tls-agents.js";

export interface HttpRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array | string;
  readonly timeoutMs: number;
  /** Response bytes kept (default 4096). */
  readonly maxResponseBytes?: number;
  /** Client certificate (mTLS) and extra trust, for https:// URLs. */
  readonly tls?: ClientTls;
  /** Whose identity `tls` is (an endpoint id): when the owner switches identity, the old agent is closed. */
  readonly tlsOwner?: string;
}

export interface HttpResponse {
  readonly status: number;
  /** Lower-case names, first value. */
  readonly headers: Readonly<Record<string, string>>;
  /** The first maxResponseBytes of the body, UTF-8 (invalid sequences replaced). */
  readonly body: string;
  readonly truncated: boolean;
}

export type HttpErrorKind = "timeout" | "ssrf" | "dns" | "connect" | "tls" | "network" | "proxy";

/** Error kinds that prove the request never reached the receiver (at-most-once delivery retries only these). */
export const NOT_SENT_KINDS: ReadonlySet<string> = new Set<HttpErrorKind>(["ssrf", "dns", "connect", "tls", "proxy"]);

export class HttpRequestError extends Error {
  constructor(
    readonly kind: HttpErrorKind,
    message: string,
    opts?: { cause?: unknown },
  ) {
    super(message, opts);
    this.name = "HttpRequestError";
  }
}

export interface WebhookHttpClient {
  /** Resolves with any status; rejects with HttpRequestError when no answer arrived. */
  send(req: HttpRequest): Promise<HttpResponse>;
  close(): void;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 4096;
/** A response body longer than this is not drained for connection reuse: the socket is dropped. */
const MAX_DRAIN_BYTES = 1024 * 1024;

function classify(err: unknown): HttpRequestError {
  if (err instanceof HttpRequestError) return err;
  if (err instanceof SsrfBlockedError) return new HttpRequestError(err.reason === "dns" ? "dns" : "ssrf", err.message, { cause: err });
  if (err instanceof ProxyError) return new HttpRequestError("proxy", err.message, { cause: err });
  const e = err as NodeJS.ErrnoException & { cause?: unknown };
  const code = typeof e?.code === "string" ? e.code : "";
  const message = err instanceof Error ? err.message : String(err);
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NODATA") return new HttpRequestError("dns", message, { cause: err });
  if (code === "ECONNREFUSED" || code === "EHOSTUNREACH" || code === "ENETUNREACH") {
    return new HttpRequestError("connect", message, { cause: err });
  }
  if (/CERT|SSL|TLS/i.test(code) || code === "UNABLE_TO_VERIFY_LEAF_SIGNATURE" || (code === "EPROTO" && /SSL|TLS|alert/i.test(message))) {
    return new HttpRequestError("tls", message, { cause: err });
  }
  return new HttpRequestError("network", code ? `${code}: ${message}` : message, { cause: err });
}

/**
 * With TLS 1.3 a receiver checks the client certificate after the client considers the
 * handshake done: refusing it, the receiver sends an alert and closes, and the client sees
 * either the alert or, racing it, a reset ("socket hang up") on the fresh connection. Both are
 * the TLS refusal they are.
 */
function refusedAfterHandshake(err: unknown): HttpRequestError {
  const e = classify(err);
  const code = (err as NodeJS.ErrnoException)?.code;
  if (e.kind === "network" && (code === "ECONNRESET" || code === "EPIPE")) {
    return new HttpRequestError("tls", `${e.message} right after the TLS handshake: the receiver refused the connection (client certificate missing or not trusted?)`, { cause: err });
  }
  return e;
}

function firstValues(res: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? (v[0] ?? "") : v;
  }
  return out;
}

/** A DNS lookup for net.connect that refuses the connection when any address is not allowed. */
export function guardedLookup(policy: SsrfPolicy, lookupAll: LookupAll): LookupFunction {
  return (hostname, options, callback) => {
    lookupAll(hostname).then(
      (addresses) => {
        try {
          for (const a of addresses) checkAddress(policy, hostname, a.address);
        } catch (err) {
          callback(err as NodeJS.ErrnoException, "", 4);
          return;
        }
        const family = typeof options.family === "number" ? options.family : 0;
        const usable: LookupAddress[] = addresses.filter((a) => family === 0 || a.family === family);
        const first = usable[0];
        if (first === undefined) {
          const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
          callback(err, "", 4);
          return;
        }
        if (options.all === true) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
        else callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, "", 4),
    );
  };
}

export interface GuardedClientOptions {
  readonly policy: SsrfPolicy;
  readonly lookupAll?: LookupAll;
  /** Sockets per host and agent (default 256). */
  readonly maxSockets?: number;
  /** Egress proxy (outbound.proxy): hosts outside its noProxy list go through it. */
  readonly proxy?: EgressProxy;
}

/** The default client: node:http(s), keep-alive, SSRF check at connect time. */
export function createGuardedHttpClient(opts: GuardedClientOptions): WebhookHttpClient & { readonly tlsAgentCount: () => number } {
  const lookup = guardedLookup(opts.policy, opts.lookupAll ?? systemLookupAll);
  const agentOpts = { keepAlive: true, maxSockets: opts.maxSockets ?? 256, scheduling: "lifo" as const, lookup };
  const httpAgent = new HttpAgent(agentOpts);
  const httpsAgent = new HttpsAgent(agentOpts);
  const tlsAgents = new TlsAgents(agentOpts);
  const proxy = opts.proxy;
  // http:// through the proxy: absolute-form requests over keep-alive connections to the proxy (the operator's, not SSRF-checked).
  const proxyAgent = proxy ? new HttpAgent({ keepAlive: true, maxSockets: opts.maxSockets ?? 256, scheduling: "lifo" }) : undefined;

  return {
    send(req: HttpRequest): Promise<HttpResponse> {
      return new Promise<HttpResponse>((resolve, reject) => {
        let url: URL;
        let host: string;
        try {
          url = checkUrlSyntax(opts.policy, req.url);
          host = hostOf(url);
          if (ipaddr.isValid(host)) checkAddress(opts.policy, host, host);
        } catch (err) {
          reject(classify(err));
          return;
        }
        const body = typeof req.body === "string" ? Buffer.from(req.body, "utf8") : req.body;
        const max = req.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
        const https = url.protocol === "https:";
        const viaProxy = proxy !== undefined && !proxy.bypass(host) ? proxy : undefined;
        const mtls = https && req.tls !== undefined && viaProxy === undefined ? tlsAgents.acquire(req.tls, req.tlsOwner) : undefined;
        const headers: Record<string, string> = { ...req.headers, "content-length": String(body.byteLength) };
        const abort = new AbortController();
        /** The connection to the receiver (to the proxy for http through it) is up: the request may reach it from now on. */
        let reached = false;
        let options: RequestOptions & HttpsRequestOptions;
        if (viaProxy === undefined) {
          options = {
            method: "POST",
            agent: mtls?.agent ?? (https ? httpsAgent : httpAgent),
            headers,
            lookup,
            ...(mtls && req.tls?.servername !== undefined ? { servername: req.tls.servername } : {}),
          };
        } else if (!https) {
          options = {
            method: "POST",
            host: viaProxy.host,
            port: viaProxy.port,
            path: url.href,
            agent: proxyAgent,
            headers: { ...headers, host: url.host, ...(viaProxy.authorization === undefined ? {} : { "proxy-authorization": viaProxy.authorization }) },
          };
        } else {
          const tls = req.tls;
          const servername = tls?.servername ?? (ipaddr.isValid(host) ? undefined : host);
          options = {
            method: "POST",
            headers,
            createConnection: (_o, oncreate) => {
              openTunnel(viaProxy, authorityOf(url), abort.signal).then(
                (tunnel: Socket) => {
                  const secure: TLSSocket = tlsConnect({
                    socket: tunnel,
                    // The certificate is checked against servername, else host.
                    host,
                    ...(servername === undefined ? {} : { servername }),
                    ...(tls?.certPem === undefined || tls.keyPem === undefined ? {} : { cert: tls.certPem, key: tls.keyPem }),
                    ...(tls?.caPem === undefined ? {} : { ca: [...rootCertificates, tls.caPem] }),
                  });
                  secure.once("secureConnect", () => (reached = true));
                  oncreate(null, secure);
                },
                (err: unknown) => oncreate(err instanceof Error ? err : new Error(String(err)), undefined as unknown as Socket),
              );
              return undefined;
            },
          };
        }
        let settled = false;
        let answered = false;
        const finish = (err: unknown, res?: HttpResponse): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          mtls?.release();
          if (res) {
            resolve(res);
            return;
          }
          abort.abort();
          let e = mtls && !answered && !r.reusedSocket ? refusedAfterHandshake(err) : classify(err);
          if (!reached && (e.kind === "timeout" || e.kind === "network" || (viaProxy !== undefined && !https && (e.kind === "connect" || e.kind === "dns")))) {
            // Never connected: the request cannot have reached the receiver.
            const what = viaProxy !== undefined && !https ? `proxy ${viaProxy.display}` : url.host;
            e = new HttpRequestError(viaProxy !== undefined && !https ? "proxy" : "connect", `no connection to ${what}: ${e.kind === "timeout" ? `none within ${req.timeoutMs} ms` : e.message}`, { cause: err });
          }
          reject(e);
        };
        const onResponse = (res: IncomingMessage): void => {
          answered = true;
          reached = true;
          const refusal = viaProxy !== undefined && !https ? proxyRefusal(res) : undefined;
          if (refusal !== undefined) {
            res.resume();
            r.destroy();
            finish(new ProxyError(`proxy ${viaProxy?.display ?? ""} refused ${url.host}: ${res.statusCode ?? 0} (${refusal})`, res.statusCode));
            return;
          }
          const chunks: Buffer[] = [];
          let kept = 0;
          let seen = 0;
          let truncated = false;
          res.on("data", (chunk: Buffer) => {
            seen += chunk.length;
            if (kept < max) {
              const part = chunk.subarray(0, max - kept);
              chunks.push(part);
              kept += part.length;
              if (part.length < chunk.length) truncated = true;
            } else {
              truncated = true;
            }
            if (seen > MAX_DRAIN_BYTES) {
              // Enough: answer now and drop the connection instead of draining a huge body.
              r.destroy();
              finish(undefined, { status: res.statusCode ?? 0, headers: firstValues(res), body: Buffer.concat(chunks).toString("utf8"), truncated: true });
            }
          });
          res.on("end", () =>
            finish(undefined, { status: res.statusCode ?? 0, headers: firstValues(res), body: Buffer.concat(chunks).toString("utf8"), truncated }),
          );
          res.on("error", (err) => finish(err));
        };
        const r = viaProxy !== undefined && !https ? httpRequest(options, onResponse) : (https ? httpsRequest : httpRequest)(url, options, onResponse);
        r.on("socket", (s: Socket) => {
          if (viaProxy !== undefined && https) return; // set on the TLS handshake inside the tunnel
          if (r.reusedSocket || !s.connecting) reached = true;
          else s.once(https ? "secureConnect" : "connect", () => (reached = true));
        });
        const timer = setTimeout(() => {
          const err = new HttpRequestError("timeout", `no complete answer within ${req.timeoutMs} ms`);
          r.destroy(err);
          finish(err);
        }, req.timeoutMs);
        r.on("error", (err) => finish(err));
        r.end(body);
      });
    },
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
      proxyAgent?.destroy();
      tlsAgents.close();
    },
    tlsAgentCount: () => tlsAgents.size(),
  };
}

async function readExcerpt(res: Response, max: number): Promise<{ body: string; truncated: boolean }> {
  if (!res.body) return { body: "", truncated: false };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let kept = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (kept + value.byteLength > max) {
      chunks.push(value.subarray(0, max - kept));
      truncated = true;
      await reader.cancel().catch(() => undefined);
      break;
    }
    chunks.push(value);
    kept += value.byteLength;
  }
  return { body: Buffer.concat(chunks).toString("utf8"), truncated };
}

export interface FetchClientOptions {
  readonly policy: SsrfPolicy;
  readonly fetchImpl: typeof fetch;
  readonly lookupAll?: LookupAll;
}

/** A client over an injected fetch: resolve-and-check first, then fetch (see the file comment for the caveat). */
export function createFetchHttpClient(opts: FetchClientOptions): WebhookHttpClient {
  return {
    async send(req: HttpRequest): Promise<HttpResponse> {
      if (req.tls !== undefined) throw new HttpRequestError("tls", "client certificates (tls) need the built-in HTTP client, not an injected fetch");
      try {
        await checkUrl(opts.policy, req.url, opts.lookupAll ?? systemLookupAll);
        const res = await opts.fetchImpl(req.url, {
          method: "POST",
          headers: req.headers,
          body: req.body,
          redirect: "manual",
          signal: AbortSignal.timeout(req.timeoutMs),
        });
        const headers: Record<string, string> = {};
        res.headers.forEach((v, k) => {
          headers[k] ??= v;
        });
        const { body, truncated } = await readExcerpt(res, req.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES);
        return { status: res.status, headers, body, truncated };
      } catch (err) {
        if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")) {
          throw new HttpRequestError("timeout", `no complete answer within ${req.timeoutMs} ms`, { cause: err });
        }
        const cause = (err as { cause?: unknown }).cause;
        throw classify(cause instanceof Error && !(err instanceof SsrfBlockedError) ? cause : err);
      }
    },
    close() {},
  };
}
