/**
 * The sources an ingest server (or a preparation thread) serves: configs checked and bound to
 * their kind handler once, at start.
 */
import type { SourceConfig } from "../config/types.js";
import { HookbookError } from "../core/errors.js";
import { checkAuthConfig } from "../sources/auth.js";
import type { IngestAuthConfig } from "../sources/auth.js";
import { sourceKindHandler } from "../sources/registry.js";
import type { SourceKindHandler } from "../sources/types.js";

/** A source as ingest needs it: SourceConfig, whose auth may also be basic or a list of checks. */
export type IngestSourceConfig = Omit<SourceConfig, "auth"> & { readonly auth: IngestAuthConfig };

export interface IngestSource {
  readonly name: string;
  readonly kind: string;
  readonly auth: IngestAuthConfig;
  /** Effective body limit in bytes. */
  readonly bodyLimit: number;
  readonly options: Readonly<Record<string, unknown>>;
  readonly handler: SourceKindHandler;
  /** Check the seen-ids KV before publishing (producers that retry beyond the duplicate window). */
  readonly longDedup: boolean;
  /** Drop (instead of mark) events older than the newest seen for their subject. */
  readonly dropStale: boolean;
}

/** Source kinds whose producers retry beyond the stream's duplicate window by default. */
export const LONG_RETRY_KINDS: ReadonlySet<string> = new Set(["eventbridge", "sns", "pubsub", "github", "gitlab", "gitea", "cloudevents", "azure-monitor"]);

/** Checks the sources and binds each to its kind handler; throws HB_ERR_CONFIG_INVALID. */
export function resolveSources(opts: { readonly sources: readonly IngestSourceConfig[]; readonly bodyLimit: number }): Map<string, IngestSource> {
  const out = new Map<string, IngestSource>();
  for (const source of opts.sources) {
    const handler = sourceKindHandler(source.kind);
    if (handler === undefined) throw new HookbookError("HB_ERR_CONFIG_INVALID", `source ${source.name}: unknown kind ${source.kind}`);
    if (source.name === "" || out.has(source.name)) {
      throw new HookbookError("HB_ERR_CONFIG_INVALID", `source name ${JSON.stringify(source.name)} is empty or used twice`);
    }
    try {
      handler.checkOptions?.(source.options);
      checkAuthConfig(source.auth);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new HookbookError("HB_ERR_CONFIG_INVALID", `source ${source.name}: ${message}`, { cause: err });
    }
    const bodyLimit = source.bodyLimit > 0 ? source.bodyLimit : opts.bodyLimit;
    out.set(source.name, {
      name: source.name,
      kind: source.kind,
      auth: source.auth,
      bodyLimit,
      options: source.options,
      handler,
      longDedup: source.longDedup ?? LONG_RETRY_KINDS.has(source.kind),
      dropStale: source.dropStale ?? false,
    });
  }
  return out;
}
