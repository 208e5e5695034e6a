/**
 * Typed, frozen configuration. `loadConfig()` (./load.ts) is the only reader of process.env;
 * every secret reference is resolved there, so the rest of the code sees plain strings.
 */

export type SourceKind = "webhook" | "alertmanager";

export type SourceAuthConfig =
  | { readonly type: "none" }
  | { readonly type: "bearer"; readonly token: string }
  | { readonly type: "basic"; readonly username: string; readonly password: string }
  | {
      readonly type: "hmac";
      readonly secret: string;
      /** Header carrying the signature, lower case. Default "x-hub-signature-256". */
      readonly header: string;
      /** Hash algorithm. Default "sha256". */
      readonly algorithm: "sha256" | "sha512" | "sha1";
      readonly encoding: "hex" | "base64";
      /** Prefix before the digest, e.g. "sha256=". Default "<algorithm>=" (optional on input). */
      readonly prefix: string;
    };

export interface SourceConfig {
  /** Route name: POST /hooks/<name>. Also the `name` rulesets subscribe to. */
  readonly name: string;
  readonly kind: SourceKind;
  readonly auth: SourceAuthConfig;
  /** Body limit in bytes for this source (defaults to server.bodyLimit). */
  readonly bodyLimit: number;
  /** Kind-specific options, e.g. alertmanager dataHostPath. */
  readonly options: Readonly<Record<string, unknown>>;
}

export interface EndpointConfig {
  readonly id: string;
  readonly url: string;
  /** `whsec_` + base64 secret (Standard Webhooks). */
  readonly secret: string;
  /** Outcome type patterns: "action.*", "action.failed", "*". */
  readonly events: readonly string[];
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

export interface RetryPolicyConfig {
  /** Total attempts including the first. */
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

export interface HookbookConfig {
  readonly server: { readonly host: string; readonly port: number; readonly bodyLimit: number };
  readonly dataDir: string;
  readonly nats: {
    /** From NATS_URL; when set no embedded server is started. */
    readonly url: string | undefined;
    /** Start `nats-server -js` as a child when url is unset and the binary exists. */
    readonly embedded: boolean;
    readonly binary: string;
    /** PATH used to find the binary (read from the environment by loadConfig). */
    readonly searchPath: string | undefined;
  };
  readonly rulebooks: readonly string[];
  readonly varsFile: string | undefined;
  readonly sources: readonly SourceConfig[];
  readonly actions: { readonly dryRun: boolean; readonly commandTimeoutMs: number; readonly httpTimeoutMs: number };
  readonly engine: { readonly evaluator: "compiled" | "json-rules-engine" };
  readonly outbound: { readonly endpoints: readonly EndpointConfig[]; readonly retry: RetryPolicyConfig };
  readonly log: { readonly level: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent" };
}
