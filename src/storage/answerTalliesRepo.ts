import { odata, type TableClient } from "@azure/data-tables";
import { z } from "zod/v4";
import { isConflict, isNotFound, isPreconditionFailed } from "./errors";
import { decodeKeyPart, encodeKeyPart } from "./keys";
import { emptyTally, type SessionTally } from "../training/tally";

/**
 * Per-session running totals of evaluation answers (src/training/tally.ts), in the answers' own
 * table so they stay apart from who answered like the answers do:
 *
 *   PK "tallies"   RK <sessionId>   counts, sums, up to three consented quotes per kind, recent op ids
 *
 * One partition for all sessions (a few dozen a year): the digest reads them in one query. Every
 * change is a read and a write conditional on the ETag read, retried when another change came first.
 */
const PK = "tallies";

const quoteSchema = z.object({ k: z.string(), kind: z.enum(["end", "follow"]), t: z.string() });
const num = z.number().catch(0);
const tallySchema = z.object({
  rowKey: z.string(),
  end: num,
  overall: num,
  trainer: num,
  materials: num,
  before: num,
  after: num,
  follow: num,
  confidenceNow: num,
  changedYes: num,
  changedPartly: num,
  quotes: z.string().catch("[]"),
  ops: z.string().catch(""),
  whole: z.boolean().catch(false),
});

function toTally(e: unknown): SessionTally | undefined {
  const p = tallySchema.safeParse(e);
  if (!p.success) return undefined;
  const { rowKey, quotes, ops, whole, ...counts } = p.data;
  let q: SessionTally["quotes"] = [];
  try {
    const parsed = z.array(quoteSchema).safeParse(JSON.parse(quotes));
    if (parsed.success) q = parsed.data;
  } catch {
    // An unreadable quote list is dropped, never shown.
  }
  return { sessionId: decodeKeyPart(rowKey), ...counts, quotes: q, ops: ops ? ops.split(",") : [], whole };
}

export const tallyEntity = (t: SessionTally) => {
  const { sessionId, quotes, ops, ...rest } = t;
  return { partitionKey: PK, rowKey: encodeKeyPart(sessionId), ...rest, quotes: JSON.stringify(quotes), ops: ops.join(",") };
};

export class AnswerTalliesRepo {
  /**
   * Changes waiting for their session's tally, per session. Saves of one session arrive together
   * (a room of delegates answering at the end of a session): rather than each reading and writing
   * the one row in turn (and mostly losing the race to the ETag), the changes that arrive while a
   * write is under way go together in the next write. Every change is also on its answer row
   * (see EvaluationsRepo), so nothing is lost if the process stops: each save waits for its write.
   */
  private readonly waiting = new Map<string, Array<{ change: (t: SessionTally) => SessionTally; done: (e?: unknown) => void }>>();

  constructor(private readonly table: TableClient) {}

  /** Applies `change` to the session's tally together with any others waiting for it; resolves once written. */
  apply(sessionId: string, change: (t: SessionTally) => SessionTally): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (e?: unknown) => (e ? reject(e) : resolve());
      const queue = this.waiting.get(sessionId);
      if (queue) {
        queue.push({ change, done });
        return;
      }
      this.waiting.set(sessionId, [{ change, done }]);
      void this.drain(sessionId);
    });
  }

  private async drain(sessionId: string): Promise<void> {
    for (;;) {
      const batch = this.waiting.get(sessionId) ?? [];
      if (!batch.length) {
        this.waiting.delete(sessionId);
        return;
      }
      // Later arrivals queue up for the next write.
      this.waiting.set(sessionId, []);
      try {
        await this.change(sessionId, (t) => batch.reduce((acc, b) => b.change(acc), t));
        for (const b of batch) b.done();
      } catch (e) {
        for (const b of batch) b.done(e);
      }
    }
  }

  async get(sessionId: string): Promise<(SessionTally & { etag: string }) | undefined> {
    try {
      const e = await this.table.getEntity<Record<string, unknown>>(PK, encodeKeyPart(sessionId));
      const t = toTally(e);
      return t && { ...t, etag: String(e.etag) };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async list(): Promise<SessionTally[]> {
    const out: SessionTally[] = [];
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${PK}` } })) {
      const t = toTally(e);
      if (t) out.push(t);
    }
    return out;
  }

  /**
   * Reads the session's tally, applies `change` and writes it back on the ETag read (or creates
   * it); when another writer came first, reads again. `change` returns the tally unchanged (the
   * same object) when there is nothing to do.
   */
  async change(sessionId: string, change: (t: SessionTally) => SessionTally): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt++) {
      if (attempt > 2) await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
      const current = await this.get(sessionId);
      const base = current ?? emptyTally(sessionId);
      const next = change(base);
      if (next === base) return;
      try {
        if (current) await this.table.updateEntity(tallyEntity(next), "Replace", { etag: current.etag });
        else await this.table.createEntity(tallyEntity(next));
        return;
      } catch (e) {
        if (!isPreconditionFailed(e) && !isConflict(e) && !isNotFound(e)) throw e;
      }
    }
    throw Object.assign(new Error("the session's answer totals kept changing"), { statusCode: 503 });
  }
}
