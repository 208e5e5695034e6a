/** Keys whose values in `integrations` settings are secrets (tokens, passwords, webhook URLs). */
const SECRET_KEY = /(token|password|passwd|secret|routing_key|api_key|apikey|webhook_url|private_key|credentials?)$/i;
const MIN_SECRET_LENGTH = 4;

/** Every secret string in the integration settings (any depth), longest first. */
export function secretValues(integrations: Readonly<Record<string, unknown>>): string[] {
  const out = new Set<string>();
  const walk = (value: unknown, secret: boolean): void => {
    if (typeof value === "string") {
      if (secret && value.length >= MIN_SECRET_LENGTH) {
        out.add(value);
        // A webhook URL's path and query carry its token on their own as well.
        const tail = urlTail(value);
        if (tail && tail.length >= MIN_SECRET_LENGTH) out.add(tail);
      }
      return;
    }
    if (Array.isArray(value)) {
      for (const item of value) walk(item, secret);
      return;
    }
    if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) walk(v, secret || SECRET_KEY.test(k));
    }
  };
  walk(integrations, false);
  return [...out].sort((a, b) => b.length - a.length);
}

function urlTail(value: string): string | undefined {
  try {
    const u = new URL(value);
    const tail = `${u.pathname}${u.search}`;
    return tail === "/" ? undefined : tail;
  } catch {
    return undefined;
  }
}

/** Replace every secret inside strings of `value` (objects and arrays recursively) with "***". */
export function redact<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  return scrub(value, secrets) as T;
}

function scrub(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === "string") {
    let s = value;
    for (const secret of secrets) if (s.includes(secret)) s = s.split(secret).join("***");
    return s;
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, secrets));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = scrub(v, secrets);
    return out;
  }
  return value;
}
