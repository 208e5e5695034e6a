/** HTTPS for the ingest server: PEM material and the TLS facts of a request's connection. */
import { readFileSync } from "node:fs";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import type { ServerTlsConfig } from "../config/types.js";
import { HookbookError } from "../core/errors.js";
import type { TlsPeer } from "../sources/auth-context.js";

/** PEM contents for `createIngestServer({tls})`. */
export interface IngestTlsOptions {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  /** CA bundle client certificates are verified against. */
  readonly ca?: string | Buffer;
  /**
   * Ask every client for a certificate (default: true when `ca` is set). The handshake never
   * fails for want of one: sources whose auth is `mtls` refuse the request instead, so sources
   * whose producers cannot present a certificate (GitHub) share the same listener.
   */
  readonly requestCert?: boolean;
}

/** Reads the PEM files named by `server.tls`; HB_ERR_CONFIG_INVALID when one cannot be read. */
export function readTlsFiles(config: ServerTlsConfig): IngestTlsOptions {
  const read = (path: string, what: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new HookbookError("HB_ERR_CONFIG_INVALID", `server.tls.${what}: cannot read ${path}: ${(err as Error).message}`, { cause: err });
    }
  };
  return {
    cert: read(config.cert, "cert"),
    key: read(config.key, "key"),
    ...(config.ca === undefined ? {} : { ca: read(config.ca, "ca") }),
    requestCert: config.requestCert,
  };
}

/** Node https server options for fastify's `https`. */
export function httpsServerOptions(tls: IngestTlsOptions): {
  cert: string | Buffer;
  key: string | Buffer;
  ca?: string | Buffer;
  requestCert: boolean;
  rejectUnauthorized: false;
} {
  return {
    cert: tls.cert,
    key: tls.key,
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    requestCert: tls.requestCert ?? tls.ca !== undefined,
    rejectUnauthorized: false,
  };
}

/** The TLS facts of the connection (undefined on plain HTTP and under inject()). */
export function tlsPeerOf(socket: Socket | undefined): TlsPeer | undefined {
  const tls = socket as Partial<TLSSocket> | undefined;
  if (tls?.encrypted !== true) return undefined;
  const cert = typeof tls.getPeerX509Certificate === "function" ? tls.getPeerX509Certificate() : undefined;
  return { authorized: tls.authorized === true, ...(cert === undefined ? {} : { subject: cert.subject }) };
}
