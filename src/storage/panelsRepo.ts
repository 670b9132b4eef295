import { odata, type TableClient } from "@azure/data-tables";
import { z } from "zod/v4";
import type { TableStore } from "./tableStore";
import { key } from "./keys";
import { isConflict, isNotFound, isPreconditionFailed } from "./errors";
import type { Principal } from "./principal";
import { normaliseEmail } from "./peopleRepo";

/**
 * Challenge panels (docs/panels.md). Table `Panels`:
 *   PK "panel",                    RK <panelId>   the panel: name, date, cycle, agencies, members
 *   PK m|<tenant>|<object>,        RK <panelId>   one row per member: the right that every press
 *                                                 checks (a point read by tenant id + object id)
 *   PK e|<email>,                  RK <panelId>   a member added by e-mail who has not talked to the
 *                                                 bot yet: found when they first do (linking), and
 *                                                 where a refused attempt from another organisation
 *                                                 is noted. Grants nothing.
 * A panel is created whole: member rows first, the panel row last (created, never overwritten),
 * so a panel is visible only once every member's right exists; a retry completes it.
 */

/** A member: linked (tenant + object id) or, until their first contact, only their e-mail (tenant and object id empty). */
export interface PanelMember extends Principal {
  name: string;
  email: string;
}

/** A member added by e-mail who has not yet talked to the bot holds no identity and no right. */
export const isLinkedMember = (m: PanelMember) => !!(m.tenantId && m.aadObjectId);

/** The last refused attempt to link a waiting member (someone from another organisation reporting the address). */
export interface RefusedPanelLink {
  tenantId: string;
  upn: string;
  at: string;
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
const waitingPk = (email: string) => key("e", normaliseEmail(email));
/** The row that stands for a member: their right when linked, the wait on their e-mail otherwise. */
const rowOf = (m: PanelMember) => (isLinkedMember(m) ? memberPk(m) : waitingPk(m.email));
const refusedSchema = z.object({ tenantId: z.string(), upn: z.string().catch(""), at: z.string().catch("") });
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
  /** A member's row: their right (linked), or the wait on their e-mail, keeping a refused attempt already noted. */
  private async putRow(m: PanelMember, p: Pick<Panel, "panelId" | "name" | "cycleId">): Promise<void> {
    await this.table.upsertEntity({ partitionKey: rowOf(m), rowKey: p.panelId, panelName: p.name, cycleId: p.cycleId }, "Merge");
  }

  async create(p: Panel): Promise<boolean> {
    for (const m of p.members) await this.putRow(m, p);
    try {
      await this.table.createEntity({ partitionKey: PANEL_PK, rowKey: p.panelId, name: p.name, date: p.date, cycleId: p.cycleId, agencyIds: JSON.stringify(p.agencyIds), members: JSON.stringify(p.members), createdAt: p.createdAt, createdBy: p.createdBy });
      return true;
    } catch (e) {
      if (isConflict(e)) return false;
      throw e;
    }
  }

  async getWithEtag(panelId: string): Promise<{ panel: Panel; etag: string } | undefined> {
    try {
      const e = await this.table.getEntity<Record<string, unknown>>(PANEL_PK, panelId);
      return { panel: toPanel(e), etag: e.etag };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /**
   * A changed panel: rows for new members, then the panel row on its ETag (false when it changed
   * meanwhile), then the removed members' rows deleted. A member's right is their row and their
   * place on the list, so a removal counts from the panel row; a crash before the deletes leaves
   * rows that grant nothing, and saving again deletes them.
   */
  async update(p: Panel, before: PanelMember[], etag: string): Promise<boolean> {
    for (const m of p.members) await this.putRow(m, p);
    try {
      await this.table.updateEntity({ partitionKey: PANEL_PK, rowKey: p.panelId, name: p.name, date: p.date, cycleId: p.cycleId, agencyIds: JSON.stringify(p.agencyIds), members: JSON.stringify(p.members) }, "Merge", { etag });
    } catch (e) {
      if (isPreconditionFailed(e)) return false;
      throw e;
    }
    const keep = new Set(p.members.map(rowOf));
    for (const m of before) if (!keep.has(rowOf(m))) await this.deleteIfThere(rowOf(m), p.panelId);
    return true;
  }

  private async deleteIfThere(pk: string, rk: string): Promise<void> {
    try {
      await this.table.deleteEntity(pk, rk);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** The panels waiting for this e-mail address's first contact, with when each wait was written. */
  async waitingFor(email: string): Promise<Array<{ panelId: string; writtenAt: string }>> {
    const out: Array<{ panelId: string; writtenAt: string }> = [];
    for await (const e of this.table.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${waitingPk(email)}`, select: ["RowKey", "Timestamp"] } })) out.push({ panelId: e.rowKey!, writtenAt: String(e.timestamp ?? "") });
    return out;
  }

  /** The last refused attempt to link a waiting member, if any: a point read. */
  async refusedLink(email: string, panelId: string): Promise<RefusedPanelLink | undefined> {
    try {
      const e = await this.table.getEntity<{ refusedLink?: string }>(waitingPk(email), panelId);
      const parsed = refusedSchema.safeParse(JSON.parse(e.refusedLink || "null"));
      return parsed.success ? parsed.data : undefined;
    } catch (e) {
      if (isNotFound(e) || e instanceof SyntaxError) return undefined;
      throw e;
    }
  }

  /** Someone from an organisation that may not hold this address reported it: noted for the admin, nothing granted. */
  async noteRefusedLink(email: string, panelId: string, refused: RefusedPanelLink): Promise<void> {
    try {
      await this.table.updateEntity({ partitionKey: waitingPk(email), rowKey: panelId, refusedLink: JSON.stringify(refused) }, "Merge");
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /**
   * Linking step 1: the member's right row. It grants nothing until the panel lists them (step 2),
   * so writing it before is safe, and a link that stops here is completed on their next message.
   */
  async putMemberRight(m: PanelMember, p: Pick<Panel, "panelId" | "name" | "cycleId">): Promise<void> {
    if (isLinkedMember(m)) await this.putRow(m, p);
  }

  /** Linking step 2: the panel's list with the waiting member replaced by their identity, on the ETag it was read with (false when it changed). */
  async replaceMembers(panelId: string, members: PanelMember[], etag: string): Promise<boolean> {
    try {
      await this.table.updateEntity({ partitionKey: PANEL_PK, rowKey: panelId, members: JSON.stringify(members) }, "Merge", { etag });
      return true;
    } catch (e) {
      if (isPreconditionFailed(e) || isNotFound(e)) return false;
      throw e;
    }
  }

  /** Linking step 3 (or cleanup): the wait on an e-mail, or a right the panel does not list. */
  async deleteWaiting(email: string, panelId: string): Promise<void> {
    await this.deleteIfThere(waitingPk(email), panelId);
  }

  async deleteMemberRight(p: Principal, panelId: string): Promise<void> {
    await this.deleteIfThere(memberPk(p), panelId);
  }

  /**
   * Deletes a panel: the panel row first, on the ETag it was read with (false when it changed or
   * is gone), which ends every member's right at once (a right is the member row and the panel's
   * list); then the members' rows and waits. Rows a crash leaves behind grant nothing, and are
   * removed when met (a member's `panels`, a waiting member's first contact).
   */
  async delete(p: Panel, etag: string): Promise<boolean> {
    try {
      await this.table.deleteEntity(PANEL_PK, p.panelId, { etag });
    } catch (e) {
      if (isPreconditionFailed(e) || isNotFound(e)) return false;
      throw e;
    }
    for (const m of p.members) await this.deleteIfThere(rowOf(m), p.panelId);
    return true;
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

  /** The panels this person sits on (their own partition), with when each right row was written. */
  async panelIdsOf(p: Principal): Promise<string[]> {
    return (await this.rightsOf(p)).map((r) => r.panelId);
  }

  async rightsOf(p: Principal): Promise<Array<{ panelId: string; writtenAt: string }>> {
    const out: Array<{ panelId: string; writtenAt: string }> = [];
    for await (const e of this.table.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${memberPk(p)}`, select: ["RowKey", "Timestamp"] } })) out.push({ panelId: e.rowKey!, writtenAt: String(e.timestamp ?? "") });
    return out;
  }
}

/**
 * A right or wait row whose panel row is missing is either left by a delete that stopped part-way
 * (garbage) or written by a create still under way (rows first, panel row last): only rows older
 * than this are cleaned up when met.
 */
export const ORPHAN_AFTER_MS = 60 * 60 * 1000;
export const isOrphanAge = (writtenAt: string, now: Date) => !!writtenAt && !Number.isNaN(Date.parse(writtenAt)) && now.getTime() - Date.parse(writtenAt) > ORPHAN_AFTER_MS;
