/** Request headers as rulebooks see them. */

/**
 * Flattens Node's `rawHeaders` ([name, value, name, value, ...]) into one map that keeps the
 * sender's spelling of each name (as ansible-rulebook's aiohttp server does, so
 * `event.meta.headers['X-GitHub-Event']` keeps working). Repeated names (any case) are joined
 * with ", " under the first spelling seen.
 */
export function headersFromRaw(raw: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const spelling = new Map<string, string>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    const lower = name.toLowerCase();
    if (lower === "__proto__") continue;
    const first = spelling.get(lower);
    if (first === undefined) {
      spelling.set(lower, name);
      out[name] = value;
    } else {
      out[first] = `${out[first] ?? ""}, ${value}`;
    }
  }
  return out;
}
