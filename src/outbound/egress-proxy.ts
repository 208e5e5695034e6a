/**
 * Egress proxy of outbound delivery (`outbound.proxy`; Svix's and the spec's "proxy all sends",
 * Outpost's DESTINATIONS_WEBHOOK_PROXY_URL): an HTTP forward proxy such as smokescreen, squid
 * or Envoy that every webhook attempt and OAuth2 token request goes through.
 *
 * - https:// endpoints: `CONNECT host:port` to the proxy, then TLS to the endpoint inside the
 *   tunnel (SNI, certificate check, the endpoint's client certificate);
 * - http:// endpoints: the request in absolute-form (`POST http://host/path`) to the proxy;
 * - `noProxy` hosts (names, `*.suffix` / `.suffix`, addresses, CIDRs) are connected directly.
 *
 * The proxy resolves the endpoint's name, so it is the SSRF enforcement point for proxied
 * hosts: hookbook still checks the URL (scheme, https-only, credentials) and address literals,
 * but skips its DNS-based check. A refusal (a CONNECT answered other than 2xx, a 407, or an
 * answer that carries `Proxy-Status: …; error=…` (RFC 9209) or `X-Smokescreen-Error`) and a
 * proxy that cannot be reached are errors of kind `proxy`, retried like network errors.
 */
import { request as httpRequest } from "node:http";
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import ipaddr from "ipaddr.js";
import { HookbookError } from "../core/errors.js";
import type { SsrfPolicy } from "./ssrf-guard.js";
import { checkAddress, checkUrlSyntax, hostOf } from "./ssrf-guard.js";

export interface EgressProxyConfig {
  /** `http://[user:password@]host:port` */
  readonly url: string;
  /** Hosts connected directly: names, `*.suffix` or `.suffix`, addresses, CIDRs. */
  readonly noProxy?: readonly string[];
}

export interface EgressProxy {
  readonly host: string;
  readonly port: number;
  /** `Basic …` when the URL carries credentials. */
  readonly authorization?: string;
  /** The proxy URL without credentials (logs, errors). */
  readonly display: string;
  /** True when `host` (URL hostname, IPv6 without brackets) is connected directly. */
  bypass(host: string): boolean;
}

/** The proxy refused the request, or could not be reached: HTTP client error kind `proxy`. */
export class ProxyError extends Error {
  constructor(
    message: string,
    /** The proxy's answer status, when it answered. */
    readonly status?: number,
    opts?: { cause?: unknown },
  ) {
    super(message, opts);
    this.name = "ProxyError";
  }
}

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

const bad = (field: string, message: string): HookbookError => new HookbookError("HB_ERR_CONFIG_INVALID", `config: outbound.proxy.${field}: ${message}`);

/** Checks `outbound.proxy` (HB_ERR_CONFIG_INVALID naming the field) and prepares it. */
export function compileEgressProxy(cfg: EgressProxyConfig): EgressProxy {
  let url: URL;
  try {
    url = new URL(cfg.url);
  } catch {
    throw bad("url", "is not a valid URL (http://host:port)");
  }
  if (url.protocol !== "http:") throw bad("url", `scheme ${url.protocol} is not supported: give the proxy as http://host:port (https endpoints are tunnelled with CONNECT)`);
  if (url.hostname === "") throw bad("url", "has no host");
  if ((url.pathname !== "/" && url.pathname !== "") || url.search !== "" || url.hash !== "") throw bad("url", "must not have a path, query or fragment");
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = url.port === "" ? 80 : Number(url.port);
  const authorization =
    url.username === "" && url.password === ""
      ? undefined
      : `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64")}`;

  const names = new Set<string>();
  const suffixes: string[] = [];
  const cidrs: Cidr[] = [];
  (cfg.noProxy ?? []).forEach((raw, i) => {
    const entry = raw.trim().toLowerCase().replace(/\.$/, "");
    if (entry === "") throw bad(`noProxy[${i}]`, "is empty");
    if (entry.includes("/")) {
      try {
        cidrs.push(ipaddr.parseCIDR(entry));
      } catch {
        throw bad(`noProxy[${i}]`, `${JSON.stringify(raw)} is not a valid CIDR`);
      }
    } else if (ipaddr.isValid(entry.replace(/^\[|\]$/g, ""))) {
      const a = ipaddr.parse(entry.replace(/^\[|\]$/g, ""));
      cidrs.push([a, a.kind() === "ipv4" ? 32 : 128]);
    } else if (entry.startsWith("*.") || entry.startsWith(".")) {
      suffixes.push(entry.slice(entry.indexOf(".")));
    } else if (/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(entry)) {
      names.add(entry);
    } else {
      throw bad(`noProxy[${i}]`, `${JSON.stringify(raw)} is neither a host name, a *.suffix, an address nor a CIDR`);
    }
  });

  const inCidr = (host: string): boolean => {
    if (!ipaddr.isValid(host)) return false;
    let a = ipaddr.parse(host);
    if (a.kind() === "ipv6" && (a as ipaddr.IPv6).isIPv4MappedAddress()) a = (a as ipaddr.IPv6).toIPv4Address();
    return cidrs.some(([net, bits]) => net.kind() === a.kind() && a.match(net, bits));
  };

  return {
    host,
    port,
    ...(authorization === undefined ? {} : { authorization }),
    display: `http://${url.host}`,
    bypass(h: string): boolean {
      const n = h.toLowerCase().replace(/\.$/, "");
      return names.has(n) || suffixes.some((s) => n.endsWith(s)) || inCidr(n);
    },
  };
}

/**
 * For the admin API's URL check: runs the checks that still apply to a URL sent through the
 * proxy (syntax, https-only, an address literal; SsrfBlockedError) and returns true when the
 * URL goes through the proxy (its DNS-based check is the proxy's), false for a noProxy host
 * (the caller runs the full check).
 */
export function isProxied(proxy: EgressProxy, policy: SsrfPolicy, raw: string): boolean {
  const url = checkUrlSyntax(policy, raw);
  const host = hostOf(url);
  if (proxy.bypass(host)) return false;
  if (ipaddr.isValid(host)) checkAddress(policy, host, host);
  return true;
}

/** `host:port` of a URL for CONNECT (IPv6 in brackets). */
export function authorityOf(url: URL): string {
  const port = url.port !== "" ? url.port : url.protocol === "https:" ? "443" : "80";
  return `${url.hostname}:${port}`;
}

/** Headers a proxy adds to say it refused (RFC 9209 Proxy-Status with an error, smokescreen). */
export function proxyRefusal(res: IncomingMessage): string | undefined {
  const smokescreen = res.headers["x-smokescreen-error"];
  if (typeof smokescreen === "string" && smokescreen !== "") return smokescreen;
  const status = res.headers["proxy-status"];
  if (typeof status === "string" && /;\s*error\s*=/i.test(status)) return status;
  if (res.statusCode === 407) return "proxy authentication required";
  return undefined;
}

/**
 * A tunnel through the proxy to `authority` (`CONNECT`); rejects with ProxyError when the proxy
 * refuses or cannot be reached. `signal` aborts the CONNECT.
 */
export function openTunnel(proxy: EgressProxy, authority: string, signal?: AbortSignal): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const headers: Record<string, string> = { host: authority };
    if (proxy.authorization !== undefined) headers["proxy-authorization"] = proxy.authorization;
    const req = httpRequest({ host: proxy.host, port: proxy.port, method: "CONNECT", path: authority, headers, agent: false, ...(signal ? { signal } : {}) });
    let done = false;
    req.once("connect", (res: IncomingMessage, socket: Socket, head: Buffer) => {
      done = true;
      const status = res.statusCode ?? 0;
      if (status < 200 || status >= 300) {
        socket.destroy();
        const why = proxyRefusal(res);
        reject(new ProxyError(`proxy ${proxy.display} refused CONNECT ${authority}: ${status}${res.statusMessage ? ` ${res.statusMessage}` : ""}${why && status !== 407 ? ` (${why})` : ""}`, status));
        return;
      }
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    req.once("error", (err: Error) => {
      if (done) return;
      done = true;
      if (signal?.aborted) reject(err);
      else reject(new ProxyError(`proxy ${proxy.display} unreachable: ${err.message}`, undefined, { cause: err }));
    });
    req.end();
  });
}
