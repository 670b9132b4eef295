import { createHash } from "node:crypto";
import { odata, type TableClient, type TableEntityResult, type TransactionAction } from "@azure/data-tables";
import { z } from "zod/v4";
import type { TableStore } from "./tableStore";
import { key, splitKey } from "./keys";
import { isNotFound } from "./errors";
import type { Principal } from "./principal";
import { answerCell, submissionCells, SUMMARY_ROW } from "./summaryRow";

/**
 * One Section 11 return (one agency, one cycle) is one partition, so every change of its state can
 * be one atomic transaction. Rows:
 *   header                      status, sign-off trail, counters
 *   acc|<tenant>|<object>       who may work on this return (mirrors Grants), so that one partition
 *                               read both authorises and loads a step
 *   ans|<indicator>             the agency's current answer
 *   hist|<indicator>|<time><r>  one row per saved change: the whole answer after it, who and when
 *   dec|<request number>        the decision on a sign-off request (approved, sent back, withdrawn):
 *                               created, never updated, so two decisions on one request collide
 *   snap|<nnnn>|header, snap|<nnnn>|<chunk>   immutable copy of each signed-off submission
 *                               (submission 1 is the baseline, "first submission")
 * Values here are stored strings; the Section 11 feature gives them meaning.
 */

export const RETURN_STATUSES = ["draft", "awaiting_signoff", "submitted"] as const;
export type ReturnStatus = (typeof RETURN_STATUSES)[number];
export type ReturnRole = "lead" | "officer";

const iso = z.string().catch("");
const text = z.string().catch("");
export const headerSchema = z.object({
  cycleId: z.string(),
  agencyId: z.string(),
  agencyName: z.string(),
  sector: z.string().catch("other"),
  templateId: z.string(),
  templateVersion: z.number().int(),
  status: z.enum(RETURN_STATUSES).catch("draft"),
  createdAt: iso,
  /** Sign-off requests made so far; the current one is this number. */
  requestSeq: z.number().int().catch(0).default(0),
  signoffRequestedAt: iso.optional(),
  signoffRequestedBy: text.optional(),
  signoffRequestedByKey: text.optional(),
  substituteContact: text.optional(),
  sentBackAt: iso.optional(),
  sentBackBy: text.optional(),
  sentBackComment: text.optional(),
  /** Why a pending request ended without a decision (the cycle closed). */
  withdrawnAt: iso.optional(),
  withdrawnReason: text.optional(),
  firstSubmittedAt: iso.optional(),
  lastSubmittedAt: iso.optional(),
  submittedBy: text.optional(),
  signedOffBy: text.optional(),
  signedOffByKey: text.optional(),
  submissionCount: z.number().int().catch(0),
  /** Set once answers of the previous cycle were carried into this return (or there were none to carry). */
  carriedFrom: text.optional(),
  carriedCount: z.number().int().catch(0).optional(),
});
export type ReturnHeader = z.infer<typeof headerSchema>;

/** A new, empty return's header: the one shape both opening a cycle and carrying forward start from. */
export function newReturnHeader(cycle: { cycleId: string; templateId: string; templateVersion: number }, agency: { agencyId: string; name: string; sector: ReturnHeader["sector"] }, createdAt: string): ReturnHeader {
  return {
    cycleId: cycle.cycleId,
    agencyId: agency.agencyId,
    agencyName: agency.name,
    sector: agency.sector,
    templateId: cycle.templateId,
    templateVersion: cycle.templateVersion,
    status: "draft",
    createdAt,
    requestSeq: 0,
    submissionCount: 0,
  };
}

/** The answer columns as stored ("" = not given). */
export interface AnswerColumns {
  rating: string;
  evidence: string;
  naReason: string;
  actionText: string;
  actionOwner: string;
  actionDue: string;
}

const answerColumnsSchema = z.object({ rating: text, evidence: text, naReason: text, actionText: text, actionOwner: text, actionDue: text });

export interface StoredAnswer extends AnswerColumns {
  indicatorId: string;
  /** The cycle this answer was carried forward from, until the lead confirms or changes it ("" otherwise). */
  carriedFrom?: string;
  etag: string;
  updatedAt: string;
  updatedBy: string;
  updatedByKey: string;
}

export interface HistoryEntry extends AnswerColumns {
  at: string;
  by: string;
  byKey: string;
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

export interface Snapshot {
  number: number;
  at: string;
  signedOffBy: string;
  signedOffByKey: string;
  requestedBy: string;
  version: string;
  answers: Map<string, AnswerColumns & { updatedAt: string; updatedBy: string }>;
}

export type Decision = "approved" | "sent_back" | "withdrawn";

export const returnPartition = (cycleId: string, agencyId: string) => key(cycleId, agencyId);
const ANS = "ans";
const ACC = "acc";
const HIST = "hist";
const DEC = "dec";
const SNAP = "snap";
/** Answers per snapshot row: ten answers at their limits stay far under Azure's 1 MB per entity. */
const SNAP_CHUNK = 10;

const accessKey = (p: Principal) => key(ACC, p.tenantId.toLowerCase(), p.aadObjectId.toLowerCase());
const snapNo = (n: number) => String(n).padStart(4, "0");
const historyKey = (indicatorId: string, now: string) => key(HIST, indicatorId, `${now}${Math.random().toString(36).slice(2, 6)}`);

export function answerColumns(a: AnswerColumns): AnswerColumns {
  return { rating: a.rating, evidence: a.evidence, naReason: a.naReason, actionText: a.actionText, actionOwner: a.actionOwner, actionDue: a.actionDue };
}

function toStoredAnswer(e: TableEntityResult<Record<string, unknown>>): StoredAnswer {
  return {
    ...answerColumnsSchema.parse(e),
    indicatorId: splitKey(e.rowKey!)[1],
    carriedFrom: typeof e.carriedFrom === "string" ? e.carriedFrom : "",
    etag: e.etag,
    updatedAt: typeof e.updatedAt === "string" ? e.updatedAt : "",
    updatedBy: typeof e.updatedBy === "string" ? e.updatedBy : "",
    updatedByKey: typeof e.updatedByKey === "string" ? e.updatedByKey : "",
  };
}

const rolesOf = (v: unknown) => String(v ?? "").split(",").filter((r): r is ReturnRole => r === "lead" || r === "officer");

/**
 * What a person signs: the header and every answer exactly as read. Any save, decision or request
 * changes an ETag and so the version.
 */
export function returnVersion(loaded: Pick<LoadedReturn, "headerEtag" | "answers">): string {
  const h = createHash("sha256").update(loaded.headerEtag);
  for (const id of [...loaded.answers.keys()].sort()) h.update(`\n${id}=${loaded.answers.get(id)!.etag}`);
  return h.digest("base64url").slice(0, 22);
}

export class ReturnsRepo {
  private readonly table: TableClient;
  constructor(store: TableStore) {
    this.table = store.table("Returns");
  }

  /**
   * Creates the header, an empty row per indicator and the access rows, in one transaction when
   * they fit in one (the usual case); otherwise the answer and access rows first and the header
   * last, so a return is only visible once whole. False when the return already exists.
   */
  async create(header: ReturnHeader, indicatorIds: string[], access: Array<Principal & { name: string; roles: ReturnRole[] }>): Promise<boolean> {
    const pk = returnPartition(header.cycleId, header.agencyId);
    const empty = { rating: "", evidence: "", naReason: "", actionText: "", actionOwner: "", actionDue: "", updatedAt: "", updatedBy: "", updatedByKey: "" };
    const body: TransactionAction[] = [
      ...indicatorIds.map((id): TransactionAction => ["upsert", { partitionKey: pk, rowKey: key(ANS, id), ...empty }, "Replace"]),
      ...access.filter((a) => a.roles.length).map((a): TransactionAction => ["upsert", { partitionKey: pk, rowKey: accessKey(a), name: a.name, roles: a.roles.join(",") }, "Replace"]),
    ];
    const headerAction: TransactionAction = ["create", { partitionKey: pk, rowKey: "header", ...header }];
    try {
      if (body.length + 1 <= 100) {
        await this.table.submitTransaction([headerAction, ...body]);
      } else {
        if (await this.exists(pk)) return false;
        for (let i = 0; i < body.length; i += 100) await this.table.submitTransaction(body.slice(i, i + 100));
        await this.table.submitTransaction([headerAction]);
      }
      return true;
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 409) return false;
      throw e;
    }
  }

  private async exists(pk: string): Promise<boolean> {
    try {
      await this.table.getEntity(pk, "header", { queryOptions: { select: ["RowKey"] } });
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  /** Everything a step needs, in one request: header, access rows and answers (no history, no snapshots). */
  async load(pk: string): Promise<LoadedReturn | undefined> {
    let header: ReturnHeader | undefined;
    let headerEtag = "";
    const answers = new Map<string, StoredAnswer>();
    const access: AccessRow[] = [];
    const rows = this.table.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${pk} and ((RowKey ge 'acc|' and RowKey lt 'ans}') or RowKey eq 'header')` },
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
        access.push({ tenantId, aadObjectId, name: String(e.name ?? ""), roles: rolesOf(e.roles) });
      }
    }
    return header ? { partitionKey: pk, header, headerEtag, answers, access } : undefined;
  }

  /** The header and one person's access row: what authorising a save needs, in one request. */
  async loadAccess(pk: string, person: Principal): Promise<{ header: ReturnHeader; roles: ReturnRole[] } | undefined> {
    const accKey = accessKey(person);
    let header: ReturnHeader | undefined;
    let roles: ReturnRole[] = [];
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${pk} and (RowKey eq 'header' or RowKey eq ${accKey})` } })) {
      if (e.rowKey === "header") header = headerSchema.parse(e);
      else roles = rolesOf(e.roles);
    }
    return header ? { header, roles } : undefined;
  }

  async getAnswer(pk: string, indicatorId: string): Promise<StoredAnswer | undefined> {
    try {
      return toStoredAnswer(await this.table.getEntity<Record<string, unknown>>(pk, key(ANS, indicatorId)));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /**
   * A save: one transaction that updates the answer only if it is still the version the card was
   * drawn from (its ETag), and adds the history row. A 412 means someone changed it meanwhile; a
   * 404 that the row does not exist. Returns the answer's new ETag.
   */
  async saveAnswer(pk: string, indicatorId: string, etag: string, answer: AnswerColumns, who: { name: string; key: string }, now: string): Promise<string> {
    const cols = answerColumns(answer);
    const res = await this.table.submitTransaction([
      // Any save (a confirmation included) clears the carried-forward flag.
      ["update", { partitionKey: pk, rowKey: key(ANS, indicatorId), ...cols, carriedFrom: "", updatedAt: now, updatedBy: who.name, updatedByKey: who.key }, "Merge", { etag }],
      ["create", { partitionKey: pk, rowKey: historyKey(indicatorId, now), ...cols, at: now, by: who.name, byKey: who.key }],
      // Reporting's copy of this answer (see summaryRow.ts): one more operation, no extra request.
      ["upsert", { partitionKey: pk, rowKey: SUMMARY_ROW, ...answerCell(indicatorId, cols, now) }, "Merge"],
    ]);
    const rk = key(ANS, indicatorId);
    return res.subResponses.find((r) => r.rowKey === rk)?.etag ?? res.subResponses[0]?.etag ?? "";
  }

  /** Every saved change of one indicator, oldest first. */
  async history(pk: string, indicatorId: string): Promise<HistoryEntry[]> {
    const lo = key(HIST, indicatorId) + "|";
    const hi = key(HIST, indicatorId) + "}";
    const out: HistoryEntry[] = [];
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${pk} and RowKey gt ${lo} and RowKey lt ${hi}` } })) {
      out.push({ ...answerColumnsSchema.parse(e), at: text.parse(e.at), by: text.parse(e.by), byKey: text.parse(e.byKey) });
    }
    return out.sort((a, b) => a.at.localeCompare(b.at));
  }

  /** A change of the header alone, conditional on the ETag it was read with. */
  async updateHeader(pk: string, patch: Partial<ReturnHeader>, etag: string): Promise<string> {
    return (await this.table.updateEntity({ partitionKey: pk, rowKey: "header", ...patch }, "Merge", { etag })).etag!;
  }

  /**
   * A decision on sign-off request `loaded.header.requestSeq`, in one transaction, all conditional
   * on what was read: the header (its ETag), the decision row (created: a second decision on the
   * same request collides even if the header condition were not enforced), and, for an approval,
   * every answer (touched with its ETag, so a save that slipped in after the read fails the whole
   * transaction) plus the snapshot of what was signed.
   */
  async decide(loaded: LoadedReturn, d: { decision: Decision; by: string; byKey: string; at: string; version: string; patch: Partial<ReturnHeader>; snapshot?: { number: number } }): Promise<void> {
    const pk = loaded.partitionKey;
    const seq = loaded.header.requestSeq;
    const actions: TransactionAction[] = [
      ["update", { partitionKey: pk, rowKey: "header", ...d.patch }, "Merge", { etag: loaded.headerEtag }],
      ["create", { partitionKey: pk, rowKey: key(DEC, String(seq).padStart(6, "0")), decision: d.decision, by: d.by, byKey: d.byKey, at: d.at, version: d.version }],
    ];
    if (d.snapshot) {
      const n = snapNo(d.snapshot.number);
      const answers = [...loaded.answers.values()];
      actions.push(["create", { partitionKey: pk, rowKey: key(SNAP, n, "header"), ...loaded.header, ...d.patch, snapshotNumber: d.snapshot.number, version: d.version, requestSeq: seq }]);
      for (let i = 0; i < answers.length; i += SNAP_CHUNK) {
        const cols: Record<string, string> = {};
        answers.slice(i, i + SNAP_CHUNK).forEach((a, j) => {
          cols[`a${j}`] = JSON.stringify({ indicatorId: a.indicatorId, ...answerColumns(a), updatedAt: a.updatedAt, updatedBy: a.updatedBy });
        });
        actions.push(["create", { partitionKey: pk, rowKey: key(SNAP, n, `c${String(i / SNAP_CHUNK).padStart(3, "0")}`), ...cols }]);
      }
      for (const a of answers) actions.push(["update", { partitionKey: pk, rowKey: key(ANS, a.indicatorId) }, "Merge", { etag: a.etag }]);
      actions.push(["upsert", { partitionKey: pk, rowKey: SUMMARY_ROW, ...submissionCells(d.snapshot.number, answers) }, "Merge"]);
    }
    if (actions.length > 100) throw new Error(`A decision needs ${actions.length} operations; a transaction holds 100 (template too large)`);
    await this.table.submitTransaction(actions);
  }

  /** Signed-off submissions, oldest first (number 1 is the first submission). */
  async snapshots(pk: string, only?: number): Promise<Snapshot[]> {
    const prefix = only ? key(SNAP, snapNo(only)) + "|" : `${SNAP}|`;
    const hi = prefix.slice(0, -1) + "}";
    const byNo = new Map<number, Snapshot>();
    const get = (n: number) => {
      let s = byNo.get(n);
      if (!s) byNo.set(n, (s = { number: n, at: "", signedOffBy: "", signedOffByKey: "", requestedBy: "", version: "", answers: new Map() }));
      return s;
    };
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${pk} and RowKey ge ${prefix} and RowKey lt ${hi}` } })) {
      const [, no, part] = splitKey(e.rowKey!);
      const s = get(Number(no));
      if (part === "header") {
        s.at = text.parse(e.lastSubmittedAt);
        s.signedOffBy = text.parse(e.signedOffBy);
        s.signedOffByKey = text.parse(e.signedOffByKey);
        s.requestedBy = text.parse(e.signoffRequestedBy);
        s.version = text.parse(e.version);
        continue;
      }
      for (const [k, v] of Object.entries(e)) {
        if (!/^a\d+$/.test(k) || typeof v !== "string") continue;
        try {
          const parsed = z.object({ indicatorId: z.string(), updatedAt: text, updatedBy: text }).and(answerColumnsSchema).parse(JSON.parse(v));
          s.answers.set(parsed.indicatorId, parsed);
        } catch {
          // A damaged cell is left out rather than failing the read; the export keeps rows verbatim.
        }
      }
    }
    return [...byNo.values()].sort((a, b) => a.number - b.number);
  }

  async upsertAccess(pk: string, person: Principal & { name: string }, roles: ReturnRole[]): Promise<void> {
    await this.table.upsertEntity({ partitionKey: pk, rowKey: accessKey(person), name: person.name, roles: roles.join(",") }, "Replace");
  }

  async removeAccess(pk: string, person: Principal): Promise<void> {
    try {
      await this.table.deleteEntity(pk, accessKey(person));
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** Header rows of every return in a cycle: the business manager's status view. */
  async listHeaders(cycleId: string): Promise<Array<ReturnHeader & { partitionKey: string; etag: string }>> {
    const lo = key(cycleId) + "|";
    const hi = key(cycleId) + "}";
    const out: Array<ReturnHeader & { partitionKey: string; etag: string }> = [];
    const rows = this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey ge ${lo} and PartitionKey lt ${hi} and RowKey eq 'header'` } });
    for await (const e of rows) out.push({ ...headerSchema.parse(e), partitionKey: e.partitionKey!, etag: e.etag });
    return out;
  }

  /** Every answer row of a cycle in one scan, for status, digests and exports. */
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

