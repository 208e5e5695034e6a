/**
 * Event filter names. Every builtin is accepted as `eda.builtin.<f>`, `ansible.eda.<f>` and bare
 * `<f>`; the canonical name is `eda.builtin.<f>`. `insert_meta_info` is accepted (FQCN only) as
 * a no-op because the engine always applies it itself, last.
 */

export const BUILTIN_FILTERS = [
  "json_filter",
  "dashes_to_underscores",
  "normalize_keys",
  "insert_hosts_to_meta",
  "event_splitter",
  "noop",
] as const;

export type BuiltinFilter = (typeof BUILTIN_FILTERS)[number] | "insert_meta_info";

const CANONICAL_PREFIX = "eda.builtin.";

const SPELLINGS: ReadonlyMap<string, string> = (() => {
  const m = new Map<string, string>();
  for (const f of BUILTIN_FILTERS) {
    const canonical = CANONICAL_PREFIX + f;
    m.set(canonical, canonical);
    m.set(`ansible.eda.${f}`, canonical);
    m.set(f, canonical);
  }
  const meta = `${CANONICAL_PREFIX}insert_meta_info`;
  m.set(meta, meta);
  m.set("ansible.eda.insert_meta_info", meta);
  return m;
})();

/** Every accepted spelling (for "did you mean" suggestions and docs), canonical names first. */
export const FILTER_NAMES: readonly string[] = [...SPELLINGS.keys()].sort((a, b) => {
  const rank = (s: string): number => (s.startsWith(CANONICAL_PREFIX) ? 0 : s.startsWith("ansible.eda.") ? 1 : 2);
  return rank(a) - rank(b) || a.localeCompare(b);
});

/** The canonical names (`eda.builtin.<f>`), insert_meta_info included. */
export const CANONICAL_FILTER_NAMES: readonly string[] = [...new Set(SPELLINGS.values())];

/** Canonical name (`eda.builtin.<f>`) for any accepted spelling; undefined for unknown filters. */
export function resolveFilterName(name: string): string | undefined {
  return SPELLINGS.get(name);
}

/** The short name (`json_filter`, …) of a canonical name. */
export function shortFilterName(canonical: string): BuiltinFilter {
  return canonical.slice(CANONICAL_PREFIX.length) as BuiltinFilter;
}
