/**
 * Request authentication for ingest sources, configurable per source (sources.md §0,
 * webhooks.md §5.2). Runs on the raw body bytes before anything is parsed; fails closed on an
 * auth type it does not know. One check, or a list whose checks must all pass (ansible allows
 * token + hmac together).
 *
 *  - none, bearer, basic, gitlab-token (X-Gitlab-Token), api-key (named header): ./auth-tokens.ts
 *  - hmac in each producer's scheme, incl. Grafana's timestamped variant: ./auth-hmac.ts
 *  - standard-webhooks (also GitLab's signing token): ./auth-standard-webhooks.ts
 *  - mtls (client certificate verified by the TLS server, subject checked): ./auth-mtls.ts
 *  - sns (SNS message signature; autoConfirm GETs SubscribeURL of allowlisted topics) and
 *    oidc (JWT): ./auth-sns.ts, ./auth-oidc.ts
 *
 * Async because sns and oidc fetch certificates / keys through the injected AuthContext.
 * Errors: HB_ERR_AUTH_MISSING / HB_ERR_AUTH_INVALID / HB_ERR_AUTH_STALE (401),
 * HB_ERR_CLIENT_CERT_REJECTED (403), HB_ERR_SIGNATURE_MISSING (400). Messages never echo the
 * presented credential.
 */
import type { SnsAuthConfig, SourceAuth, SourceAuthConfig } from "../config/types.js";
import { HookbookError } from "../core/errors.js";
import type { AuthContext, AuthRequest } from "./auth-context.js";
import { checkHmacConfig, verifyHmac } from "./auth-hmac.js";
import { checkMtlsConfig, verifyMtls } from "./auth-mtls.js";
import { verifyOidcRequest } from "./auth-oidc.js";
import { verifySnsRequest } from "./auth-sns.js";
import { standardWebhooksKey, standardWebhooksPublicKey, verifyStandardWebhooks } from "./auth-standard-webhooks.js";
import { isEd25519PublicKey } from "../core/ed25519.js";
import { verifyApiKey, verifyBasic, verifyBearer, verifyGitlabToken } from "./auth-tokens.js";
import { snsConfirmationUrl } from "./sns.js";

export type { AuthContext, AuthRequest, TlsPeer } from "./auth-context.js";

/** HTTP basic auth (Alertmanager `http_config.basic_auth`, GitLab `user:pass@` URLs). */
export type BasicAuthConfig = Extract<SourceAuthConfig, { type: "basic" }>;

/** One check, or a list whose checks must all pass. */
export type IngestAuthConfig = SourceAuth;

function checksOf(auth: IngestAuthConfig): readonly SourceAuthConfig[] {
  return isAuthList(auth) ? auth : [auth];
}

function isAuthList(auth: IngestAuthConfig): auth is readonly SourceAuthConfig[] {
  return Array.isArray(auth);
}

/** Every auth type this build verifies. */
export const AUTH_TYPES: readonly SourceAuthConfig["type"][] = [
  "none",
  "bearer",
  "basic",
  "hmac",
  "standard-webhooks",
  "gitlab-token",
  "api-key",
  "mtls",
  "sns",
  "oidc",
];

/** True when some check of `auth` needs the TLS client certificate (the server must request one). */
export function authNeedsClientCert(auth: IngestAuthConfig): boolean {
  return checksOf(auth).some((a) => a.type === "mtls");
}

/** Startup check of an auth config; throws HB_ERR_CONFIG_INVALID. */
export function checkAuthConfig(auth: IngestAuthConfig): void {
  const checks = checksOf(auth);
  if (checks.length === 0) throw new HookbookError("HB_ERR_CONFIG_INVALID", "an auth list needs at least one check");
  for (const a of checks) {
    switch (a.type) {
      case "hmac":
        checkHmacConfig(a);
        break;
      case "standard-webhooks":
        if (isEd25519PublicKey(a.secret)) standardWebhooksPublicKey(a.secret);
        else standardWebhooksKey(a.secret);
        break;
      case "mtls":
        checkMtlsConfig(a);
        break;
      case "sns":
        try {
          new RegExp(a.certHostPattern);
        } catch {
          throw new HookbookError("HB_ERR_CONFIG_INVALID", "sns certHostPattern is not a regular expression");
        }
        break;
      case "oidc":
        if (a.audience === "") throw new HookbookError("HB_ERR_CONFIG_INVALID", "oidc audience is empty");
        break;
      default:
        if (!AUTH_TYPES.includes(a.type)) throw new HookbookError("HB_ERR_CONFIG_INVALID", `unsupported auth type ${String(a.type)}`);
    }
  }
}

/** Resolves when every check passes; rejects with a HookbookError otherwise. */
export async function verifyAuth(auth: IngestAuthConfig, req: AuthRequest, ctx: AuthContext): Promise<void> {
  await checkAuth(auth, req, ctx);
}

/**
 * verifyAuth for the hot path: synchronous — returns, or throws the HookbookError — unless a check
 * needs the network (sns, oidc fetch certificates and keys); then a promise for the rest.
 */
export function checkAuth(auth: IngestAuthConfig, req: AuthRequest, ctx: AuthContext, from = 0): void | Promise<void> {
  const checks = checksOf(auth);
  if (checks.length === 0) throw new HookbookError("HB_ERR_AUTH_INVALID", "no authentication configured for this source");
  for (let i = from; i < checks.length; i++) {
    const pending = verifyOne(checks[i] as SourceAuthConfig, req, ctx);
    if (pending !== undefined) return pending.then(() => checkAuth(auth, req, ctx, i + 1));
  }
  return undefined;
}

function verifyOne(auth: SourceAuthConfig, req: AuthRequest, ctx: AuthContext): void | Promise<void> {
  switch (auth.type) {
    case "none":
      return;
    case "bearer":
      verifyBearer(auth.token, req);
      return;
    case "basic":
      verifyBasic(auth, req);
      return;
    case "hmac":
      verifyHmac(auth, req, ctx);
      return;
    case "standard-webhooks":
      verifyStandardWebhooks(auth, req, ctx);
      return;
    case "gitlab-token":
      verifyGitlabToken(auth, req);
      return;
    case "api-key":
      verifyApiKey(auth, req);
      return;
    case "mtls":
      verifyMtls(auth, req);
      return;
    case "sns":
      return verifySns(auth, req, ctx);
    case "oidc":
      return verifyOidcRequest(
        req.headers,
        {
          audience: auth.audience,
          issuers: auth.issuers,
          jwksUrl: auth.jwksUrl,
          leewaySec: auth.clockSkewSec,
          ...(auth.serviceAccountEmail === undefined ? {} : { serviceAccountEmail: auth.serviceAccountEmail }),
        },
        ctx,
      ).then(() => undefined);
    default: {
      // Fail closed on a type this code does not know (webhooks.md §5.2 step 1).
      const unknown: { type?: unknown } = auth;
      throw new HookbookError("HB_ERR_AUTH_INVALID", `unsupported auth type ${String(unknown.type)}`);
    }
  }
}

/**
 * SNS signature, then (autoConfirm) the GET of SubscribeURL for a SubscriptionConfirmation of an
 * allowlisted topic. A failed confirmation answers 500 so SNS redelivers the confirmation.
 */
async function verifySns(auth: SnsAuthConfig, req: AuthRequest, ctx: AuthContext): Promise<void> {
  await verifySnsRequest(
    req.body,
    { topicArnAllowlist: auth.topicArnAllowlist, certHostPattern: auth.certHostPattern, toleranceSec: auth.toleranceSec },
    ctx,
  );
  if (!auth.autoConfirm) return;
  const url = snsConfirmationUrl(req.body, { topicArnAllowlist: auth.topicArnAllowlist });
  if (url === undefined) return;
  try {
    await ctx.fetchText(url);
  } catch (err) {
    throw new HookbookError("HB_ERR_INTERNAL", "could not confirm the SNS subscription", { cause: err });
  }
}
