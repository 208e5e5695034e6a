// @ts-check
/**
 * The admin API's JSON as the UI reads it (snake_case, as docs/outbound-webhooks.md shows).
 * Everything the UI does not strictly need is optional: fields other parts of hookbook add
 * (breaker, rate_limit, tls …) are rendered when present.
 */

/**
 * @typedef {object} Breaker
 * @property {string} state closed | open | half_open
 * @property {string | null} [opened_at]
 * @property {string | null} [retry_at]
 * @property {number} [consecutive_failures]
 */

/**
 * @typedef {object} Endpoint
 * @property {string} id
 * @property {string} url
 * @property {string[]} events
 * @property {string} status enabled | disabled
 * @property {string | null} [disabled_reason]
 * @property {string | null} [disabled_at]
 * @property {string} [source] config | api
 * @property {boolean} [read_only]
 * @property {string | null} [description]
 * @property {string} [signing]
 * @property {number} [timeout_ms]
 * @property {number} [max_in_flight]
 * @property {unknown} [filter]
 * @property {Record<string, string>} [headers]
 * @property {unknown} [auth]
 * @property {string | null} [created_at]
 * @property {string | null} [updated_at]
 * @property {Breaker | null} [breaker]
 * @property {unknown} [rate_limit]
 * @property {unknown} [tls]
 */

/**
 * @typedef {object} Stats
 * @property {number} [attempts]
 * @property {number} [delivered]
 * @property {number} [failures_24h]
 * @property {number | null} [success_rate]
 * @property {{p50: number, p95: number} | null} [latency_ms]
 * @property {number} [dead_letters_24h]
 * @property {string | null} [last_success_at]
 * @property {string | null} [last_attempt_at]
 * @property {string | null} [failing_since]
 * @property {number} [queued]
 * @property {string} [status]
 * @property {Breaker | null} [breaker]
 */

/**
 * @typedef {object} Attempt
 * @property {string} message_id
 * @property {string} [outcome_id]
 * @property {string} type
 * @property {number} attempt
 * @property {string} at
 * @property {number} [status]
 * @property {number} latency_ms
 * @property {string} [response]
 * @property {boolean} [response_truncated]
 * @property {string} [error]
 * @property {string} [error_kind]
 * @property {string} outcome delivered | retry | dead | test
 * @property {number} [next_retry_ms]
 * @property {string} [trigger]
 */

/**
 * @typedef {object} DeadLetter
 * @property {string} message_id
 * @property {string} type
 * @property {string} reason
 * @property {string} dead_at
 * @property {number} attempts
 * @property {Attempt | null} last_attempt
 * @property {string} [body]
 */

/**
 * @typedef {object} TestResult
 * @property {string} message_id
 * @property {boolean} delivered
 * @property {number | null} status
 * @property {number} latency_ms
 * @property {string} body
 * @property {string | null} error
 */

/** A view on the page: stop() ends its timers when the user navigates away. */
/** @typedef {{ stop(): void }} View */

export {};
