import { odata, type TableClient } from "@azure/data-tables";
import { z } from "zod/v4";
import type { TableStore } from "./tableStore";
import { key } from "./keys";
import { isConflict, isNotFound } from "./errors";
import type { Principal } from "./principal";

/**
 * Challenge panels (docs/panels.md). Table `Panels`:
 *   PK "panel",                    RK <panelId>   the panel: name, date, cycle, agencies, members
 *   PK m|<tenant>|<object>,        RK <panelId>   one row per member: the right that every press
 *                                                 checks (a point read by tenant id + object id)
 * A panel is created whole: member rows first, the panel row last (created, never overwritten),
 * so a panel is visible only once every member's right exists; a retry completes it.
 */

export interface PanelMember extends Principal {
  name: string;
  email: string;
}

export interface Panel {
  panelId: string;
  name: string;
  /** yyyy-mm-dd: when the panel meets. */
  date: string;
  cycleId: string;
  agencyIds: string[];
  members: PanelMember[];
  createdAt: string;
  createdBy: string;
}

const PANEL_PK = "panel";
const memberPk = (p: Principal) => key("m", p.tenantId.toLowerCase(), p.aadObjectId.toLowerCase());
const text = z.string().catch("");
const memberSchema = z.object({ tenantId: z.string(), aadObjectId: z.string(), name: text, email: text });
const jsonList = <T extends z.ZodType>(item: T) => z.string().transform((s, ctx) => {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    ctx.addIssue({ code: "custom", message: "not JSON" });
    return z.NEVER;
  }
}).pipe(z.array(item)).catch([]);

const panelSchema = z.object({
  rowKey: z.string(),
  name: text,
  date: text,
  cycleId: text,
  agencyIds: jsonList(z.string()),
  members: jsonList(memberSchema),
  createdAt: text,
  createdBy: text,
});

const toPanel = (e: Record<string, unknown>): Panel => {
  const p = panelSchema.parse(e);
  return { panelId: p.rowKey, name: p.name, date: p.date, cycleId: p.cycleId, agencyIds: p.agencyIds, members: p.members, createdAt: p.createdAt, createdBy: p.createdBy };
};

export class PanelsRepo {
  private readonly table: TableClient;
  constructor(store: TableStore) {
    this.table = store.table("Panels");
  }

  /** False when a panel with this id exists already. */
  async create(p: Panel): Promise<boolean> {
    for (const m of p.members) await this.table.upsertEntity({ partitionKey: memberPk(m), rowKey: p.panelId, panelName: p.name, cycleId: p.cycleId }, "Replace");
    try {
      await this.table.createEntity({ partitionKey: PANEL_PK, rowKey: p.panelId, name: p.name, date: p.date, cycleId: p.cycleId, agencyIds: JSON.stringify(p.agencyIds), members: JSON.stringify(p.members), createdAt: p.createdAt, createdBy: p.createdBy });
      return true;
    } catch (e) {
      if (isConflict(e)) return false;
      throw e;
    }
  }

  async get(panelId: string): Promise<Panel | undefined> {
    try {
      return toPanel(await this.table.getEntity<Record<string, unknown>>(PANEL_PK, panelId));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async list(): Promise<Panel[]> {
    const out: Panel[] = [];
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${PANEL_PK}` } })) out.push(toPanel(e));
    return out.sort((a, b) => b.date.localeCompare(a.date) || a.name.localeCompare(b.name));
  }

  /** The member right of this person on this panel: one point read. */
  async isMember(p: Principal, panelId: string): Promise<boolean> {
    try {
      await this.table.getEntity(memberPk(p), panelId, { queryOptions: { select: ["RowKey"] } });
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  /** The panels this person sits on (their own partition). */
  async panelIdsOf(p: Principal): Promise<string[]> {
    const out: string[] = [];
    for await (const e of this.table.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${memberPk(p)}`, select: ["RowKey"] } })) out.push(e.rowKey!);
    return out;
  }
}
