/**
 * Bounded in-memory `jti` replay cache. Each entry lives until its token can no longer be accepted
 * (exp + clock skew). Per process; with PostgreSQL the replicas also share a guard (./shared-replay.ts), checked
 * after this cache (see the README's Security section).
 */
export type ReplayVerdict = 'fresh' | 'replayed' | 'full';

export class ReplayCache {
  private readonly entries = new Map<string, number>();

  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** Records `key` until `expiresAtMs`, unless it is already known (replay) or the cache is full of live entries. */
  check(key: string, expiresAtMs: number, nowMs: number): ReplayVerdict {
    const known = this.entries.get(key);
    if (known !== undefined) {
      if (known > nowMs) return 'replayed';
      this.entries.delete(key);
    }
    this.evictExpiredHead(nowMs);
    if (this.entries.size >= this.maxEntries) {
      this.sweep(nowMs);
      if (this.entries.size >= this.maxEntries) return 'full';
    }
    this.entries.set(key, expiresAtMs);
    return 'fresh';
  }

  /** Cheap, amortised: drop expired entries at the front of the insertion order. */
  private evictExpiredHead(nowMs: number): void {
    let n = 0;
    for (const [k, exp] of this.entries) {
      if (exp > nowMs || n++ > 32) break;
      this.entries.delete(k);
    }
  }

  private sweep(nowMs: number): void {
    for (const [k, exp] of this.entries) if (exp <= nowMs) this.entries.delete(k);
  }
}
