/**
 * A memo for values derived from a small working set of strings (configured secrets, subjects,
 * patterns, certificates): `cache.get(key) ?? cache.set(key, compute(key))`. When it holds `max`
 * keys it starts over instead of tracking recency — the working set refills it at once, and a
 * stray flood of distinct keys cannot grow it.
 */
export class BoundedCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly max: number) {}

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  /** Stores `value` (emptying the cache first when it is full) and returns it. */
  set(key: string, value: V): V {
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(key, value);
    return value;
  }
}
