import type { ReturnHeader, ReturnRole } from "../storage/returnsRepo";

export interface ReturnAccess {
  roles: ReturnRole[];
  header: ReturnHeader;
}

/**
 * A short-lived copy of "may this person work on this return?" as last read from the return's
 * own access row, so a save costs one conditional write instead of a read and a write.
 *
 * Why this is safe enough: entries live at most TTL_MS (30 s); a grant change made through this
 * instance clears the cache at once; on another instance a revoked lead keeps write access for
 * at most those 30 seconds. The cached header fields used (template, cycle, agency name) never
 * change for a return. Everything else about the return is still read from storage.
 */
export class ReturnAccessCache {
  static readonly TTL_MS = 30_000;
  private static readonly MAX_ENTRIES = 5_000;
  private readonly entries = new Map<string, { value: ReturnAccess; at: number }>();

  constructor(private readonly clock: () => number = Date.now) {}

  get(returnId: string, personKey: string): ReturnAccess | undefined {
    const k = `${returnId} ${personKey}`;
    const hit = this.entries.get(k);
    if (!hit) return undefined;
    if (this.clock() - hit.at > ReturnAccessCache.TTL_MS) {
      this.entries.delete(k);
      return undefined;
    }
    return hit.value;
  }

  set(returnId: string, personKey: string, value: ReturnAccess): void {
    if (this.entries.size >= ReturnAccessCache.MAX_ENTRIES) {
      // Maps iterate in insertion order: drop the oldest.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(`${returnId} ${personKey}`, { value, at: this.clock() });
  }

  clear(): void {
    this.entries.clear();
  }
}
