import { odata, type TableClient } from "@azure/data-tables";
import { z } from "zod/v4";
import type { TableStore } from "./tableStore";
import { isConflict, isNotFound, isPreconditionFailed } from "./errors";
import { key } from "./keys";
import type { Principal } from "./principal";

/**
 * The digest feature's rows, in one table:
 *   PK "reg", RK <team>|<channel>             a registered channel: partnerships, schedule, sections
 *   PK d|<team>|<channel>, RK <period>        a digest as composed for one period (what was posted)
 *   PK x|<tenant>|<object>, RK <grant id>     an export a channel member asked for, to be picked up in their 1:1 chat
 * Periods are "yyyy-mm-dd" (scheduled) or "yyyy-mm-ddThh:mm" (asked for), UK time, so they sort in time order.
 */

export const SECTIONS = ["returns", "standards", "attention", "training"] as const;
export type DigestSection = (typeof SECTIONS)[number];

export const registrationSchema = z.object({
  teamId: z.string(),
  channelId: z.string(),
  tenantId: z.string(),
  /** As Teams last named them on the channel's own activity, by someone of the channel's tenant ("" until known). */
  teamName: z.string().catch(""),
  channelName: z.string().catch(""),
  partnerships: z.array(z.string()),
  frequency: z.enum(["weekly", "monthly"]).catch("weekly"),
  /** 1 = Monday ... 7 = Sunday (weekly). */
  weekday: z.number().int().min(1).max(7).catch(1),
  /** 1-28 (monthly): every month has it. */
  monthDay: z.number().int().min(1).max(28).catch(1),
  /** "HH:MM", UK time. */
  time: z.string().regex(/^\d{2}:\d{2}$/).catch("09:00"),
  sections: z.array(z.enum(SECTIONS)),
  paused: z.boolean().catch(false),
  registeredBy: z.object({ tenantId: z.string(), aadObjectId: z.string() }),
  registeredByName: z.string().catch(""),
  createdAt: z.string().catch(""),
  updatedAt: z.string().catch(""),
});
export type Registration = z.infer<typeof registrationSchema>;

const list = (v: unknown) => String(v ?? "").split("\n").filter(Boolean);

function toEntity(r: Registration) {
  const { registeredBy, partnerships, sections, ...rest } = r;
  return { partitionKey: "reg", rowKey: key(r.teamId, r.channelId), ...rest, partnerships: partnerships.join("\n"), sections: sections.join("\n"), byTenantId: registeredBy.tenantId, byObjectId: registeredBy.aadObjectId };
}

function fromEntity(e: Record<string, unknown>): Registration | undefined {
  const parsed = registrationSchema.safeParse({ ...e, partnerships: list(e.partnerships), sections: list(e.sections).filter((s) => (SECTIONS as readonly string[]).includes(s)), registeredBy: { tenantId: e.byTenantId, aadObjectId: e.byObjectId } });
  return parsed.success ? parsed.data : undefined;
}

export interface RecordSummary {
  period: string;
  at: string;
  nowPct: number;
  firstPct: number;
  submitted: number;
  overdueActions: number;
  overdueAgencies: number;
  /** The cycle its figures were of ("" for a digest stored before this was kept, or with no cycle). */
  cycleId?: string;
}

const CHUNK = 30_000;

export class DigestsRepo {
  private readonly table: TableClient;
  constructor(store: TableStore) {
    this.table = store.table("Digests");
  }

  async getRegistration(teamId: string, channelId: string): Promise<{ reg: Registration; etag: string } | undefined> {
    try {
      const e = await this.table.getEntity<Record<string, unknown>>("reg", key(teamId, channelId));
      const reg = fromEntity(e);
      return reg ? { reg, etag: e.etag } : undefined;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async listRegistrations(): Promise<Registration[]> {
    const out: Registration[] = [];
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq 'reg'` } })) {
      const r = fromEntity(e);
      if (r) out.push(r);
    }
    return out;
  }

  /** Creates (no etag: false if it exists) or replaces on the ETag read (false if it changed meanwhile). */
  async putRegistration(r: Registration, etag?: string): Promise<boolean> {
    try {
      if (etag) await this.table.updateEntity(toEntity(r), "Replace", { etag });
      else await this.table.createEntity(toEntity(r));
      return true;
    } catch (e) {
      if (isConflict(e) || isPreconditionFailed(e) || isNotFound(e)) return false;
      throw e;
    }
  }

  async deleteRegistration(teamId: string, channelId: string, etag: string): Promise<boolean> {
    try {
      await this.table.deleteEntity("reg", key(teamId, channelId), { etag });
      return true;
    } catch (e) {
      if (isNotFound(e) || isPreconditionFailed(e)) return false;
      throw e;
    }
  }

  /** Stores a composed digest unless one exists for the period; returns the one stored (ours or the earlier one). */
  async createRecord(teamId: string, channelId: string, period: string, summary: Omit<RecordSummary, "period">, body: string): Promise<{ created: boolean; body: string }> {
    const cols: Record<string, string | number> = { ...summary, chunks: Math.ceil(body.length / CHUNK) };
    for (let i = 0; i * CHUNK < body.length; i++) cols[`c${i}`] = body.slice(i * CHUNK, (i + 1) * CHUNK);
    try {
      await this.table.createEntity({ partitionKey: key("d", teamId, channelId), rowKey: period, ...cols });
      return { created: true, body };
    } catch (e) {
      if (!isConflict(e)) throw e;
      const existing = await this.getRecord(teamId, channelId, period);
      return { created: false, body: existing ?? body };
    }
  }

  async getRecord(teamId: string, channelId: string, period: string): Promise<string | undefined> {
    try {
      const e = await this.table.getEntity<Record<string, unknown>>(key("d", teamId, channelId), period);
      let body = "";
      for (let i = 0; i < Number(e.chunks ?? 0); i++) body += String(e[`c${i}`] ?? "");
      return body;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** The small columns of the digests since `from` (period text), oldest first: the trend and "since the last digest". */
  async recentRecords(teamId: string, channelId: string, from: string): Promise<RecordSummary[]> {
    const out: RecordSummary[] = [];
    const filter = odata`PartitionKey eq ${key("d", teamId, channelId)} and RowKey ge ${from}`;
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter, select: ["RowKey", "at", "nowPct", "firstPct", "submitted", "overdueActions", "overdueAgencies", "cycleId"] } })) {
      out.push({ period: e.rowKey!, at: String(e.at ?? ""), nowPct: Number(e.nowPct ?? 0), firstPct: Number(e.firstPct ?? 0), submitted: Number(e.submitted ?? 0), overdueActions: Number(e.overdueActions ?? 0), overdueAgencies: Number(e.overdueAgencies ?? 0), cycleId: String(e.cycleId ?? "") });
    }
    return out.sort((a, b) => a.period.localeCompare(b.period));
  }

  async putExportGrant(p: Principal, grantId: string, g: { teamId: string; channelId: string; expiresAt: string }): Promise<void> {
    await this.table.upsertEntity({ partitionKey: key("x", p.tenantId.toLowerCase(), p.aadObjectId.toLowerCase()), rowKey: grantId, ...g }, "Replace");
  }

  /** Only the person it was made for can read it: the key is theirs. */
  async getExportGrant(p: Principal, grantId: string): Promise<{ teamId: string; channelId: string; expiresAt: string } | undefined> {
    try {
      const e = await this.table.getEntity<Record<string, unknown>>(key("x", p.tenantId.toLowerCase(), p.aadObjectId.toLowerCase()), grantId);
      return { teamId: String(e.teamId), channelId: String(e.channelId), expiresAt: String(e.expiresAt) };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }
}
