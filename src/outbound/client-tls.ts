/**
 * Client certificates (mTLS) of webhook endpoints: the PEM material an endpoint presents to its
 * receiver, checked on the way in (config file or admin API) and summarized for the API view.
 * The key is never shown back; the view is `{subject, issuer, not_after, fingerprint256}`.
 * Certificate and key go together; a CA bundle may come with them or alone (trust for a
 * receiver whose server certificate comes from a private CA, without presenting one).
 */
import { X509Certificate, createHash, createPrivateKey } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { BoundedCache } from "../core/bounded-cache.js";

export interface ClientTls {
  /** PEM: the client certificate, optionally followed by its intermediates (with keyPem). */
  readonly certPem?: string;
  /** PEM private key of the certificate (unencrypted). */
  readonly keyPem?: string;
  /** PEM bundle of CAs trusted for the receiver's server certificate, on top of the system's (self-signed receivers). */
  readonly caPem?: string;
  /** Server name for SNI and the certificate check when it is not the URL's host (config endpoints). */
  readonly servername?: string;
}

export interface ClientCertInfo {
  /** "CN=…, O=…" */
  readonly subject: string;
  readonly issuer: string;
  /** ms since epoch */
  readonly notAfter: number;
  /** "AB:CD:…" (SHA-256 of the DER certificate) */
  readonly fingerprint256: string;
}

export type ClientTlsPart = "cert" | "key" | "ca";

/** What is wrong with a part of the material; callers turn it into an HB error naming their field. */
export class ClientTlsError extends Error {
  constructor(
    readonly part: ClientTlsPart,
    message: string,
  ) {
    super(message);
    this.name = "ClientTlsError";
  }
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every certificate of a PEM bundle; ClientTlsError when there is none or one does not parse. */
export function pemCertificates(pem: string, part: ClientTlsPart): X509Certificate[] {
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new ClientTlsError(part, "no PEM certificate (-----BEGIN CERTIFICATE-----) found");
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (err) {
      throw new ClientTlsError(part, `certificate ${i + 1} of the PEM is not valid: ${(err as Error).message}`);
    }
  });
}

const oneLine = (dn: string): string =>
  dn
    .split("\n")
    .map((s) => s.trim())
    .filter(Boolean)
    .join(", ");

function infoOf(cert: X509Certificate): ClientCertInfo {
  return { subject: oneLine(cert.subject), issuer: oneLine(cert.issuer), notAfter: Date.parse(cert.validTo), fingerprint256: cert.fingerprint256 };
}

/**
 * Check client TLS material: the first certificate of `certPem` is the client's, `keyPem` is an
 * unencrypted private key that belongs to it, the certificate has not expired at `now` (unless
 * `allowExpired`), `caPem` (when given) parses. Returns the certificate's summary (null with a
 * CA bundle only); throws ClientTlsError naming the part at fault.
 */
export function inspectClientTls(material: { certPem?: string; keyPem?: string; caPem?: string }, now: number, allowExpired = false): ClientCertInfo | null {
  if (material.certPem === undefined && material.keyPem === undefined) {
    if (material.caPem === undefined) throw new ClientTlsError("cert", "give cert and key (a client certificate), ca (trust for the receiver's certificate), or all three");
    pemCertificates(material.caPem, "ca");
    return null;
  }
  if (material.certPem === undefined) throw new ClientTlsError("cert", "is missing: a key needs its certificate");
  if (material.keyPem === undefined) throw new ClientTlsError("key", "is missing: a certificate needs its private key");
  const [leaf] = pemCertificates(material.certPem, "cert");
  if (leaf === undefined) throw new ClientTlsError("cert", "no PEM certificate found");
  let key: KeyObject;
  try {
    key = createPrivateKey(material.keyPem);
  } catch (err) {
    throw new ClientTlsError("key", `not a usable PEM private key (encrypted keys are not supported): ${(err as Error).message}`);
  }
  if (!leaf.checkPrivateKey(key)) throw new ClientTlsError("key", "does not belong to the certificate (its public key differs)");
  const info = infoOf(leaf);
  if (!allowExpired && !(info.notAfter > now)) throw new ClientTlsError("cert", `the certificate expired on ${new Date(info.notAfter).toISOString()}`);
  if (material.caPem !== undefined) pemCertificates(material.caPem, "ca");
  return info;
}

const infoCache = new BoundedCache<ClientCertInfo | null>(1000);

/** Summary of a stored certificate for the API view (null when it no longer parses). */
export function clientCertInfo(certPem: string): ClientCertInfo | null {
  const cached = infoCache.get(certPem);
  if (cached !== undefined) return cached;
  let info: ClientCertInfo | null;
  try {
    const [leaf] = pemCertificates(certPem, "cert");
    info = leaf === undefined ? null : infoOf(leaf);
  } catch {
    info = null;
  }
  return infoCache.set(certPem, info);
}

/** One key per distinct client identity (certificate, key, trust, server name): the HTTP agent cache key. */
export function tlsIdentityKey(t: ClientTls): string {
  return createHash("sha256")
    .update(JSON.stringify([t.certPem ?? "", t.keyPem ?? "", t.caPem ?? "", t.servername ?? ""]))
    .digest("hex");
}
