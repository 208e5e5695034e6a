/**
 * Typed, frozen configuration. `loadConfig()` (./load.ts) is the only reader of process.env;
 * every secret reference is resolved there, so the rest of the code sees plain strings.
 */

/** Every source kind hookbook knows by name (a kind is served once src/sources/registry.ts has it). */
export const SOURCE_KINDS = [
  "webhook",
  "alertmanager",
  "grafana",
  "github",
  "gitlab",
  "gitea",
  "eventbridge",
  "sns",
  "pubsub",
  "azure-monitor",
  "azure-scheduled-events",
  "k8s-events",
  "cloudevents",
] as const;

export type SourceKind = (typeof SOURCE_KINDS)[number];

/** Default replay window (seconds) wherever the producer signs a timestamp. */
export const DEFAULT_TOLERANCE_SEC = 300;

export interface HmacAuthConfig {
  readonly type: "hmac";
  readonly secret: string;
  /** Header carrying the signature, lower case. Default "x-hub-signature-256". */
  readonly header: string;
  /** Hash algorithm. Default "sha256". */
  readonly algorithm: "sha256" | "sha512" | "sha1";
  readonly encoding: "hex" | "base64";
  /** Prefix before the digest, e.g. "sha256=". Default "<algorithm>=" (optional on input). */
  readonly prefix: string;
  /**
   * Header carrying the Unix-seconds timestamp that is part of the signed content (Grafana's
   * `hmacConfig.timestampHeader`), lower case. When set the timestamp is required and checked
   * against `toleranceSec`.
   */
  readonly timestampHeader?: string;
  /**
   * What is signed: a template over `{body}` (the raw bytes, exactly once), `{timestamp}` and
   * `{header:<name>}`. Default `{body}`, or `{timestamp}:{body}` when timestampHeader is set (Grafana).
   */
  readonly signedContent?: string;
  /** Replay window in seconds around the signed timestamp (default 300). */
  readonly toleranceSec?: number;
  /**
   * Form-encoded requests (`payload=<json>`) are signed over the decoded `payload` value instead
   * of the raw body (Gitea, Gogs, Forgejo). JSON requests are unaffected.
   */
  readonly formPayload?: boolean;
}

/** Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`; also GitLab's signing token). */
export interface StandardWebhooksAuthConfig {
  readonly type: "standard-webhooks";
  /** `whsec_` + base64 key (the prefix is optional). */
  readonly secret: string;
  /** Replay window in seconds (default 300). */
  readonly toleranceSec: number;
}

/** A shared secret sent verbatim in a header: GitLab's `X-Gitlab-Token`. */
export interface GitlabTokenAuthConfig {
  readonly type: "gitlab-token";
  readonly token: string;
}

/** A shared secret sent verbatim in a named header, e.g. an EventBridge API-destination API key. */
export interface ApiKeyAuthConfig {
  readonly type: "api-key";
  /** Header name, lower case. Default "x-api-key". */
  readonly header: string;
  readonly key: string;
}

/** Client certificate verified against `server.tls.ca`, and its subject checked. */
export interface MtlsAuthConfig {
  readonly type: "mtls";
  /**
   * Accepted subjects, each a list of RDNs such as "CN=alertmanager,O=acme-gpu": the certificate's
   * subject must carry every attribute listed with that value. Empty = any verified certificate.
   */
  readonly subjects: readonly string[];
}

/** AWS SNS message signature (SignatureVersion 1/2) against the signing certificate. */
export interface SnsAuthConfig {
  readonly type: "sns";
  /** Accepted TopicArns; empty = any topic (not recommended). */
  readonly topicArnAllowlist: readonly string[];
  /** Regular expression the SigningCertURL host must match. */
  readonly certHostPattern: string;
  /** Confirm SubscriptionConfirmation messages of allowlisted topics by fetching SubscribeURL. */
  readonly autoConfirm: boolean;
  /** Oldest accepted message `Timestamp`, in seconds (default 3600: SNS retries for a while). */
  readonly toleranceSec: number;
}

/** OIDC JWT in `Authorization: Bearer` (GCP Pub/Sub push). */
export interface OidcAuthConfig {
  readonly type: "oidc";
  /** Expected `aud` claim (Pub/Sub: the push endpoint URL unless configured otherwise). */
  readonly audience: string;
  /** Accepted `iss` values. */
  readonly issuers: readonly string[];
  /** Required `email` claim (the push subscription's service account), with email_verified. */
  readonly serviceAccountEmail?: string;
  readonly jwksUrl: string;
  /** Leeway in seconds for `exp`/`iat`/`nbf` (default 300). */
  readonly clockSkewSec: number;
}

export const SNS_DEFAULT_CERT_HOST_PATTERN = "^sns\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?$";
export const OIDC_DEFAULT_ISSUERS: readonly string[] = ["https://accounts.google.com", "accounts.google.com"];
export const OIDC_DEFAULT_JWKS_URL = "https://www.googleapis.com/oauth2/v3/certs";

export type SourceAuthConfig =
  | { readonly type: "none" }
  | { readonly type: "bearer"; readonly token: string }
  | { readonly type: "basic"; readonly username: string; readonly password: string }
  | HmacAuthConfig
  | StandardWebhooksAuthConfig
  | GitlabTokenAuthConfig
  | ApiKeyAuthConfig
  | MtlsAuthConfig
  | SnsAuthConfig
  | OidcAuthConfig;

/** One check, or a list whose checks must all pass (ansible allows token + hmac together). */
export type SourceAuth = SourceAuthConfig | readonly SourceAuthConfig[];

export interface SourceConfig {
  /** Route name: POST /hooks/<name>. Also the `name` rulesets subscribe to. */
  readonly name: string;
  readonly kind: SourceKind;
  readonly auth: SourceAuth;
  /** Body limit in bytes for this source (defaults to server.bodyLimit). */
  readonly bodyLimit: number;
  /** Kind-specific options, e.g. alertmanager dataHostPath. */
  readonly options: Readonly<Record<string, unknown>>;
  /** Check a KV of seen ids before publishing (default: on for producers that retry for hours or days). */
  readonly longDedup?: boolean;
  /** Drop events older than the newest seen for their subject instead of marking them stale. */
  readonly dropStale?: boolean;
}

/** PEM file paths (resolved against the config's cwd). */
export interface ServerTlsConfig {
  readonly cert: string;
  readonly key: string;
  /** CA bundle client certificates are verified against (mTLS). */
  readonly ca?: string;
  /** Ask clients for a certificate (default: true when `ca` is set). Sources opt in with `auth: {type: mtls}`. */
  readonly requestCert: boolean;
}

/**
 * Client certificate of a config endpoint (mTLS) and/or CAs trusted for its server certificate:
 * the files named in the config, read at load. Certificate and key go together.
 */
export interface EndpointTlsConfig {
  /** Absolute paths of the files (for messages). */
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly caFile?: string;
  /** Their PEM contents. */
  readonly certPem?: string;
  readonly keyPem?: string;
  /** CAs trusted for the receiver's server certificate, on top of the system's. */
  readonly caPem?: string;
  /** Server name for SNI and the certificate check when it differs from the URL's host. */
  readonly servername?: string;
}

export interface EndpointConfig {
  readonly id: string;
  readonly url: string;
  /** `whsec_` + base64 secret (Standard Webhooks); `whsk_` + base64 Ed25519 private key with `signing: ed25519`. */
  readonly secret: string;
  /** Signature scheme (default "standard"): Standard Webhooks HMAC `v1`, Ed25519 `v1a`, or the GitHub-style compat scheme. */
  readonly signing?: "standard" | "ed25519" | "hmac-sha256-hex";
  /** Outcome type patterns: "action.*", "action.failed", "*". */
  readonly events: readonly string[];
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** Client certificate presented to the endpoint (mTLS). */
  readonly tls?: EndpointTlsConfig;
  /** At most `requests` attempts per `period` (ms, or "1s" / "60s"; default 1 s), checked by the outbound service at start. */
  readonly rateLimit?: { readonly requests: number; readonly period: number | string };
  /** Payload transformation `{body, headers?, contentType?}` (templates), checked by the outbound service at start. */
  readonly transform?: unknown;
  /** at_least_once (default): retry every failure; at_most_once: retry only attempts that never reached the receiver. */
  readonly deliveryMode?: "at_least_once" | "at_most_once";
}

/** `outbound.breaker`: circuit breaker thresholds (durations in ms or "30s" / "5m"), checked by the outbound service at start. */
export interface BreakerConfig {
  readonly enabled?: boolean;
  readonly failures?: number;
  readonly ratio?: number;
  readonly minAttempts?: number;
  readonly window?: number | string;
  readonly cooldown?: number | string;
  readonly maxCooldown?: number | string;
  readonly halfOpenSuccesses?: number;
}

export interface RetryPolicyConfig {
  /** Total attempts including the first. */
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

/** Parts `hookbook serve` runs in this process; each is a durable consumer (or the HTTP server), so they can run apart. */
export const SERVE_ROLES = ["ingest", "engine", "runner", "delivery"] as const;
export type ServeRole = (typeof SERVE_ROLES)[number];

export interface HookbookConfig {
  readonly roles: readonly ServeRole[];
  readonly server: {
    readonly host: string;
    readonly port: number;
    readonly bodyLimit: number;
    /** Most events one ingest request may carry (default 1000); more → 413 HB_ERR_TOO_MANY_ITEMS. */
    readonly maxItemsPerRequest: number;
    /** Largest request line + headers in bytes (default 16384); more → 431 HB_ERR_HEADERS_TOO_LARGE. */
    readonly maxHeaderSize: number;
    /**
     * Threads preparing ingest requests (auth, parsing, normalizing, encoding) beside the HTTP
     * event loop; 0 = in the HTTP thread; "auto" (default) = one per core beyond the first, at most 4.
     */
    readonly ingestThreads: number | "auto";
    /** HTTPS for ingest; absent = plain HTTP (e.g. behind a TLS-terminating proxy). */
    readonly tls?: ServerTlsConfig;
  };
  readonly dataDir: string;
  readonly nats: {
    /** From NATS_URL; when set no embedded server is started. */
    readonly url: string | undefined;
    /** Start `nats-server -js` as a child when url is unset and the binary exists. */
    readonly embedded: boolean;
    readonly binary: string;
    /** PATH used to find the binary (read from the environment by loadConfig). */
    readonly searchPath: string | undefined;
    /**
     * The embedded server's environment: hookbook's, with GOMAXPROCS set to half the cores
     * (embeddedNatsProcs) unless the environment sets it already.
     */
    readonly serverEnv: Readonly<Record<string, string>>;
  };
  readonly rulebooks: readonly string[];
  readonly varsFile: string | undefined;
  readonly sources: readonly SourceConfig[];
  readonly actions: { readonly dryRun: boolean; readonly paused: boolean; readonly commandTimeoutMs: number; readonly httpTimeoutMs: number };
  readonly engine: { readonly evaluator: "compiled" | "json-rules-engine" };
  readonly outbound: {
    readonly endpoints: readonly EndpointConfig[];
    /** A profile ("default" = 5s 5m 30m 2h 5h 10h 10h, "short" = 1s 2s 4s), a list of delays, or the exponential policy. */
    readonly retry: "default" | "short" | readonly (number | string)[] | RetryPolicyConfig;
    /** Endpoint URLs of API subscriptions must not resolve to private/reserved addresses unless allowed here. */
    readonly ssrf: { readonly allow: readonly string[]; readonly httpsOnly: boolean };
    readonly disableAfterMs: number;
    readonly rotationGraceMs: number;
    readonly reconcileIntervalMs: number;
    /** Circuit breaker per endpoint (defaults: 5 failures, or 70 % of ≥ 10 attempts in 5 min; cooldown 30 s … 10 min; 3 successes). */
    readonly breaker: BreakerConfig;
    /** Size limit of the HB_WEBHOOK_DELIVERY stream; when full, outcomes wait on HB_OUTCOMES (backpressure). */
    readonly deliveryMaxBytes: number;
    /** Key (32 bytes, base64 or hex) that encrypts subscription secrets in KV; unset = `<dataDir>/outbound-secret.key`. */
    readonly secretKey?: string;
    /** Further keys accepted for reading (previous keys during a rotation). */
    readonly secretKeys: readonly string[];
    /** Egress proxy (HTTP forward proxy, e.g. smokescreen) for every webhook attempt and OAuth2 token request; `noProxy` hosts/CIDRs connect directly. */
    readonly proxy?: { readonly url: string; readonly noProxy: readonly string[] };
  };
  /** Admin API (`/api/...`): mounted only when a token is configured. */
  readonly api: { readonly token: string | undefined };
  /** Settings of external systems used by actions (jira, slack, awx, kubernetes …), secrets resolved. */
  readonly integrations: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly log: { readonly level: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent" };
}
