/** Error codes of the outbound service and its admin API (catalog: src/core/errors.ts). */
import type { ErrorCode } from "../core/errors.js";
import { HookbookError } from "../core/errors.js";

export const OUTBOUND_CODES = {
  /** Request body or field invalid (400) */
  invalid: "HB_ERR_WEBHOOK_INVALID",
  /** No endpoint with this id (404) */
  notFound: "HB_ERR_WEBHOOK_NOT_FOUND",
  /** Config endpoints cannot be changed through the API (409) */
  readOnly: "HB_ERR_WEBHOOK_READ_ONLY",
  /** URL refused by the SSRF guard or https-only mode (400) */
  urlForbidden: "HB_ERR_WEBHOOK_URL_FORBIDDEN",
  /** Replay: message not found for this endpoint (404) */
  messageNotFound: "HB_ERR_WEBHOOK_MESSAGE_NOT_FOUND",
  /** Replay/recover on a disabled endpoint (409) */
  endpointDisabled: "HB_ERR_WEBHOOK_DISABLED",
  /** Secret not usable for the signing scheme (400). */
  secret: "HB_ERR_WEBHOOK_SECRET",
} as const satisfies Record<string, ErrorCode>;

export type OutboundErrorKind = keyof typeof OUTBOUND_CODES;

export function outboundError(kind: OutboundErrorKind, message: string, opts: { cause?: unknown; hint?: string } = {}): HookbookError {
  return new HookbookError(OUTBOUND_CODES[kind], message, opts);
}
