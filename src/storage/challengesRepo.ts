import { isOneOf } from "../oneOf";
import { odata, type TableClient, type TransactionAction } from "@azure/data-tables";
import { z } from "zod/v4";
import type { TableStore } from "./tableStore";
import { isNotFound } from "./errors";
import { key, splitKey } from "./keys";
import { headerSchema, type AccessRow, type ReturnHeader, type ReturnRole } from "./returnsRepo";
import { decodeSummary, moderatedCell, panelActionCell, SUMMARY_ROW, type DecodedSummary } from "./summaryRow";

/**
 * A challenge panel's work on one return lives in the return's own partition (docs/panels.md), so
 * a challenge (its thread row, the moderated rating, an agreed action and their reporting cells)
 * is one transaction, and one query reads everything one indicator's card shows:
 *   mod|<indicator>              the moderated rating (beside the agency's own, never replacing it)
 *   chl|<indicator>|<at><rand>   the conversation: one row per challenge or answer, who and when,
 *                                created and never changed
 *   act|p.<indicator>.<stamp>    an action agreed at the panel (docs/actions.md)
 */

const text = z.string().catch("");
export const THREAD_KINDS = ["challenge", "reply", "accepted", "updated"] as const;
export type ThreadKind = (typeof THREAD_KINDS)[number];

export interface ThreadEntry {
  rowKey: string;
  kind: ThreadKind;
  comment: string;
  moderatedRating: string;
  actionId: string;
  panelId: string;
  by: string;
  byTenant: string;
  byAad: string;
  role: "panel" | "lead";
  at: string;
}

export interface IndicatorPanelState {
  partitionKey: string;
  header: ReturnHeader;
  summary?: DecodedSummary;
  access: AccessRow[];
  answer?: { rating: string; evidence: string; naReason: string; actionText: string; actionOwner: string; actionDue: string; updatedAt: string; updatedBy: string };
  moderated?: { rating: string; panelId: string; by: string; at: string; etag: string };
  thread: ThreadEntry[];
  panelActions: Array<{ actionId: string; text: string; owner: string; due: string; status: string }>;
}

const rolesOf = (v: unknown) => String(v ?? "").split(",").filter((r): r is ReturnRole => r === "lead" || r === "officer");

export class ChallengesRepo {
  private readonly table: TableClient;
  constructor(store: TableStore) {
    this.table = store.table("Returns");
  }

  /** Everything one indicator's panel card (or the lead's answer card) shows, in one query. */
  async loadIndicator(pk: string, indicatorId: string): Promise<IndicatorPanelState | undefined> {
    const ans = key("ans", indicatorId);
    const mod = key("mod", indicatorId);
    const chlLo = key("chl", indicatorId) + "|";
    const chlHi = key("chl", indicatorId) + "}";
    const actLo = key("act", `p.${indicatorId}.`);
    // "/" sorts just after "." (and is never in a stored key: keys encode it), so this bounds the prefix.
    const actHi = actLo.slice(0, -1) + "/";
    const filter = odata`PartitionKey eq ${pk} and (RowKey eq 'header' or RowKey eq ${SUMMARY_ROW} or RowKey eq ${ans} or RowKey eq ${mod} or (RowKey ge 'acc|' and RowKey lt 'acc}') or (RowKey gt ${chlLo} and RowKey lt ${chlHi}) or (RowKey ge ${actLo} and RowKey lt ${actHi}))`;
    let state: Partial<IndicatorPanelState> & { access: AccessRow[]; thread: ThreadEntry[]; panelActions: IndicatorPanelState["panelActions"] } = { partitionKey: pk, access: [], thread: [], panelActions: [] };
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      const rk = e.rowKey!;
      if (rk === "header") {
        const h = headerSchema.safeParse(e);
        if (h.success) state.header = h.data;
      } else if (rk === SUMMARY_ROW) state.summary = decodeSummary(e);
      else if (rk === ans) state.answer = { rating: text.parse(e.rating), evidence: text.parse(e.evidence), naReason: text.parse(e.naReason), actionText: text.parse(e.actionText), actionOwner: text.parse(e.actionOwner), actionDue: text.parse(e.actionDue), updatedAt: text.parse(e.updatedAt), updatedBy: text.parse(e.updatedBy) };
      else if (rk === mod) state.moderated = { rating: text.parse(e.rating), panelId: text.parse(e.panelId), by: text.parse(e.by), at: text.parse(e.at), etag: e.etag };
      else if (rk.startsWith("acc|")) {
        const [, tenantId, aadObjectId] = splitKey(rk);
        state.access.push({ tenantId, aadObjectId, name: text.parse(e.name), roles: rolesOf(e.roles) });
      } else if (rk.startsWith("chl|")) {
        const kind: ThreadKind = isOneOf(THREAD_KINDS, e.kind) ? e.kind : "reply";
        state.thread.push({ rowKey: rk, kind, comment: text.parse(e.comment), moderatedRating: text.parse(e.moderatedRating), actionId: text.parse(e.actionId), panelId: text.parse(e.panelId), by: text.parse(e.by), byTenant: text.parse(e.byTenant), byAad: text.parse(e.byAad), role: e.role === "lead" ? "lead" : "panel", at: text.parse(e.at) });
      } else if (rk.startsWith("act|") && e.indicatorId === indicatorId) {
        state.panelActions.push({ actionId: splitKey(rk)[1], text: text.parse(e.text), owner: text.parse(e.owner), due: text.parse(e.due), status: e.status === "done" ? "done" : "open" });
      }
    }
    if (!state.header) return undefined;
    state.thread.sort((a, b) => a.at.localeCompare(b.at) || a.rowKey.localeCompare(b.rowKey));
    return state as IndicatorPanelState;
  }

  /**
   * A challenge or an answer: one transaction. The thread row is created; a moderated rating is
   * written on the ETag it was read with (or created when there was none), so two members moderating
   * at once cannot overwrite each other unseen; an agreed action is created; the summary row gets
   * their reporting cells in the same request.
   */
  async record(pk: string, indicatorId: string, entry: Omit<ThreadEntry, "rowKey">, extra: { moderate?: { rating: string; etag?: string }; action?: { actionId: string; text: string; owner: string; due: string }; once?: string }): Promise<string> {
    const rowKey = key("chl", indicatorId, `${entry.at}${Math.random().toString(36).slice(2, 6)}`);
    const ops: TransactionAction[] = [["create", { partitionKey: pk, rowKey, ...entry }]];
    // The card's own send id, created with the entry: the same card sent twice (a double click) fails the whole transaction.
    if (extra.once) ops.push(["create", { partitionKey: pk, rowKey: key("sent", extra.once), entry: rowKey }]);
    const summary: Record<string, string> = {};
    if (extra.moderate) {
      const cols = { partitionKey: pk, rowKey: key("mod", indicatorId), rating: extra.moderate.rating, panelId: entry.panelId, by: entry.by, byKey: `${entry.byTenant}:${entry.byAad}`, at: entry.at };
      ops.push(extra.moderate.etag ? ["update", cols, "Replace", { etag: extra.moderate.etag }] : ["create", cols]);
      Object.assign(summary, moderatedCell(indicatorId, extra.moderate.rating, entry.panelId, entry.at));
    }
    if (extra.action) {
      const a = extra.action;
      ops.push(["create", { partitionKey: pk, rowKey: key("act", a.actionId), indicatorId, text: a.text, owner: a.owner, due: a.due, status: "open", whatWasDone: "", closedAt: "", closedBy: "", panelId: entry.panelId, createdAt: entry.at, createdBy: entry.by }]);
      Object.assign(summary, panelActionCell(a.actionId, { indicatorId, due: a.due, status: "open" }));
    }
    if (Object.keys(summary).length) ops.push(["upsert", { partitionKey: pk, rowKey: SUMMARY_ROW, ...summary }, "Merge"]);
    await this.table.submitTransaction(ops);
    return rowKey;
  }

  /** Whether a card with this send id was already recorded (see record's `once`). */
  async wasSent(pk: string, once: string): Promise<boolean> {
    try {
      await this.table.getEntity(pk, key("sent", once), { queryOptions: { select: ["RowKey"] } });
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  /** The challenged indicators of a return, with the conversation's last entry (who spoke last): the lead's list. */
  async challenged(pk: string): Promise<Array<{ indicatorId: string; last: ThreadEntry; count: number }>> {
    const by = new Map<string, { indicatorId: string; last: ThreadEntry; count: number }>();
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${pk} and RowKey gt 'chl|' and RowKey lt 'chl}'` } })) {
      const [, indicatorId] = splitKey(e.rowKey!);
      const entry: ThreadEntry = { rowKey: e.rowKey!, kind: isOneOf(THREAD_KINDS, e.kind) ? e.kind : "reply", comment: text.parse(e.comment), moderatedRating: text.parse(e.moderatedRating), actionId: text.parse(e.actionId), panelId: text.parse(e.panelId), by: text.parse(e.by), byTenant: text.parse(e.byTenant), byAad: text.parse(e.byAad), role: e.role === "lead" ? "lead" : "panel", at: text.parse(e.at) };
      const cur = by.get(indicatorId);
      if (!cur) by.set(indicatorId, { indicatorId, last: entry, count: 1 });
      else {
        cur.count++;
        if (entry.at > cur.last.at) cur.last = entry;
      }
    }
    return [...by.values()];
  }

  /**
   * What a panel's export needs of one return beyond its summary row, in one query: the moderated
   * ratings (who, when) and the actions agreed at panels (text, owner, due, status, which panel).
   */
  async panelRecord(pk: string): Promise<{ moderated: Map<string, { rating: string; by: string; at: string; panelId: string }>; actions: Array<{ actionId: string; indicatorId: string; text: string; owner: string; due: string; status: "open" | "done"; panelId: string }> }> {
    const moderated = new Map<string, { rating: string; by: string; at: string; panelId: string }>();
    const actions: Array<{ actionId: string; indicatorId: string; text: string; owner: string; due: string; status: "open" | "done"; panelId: string }> = [];
    const actLo = key("act", "p.");
    const actHi = actLo.slice(0, -1) + "/";
    const filter = odata`PartitionKey eq ${pk} and ((RowKey ge ${actLo} and RowKey lt ${actHi}) or (RowKey ge 'mod|' and RowKey lt 'mod}'))`;
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      const rk = e.rowKey!;
      if (rk.startsWith("mod|")) moderated.set(splitKey(rk)[1], { rating: text.parse(e.rating), by: text.parse(e.by), at: text.parse(e.at), panelId: text.parse(e.panelId) });
      else actions.push({ actionId: splitKey(rk)[1], indicatorId: text.parse(e.indicatorId), text: text.parse(e.text), owner: text.parse(e.owner), due: text.parse(e.due), status: e.status === "done" ? "done" : "open", panelId: text.parse(e.panelId) });
    }
    return { moderated, actions };
  }

  /** The header and summary rows of one return: a panel's card per agency (one query). */
  async headerAndSummary(pk: string): Promise<{ header: ReturnHeader; summary?: DecodedSummary } | undefined> {
    let header: ReturnHeader | undefined;
    let summary: DecodedSummary | undefined;
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${pk} and (RowKey eq 'header' or RowKey eq ${SUMMARY_ROW})` } })) {
      if (e.rowKey === "header") {
        const h = headerSchema.safeParse(e);
        if (h.success) header = h.data;
      } else summary = decodeSummary(e);
    }
    return header ? { header, summary } : undefined;
  }
}
