/**
 * What request authentication gets from the outside world. Verifiers stay pure: the clock and
 * network fetches (SNS signing certificates, OIDC JWKS) come in through an injected AuthContext;
 * ingest provides one backed by global fetch with a timeout and a cache (src/ingest/auth-context.ts).
 */

export interface AuthContext {
  /** Now, in Unix milliseconds (replay windows, token expiry). */
  nowMs(): number;
  /**
   * GET a small text document (certificate, JWKS) and resolve its body; rejects on any network
   * error or non-2xx answer. When the server answered, the rejection carries its HTTP `status`
   * (a number), so a verifier can tell "no such document" (4xx) from "cannot reach it right now".
   * Implementations may cache.
   */
  fetchText(url: string): Promise<string>;
}

/** The TLS facts of the connection a request came on (HTTPS only). */
export interface TlsPeer {
  /** The client presented a certificate that verified against the server's CA. */
  readonly authorized: boolean;
  /**
   * The subject of the certificate the client presented (verified only when `authorized`), as
   * node:crypto X509Certificate#subject prints it: one `ATTR=value` per line, in certificate
   * order (e.g. "O=acme-gpu\nCN=alertmanager"). Absent when the client sent no certificate.
   */
  readonly subject?: string;
}

export interface AuthRequest {
  /** The exact request body bytes. */
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  /** Present when the request came over TLS terminated by hookbook. */
  readonly tls?: TlsPeer;
}
