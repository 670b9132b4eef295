import { odata, type TableClient, type TableEntityResult, type TransactionAction } from "@azure/data-tables";
import { z } from "zod/v4";
import type { TableStore } from "./tableStore";
import { key, splitKey } from "./keys";
import { storedAnswerSchema, type Answer } from "../section11/answer";
import type { Principal } from "./principal";

/**
 * One Section 11 return (one agency, one cycle) is one partition, so submission can be a single
 * atomic transaction. Rows:
 *   header                  status and sign-off trail
 *   ans|<indicator>         the agency's current answer
 *   acc|<tenant>|<object>   who may work on this return (mirrors Grants) so that one partition
 *                           read both authorises and loads a step
 *   first|header, first|ans|<indicator>   immutable copy of the first submission
 */

export const RETURN_STATUSES = ["draft", "awaiting_signoff", "submitted"] as const;
export type ReturnStatus = (typeof RETURN_STATUSES)[number];
export type ReturnRole = "lead" | "officer";

const iso = z.string().catch("");
export const headerSchema = z.object({
  cycleId: z.string(),
  agencyId: z.string(),
  agencyName: z.string(),
  sector: z.string().catch("other"),
  templateId: z.string(),
  templateVersion: z.number().int(),
  status: z.enum(RETURN_STATUSES).catch("draft"),
  createdAt: iso,
  signoffRequestedAt: iso.optional(),
  signoffRequestedBy: z.string().optional(),
  substituteContact: z.string().optional(),
  sentBackAt: iso.optional(),
  sentBackBy: z.string().optional(),
  sentBackComment: z.string().optional(),
  firstSubmittedAt: iso.optional(),
  lastSubmittedAt: iso.optional(),
  submittedBy: z.string().optional(),
  signedOffBy: z.string().optional(),
  submissionCount: z.number().int().catch(0),
});
export type ReturnHeader = z.infer<typeof headerSchema>;

export type AnswerHistory = Array<{ at: string; by: string; rating?: string }>;

export interface StoredAnswer extends Answer {
  indicatorId: string;
  etag: string;
  updatedAt: string;
  updatedBy: string;
  updatedByKey: string;
  history: AnswerHistory;
  /** How many history columns the row holds (history shows only the latest). */
  historyCount: number;
}

export interface AccessRow {
  tenantId: string;
  aadObjectId: string;
  name: string;
  roles: ReturnRole[];
}

export interface LoadedReturn {
  partitionKey: string;
  header: ReturnHeader;
  headerEtag: string;
  answers: Map<string, StoredAnswer>;
  access: AccessRow[];
}

export const returnPartition = (cycleId: string, agencyId: string) => key(cycleId, agencyId);
const ANS = "ans";
const ACC = "acc";
const HISTORY_SHOWN = 20;
/**
 * Each change adds one history column (`h<timestamp><random>`) through a Merge, so a save needs
 * no read of the previous row. An entity holds at most 252 properties: past this many history
 * columns a save first trims the oldest (see updateAnswer).
 */
export const HISTORY_TRIM_AT = 200;
/** One column per saved change: `h<17 digits of time><4 random>`, JSON {at, by, rating}. */
export const HISTORY_COLUMN = /^h\d{17}[a-z0-9]{4}$/;
const historyColumn = (now: string) => `h${now.replace(/\D/g, "").slice(0, 17).padEnd(17, "0")}${Math.random().toString(36).slice(2, 6).padEnd(4, "0")}`;

function readHistory(e: Record<string, unknown>): AnswerHistory {
  const out: AnswerHistory = [];
  for (const [k, v] of Object.entries(e)) {
    if (!HISTORY_COLUMN.test(k) || typeof v !== "string") continue;
    try {
      const h = JSON.parse(v) as { at?: unknown; by?: unknown; rating?: unknown };
      out.push({ at: String(h.at ?? ""), by: String(h.by ?? ""), rating: typeof h.rating === "string" ? h.rating : undefined });
    } catch {
      // A malformed history entry is skipped, never fatal.
    }
  }
  return out.sort((a, b) => b.at.localeCompare(a.at));
}

function toStoredAnswer(e: TableEntityResult<Record<string, unknown>>): StoredAnswer {
  const a = storedAnswerSchema.parse(e);
  return {
    ...a,
    indicatorId: splitKey(e.rowKey!)[1],
    etag: e.etag,
    updatedAt: typeof e.updatedAt === "string" ? e.updatedAt : "",
    updatedBy: typeof e.updatedBy === "string" ? e.updatedBy : "",
    updatedByKey: typeof e.updatedByKey === "string" ? e.updatedByKey : "",
    history: readHistory(e).slice(0, HISTORY_SHOWN),
    historyCount: Object.keys(e).filter((k) => HISTORY_COLUMN.test(k)).length,
  };
}

function answerColumns(a: Answer) {
  return { rating: a.rating ?? "", evidence: a.evidence, naReason: a.naReason, actionText: a.actionText, actionOwner: a.actionOwner, actionDue: a.actionDue };
}

export class ReturnsRepo {
  private readonly table: TableClient;
  constructor(store: TableStore) {
    this.table = store.table("Returns");
  }

  /** Creates header and empty answer rows in one transaction; false when the return already exists. */
  async create(header: ReturnHeader, indicatorIds: string[]): Promise<boolean> {
    const pk = returnPartition(header.cycleId, header.agencyId);
    const actions: TransactionAction[] = [
      ["create", { partitionKey: pk, rowKey: "header", ...header }],
      ...indicatorIds.map((id): TransactionAction => ["create", { partitionKey: pk, rowKey: key(ANS, id), rating: "", evidence: "", naReason: "", actionText: "", actionOwner: "", actionDue: "", updatedAt: "", updatedBy: "", updatedByKey: "" }]),
    ];
    try {
      await this.table.submitTransaction(actions);
      return true;
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 409) return false;
      throw e;
    }
  }

  /** Everything a step needs, in one request: header, answers and access rows (not the first-submission copy). */
  async load(pk: string): Promise<LoadedReturn | undefined> {
    let header: ReturnHeader | undefined;
    let headerEtag = "";
    const answers = new Map<string, StoredAnswer>();
    const access: AccessRow[] = [];
    const rows = this.table.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${pk} and (RowKey lt 'first' or RowKey ge 'g')` },
    });
    for await (const e of rows) {
      const rk = e.rowKey!;
      if (rk === "header") {
        header = headerSchema.parse(e);
        headerEtag = e.etag;
      } else if (rk.startsWith(`${ANS}|`)) {
        const a = toStoredAnswer(e);
        answers.set(a.indicatorId, a);
      } else if (rk.startsWith(`${ACC}|`)) {
        const [, tenantId, aadObjectId] = splitKey(rk);
        access.push({ tenantId, aadObjectId, name: String(e.name ?? ""), roles: String(e.roles ?? "").split(",").filter(Boolean) as ReturnRole[] });
      }
    }
    return header ? { partitionKey: pk, header, headerEtag, answers, access } : undefined;
  }

  /**
   * The whole save: one conditional Merge, with no read of the previous row. Throws a 412 error
   * when someone else changed the answer since the card was drawn (its ETag), 404 when the row
   * does not exist.
   */
  async updateAnswer(pk: string, previous: Pick<StoredAnswer, "indicatorId" | "etag"> & { historyCount?: number }, answer: Answer, who: { name: string; key: string }, now: string): Promise<string> {
    const rowKey = key(ANS, previous.indicatorId);
    const entity = { partitionKey: pk, rowKey, ...answerColumns(answer), updatedAt: now, updatedBy: who.name, updatedByKey: who.key, [historyColumn(now)]: JSON.stringify({ at: now, by: who.name, rating: answer.rating ?? "" }) };
    // The caller knows roughly how long the history is (the card says so): trim before it nears the limit.
    const etag = (previous.historyCount ?? 0) >= HISTORY_TRIM_AT ? await this.trimHistory(pk, rowKey, previous.etag) : previous.etag;
    try {
      return (await this.table.updateEntity(entity, "Merge", { etag })).etag!;
    } catch (e) {
      const status = (e as { statusCode?: number }).statusCode;
      if (status !== 400) throw e;
      // Too many properties: drop the oldest history columns (conditionally, so a newer answer is still detected) and save again.
      const trimmed = await this.trimHistory(pk, rowKey, etag);
      return (await this.table.updateEntity(entity, "Merge", { etag: trimmed })).etag!;
    }
  }

  private async trimHistory(pk: string, rowKey: string, etag: string): Promise<string> {
    const row = await this.table.getEntity<Record<string, unknown>>(pk, rowKey);
    if (row.etag !== etag) throw Object.assign(new Error("answer changed"), { statusCode: 412 });
    const history = Object.keys(row).filter((k) => HISTORY_COLUMN.test(k)).sort();
    const drop = new Set(history.slice(0, Math.max(0, history.length - HISTORY_TRIM_AT / 2)));
    const kept = Object.fromEntries(Object.entries(row).filter(([k]) => !drop.has(k) && !["etag", "timestamp", "odata.metadata"].includes(k)));
    return (await this.table.updateEntity({ ...kept, partitionKey: pk, rowKey }, "Replace", { etag })).etag!;
  }

  /** One answer row by point read. */
  async getAnswer(pk: string, indicatorId: string): Promise<StoredAnswer | undefined> {
    try {
      return toStoredAnswer(await this.table.getEntity<Record<string, unknown>>(pk, key(ANS, indicatorId)));
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) return undefined;
      throw e;
    }
  }

  /** The header and one person's access row: what authorising a step needs, in one request. */
  async loadAccess(pk: string, person: Principal): Promise<{ header: ReturnHeader; roles: ReturnRole[] } | undefined> {
    const accKey = key(ACC, person.tenantId.toLowerCase(), person.aadObjectId.toLowerCase());
    let header: ReturnHeader | undefined;
    let roles: ReturnRole[] = [];
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${pk} and (RowKey eq 'header' or RowKey eq ${accKey})` } })) {
      if (e.rowKey === "header") header = headerSchema.parse(e);
      else roles = String(e.roles ?? "").split(",").filter(Boolean) as ReturnRole[];
    }
    return header ? { header, roles } : undefined;
  }

  async updateHeader(pk: string, patch: Partial<ReturnHeader>, etag: string): Promise<string> {
    const res = await this.table.updateEntity({ partitionKey: pk, rowKey: "header", ...patch }, "Merge", { etag });
    return res.etag!;
  }

  /**
   * Submission is one transaction: the header flips to submitted and, the first time, an
   * immutable copy of every answer is created. A second submit of the same first submission
   * collides on the copy's `create` and the whole transaction fails: a double click cannot
   * submit twice or overwrite the copy.
   */
  async submit(loaded: LoadedReturn, patch: Partial<ReturnHeader>, isFirst: boolean): Promise<void> {
    const pk = loaded.partitionKey;
    const actions: TransactionAction[] = [["update", { partitionKey: pk, rowKey: "header", ...patch }, "Merge", loaded.headerEtag] as TransactionAction];
    if (isFirst) {
      actions.push(["create", { partitionKey: pk, rowKey: "first|header", ...loaded.header, ...patch }]);
      for (const a of loaded.answers.values()) {
        actions.push(["create", { partitionKey: pk, rowKey: key("first", ANS, a.indicatorId), ...answerColumns(a), updatedAt: a.updatedAt, updatedBy: a.updatedBy }]);
      }
    }
    await this.table.submitTransaction(actions);
  }

  async loadFirstSubmission(pk: string): Promise<Map<string, Answer> | undefined> {
    const out = new Map<string, Answer>();
    let found = false;
    const rows = this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${pk} and RowKey ge 'first|' and RowKey lt 'first}'` } });
    for await (const e of rows) {
      if (e.rowKey === "first|header") { found = true; continue; }
      const a = storedAnswerSchema.parse(e);
      out.set(splitKey(e.rowKey!)[2], a);
    }
    return found ? out : undefined;
  }

  async upsertAccess(pk: string, person: Principal & { name: string }, roles: ReturnRole[]): Promise<void> {
    await this.table.upsertEntity({ partitionKey: pk, rowKey: key(ACC, person.tenantId.toLowerCase(), person.aadObjectId.toLowerCase()), name: person.name, roles: roles.join(",") }, "Replace");
  }

  async removeAccess(pk: string, person: Principal): Promise<void> {
    try {
      await this.table.deleteEntity(pk, key(ACC, person.tenantId.toLowerCase(), person.aadObjectId.toLowerCase()));
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode !== 404) throw e;
    }
  }

  /** Header rows of every return in a cycle: a business manager's status view. */
  async listHeaders(cycleId: string): Promise<Array<ReturnHeader & { partitionKey: string }>> {
    const lo = key(cycleId) + "|";
    const hi = key(cycleId) + "}";
    const out: Array<ReturnHeader & { partitionKey: string }> = [];
    const rows = this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey ge ${lo} and PartitionKey lt ${hi} and RowKey eq 'header'` } });
    for await (const e of rows) out.push({ ...headerSchema.parse(e), partitionKey: e.partitionKey! });
    return out;
  }

  /** Every answer row of a cycle in one scan, for digests and exports. */
  async listAnswers(cycleId: string): Promise<Map<string, StoredAnswer[]>> {
    const lo = key(cycleId) + "|";
    const hi = key(cycleId) + "}";
    const out = new Map<string, StoredAnswer[]>();
    const rows = this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey ge ${lo} and PartitionKey lt ${hi} and RowKey ge 'ans|' and RowKey lt 'ans}'` } });
    for await (const e of rows) {
      const list = out.get(e.partitionKey!) ?? [];
      list.push(toStoredAnswer(e));
      out.set(e.partitionKey!, list);
    }
    return out;
  }
}
