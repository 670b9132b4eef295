import { randomUUID } from "node:crypto";
import { odata, type TableClient, type TransactionAction } from "@azure/data-tables";
import { z } from "zod/v4";
import type { TableStore } from "./tableStore";
import { isBatchConflict, isConflict, isNotFound, isPreconditionFailed, messageOf } from "./errors";
import { key } from "./keys";
import { DELIVERY_CHANNELS, DELIVERY_STATES, erasedRecipient, recipientSchema, type DeliveryRow } from "../delivery/types";

/**
 * The outbox: one row per recipient per purpose. PartitionKey = the batch (one purpose),
 * RowKey = the recipient, so a batch is one partition: its status is one query and re-enqueuing
 * collides on the row key instead of creating a second row. Structured columns (recipient,
 * params, tellOnFailure) are JSON strings; times are ISO strings.
 */
export const batchPartition = (batchId: string) => key(batchId);

const json = <T extends z.ZodType>(schema: T) => z.string().transform((s, ctx) => {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    ctx.addIssue({ code: "custom", message: "not JSON" });
    return z.NEVER;
  }
}).pipe(schema);

const rowSchema = z.object({
  batchId: z.string(),
  recipient: json(recipientSchema),
  kind: z.string(),
  params: json(z.record(z.string(), z.unknown())).catch({}),
  state: z.enum(DELIVERY_STATES),
  attempts: z.number().int().catch(0),
  failures: z.number().int().catch(0),
  throttled: z.number().int().catch(0),
  lastStatus: z.number().int().optional().catch(undefined),
  lastError: z.string().optional(),
  channel: z.enum(DELIVERY_CHANNELS).optional().catch(undefined),
  activityId: z.string().optional(),
  conversationId: z.string().optional(),
  notBefore: z.string().catch(""),
  sentAt: z.string().optional(),
  leaseUntil: z.string().optional(),
  leaseOwner: z.string().optional(),
  movedTo: z.string().optional(),
  tellOnFailure: json(z.object({ tenantId: z.string(), aadObjectId: z.string() })).optional().catch(undefined),
  notice: z.enum(["due", "done"]).optional().catch(undefined),
  createdAt: z.string().catch(""),
  updatedAt: z.string().catch(""),
});

/** Empty strings stand for "not set" (a Merge cannot remove a column). */
const blankToUndefined = (e: Record<string, unknown>) => Object.fromEntries(Object.entries(e).filter(([, v]) => v !== "" && v !== null));

function fromEntity(e: Record<string, unknown>): DeliveryRow | undefined {
  const parsed = rowSchema.safeParse(blankToUndefined(e));
  if (!parsed.success) return undefined;
  return { ...parsed.data, recipientKey: String(e.rowKey), etag: String(e.etag) } as DeliveryRow;
}

export type NewDeliveryRow = Omit<DeliveryRow, "etag">;
export type DeliveryPatch = Partial<Omit<DeliveryRow, "batchId" | "recipientKey" | "recipient" | "kind" | "params" | "etag" | "tellOnFailure" | "createdAt">>;

function toColumns(r: Partial<NewDeliveryRow>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    if (k === "recipientKey") continue;
    if (k === "recipient" || k === "params" || k === "tellOnFailure") out[k] = v === undefined ? "" : JSON.stringify(v);
    else out[k] = v === undefined ? "" : v;
  }
  return out;
}

export class DeliveriesRepo {
  private readonly table: TableClient;
  constructor(store: TableStore) {
    this.table = store.table("Deliveries");
  }

  /**
   * Creates the rows that do not exist yet; existing rows (in any state) are left as they are.
   * Fresh batches go in transactions of 100; a transaction that collides with an existing row
   * falls back to one create per row. Returns how many rows were created.
   */
  async createMissing(rows: NewDeliveryRow[]): Promise<number> {
    let created = 0;
    const byBatch = new Map<string, NewDeliveryRow[]>();
    for (const r of rows) byBatch.set(r.batchId, [...(byBatch.get(r.batchId) ?? []), r]);
    for (const [batchId, list] of byBatch) {
      const pk = batchPartition(batchId);
      for (let i = 0; i < list.length; i += 100) {
        const chunk = list.slice(i, i + 100);
        try {
          await this.table.submitTransaction(chunk.map((r): TransactionAction => ["create", { partitionKey: pk, rowKey: r.recipientKey, ...toColumns(r) }]));
          created += chunk.length;
          continue;
        } catch (e) {
          if (!isBatchConflict(e)) throw e;
        }
        const results = await Promise.all(chunk.map(async (r) => {
          try {
            await this.table.createEntity({ partitionKey: pk, rowKey: r.recipientKey, ...toColumns(r) });
            return 1;
          } catch (e) {
            if (isConflict(e)) return 0;
            throw e;
          }
        }));
        created += results.reduce<number>((a, b) => a + b, 0);
      }
    }
    return created;
  }

  async get(batchId: string, recipientKey: string): Promise<DeliveryRow | undefined> {
    try {
      return fromEntity(await this.table.getEntity<Record<string, unknown>>(batchPartition(batchId), recipientKey));
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) return undefined;
      throw e;
    }
  }

  /** Conditional Merge on `etag`: throws a 412 error when someone else changed the row. Returns the new ETag. */
  async update(row: Pick<DeliveryRow, "batchId" | "recipientKey">, patch: DeliveryPatch, etag: string): Promise<string> {
    const res = await this.table.updateEntity({ partitionKey: batchPartition(row.batchId), rowKey: row.recipientKey, ...toColumns(patch) }, "Merge", { etag });
    return res.etag!;
  }

  /** Deletes the row if it is still as read (`etag`). False when someone changed it since; true when it is gone. */
  async remove(row: Pick<DeliveryRow, "batchId" | "recipientKey" | "etag">): Promise<boolean> {
    try {
      await this.table.deleteEntity(batchPartition(row.batchId), row.recipientKey, { etag: row.etag });
      return true;
    } catch (e) {
      if (isNotFound(e)) return true;
      if (isPreconditionFailed(e)) return false;
      throw e;
    }
  }

  /**
   * Keeps the row (its state, channel and times: what the counts read) but not whom it was for:
   * the recipient becomes a placeholder (erasedRecipient), the chat ids go, `params` replaces the
   * params, and the row moves to a row key that names nobody (the old key holds the address or
   * the Teams identity). First a conditional Merge on the ETag read claims the row and records the
   * new key; then one transaction deletes the old key and creates the new one. The transaction's
   * delete cannot carry an ETag, which is why the claim comes first: a second eraser, or one
   * finishing after a crash, moves it to the same key, and its create collides and changes nothing.
   * Returns false when the row changed since it was read (read it again), true when it is done.
   */
  async anonymise(row: DeliveryRow, params: Record<string, unknown>): Promise<boolean> {
    const pk = batchPartition(row.batchId);
    const recipient = erasedRecipient(row.recipient);
    let movedTo = row.movedTo;
    if (!movedTo) {
      movedTo = key("x", randomUUID());
      try {
        await this.table.updateEntity({ partitionKey: pk, rowKey: row.recipientKey, movedTo, recipient: JSON.stringify(recipient), activityId: "", conversationId: "" }, "Merge", { etag: row.etag });
      } catch (e) {
        if (isNotFound(e)) return true;
        if (isPreconditionFailed(e)) return false;
        throw e;
      }
    }
    const { etag: _etag, movedTo: _moved, activityId: _activity, conversationId: _conversation, ...kept } = row;
    try {
      await this.table.submitTransaction([
        ["delete", { partitionKey: pk, rowKey: row.recipientKey }],
        ["create", { partitionKey: pk, rowKey: movedTo, ...toColumns({ ...kept, recipientKey: movedTo, recipient, params }) }],
      ]);
    } catch (e) {
      // Moved already (by a second eraser), or the old row is gone: nothing left to do.
      if (!isBatchConflict(e) && !isNotFound(e) && !/ResourceNotFound|EntityAlreadyExists/.test(messageOf(e))) throw e;
    }
    return true;
  }

  /** Every row of the batch. */
  list(batchId: string): Promise<DeliveryRow[]> {
    return this.query(odata`PartitionKey eq ${batchPartition(batchId)}`);
  }

  /** Rows to work on at `nowIso`: pending and due, sending with an expired lease, or a failure notice still to enqueue. */
  due(batchId: string, nowIso: string): Promise<DeliveryRow[]> {
    return this.query(
      odata`PartitionKey eq ${batchPartition(batchId)} and ((state eq 'pending' and notBefore le ${nowIso}) or (state eq 'sending' and leaseUntil le ${nowIso}) or notice eq 'due')`,
    );
  }

  /** Rows not finished yet: what keeps a batch's dispatch job alive. */
  open(batchId: string): Promise<DeliveryRow[]> {
    return this.query(odata`PartitionKey eq ${batchPartition(batchId)} and (state eq 'pending' or state eq 'sending' or notice eq 'due')`);
  }

  private async query(filter: string): Promise<DeliveryRow[]> {
    const out: DeliveryRow[] = [];
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      const row = fromEntity(e);
      if (row) out.push(row);
    }
    return out;
  }
}
