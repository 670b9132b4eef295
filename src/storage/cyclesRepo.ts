import { type TableClient } from "@azure/data-tables";
import { z } from "zod/v4";
import type { TableStore } from "./tableStore";
import { isConflict, isNotFound } from "./errors";

export const cycleSchema = z.object({
  cycleId: z.string(),
  name: z.string(),
  /** ISO date: the last day returns are due. */
  deadline: z.string(),
  templateId: z.string(),
  templateVersion: z.number().int(),
  partnerships: z.array(z.string()),
  status: z.enum(["open", "closed"]).catch("open"),
  createdAt: z.string().catch(""),
  createdBy: z.string().catch(""),
  closedAt: z.string().catch("").default(""),
  closedBy: z.string().catch("").default(""),
  /** Days before the deadline on which leads of agencies that have not submitted are reminded (docs/deadlines.md). */
  reminderDays: z.unknown().transform((v) => parseStoredDays(v)),
  /** When the cycle-wide deadline was last set (reminders planned before then are not sent late). */
  deadlineSetAt: z.string().catch("").default(""),
  /** The cycle whose answers were carried forward into this one (docs/cycles.md). */
  carriedFrom: z.string().catch("").default(""),
});
export type Cycle = Omit<z.infer<typeof cycleSchema>, "closedAt" | "closedBy" | "reminderDays" | "deadlineSetAt" | "carriedFrom"> & {
  closedAt?: string;
  closedBy?: string;
  reminderDays?: number[];
  deadlineSetAt?: string;
  carriedFrom?: string;
};

export const DEFAULT_REMINDER_DAYS = [14, 7, 1];

/** Stored as "14,7,1"; a cycle stored before reminders existed gets the default. */
function parseStoredDays(v: unknown): number[] {
  if (typeof v !== "string") return [...DEFAULT_REMINDER_DAYS];
  if (v === "none") return [];
  const days = v.split(",").map((x) => Number(x)).filter((n) => Number.isInteger(n) && n >= 0 && n <= 365);
  return days.length ? [...new Set(days)].sort((a, b) => b - a) : [...DEFAULT_REMINDER_DAYS];
}
const storedDays = (days: number[] | undefined) => (days ? (days.length ? days.join(",") : "none") : DEFAULT_REMINDER_DAYS.join(","));

const PK = "cycle";

export class CyclesRepo {
  private readonly table: TableClient;
  constructor(store: TableStore) {
    this.table = store.table("Cycles");
  }

  private static fromEntity(e: Record<string, unknown>): Cycle {
    return cycleSchema.parse({ ...e, cycleId: e.rowKey, partnerships: String(e.partnerships ?? "").split("\n").filter(Boolean) });
  }

  async create(c: Cycle): Promise<boolean> {
    try {
      await this.table.createEntity({ partitionKey: PK, rowKey: c.cycleId, name: c.name, deadline: c.deadline, templateId: c.templateId, templateVersion: c.templateVersion, partnerships: c.partnerships.join("\n"), status: c.status, createdAt: c.createdAt, createdBy: c.createdBy, reminderDays: storedDays(c.reminderDays), deadlineSetAt: c.deadlineSetAt || c.createdAt, carriedFrom: c.carriedFrom ?? "" });
      return true;
    } catch (e) {
      if (isConflict(e)) return false;
      throw e;
    }
  }

  async get(cycleId: string): Promise<Cycle | undefined> {
    return (await this.getWithEtag(cycleId))?.cycle;
  }

  async getWithEtag(cycleId: string): Promise<{ cycle: Cycle; etag: string } | undefined> {
    try {
      const e = await this.table.getEntity<Record<string, unknown>>(PK, cycleId);
      return { cycle: CyclesRepo.fromEntity(e), etag: e.etag };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** Opens or closes a cycle, conditional on the version read. */
  async setStatus(cycleId: string, etag: string, patch: { status: "open" | "closed"; closedAt: string; closedBy: string }): Promise<void> {
    await this.table.updateEntity({ partitionKey: PK, rowKey: cycleId, ...patch }, "Merge", { etag });
  }

  /** A new cycle-wide deadline, or new reminder days, conditional on the version read. */
  async setDeadline(cycleId: string, etag: string, patch: { deadline?: string; deadlineSetAt?: string; reminderDays?: number[] }): Promise<string> {
    const { reminderDays, ...rest } = patch;
    const res = await this.table.updateEntity({ partitionKey: PK, rowKey: cycleId, ...rest, ...(reminderDays ? { reminderDays: storedDays(reminderDays) } : {}) }, "Merge", { etag });
    return res.etag ?? "";
  }

  async list(): Promise<Cycle[]> {
    const out: Cycle[] = [];
    for await (const e of this.table.listEntities<Record<string, unknown>>()) out.push(CyclesRepo.fromEntity(e));
    return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** Open cycles, newest first; an agency normally has one. */
  async listOpen(): Promise<Cycle[]> {
    return (await this.list()).filter((c) => c.status === "open");
  }
}
