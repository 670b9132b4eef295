import { odata, type TableClient, type TransactionAction } from "@azure/data-tables";
import { z } from "zod/v4";
import type { TableStore } from "./tableStore";
import { key, splitKey } from "./keys";
import { headerSchema, returnPartition, type AccessRow, type ReturnHeader, type ReturnRole } from "./returnsRepo";
import { SUMMARY_ROW, actionDoneCell, panelActionCell } from "./summaryRow";

/**
 * Actions live in their return's partition (one agency, one cycle), beside the answers they come
 * from, so closing one is a single transaction with the reporting copy in the summary row:
 *   act|s.<indicator>   the self-assessment action's state (its text, owner and due date stay on
 *                       the answer row); written only when it is closed, for the due date it had
 *   act|p.<indicator>.<stamp>   an action agreed at a challenge panel: text, owner, due, state
 * One range query (RowKey from 'acc|' to 'ans}') reads the access rows, the action rows and the
 * answers of a return, or of every return of a cycle: what the lists, the reminders and their
 * send-time checks need, in one request per 1,000 rows.
 */

const text = z.string().catch("");
export const ACTION_ID = /^[sp]\.[A-Za-z0-9._-]{1,80}$/;
export const ACTION_STATUSES = ["open", "done"] as const;

export interface ActionRow {
  actionId: string;
  source: "self" | "panel";
  indicatorId: string;
  text: string;
  owner: string;
  due: string;
  status: "open" | "done";
  evidence: string;
  closedAt: string;
  closedBy: string;
  /** Self-assessment actions: the due date the action had when it was closed (a new due date is a new action). */
  closedForDue: string;
  createdAt: string;
  createdBy: string;
  panelId: string;
  etag: string;
}

/** The action fields of a stored answer: what a self-assessment action is. */
export interface AnswerActionColumns {
  indicatorId: string;
  rating: string;
  actionText: string;
  actionOwner: string;
  actionDue: string;
}

export interface ReturnActions {
  partitionKey: string;
  header: ReturnHeader;
  access: AccessRow[];
  answers: Map<string, AnswerActionColumns>;
  rows: Map<string, ActionRow>;
  /**
   * A return whose answers were carried forward from the previous cycle: the self-assessment
   * actions closed there (a carried answer keeps its action, so one closed for that due date stays done).
   */
  carriedClosures?: Map<string, ActionRow>;
}

const rolesOf = (v: unknown) => String(v ?? "").split(",").filter((r): r is ReturnRole => r === "lead" || r === "officer");

function actionOf(e: Record<string, unknown>, etag: string, actionId: string): ActionRow {
  return {
    actionId,
    source: actionId.startsWith("p.") ? "panel" : "self",
    indicatorId: text.parse(e.indicatorId),
    text: text.parse(e.text),
    owner: text.parse(e.owner),
    due: text.parse(e.due),
    status: e.status === "done" ? "done" : "open",
    evidence: text.parse(e.whatWasDone),
    closedAt: text.parse(e.closedAt),
    closedBy: text.parse(e.closedBy),
    closedForDue: text.parse(e.closedForDue),
    createdAt: text.parse(e.createdAt),
    createdBy: text.parse(e.createdBy),
    panelId: text.parse(e.panelId),
    etag,
  };
}

export class ActionsRepo {
  private readonly table: TableClient;
  constructor(store: TableStore) {
    this.table = store.table("Returns");
  }

  private absorb(byPk: Map<string, Partial<ReturnActions> & { access: AccessRow[]; answers: Map<string, AnswerActionColumns>; rows: Map<string, ActionRow> }>, e: Record<string, unknown> & { partitionKey?: string; rowKey?: string; etag: string }) {
    const pk = e.partitionKey!;
    let entry = byPk.get(pk);
    if (!entry) byPk.set(pk, (entry = { partitionKey: pk, access: [], answers: new Map(), rows: new Map() }));
    const rk = e.rowKey!;
    if (rk === "header") {
      const h = headerSchema.safeParse(e);
      if (h.success) entry.header = h.data;
    } else if (rk.startsWith("acc|")) {
      const [, tenantId, aadObjectId] = splitKey(rk);
      entry.access.push({ tenantId, aadObjectId, name: text.parse(e.name), roles: rolesOf(e.roles) });
    } else if (rk.startsWith("act|")) {
      const id = splitKey(rk)[1];
      entry.rows.set(id, actionOf(e, e.etag, id));
    } else if (rk.startsWith("ans|")) {
      const id = splitKey(rk)[1];
      entry.answers.set(id, { indicatorId: id, rating: text.parse(e.rating), actionText: text.parse(e.actionText), actionOwner: text.parse(e.actionOwner), actionDue: text.parse(e.actionDue) });
    }
  }

  private static done(byPk: Map<string, Partial<ReturnActions>>): ReturnActions[] {
    return [...byPk.values()].filter((v): v is ReturnActions => !!v.header);
  }

  /** One return: header, access rows, actions and answers in one query (and, for a carried-forward return, one more for the closures before it). */
  async forReturn(pk: string): Promise<ReturnActions | undefined> {
    const byPk = new Map();
    const filter = odata`PartitionKey eq ${pk} and ((RowKey ge 'acc|' and RowKey lt 'ans}') or RowKey eq 'header')`;
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter, select: SELECT } })) this.absorb(byPk, e);
    const r = ActionsRepo.done(byPk)[0];
    if (r?.header.carriedFrom) r.carriedClosures = (await this.selfClosures(odata`PartitionKey eq ${returnPartition(r.header.carriedFrom, r.header.agencyId)} and RowKey ge 'act|s.' and RowKey lt 'act|s/'`)).get(returnPartition(r.header.carriedFrom, r.header.agencyId));
    return r;
  }

  /** Every return of a cycle, the same rows: the admin's list, the export and the reminders' sweep (plus one query for closures in the cycle answers were carried from). */
  async forCycle(cycleId: string): Promise<ReturnActions[]> {
    const lo = key(cycleId) + "|";
    const hi = key(cycleId) + "}";
    const byPk = new Map();
    const filter = odata`PartitionKey ge ${lo} and PartitionKey lt ${hi} and ((RowKey ge 'acc|' and RowKey lt 'ans}') or RowKey eq 'header')`;
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter, select: SELECT } })) this.absorb(byPk, e);
    const list = ActionsRepo.done(byPk);
    for (const from of new Set(list.map((r) => r.header.carriedFrom).filter((c): c is string => !!c))) {
      const closures = await this.selfClosures(odata`PartitionKey ge ${key(from) + "|"} and PartitionKey lt ${key(from) + "}"} and RowKey ge 'act|s.' and RowKey lt 'act|s/'`);
      for (const r of list) if (r.header.carriedFrom === from) r.carriedClosures = closures.get(returnPartition(from, r.header.agencyId));
    }
    return list;
  }

  private async selfClosures(filter: string): Promise<Map<string, Map<string, ActionRow>>> {
    const out = new Map<string, Map<string, ActionRow>>();
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter, select: SELECT } })) {
      const id = splitKey(e.rowKey!)[1];
      const m = out.get(e.partitionKey!) ?? new Map<string, ActionRow>();
      m.set(id, actionOf(e, e.etag, id));
      out.set(e.partitionKey!, m);
    }
    return out;
  }

  /**
   * Closes an action with what was done, in one transaction with its reporting cell. A self
   * action's row is created (or, closed before for another due date, updated on its ETag); a
   * panel action's row is updated on its ETag. Two closes at once: one wins, the other gets 409/412.
   */
  async close(pk: string, a: { actionId: string; indicatorId: string; existingEtag?: string; due: string; evidence: string; by: string; byKey: string; at: string; source: "self" | "panel" }): Promise<void> {
    const rk = key("act", a.actionId);
    const cols = { indicatorId: a.indicatorId, status: "done", whatWasDone: a.evidence, closedAt: a.at, closedBy: a.by, closedByKey: a.byKey, ...(a.source === "self" ? { closedForDue: a.due } : {}) };
    const write: TransactionAction = a.existingEtag ? ["update", { partitionKey: pk, rowKey: rk, ...cols }, "Merge", { etag: a.existingEtag }] : ["create", { partitionKey: pk, rowKey: rk, ...cols, createdAt: a.at, createdBy: a.by }];
    const cell = a.source === "self" ? actionDoneCell(a.indicatorId, a.due, a.at) : panelActionCell(a.actionId, { indicatorId: a.indicatorId, due: a.due, status: "done" });
    await this.table.submitTransaction([write, ["upsert", { partitionKey: pk, rowKey: SUMMARY_ROW, ...cell }, "Merge"]]);
  }

  /** A new action agreed at a panel (created, never overwritten), with its reporting cell. */
  async createPanelAction(pk: string, a: { actionId: string; indicatorId: string; text: string; owner: string; due: string; panelId: string; by: string; byKey: string; at: string }, extra: TransactionAction[] = []): Promise<void> {
    await this.table.submitTransaction([
      ...extra,
      ["create", { partitionKey: pk, rowKey: key("act", a.actionId), indicatorId: a.indicatorId, text: a.text, owner: a.owner, due: a.due, status: "open", whatWasDone: "", closedAt: "", closedBy: "", panelId: a.panelId, createdAt: a.at, createdBy: a.by, createdByKey: a.byKey }],
      ["upsert", { partitionKey: pk, rowKey: SUMMARY_ROW, ...panelActionCell(a.actionId, { indicatorId: a.indicatorId, due: a.due, status: "open" }) }, "Merge"],
    ]);
  }
}

/** Only what actions need: never the evidence of answers (which can be 4,000 characters each). */
const SELECT = ["PartitionKey", "RowKey", "cycleId", "agencyId", "agencyName", "sector", "templateId", "templateVersion", "status", "createdAt", "requestSeq", "submissionCount", "firstSubmittedAt", "lastSubmittedAt", "name", "roles", "rating", "actionText", "actionOwner", "actionDue", "indicatorId", "text", "owner", "due", "whatWasDone", "closedAt", "closedBy", "closedForDue", "createdBy", "panelId", "carriedFrom"];
