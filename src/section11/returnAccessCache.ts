import type { ReturnHeader, ReturnRole } from "../storage/returnsRepo";
import type { Cycle } from "../storage/cyclesRepo";

export interface ReturnAccess {
  roles: ReturnRole[];
  header: ReturnHeader;
}

/**
 * A short-lived copy of "may this person work on this return?" as last read from the return's
 * own access row, so a save costs one conditional write instead of a read and a write.
 *
 * Why this is safe enough: entries live at most `ttlMs` (ACCESS_CACHE_SECONDS, default 30 s); a
 * change of access made through this instance clears the cache at once; on another instance a
 * removed lead keeps write access for at most that long. The cached header fields a save uses
 * (template, cycle, agency name) never change for a return.
 */
export class ReturnAccessCache {
  private static readonly MAX_ENTRIES = 5_000;
  private readonly entries = new Map<string, { value: ReturnAccess; at: number }>();

  constructor(
    readonly ttlMs = 30_000,
    private readonly clock: () => number = Date.now,
  ) {}

  get(returnId: string, personKey: string): ReturnAccess | undefined {
    const k = `${returnId} ${personKey}`;
    const hit = this.entries.get(k);
    if (!hit) return undefined;
    if (this.clock() - hit.at > this.ttlMs) {
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

/**
 * Cycles change rarely (closed, reopened, deadline): a save reads its cycle from here. Closing a
 * cycle clears it on this instance; other instances see the change within `ttlMs`.
 */
export class CycleCache {
  private readonly entries = new Map<string, { cycle: Cycle; at: number }>();
  constructor(
    readonly ttlMs = 30_000,
    private readonly clock: () => number = Date.now,
  ) {}

  async get(cycleId: string, load: (id: string) => Promise<Cycle | undefined>): Promise<Cycle | undefined> {
    const hit = this.entries.get(cycleId);
    if (hit && this.clock() - hit.at <= this.ttlMs) return hit.cycle;
    const cycle = await load(cycleId);
    if (cycle) this.entries.set(cycleId, { cycle, at: this.clock() });
    return cycle;
  }

  clear(): void {
    this.entries.clear();
  }
}
