import { odata, type TableClient, type TransactionAction } from "@azure/data-tables";
import { z } from "zod/v4";
import type { TableStore } from "./tableStore";
import { isBatchConflict, isConflict } from "./errors";
import { key } from "./keys";
import { DELIVERY_CHANNELS, DELIVERY_STATES, recipientSchema, type DeliveryRow } from "../delivery/types";

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
