import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Ajv } from "ajv";
import { parse as parseYaml } from "yaml";
import { embeddedNatsProcs } from "../bus/nats/server-process.js";
import { HookbookError } from "../core/errors.js";
import { ClientTlsError, inspectClientTls } from "../outbound/client-tls.js";
import { compileEgressProxy } from "../outbound/egress-proxy.js";
import { parseSecretKey } from "../outbound/secret-box.js";
import { CONFIG_SCHEMA } from "./schema.js";
import { DEFAULT_TOLERANCE_SEC, OIDC_DEFAULT_ISSUERS, OIDC_DEFAULT_JWKS_URL, SERVE_ROLES, SNS_DEFAULT_CERT_HOST_PATTERN } from "./types.js";
import type { BreakerConfig, EndpointConfig, HookbookConfig, HmacAuthConfig, ServerTlsConfig, ServeRole, SourceAuth, SourceAuthConfig, SourceConfig } from "./types.js";

type Env = Readonly<Record<string, string | undefined>>;

/** config.nats.serverEnv: this environment, with GOMAXPROCS (embeddedNatsProcs) unless it is set. */
export function natsServerEnv(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) out[name] = value;
  if ((out.GOMAXPROCS ?? "") === "") out.GOMAXPROCS = String(embeddedNatsProcs());
  return out;
}

type SecretRef = string | { env: string } | { file: string };
interface RawEndpointTls {
  cert?: string;
  key?: string;
  ca?: string;
  servername?: string;
}

interface RawConfig {
  server?: {
    host?: string;
    port?: number;
    bodyLimit?: number;
    maxItemsPerRequest?: number;
    maxHeaderSize?: number;
    ingestThreads?: number | "auto";
    tls?: { cert: string; key: string; ca?: string; requestCert?: boolean };
  };
  dataDir?: string;
  roles?: ServeRole[];
  nats?: { url?: string; embedded?: boolean; binary?: string };
  rulebooks?: string[];
  vars?: string;
  sources?: { name: string; kind: SourceConfig["kind"]; auth?: RawAuth | RawAuth[]; bodyLimit?: number; options?: Record<string, unknown>; longDedup?: boolean; dropStale?: boolean }[];
  actions?: { dryRun?: boolean; paused?: boolean; commandTimeoutMs?: number; httpTimeoutMs?: number };
  engine?: { evaluator?: "compiled" | "json-rules-engine" };
  outbound?: {
    endpoints?: { id: string; url: string; secret: SecretRef; signing?: "standard" | "ed25519" | "hmac-sha256-hex"; events?: string[]; headers?: Record<string, string>; timeoutMs?: number; tls?: RawEndpointTls; rateLimit?: { requests: number; period?: number | string }; transform?: unknown; deliveryMode?: "at_least_once" | "at_most_once" }[];
    retry?: { schedule?: "default" | "short" | (number | string)[]; maxAttempts?: number; initialDelayMs?: number; maxDelayMs?: number };
    ssrf?: { allow?: string[]; httpsOnly?: boolean };
    disableAfterMs?: number;
    rotationGraceMs?: number;
    reconcileIntervalMs?: number;
    breaker?: BreakerConfig;
    deliveryMaxBytes?: number;
    secretKey?: SecretRef;
    secretKeys?: SecretRef[];
    proxy?: { url: SecretRef; noProxy?: string[] };
  };
  api?: { token?: SecretRef };
  integrations?: Record<string, Record<string, unknown>>;
  log?: { level?: HookbookConfig["log"]["level"] };
}

type RawAuth =
  | { type: "none" }
  | { type: "bearer"; token: SecretRef }
  | { type: "basic"; username: string; password: SecretRef }
  | {
      type: "hmac";
      secret: SecretRef;
      header?: string;
      algorithm?: "sha256" | "sha512" | "sha1";
      encoding?: "hex" | "base64";
      prefix?: string;
      timestampHeader?: string;
      signedContent?: string;
      toleranceSec?: number;
      formPayload?: boolean;
    }
  | { type: "standard-webhooks"; secret: SecretRef; toleranceSec?: number }
  | { type: "gitlab-token"; token: SecretRef }
  | { type: "api-key"; header?: string; key: SecretRef }
  | { type: "mtls"; subjects?: string[] }
  | { type: "sns"; topicArnAllowlist?: string[]; certHostPattern?: string; autoConfirm?: boolean; toleranceSec?: number }
  | { type: "oidc"; audience: string; issuers?: string[]; serviceAccountEmail?: string; jwksUrl?: string; clockSkewSec?: number };

export interface LoadConfigOptions {
  /** Config file path (else HOOKBOOK_CONFIG, else none: defaults only). */
  readonly file?: string;
  /** Defaults to process.env; tests pass their own. */
  readonly env?: Env;
  /** Base for relative paths (default: cwd). */
  readonly cwd?: string;
  /** Programmatic overrides applied after the file and env (e.g. CLI flags). */
  readonly overrides?: RawConfig;
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validateRaw = ajv.compile(CONFIG_SCHEMA);

/**
 * Read the config file (YAML/JSON), apply environment variables, validate, resolve secret
 * references and return a deeply frozen config. The only reader of process.env in hookbook.
 */
export function loadConfig(opts: LoadConfigOptions = {}): HookbookConfig {
  const env: Env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const file = opts.file ?? env.HOOKBOOK_CONFIG;
  let raw: RawConfig = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(resolve(cwd, file), "utf8");
    } catch (err) {
      throw new HookbookError("HB_ERR_CONFIG_INVALID", `cannot read config file ${file}: ${(err as Error).message}`);
    }
    try {
      raw = (parseYaml(text) as RawConfig | null) ?? {};
    } catch (err) {
      throw new HookbookError("HB_ERR_CONFIG_INVALID", `config file ${file} is not valid YAML: ${(err as Error).message}`);
    }
  }
  raw = merge(merge(raw, fromEnv(env)), opts.overrides ?? {});
  if (!validateRaw(raw)) {
    const problems = (validateRaw.errors ?? [])
      .filter((e) => e.keyword !== "oneOf" && e.keyword !== "const")
      .map((e) => `${e.instancePath || "/"} ${e.message ?? "invalid"}${e.keyword === "additionalProperties" ? ` '${String((e.params as { additionalProperty?: string }).additionalProperty)}'` : ""}`);
    throw new HookbookError("HB_ERR_CONFIG_INVALID", `config${file ? ` ${file}` : ""} is invalid: ${[...new Set(problems)].join("; ") || "wrong shape"}`);
  }
  const secret = (ref: SecretRef, where: string): string => resolveSecret(ref, where, env, cwd);
  const bodyLimit = raw.server?.bodyLimit ?? 1_048_576;
  const sources: SourceConfig[] = (raw.sources ?? []).map((s) => ({
    name: s.name,
    kind: s.kind,
    auth: resolveSourceAuth(s.auth ?? { type: "none" }, s.name, (ref) => secret(ref, `sources.${s.name}.auth`)),
    bodyLimit: s.bodyLimit ?? bodyLimit,
    ...(s.longDedup !== undefined ? { longDedup: s.longDedup } : {}),
    ...(s.dropStale !== undefined ? { dropStale: s.dropStale } : {}),
    options: s.options ?? {},
  }));
  const seen = new Set<string>();
  for (const s of sources) {
    if (seen.has(s.name)) throw new HookbookError("HB_ERR_CONFIG_INVALID", `config: source name '${s.name}' is used twice`);
    seen.add(s.name);
  }
  const endpoints: EndpointConfig[] = (raw.outbound?.endpoints ?? []).map((e) => ({
    id: e.id,
    url: e.url,
    secret: secret(e.secret, `outbound.endpoints.${e.id}.secret`),
    ...(e.signing === undefined ? {} : { signing: e.signing }),
    events: e.events ?? ["*"],
    headers: e.headers ?? {},
    timeoutMs: e.timeoutMs ?? 15_000,
    ...(e.tls === undefined ? {} : { tls: readEndpointTls(e.tls, e.id, e.url, cwd) }),
    ...(e.rateLimit === undefined ? {} : { rateLimit: { requests: e.rateLimit.requests, period: e.rateLimit.period ?? 1000 } }),
    ...(e.transform === undefined ? {} : { transform: e.transform }),
    ...(e.deliveryMode === undefined ? {} : { deliveryMode: e.deliveryMode }),
  }));
  const config: HookbookConfig = {
    roles: raw.roles ?? [...SERVE_ROLES],
    server: {
      host: raw.server?.host ?? "127.0.0.1",
      port: raw.server?.port ?? 8080,
      bodyLimit,
      maxItemsPerRequest: raw.server?.maxItemsPerRequest ?? 1000,
      maxHeaderSize: raw.server?.maxHeaderSize ?? 16_384,
      ingestThreads: raw.server?.ingestThreads ?? "auto",
      ...(raw.server?.tls === undefined ? {} : { tls: resolveTls(raw.server.tls, cwd) }),
    },
    dataDir: resolve(cwd, raw.dataDir ?? ".hookbook"),
    nats: { url: raw.nats?.url || undefined, embedded: raw.nats?.embedded ?? true, binary: raw.nats?.binary ?? "nats-server", searchPath: env.PATH, serverEnv: natsServerEnv(env) },
    rulebooks: (raw.rulebooks ?? ["rulebooks"]).map((p) => resolve(cwd, p)),
    varsFile: raw.vars ? resolve(cwd, raw.vars) : undefined,
    sources,
    actions: { dryRun: raw.actions?.dryRun ?? false, paused: raw.actions?.paused ?? false, commandTimeoutMs: raw.actions?.commandTimeoutMs ?? 300_000, httpTimeoutMs: raw.actions?.httpTimeoutMs ?? 15_000 },
    engine: { evaluator: raw.engine?.evaluator ?? "compiled" },
    outbound: {
      endpoints,
      retry: retryConfig(raw.outbound?.retry),
      ssrf: { allow: raw.outbound?.ssrf?.allow ?? [], httpsOnly: raw.outbound?.ssrf?.httpsOnly ?? false },
      disableAfterMs: raw.outbound?.disableAfterMs ?? 5 * 24 * 3_600_000,
      rotationGraceMs: raw.outbound?.rotationGraceMs ?? 24 * 3_600_000,
      reconcileIntervalMs: raw.outbound?.reconcileIntervalMs ?? 10_000,
      deliveryMaxBytes: raw.outbound?.deliveryMaxBytes ?? 1024 * 1024 * 1024,
      ...(raw.outbound?.secretKey === undefined ? {} : { secretKey: checkedSecretKey(secret(raw.outbound.secretKey, "outbound.secretKey"), "outbound.secretKey") }),
      secretKeys: (raw.outbound?.secretKeys ?? []).map((k, i) => checkedSecretKey(secret(k, `outbound.secretKeys[${i}]`), `outbound.secretKeys[${i}]`)),
      breaker: raw.outbound?.breaker ?? {},
      ...(raw.outbound?.proxy === undefined ? {} : { proxy: checkedProxy(secret(raw.outbound.proxy.url, "outbound.proxy.url"), raw.outbound.proxy.noProxy ?? []) }),
    },
    api: { token: raw.api?.token === undefined ? undefined : secret(raw.api.token, "api.token") },
    integrations: Object.fromEntries(
      Object.entries(raw.integrations ?? {}).map(([name, settings]) => [name, resolveSecretsDeep(settings, `integrations.${name}`, (ref, where) => resolveSecret(ref, where, env, cwd)) as Record<string, unknown>]),
    ),
    log: { level: raw.log?.level ?? "info" },
  };
  return deepFreeze(config);
}

/** `outbound.proxy`: checked here so a bad URL or noProxy entry stops the start with the field named. */
function checkedProxy(url: string, noProxy: readonly string[]): { url: string; noProxy: readonly string[] } {
  compileEgressProxy({ url, noProxy });
  return { url, noProxy: [...noProxy] };
}

/** `schedule` wins; else the exponential keys when any is given; else the default (Svix-like) profile. */
function retryConfig(r: NonNullable<RawConfig["outbound"]>["retry"]): HookbookConfig["outbound"]["retry"] {
  if (r?.schedule !== undefined) return r.schedule;
  if (r?.maxAttempts === undefined && r?.initialDelayMs === undefined && r?.maxDelayMs === undefined) return "default";
  return { maxAttempts: r.maxAttempts ?? 8, initialDelayMs: r.initialDelayMs ?? 5_000, maxDelayMs: r.maxDelayMs ?? 36_000_000 };
}

function fromEnv(env: Env): RawConfig {
  const out: RawConfig = {};
  if (env.NATS_URL) out.nats = { url: env.NATS_URL };
  if (env.HOOKBOOK_HOST || env.HOOKBOOK_PORT || env.HOOKBOOK_INGEST_THREADS) {
    out.server = {};
    if (env.HOOKBOOK_HOST) out.server.host = env.HOOKBOOK_HOST;
    if (env.HOOKBOOK_PORT) out.server.port = integer(env.HOOKBOOK_PORT, "HOOKBOOK_PORT");
    const threads = env.HOOKBOOK_INGEST_THREADS;
    if (threads) out.server.ingestThreads = threads === "auto" ? "auto" : integer(threads, "HOOKBOOK_INGEST_THREADS");
  }
  if (env.HOOKBOOK_DATA_DIR) out.dataDir = env.HOOKBOOK_DATA_DIR;
  if (env.HOOKBOOK_ROLES) out.roles = env.HOOKBOOK_ROLES.split(",").map((r) => r.trim()).filter(Boolean) as ServeRole[];
  if (env.HOOKBOOK_API_TOKEN) out.api = { token: env.HOOKBOOK_API_TOKEN };
  if (env.HOOKBOOK_RULEBOOKS) out.rulebooks = env.HOOKBOOK_RULEBOOKS.split(",").map((s) => s.trim()).filter(Boolean);
  const level = env.HOOKBOOK_LOG_LEVEL ?? env.LOG_LEVEL;
  if (level) out.log = { level: level as HookbookConfig["log"]["level"] };
  if (env.HOOKBOOK_DRY_RUN) out.actions = { dryRun: env.HOOKBOOK_DRY_RUN === "1" || env.HOOKBOOK_DRY_RUN === "true" };
  return out;
}

function integer(text: string, name: string): number {
  const n = Number(text);
  if (!Number.isInteger(n)) throw new HookbookError("HB_ERR_CONFIG_INVALID", `${name} must be an integer, got '${text}'`);
  return n;
}

function resolveTls(t: NonNullable<NonNullable<RawConfig["server"]>["tls"]>, cwd: string): ServerTlsConfig {
  const requestCert = t.requestCert ?? t.ca !== undefined;
  if (requestCert && t.ca === undefined) {
    throw new HookbookError("HB_ERR_CONFIG_INVALID", "config: server.tls.requestCert needs server.tls.ca to verify client certificates against");
  }
  return {
    cert: resolve(cwd, t.cert),
    key: resolve(cwd, t.key),
    ...(t.ca === undefined ? {} : { ca: resolve(cwd, t.ca) }),
    requestCert,
  };
}

/** A key for secrets at rest must be 32 bytes (base64 or hex); checked here so a bad one stops the start early. */
function checkedSecretKey(value: string, where: string): string {
  parseSecretKey(value, `config: ${where}`);
  return value;
}

/**
 * `outbound.endpoints[].tls`: PEM files (relative paths resolve against cwd, like server.tls) read
 * now: `cert` + `key` (the key must belong to the certificate) and/or `ca`. An expired
 * certificate is accepted here (the service warns at start): it should not keep the rest of
 * hookbook from starting.
 */
function readEndpointTls(t: RawEndpointTls, id: string, url: string, cwd: string): NonNullable<EndpointConfig["tls"]> {
  const where = `config: outbound.endpoints.${id}.tls`;
  if (!/^https:\/\//i.test(url)) throw new HookbookError("HB_ERR_CONFIG_INVALID", `${where}: a client certificate needs an https:// url`);
  const files = { cert: t.cert && resolve(cwd, t.cert), key: t.key && resolve(cwd, t.key), ca: t.ca && resolve(cwd, t.ca) };
  const read = (part: "cert" | "key" | "ca", path: string | undefined): string | undefined => {
    if (path === undefined) return undefined;
    try {
      return readFileSync(path, "utf8");
    } catch (err) {
      throw new HookbookError("HB_ERR_CONFIG_INVALID", `${where}.${part}: cannot read ${path}: ${(err as Error).message}`, { cause: err });
    }
  };
  const pem = { certPem: read("cert", files.cert), keyPem: read("key", files.key), caPem: read("ca", files.ca) };
  const present = Object.fromEntries(Object.entries(pem).filter(([, v]) => v !== undefined)) as { certPem?: string; keyPem?: string; caPem?: string };
  try {
    inspectClientTls(present, Date.now(), true);
  } catch (err) {
    if (!(err instanceof ClientTlsError)) throw err;
    const file = err.part === "key" && files.key !== undefined ? `${files.key} (with ${files.cert ?? "?"})` : files[err.part];
    throw new HookbookError("HB_ERR_CONFIG_INVALID", `${where}.${err.part}: ${file === undefined ? "" : `${file}: `}${err.message}`, { cause: err });
  }
  return {
    ...(files.cert === undefined ? {} : { certFile: files.cert }),
    ...(files.key === undefined ? {} : { keyFile: files.key }),
    ...(files.ca === undefined ? {} : { caFile: files.ca }),
    ...present,
    ...(t.servername === undefined ? {} : { servername: t.servername }),
  };
}

function resolveSourceAuth(a: RawAuth | RawAuth[], source: string, secret: (ref: SecretRef) => string): SourceAuth {
  if (!Array.isArray(a)) return resolveAuth(a, source, secret);
  return a.map((one) => resolveAuth(one, source, secret));
}

function resolveAuth(a: RawAuth, source: string, secret: (ref: SecretRef) => string): SourceAuthConfig {
  switch (a.type) {
    case "none":
      return { type: "none" };
    case "bearer":
      return { type: "bearer", token: secret(a.token) };
    case "basic":
      return { type: "basic", username: a.username, password: secret(a.password) };
    case "hmac": {
      const algorithm = a.algorithm ?? "sha256";
      const out: HmacAuthConfig = {
        type: "hmac",
        secret: secret(a.secret),
        header: (a.header ?? "x-hub-signature-256").toLowerCase(),
        algorithm,
        encoding: a.encoding ?? "hex",
        prefix: a.prefix ?? `${algorithm}=`,
        ...(a.timestampHeader === undefined ? {} : { timestampHeader: a.timestampHeader.toLowerCase() }),
        ...(a.signedContent === undefined ? {} : { signedContent: a.signedContent }),
        ...(a.toleranceSec === undefined ? {} : { toleranceSec: a.toleranceSec }),
        ...(a.formPayload === undefined ? {} : { formPayload: a.formPayload }),
      };
      const template = out.signedContent;
      if (template !== undefined) {
        if (template.split("{body}").length !== 2) throw new HookbookError("HB_ERR_CONFIG_INVALID", `config: sources.${source}.auth.signedContent must contain {body} exactly once`);
        if (template.includes("{timestamp}") && out.timestampHeader === undefined) {
          throw new HookbookError("HB_ERR_CONFIG_INVALID", `config: sources.${source}.auth.signedContent uses {timestamp} but no timestampHeader is set`);
        }
      }
      return out;
    }
    case "standard-webhooks":
      return { type: "standard-webhooks", secret: secret(a.secret), toleranceSec: a.toleranceSec ?? DEFAULT_TOLERANCE_SEC };
    case "gitlab-token":
      return { type: "gitlab-token", token: secret(a.token) };
    case "api-key":
      return { type: "api-key", header: (a.header ?? "x-api-key").toLowerCase(), key: secret(a.key) };
    case "mtls":
      return { type: "mtls", subjects: a.subjects ?? [] };
    case "sns": {
      const certHostPattern = a.certHostPattern ?? SNS_DEFAULT_CERT_HOST_PATTERN;
      try {
        new RegExp(certHostPattern);
      } catch (err) {
        throw new HookbookError("HB_ERR_CONFIG_INVALID", `config: sources.${source}.auth.certHostPattern is not a regular expression: ${(err as Error).message}`);
      }
      return { type: "sns", topicArnAllowlist: a.topicArnAllowlist ?? [], certHostPattern, autoConfirm: a.autoConfirm ?? false, toleranceSec: a.toleranceSec ?? 3600 };
    }
    case "oidc":
      return {
        type: "oidc",
        audience: a.audience,
        issuers: a.issuers ?? [...OIDC_DEFAULT_ISSUERS],
        ...(a.serviceAccountEmail === undefined ? {} : { serviceAccountEmail: a.serviceAccountEmail }),
        jwksUrl: a.jwksUrl ?? OIDC_DEFAULT_JWKS_URL,
        clockSkewSec: a.clockSkewSec ?? 300,
      };
  }
}

function resolveSecret(ref: SecretRef, where: string, env: Env, cwd: string): string {
  if (typeof ref === "string") return ref;
  if ("env" in ref) {
    const v = env[ref.env];
    if (!v) throw new HookbookError("HB_ERR_CONFIG_SECRET_MISSING", `${where}: environment variable ${ref.env} is not set`);
    return v;
  }
  try {
    const v = readFileSync(resolve(cwd, ref.file), "utf8").trim();
    if (!v) throw new Error("file is empty");
    return v;
  } catch (err) {
    throw new HookbookError("HB_ERR_CONFIG_SECRET_MISSING", `${where}: cannot read secret file ${ref.file}: ${(err as Error).message}`);
  }
}

/** Replace every `{env: NAME}` / `{file: PATH}` object inside `value` by the secret it names. */
function resolveSecretsDeep(value: unknown, where: string, resolveRef: (ref: SecretRef, where: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v, i) => resolveSecretsDeep(v, `${where}[${i}]`, resolveRef));
  if (value && typeof value === "object") {
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === "env" || keys[0] === "file") && typeof (value as Record<string, unknown>)[keys[0]] === "string") {
      return resolveRef(value as SecretRef, where);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveSecretsDeep(v, `${where}.${k}`, resolveRef)]));
  }
  return value;
}

function merge<T extends object>(base: T, over: T): T {
  const out = { ...base } as Record<string, unknown>;
  for (const [k, v] of Object.entries(over as Record<string, unknown>)) {
    const b = out[k];
    out[k] = v && typeof v === "object" && !Array.isArray(v) && b && typeof b === "object" && !Array.isArray(b) ? merge(b as object, v as object) : v;
  }
  return out as T;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
