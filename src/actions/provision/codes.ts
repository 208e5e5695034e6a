import type { ErrorCode } from "../../core/errors.js";

/** Catalog codes the provisioning actions use (status and retry class live in src/core/errors.ts). */
export const ARGS_ERROR: ErrorCode = "HB_ERR_ACTION_ARGS";
export const TRANSIENT_ERROR: ErrorCode = "HB_ERR_ACTION_FAILED";
export const TIMEOUT_ERROR: ErrorCode = "HB_ERR_ACTION_TIMEOUT";
