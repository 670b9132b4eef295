import { z } from "zod/v4";
import { key } from "../storage/keys";
import type { DeliveriesRepo, NewDeliveryRow } from "../storage/deliveriesRepo";
import type { Scheduler } from "../schedule/scheduler";
import { DELIVERY_STATES, enqueueItemSchema, recipientKeyOf, type DeliveryRow, type DeliveryState, type EnqueueItem } from "./types";

export const DISPATCH_JOB = "delivery.dispatch";
export const dispatchJobId = (batchId: string) => `${DISPATCH_JOB}|${batchId}`;

const batchIdSchema = z.string().min(1).max(400);

export interface BatchStatus {
  batchId: string;
  total: number;
  counts: Record<DeliveryState, number>;
  rows: DeliveryRow[];
}

export interface OutboxOptions {
  deliveries: DeliveriesRepo;
  scheduler: Pick<Scheduler, "schedule">;
  now?: () => Date;
  /**
   * The dispatch job is written before the rows, due this far ahead, so a crash while the rows
   * are being written still leaves a job that will send them. Default 30 s.
   */
  safetyNetMs?: number;
}

/**
 * Puts messages in the outbox. A batch is one purpose (a sign-off request, a session's
 * evaluations, a channel's digest on a date) with at most one row per recipient.
 */
export class Outbox {
  private readonly now: () => Date;

  constructor(private readonly options: OutboxOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Idempotent: re-enqueuing the same batch and recipient never adds a row and never resets one
   * (a sent row stays sent). Returns how many rows are new. Crash-safe in this order:
   *   1. the dispatch job is ensured, due in `safetyNetMs` (only ever brought forward);
   *   2. the rows are created;
   *   3. the job is brought forward to the earliest row's time.
   * A crash after 1 or 2 leaves a job that sends whatever rows exist; a producer that retries
   * (a job handler, a person pressing again) completes the batch.
   */
  async enqueue(batchId: string, items: EnqueueItem[]): Promise<{ created: number }> {
    batchIdSchema.parse(batchId);
    const parsed = z.array(enqueueItemSchema).max(10_000).parse(items);
    if (parsed.length === 0) return { created: 0 };
    const now = this.now();
    const nowIso = now.toISOString();
    const rows = new Map<string, NewDeliveryRow>();
    for (const item of parsed) {
      const recipientKey = key(...recipientKeyOf(item.recipient));
      if (rows.has(recipientKey)) continue;
      rows.set(recipientKey, {
        batchId,
        recipientKey,
        recipient: item.recipient,
        kind: item.kind,
        params: item.params as Record<string, unknown>,
        state: "pending",
        attempts: 0,
        failures: 0,
        throttled: 0,
        notBefore: (item.notBefore ?? now).toISOString(),
        tellOnFailure: item.tellOnFailure ? { tenantId: item.tellOnFailure.tenantId.toLowerCase(), aadObjectId: item.tellOnFailure.aadObjectId.toLowerCase() } : undefined,
        createdAt: nowIso,
        updatedAt: nowIso,
      });
    }
    const earliest = new Date(Math.min(...[...rows.values()].map((r) => Date.parse(r.notBefore))));
    const safetyNet = new Date(now.getTime() + (this.options.safetyNetMs ?? 30_000));
    await this.ensureDispatch(batchId, earliest > safetyNet ? earliest : safetyNet);
    const created = await this.options.deliveries.createMissing([...rows.values()]);
    await this.ensureDispatch(batchId, earliest);
    return { created };
  }

  /** Makes sure the batch's dispatch job runs by `at` (never postpones it). */
  ensureDispatch(batchId: string, at: Date): Promise<void> {
    return this.options.scheduler.schedule(dispatchJobId(batchId), DISPATCH_JOB, at, { batchId }, { ifEarlier: true });
  }

  /**
   * A person's data erased from one row: a row not sent yet is deleted (it will not go out); a
   * finished one stays, naming nobody and holding only `params`, so the counts read from the
   * batch stay true. False when the row changed since it was read: read it again.
   */
  forget(row: DeliveryRow, params: Record<string, unknown>): Promise<boolean> {
    if (row.state === "pending" || row.state === "sending") return this.options.deliveries.remove(row);
    return this.options.deliveries.anonymise(row, params);
  }

  /** Counts come from the rows themselves, never from a separate tally that could drift. */
  async batchStatus(batchId: string): Promise<BatchStatus> {
    const rows = await this.options.deliveries.list(batchId);
    const counts = Object.fromEntries(DELIVERY_STATES.map((s) => [s, 0])) as Record<DeliveryState, number>;
    for (const r of rows) counts[r.state]++;
    return { batchId, total: rows.length, counts, rows };
  }
}
