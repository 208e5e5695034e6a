/**
 * SSRF guard for endpoint URLs (reference/webhooks.md §5.1, Svix's resolver-level filter).
 *
 * An address is refused when it is not global unicast: IPv4 loopback, RFC 1918, link-local
 * (169.254.0.0/16, cloud metadata included), CGNAT 100.64/10, multicast, broadcast,
 * unspecified, documentation / benchmarking / reserved ranges; IPv6 loopback, unspecified,
 * link-local, unique-local, multicast, documentation, anything outside 2000::/3; and IPv6
 * addresses that wrap an IPv4 one (IPv4-mapped, IPv4-compatible, 6to4, NAT64, Teredo) when the
 * wrapped address is refused (Teredo always). Refused unless allow-listed: `allow` lists CIDRs
 * (`127.0.0.1/32`, `10.0.0.0/8`, `fd00::/8`), bare addresses, host names (`hooks.internal`) or
 * host suffixes (`*.svc.cluster.local`); an allow-listed host name skips the address checks.
 *
 * The HTTP client (http-client.ts) runs the same checks inside the socket's DNS lookup, so
 * the address actually connected to is the one checked (no DNS-rebinding window).
 */
import { lookup as dnsLookup } from "node:dns";
import type { LookupAddress } from "node:dns";
import ipaddr from "ipaddr.js";
import { HookbookError } from "../core/errors.js";

export interface SsrfOptions {
  /** CIDRs, addresses, host names or `*.suffix` patterns that are always allowed. */
  readonly allow: readonly string[];
  /** Refuse plain http:// URLs. */
  readonly httpsOnly: boolean;
}

/** dns.lookup with `all: true`. */
export type LookupAll = (hostname: string) => Promise<readonly LookupAddress[]>;

export const systemLookupAll: LookupAll = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

export interface SsrfPolicy {
  readonly httpsOnly: boolean;
  readonly cidrs: readonly Cidr[];
  readonly hosts: ReadonlySet<string>;
  readonly suffixes: readonly string[];
}

/** Why a URL or address was refused. */
export class SsrfBlockedError extends Error {
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message);
    this.name = "SsrfBlockedError";
  }
}

function normalizeHost(host: string): string {
  return host.toLowerCase().replace(/\.$/, "");
}

/** Parse the allow-list once; throws HB_ERR_CONFIG_INVALID on an entry that is neither a CIDR, an address nor a host. */
export function compileSsrfPolicy(opts: SsrfOptions): SsrfPolicy {
  const cidrs: Cidr[] = [];
  const hosts = new Set<string>();
  const suffixes: string[] = [];
  for (const raw of opts.allow) {
    const entry = raw.trim();
    if (entry.includes("/")) {
      try {
        cidrs.push(ipaddr.parseCIDR(entry));
      } catch {
        throw new HookbookError("HB_ERR_CONFIG_INVALID", `outbound SSRF allow-list: ${JSON.stringify(raw)} is not a CIDR`);
      }
    } else if (ipaddr.isValid(entry.replace(/^\[|\]$/g, ""))) {
      const addr = ipaddr.parse(entry.replace(/^\[|\]$/g, ""));
      cidrs.push([addr, addr.kind() === "ipv4" ? 32 : 128]);
    } else if (entry.startsWith("*.") && /^[a-z0-9.-]+$/i.test(entry.slice(2))) {
      suffixes.push(normalizeHost(entry.slice(1)));
    } else if (/^[a-z0-9.-]+$/i.test(entry) && entry.length > 0) {
      hosts.add(normalizeHost(entry));
    } else {
      throw new HookbookError("HB_ERR_CONFIG_INVALID", `outbound SSRF allow-list: ${JSON.stringify(raw)} is not a CIDR, an address or a host name`);
    }
  }
  return { httpsOnly: opts.httpsOnly, cidrs, hosts, suffixes };
}

function blockedV4(a: ipaddr.IPv4): string | undefined {
  const range = a.range();
  return range === "unicast" ? undefined : range;
}

/** Why an address is not public, or undefined when it is global unicast. */
export function blockedRange(address: string): string | undefined {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return "invalid";
  }
  if (parsed.kind() === "ipv4") return blockedV4(parsed as ipaddr.IPv4);
  const v6 = parsed as ipaddr.IPv6;
  const range = v6.range();
  const parts = v6.parts;
  const embedded = (hi: number, lo: number): ipaddr.IPv4 => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  const wrapped = (what: string, v4: ipaddr.IPv4): string | undefined => {
    const inner = blockedV4(v4);
    return inner === undefined ? undefined : `${what} ${inner}`;
  };
  if (range === "ipv4Mapped" || range === "rfc6145") return wrapped(range, embedded(parts[6] ?? 0, parts[7] ?? 0));
  if (range === "6to4") return wrapped("6to4", embedded(parts[1] ?? 0, parts[2] ?? 0));
  if (range === "rfc6052") {
    // 64:ff9b::/96 embeds the IPv4 address in the last 32 bits; 64:ff9b:1::/48 is local-use NAT64.
    if (parts[2] === 0 && parts[3] === 0 && parts[4] === 0 && parts[5] === 0) return wrapped("nat64", embedded(parts[6] ?? 0, parts[7] ?? 0));
    return "nat64 local-use";
  }
  if (range !== "unicast") return range;
  // Deprecated IPv4-compatible ::a.b.c.d and anything outside global unicast 2000::/3.
  if (parts.slice(0, 6).every((p) => p === 0)) return "ipv4Compatible";
  if (((parts[0] ?? 0) & 0xe000) !== 0x2000) return "notGlobalUnicast";
  return undefined;
}

function hostAllowed(policy: SsrfPolicy, host: string): boolean {
  const h = normalizeHost(host);
  return policy.hosts.has(h) || policy.suffixes.some((s) => h.endsWith(s));
}

function addressAllowListed(policy: SsrfPolicy, address: string): boolean {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return false;
  }
  const candidates: (ipaddr.IPv4 | ipaddr.IPv6)[] = [parsed];
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) candidates.push((parsed as ipaddr.IPv6).toIPv4Address());
  return candidates.some((c) => policy.cidrs.some(([net, bits]) => net.kind() === c.kind() && c.match(net, bits)));
}

/** Throws SsrfBlockedError when connecting to `address` (for `host`) is not allowed. */
export function checkAddress(policy: SsrfPolicy, host: string, address: string): void {
  if (hostAllowed(policy, host) || addressAllowListed(policy, address)) return;
  const range = blockedRange(address);
  if (range !== undefined) {
    throw new SsrfBlockedError(`${host} resolves to ${address} (${range}), which is not allowed; allow-list it in outbound.ssrf.allow if intended`, range);
  }
}

/** Bare host of a URL hostname (IPv6 without brackets). */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, "");
}

/** Static checks of an endpoint URL (scheme, credentials, https-only); returns the parsed URL. */
export function checkUrlSyntax(policy: SsrfPolicy, raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SsrfBlockedError(`${JSON.stringify(raw)} is not a valid URL`, "invalid_url");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new SsrfBlockedError(`URL scheme ${url.protocol} is not allowed (http or https)`, "scheme");
  if (policy.httpsOnly && url.protocol !== "https:") throw new SsrfBlockedError("only https:// URLs are allowed (outbound.ssrf.httpsOnly)", "https_only");
  if (url.username !== "" || url.password !== "") throw new SsrfBlockedError("credentials in the URL are not allowed; use auth or headers", "credentials");
  if (hostOf(url) === "") throw new SsrfBlockedError("URL has no host", "invalid_url");
  return url;
}

/**
 * Full check of an endpoint URL: syntax, then every address the host resolves to (an address
 * literal is checked as is). Throws SsrfBlockedError; DNS failures throw SsrfBlockedError with
 * reason "dns".
 */
export async function checkUrl(policy: SsrfPolicy, raw: string, lookupAll: LookupAll = systemLookupAll): Promise<URL> {
  const url = checkUrlSyntax(policy, raw);
  const host = hostOf(url);
  if (hostAllowed(policy, host)) return url;
  if (ipaddr.isValid(host)) {
    checkAddress(policy, host, host);
    return url;
  }
  let addresses: readonly LookupAddress[];
  try {
    addresses = await lookupAll(host);
  } catch (err) {
    throw new SsrfBlockedError(`cannot resolve ${host}: ${(err as Error).message}`, "dns");
  }
  if (addresses.length === 0) throw new SsrfBlockedError(`${host} does not resolve to any address`, "dns");
  for (const a of addresses) checkAddress(policy, host, a.address);
  return url;
}
