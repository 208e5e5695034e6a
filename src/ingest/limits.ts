/**
 * Request limits beyond the body size: events per request, header size, and the answer to a
 * connection Node refuses before any route sees it (header overflow, timeout, broken HTTP).
 */
import { STATUS_CODES } from "node:http";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { HookbookError } from "../core/errors.js";
import type { ErrorCode } from "../core/errors.js";

/** Events one request may carry (`server.maxItemsPerRequest`). */
export const DEFAULT_MAX_ITEMS_PER_REQUEST = 1000;
/** Bytes of the request line plus headers (`server.maxHeaderSize`; Node's own default too). */
export const DEFAULT_MAX_HEADER_SIZE = 16 * 1024;

/** Size of the request line and headers as received (what Node's maxHeaderSize counts, roughly). */
export function headerBytes(raw: IncomingMessage): number {
  let n = raw.method?.length ?? 0;
  n += (raw.url?.length ?? 0) + " HTTP/1.1\r\n".length + 1;
  const headers = raw.rawHeaders;
  for (let i = 0; i + 1 < headers.length; i += 2) n += (headers[i]?.length ?? 0) + (headers[i + 1]?.length ?? 0) + 4;
  return n + 2;
}

/** Throws 431 HB_ERR_HEADERS_TOO_LARGE when the headers are over `max` bytes. */
export function checkHeaderSize(raw: IncomingMessage, max: number): void {
  const size = headerBytes(raw);
  if (size > max) throw new HookbookError("HB_ERR_HEADERS_TOO_LARGE", `request headers are ${size} bytes, over the ${max} byte limit`);
}

interface ConnectionError extends Error {
  readonly code?: string;
}

/** The catalog code for an error Node's HTTP parser raised on a connection. */
export function clientErrorCode(err: ConnectionError): ErrorCode {
  if (err.code === "HPE_HEADER_OVERFLOW") return "HB_ERR_HEADERS_TOO_LARGE";
  if (err.code === "ERR_HTTP_REQUEST_TIMEOUT") return "HB_ERR_REQUEST_TIMEOUT";
  return "HB_ERR_BAD_REQUEST";
}

const CLIENT_ERROR_MESSAGES: Readonly<Partial<Record<ErrorCode, string>>> = {
  HB_ERR_HEADERS_TOO_LARGE: "request headers are over the size limit",
  HB_ERR_REQUEST_TIMEOUT: "request not received in time",
  HB_ERR_BAD_REQUEST: "malformed HTTP request",
};

/**
 * fastify `clientErrorHandler`: answers with the catalog's JSON error body (instead of fastify's
 * own shape) and closes the connection, as Node does.
 */
export function ingestClientErrorHandler(onError?: (code: ErrorCode) => void): (err: ConnectionError, socket: Duplex) => void {
  return (err, socket) => {
    if (err.code === "ECONNRESET" || socket.destroyed) return;
    const code = clientErrorCode(err);
    onError?.(code);
    const error = new HookbookError(code, CLIENT_ERROR_MESSAGES[code] ?? "malformed HTTP request");
    const body = JSON.stringify(error.toBody());
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? "Bad Request"}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy(err);
  };
}
