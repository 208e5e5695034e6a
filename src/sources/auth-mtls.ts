/**
 * mTLS: the request came over a TLS connection whose client certificate verified against the
 * server's CA (`server.tls.ca`), and the certificate subject carries every attribute of one of
 * the configured subjects. Subjects are written as RDN lists, "CN=alertmanager,O=acme-gpu"
 * (`\,` escapes a comma inside a value); attribute names are case-insensitive, values exact.
 */
import type { MtlsAuthConfig } from "../config/types.js";
import { HookbookError } from "../core/errors.js";
import type { AuthRequest } from "./auth-context.js";

type Rdns = readonly (readonly [string, string])[];

/** Splits "A=b,C=d" (or one pair per line) into [name, value] pairs; `\x` escapes x. */
export function parseSubject(text: string): Rdns {
  const out: [string, string][] = [];
  let current = "";
  const flush = (): void => {
    const part = current.trim();
    current = "";
    if (part === "") return;
    const eq = part.indexOf("=");
    if (eq <= 0) throw new HookbookError("HB_ERR_CONFIG_INVALID", `certificate subject part ${JSON.stringify(part)} is not ATTR=value`);
    out.push([part.slice(0, eq).trim().toUpperCase(), part.slice(eq + 1).trim()]);
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === "\\" && i + 1 < text.length) {
      current += text[i + 1] as string;
      i++;
    } else if (ch === "," || ch === "\n") {
      flush();
    } else {
      current += ch;
    }
  }
  flush();
  return out;
}

/** Parsing of X509Certificate#subject, which puts one RDN per line and does not escape commas. */
function parsePeerSubject(text: string): Rdns {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.includes("="))
    .map((line) => [line.slice(0, line.indexOf("=")).trim().toUpperCase(), line.slice(line.indexOf("=") + 1)] as const);
}

function matches(peer: Rdns, wanted: Rdns): boolean {
  return wanted.every(([name, value]) => peer.some(([n, v]) => n === name && v === value));
}

export function checkMtlsConfig(auth: MtlsAuthConfig): void {
  for (const s of auth.subjects) {
    if (parseSubject(s).length === 0) throw new HookbookError("HB_ERR_CONFIG_INVALID", "mtls subject entries must not be empty");
  }
}

export function verifyMtls(auth: MtlsAuthConfig, req: AuthRequest): void {
  const tls = req.tls;
  if (tls === undefined) throw new HookbookError("HB_ERR_AUTH_MISSING", "this source requires HTTPS with a client certificate");
  if (tls.subject === undefined) throw new HookbookError("HB_ERR_AUTH_MISSING", "no client certificate presented");
  if (!tls.authorized) throw new HookbookError("HB_ERR_AUTH_INVALID", "client certificate does not verify against the server's CA");
  if (auth.subjects.length === 0) return;
  const peer = parsePeerSubject(tls.subject);
  if (!auth.subjects.some((s) => matches(peer, parseSubject(s)))) {
    throw new HookbookError("HB_ERR_CLIENT_CERT_REJECTED", "client certificate subject is not allowed for this source");
  }
}
