import { SNS_DEFAULT_CERT_HOST_PATTERN } from "../config/types.js";
import type { SourceAuthConfig, SourceConfig } from "../config/types.js";
import type { IngestSourceConfig } from "../ingest/server.js";
import { renderValue } from "../rulebook/template/render.js";

const PLUGIN_KINDS: Readonly<Record<string, SourceConfig["kind"]>> = {
  webhook: "webhook",
  "ansible.eda.webhook": "webhook",
  "eda.builtin.webhook": "webhook",
  "hookbook.webhook": "webhook",
  alertmanager: "alertmanager",
  "ansible.eda.alertmanager": "alertmanager",
  "hookbook.alertmanager": "alertmanager",
  "hookbook.grafana": "grafana",
  "hookbook.github": "github",
  "hookbook.gitlab": "gitlab",
  "hookbook.gitea": "gitea",
  "hookbook.eventbridge": "eventbridge",
  "hookbook.sns": "sns",
  "hookbook.pubsub": "pubsub",
  "hookbook.azure_monitor": "azure-monitor",
  "hookbook.azure_scheduled_events": "azure-scheduled-events",
  "hookbook.k8s_events": "k8s-events",
  "hookbook.cloudevents": "cloudevents",
};

export interface RulesetSourceRef {
  readonly name: string;
  readonly plugin: string;
  readonly args: Readonly<Record<string, unknown>>;
}

export interface IngestSourcePlan {
  readonly sources: IngestSourceConfig[];
  readonly warnings: string[];
}

/**
 * Ingest routes: every source of the config, plus every webhook/alertmanager source a ruleset
 * declares that the config does not. A rulebook source takes its auth from ansible-rulebook's
 * own args (`token` → bearer, `hmac_secret` [+ hmac_algo, hmac_header, hmac_format] → HMAC),
 * rendered with the vars; without either it accepts unauthenticated requests, as
 * ansible-rulebook does, and a warning says so.
 */
export function planIngestSources(
  configured: readonly SourceConfig[],
  declared: readonly RulesetSourceRef[],
  vars: Readonly<Record<string, unknown>>,
  bodyLimit: number,
): IngestSourcePlan {
  const sources: IngestSourceConfig[] = [...configured];
  const warnings: string[] = [];
  const names = new Set(configured.map((s) => s.name));
  for (const d of declared) {
    if (names.has(d.name)) continue;
    const kind = PLUGIN_KINDS[d.plugin];
    if (!kind) {
      warnings.push(`source '${d.name}' uses plugin '${d.plugin}', which hookbook does not serve; its ruleset gets events only from an ingest source named '${d.name}'`);
      continue;
    }
    names.add(d.name);
    const args = renderValue(d.args, vars) as Record<string, unknown>;
    const auth = authFromArgs(args);
    // SNS signs every message with AWS's certificate: verify it even without a shared secret.
    if (auth.length === 0 && kind === "sns") {
      auth.push({ type: "sns", topicArnAllowlist: stringList(args.topic_arns), certHostPattern: SNS_DEFAULT_CERT_HOST_PATTERN, autoConfirm: args.auto_confirm === true, toleranceSec: 3600 });
    }
    if (auth.length === 0) warnings.push(`source '${d.name}' (${d.plugin}) has no token or hmac_secret: POST /hooks/${d.name} accepts unauthenticated requests`);
    sources.push({ name: d.name, kind, auth: auth.length === 0 ? { type: "none" } : auth, bodyLimit, options: args });
  }
  return { sources, warnings };
}

function authFromArgs(args: Readonly<Record<string, unknown>>): SourceAuthConfig[] {
  const out: SourceAuthConfig[] = [];
  if (typeof args.token === "string" && args.token !== "") out.push({ type: "bearer", token: args.token });
  if (typeof args.hmac_secret === "string" && args.hmac_secret !== "") {
    const algorithm = args.hmac_algo === "sha512" || args.hmac_algo === "sha1" ? args.hmac_algo : "sha256";
    out.push({
      type: "hmac",
      secret: args.hmac_secret,
      header: typeof args.hmac_header === "string" ? args.hmac_header.toLowerCase() : "x-hub-signature-256",
      algorithm,
      encoding: args.hmac_format === "base64" ? "base64" : "hex",
      prefix: `${algorithm}=`,
    });
  }
  return out;
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}
