import { odata, type TableClient } from "@azure/data-tables";
import { z } from "zod/v4";
import type { TableStore } from "./tableStore";
import { isConflict, isNotFound } from "./errors";
import { encodeKeyPart } from "./keys";

/**
 * Scheduled work. Jobs are few (one per batch, session, cycle or channel, never one per message),
 * so they all live in one partition and "what is due" is one filtered query over it:
 *   (state = pending and dueAt <= now) or (state = running and leaseUntil <= now)
 * Times are ISO strings (always `toISOString()`, so they compare as text).
 */
export const JOB_STATES = ["pending", "running", "failed"] as const;
export type JobState = (typeof JOB_STATES)[number];

const PK = "job";

const jobSchema = z.object({
  id: z.string(),
  kind: z.string(),
  dueAt: z.string(),
  payload: z.string().catch("{}"),
  state: z.enum(JOB_STATES).catch("pending"),
  attempts: z.number().int().catch(0),
  leaseUntil: z.string().catch(""),
  leaseOwner: z.string().catch(""),
  lastError: z.string().catch(""),
  updatedAt: z.string().catch(""),
});
export type JobRow = z.infer<typeof jobSchema> & { etag: string };
export type JobPatch = Partial<Omit<JobRow, "id" | "etag">>;

const rowKey = (id: string) => encodeKeyPart(id);

export class JobsRepo {
  private readonly table: TableClient;
  constructor(store: TableStore) {
    this.table = store.table("Jobs");
  }

  async get(id: string): Promise<JobRow | undefined> {
    try {
      const e = await this.table.getEntity<Record<string, unknown>>(PK, rowKey(id));
      return { ...jobSchema.parse(e), etag: e.etag };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** False when a job with this id exists. */
  async create(job: Omit<JobRow, "etag">): Promise<boolean> {
    try {
      await this.table.createEntity({ partitionKey: PK, rowKey: rowKey(job.id), ...job });
      return true;
    } catch (e) {
      if (isConflict(e)) return false;
      throw e;
    }
  }

  /** Conditional Merge: throws a 412 error when the job changed since `etag`, 404 when it is gone. */
  async update(id: string, patch: JobPatch, etag: string): Promise<string> {
    const res = await this.table.updateEntity({ partitionKey: PK, rowKey: rowKey(id), ...patch }, "Merge", { etag });
    return res.etag!;
  }

  /** Conditional delete when `etag` is given; false when the job was already gone. */
  async delete(id: string, etag?: string): Promise<boolean> {
    try {
      await this.table.deleteEntity(PK, rowKey(id), etag ? { etag } : undefined);
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  async due(nowIso: string, limit: number): Promise<JobRow[]> {
    const out: JobRow[] = [];
    const filter = odata`PartitionKey eq ${PK} and ((state eq 'pending' and dueAt le ${nowIso}) or (state eq 'running' and leaseUntil le ${nowIso}))`;
    for await (const page of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } }).byPage({ maxPageSize: limit })) {
      for (const e of page) {
        const parsed = jobSchema.safeParse(e);
        if (parsed.success) out.push({ ...parsed.data, etag: e.etag });
      }
      break;
    }
    return out.sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  }

  /** Every job (diagnostics and tests). */
  async all(): Promise<JobRow[]> {
    const out: JobRow[] = [];
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${PK}` } })) {
      const parsed = jobSchema.safeParse(e);
      if (parsed.success) out.push({ ...parsed.data, etag: e.etag });
    }
    return out;
  }
}
