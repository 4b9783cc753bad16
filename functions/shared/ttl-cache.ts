/**
 * A small per-container cache for lookups that change rarely (API keys, customers) or are
 * checked before use (a ticket's index state, by version). Entries live `ttlMs`; the oldest go
 * first past `maxEntries`. Misses are cached too, briefly, so a
 * flood of bad keys does not become a flood of reads.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 1_000,
  ) {}

  async get(key: string, load: () => Promise<V>, now = Date.now()): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && hit.expires > now) return hit.value;
    const value = await load();
    this.set(key, value, now);
    return value;
  }

  /** The live entry for `key`, without loading one. */
  peek(key: string, now = Date.now()): V | undefined {
    const hit = this.entries.get(key);
    return hit && hit.expires > now ? hit.value : undefined;
  }

  set(key: string, value: V, now = Date.now()): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: now + this.ttlMs });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  clear(): void {
    this.entries.clear();
  }
}
