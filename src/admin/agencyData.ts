import { odata, type TableClient, type TransactionAction } from "@azure/data-tables";
import { AgenciesRepo, agencyIdFor, type Agency } from "../storage/agenciesRepo";
import { CyclesRepo, type Cycle } from "../storage/cyclesRepo";
import { isNotFound } from "../storage/errors";
import { GrantsRepo, grantSchema, type Grant } from "../storage/grantsRepo";
import { key, splitKey } from "../storage/keys";
import { HISTORY_COLUMN, headerSchema, returnPartition, ReturnsRepo, type AccessRow, type ReturnHeader } from "../storage/returnsRepo";
import type { TableStore } from "../storage/tableStore";
import { storedAnswerSchema, type Rating } from "../section11/answer";

/**
 * Everything stored about one agency, for a backup, a subject access request or a leaver /
 * retention request: `exportAgency` reads it into one plain JSON object, `deleteAgency` removes it.
 *
 * Reads go through the repositories where they have a method (the agency, the cycles, the
 * agency-side grants, a return's header/answers/access rows). Three reads have no repository
 * method, so they are made here on the table with `odata` filters, keeping the repositories
 * unchanged (other code owns them):
 *   - every row of a return partition: `ReturnsRepo.load` keeps only the 20 most recent history
 *     entries of an answer and `loadFirstSubmission` drops the first-submission header and who
 *     saved each copied answer; an export must have all of it, and a delete needs every RowKey;
 *   - the header rows of all returns, to find returns of this agency whose cycle row is gone;
 *   - the holder-side grant rows (`h|<holder>` partitions whose RowKey is `<role>|<agencyId>`):
 *     `GrantsRepo.forHolder` needs the holder, and a half-written grant may have no agency side.
 * Key layout: see src/storage/returnsRepo.ts and src/storage/grantsRepo.ts.
 *
 * People rows are never touched: a person may work for other agencies, and the row belongs to
 * the person, not the agency.
 */

export const AGENCY_EXPORT_FORMAT = 1;

export interface AgencyDataDeps {
  store: TableStore;
  /** Optional: built over `store` when left out. */
  agencies?: AgenciesRepo;
  cycles?: CyclesRepo;
  grants?: GrantsRepo;
  returns?: ReturnsRepo;
  now?: () => Date;
}

/** A stored row as it came from the table (without its ETag): rows the export does not otherwise understand. */
export type RawRow = { partitionKey: string; rowKey: string } & Record<string, unknown>;

export interface ExportedAnswer {
  indicatorId: string;
  rating: Rating | null;
  evidence: string;
  naReason: string;
  actionText: string;
  actionOwner: string;
  actionDue: string;
  /** Empty when never answered. */
  updatedAt: string;
  updatedBy: string;
  /** `tenant:object id` of whoever saved last (an identifier, as stored). */
  updatedByKey: string;
  /** Every stored change, newest first. */
  history: ExportedHistory;
}

/** As stored per change; `unreadable` holds a history cell that is not valid JSON, verbatim. */
export type ExportedHistory = Array<{ at: string; by: string; rating?: string; unreadable?: string }>;

export type ExportedFirstAnswer = Omit<ExportedAnswer, "updatedByKey" | "history">;

export interface ExportedReturn {
  /** The return's partition key in `Returns`: `<cycleId>|<agencyId>`, parts %-encoded. */
  returnId: string;
  cycleId: string;
  /** Null when the cycle row no longer exists. */
  cycle: Pick<Cycle, "name" | "deadline" | "status" | "templateId" | "templateVersion"> | null;
  /** Null only for a partly deleted return (no header row). */
  header: ReturnHeader | null;
  answers: ExportedAnswer[];
  access: AccessRow[];
  /** The immutable copy taken at first submission; null when never submitted. */
  firstSubmission: { header: ReturnHeader | null; answers: ExportedFirstAnswer[] } | null;
  /** Rows of the partition that are none of the above, kept verbatim so nothing is left out. */
  otherRows: RawRow[];
  /** Rows stored in the partition. */
  rowCount: number;
}

export type ExportedGrant = Grant & { partitionKey: string; rowKey: string };

export interface AgencyExportCounts {
  returns: number;
  submittedReturns: number;
  answerRows: number;
  answered: number;
  historyEntries: number;
  accessRows: number;
  grants: { agencySide: number; holderSide: number };
  /** Table rows covered by the export: return rows, grant rows and the agency row. */
  storedRows: number;
}

export interface AgencyExport {
  format: typeof AGENCY_EXPORT_FORMAT;
  kind: "agency-export";
  exportedAt: string;
  agency: Agency;
  grants: {
    /** Partition `a|<agencyId>`: who works on this agency. */
    agencySide: ExportedGrant[];
    /** Partitions `h|<holder>`: the same grants under each holder. */
    holderSide: ExportedGrant[];
    /** Grant rows of this agency that did not parse, verbatim. */
    otherRows: RawRow[];
  };
  /** Newest cycle first. */
  returns: ExportedReturn[];
  counts: AgencyExportCounts;
}

export type AgencyDataProgress =
  | { action: "export" | "delete"; step: "return"; returnId: string; cycleId: string; rows: number; done: number; total: number }
  | { action: "export" | "delete"; step: "grants"; side: "agency" | "holder"; rows: number }
  | { action: "export" | "delete"; step: "agency"; rows: number };

export type ProgressCallback = (p: AgencyDataProgress) => void | Promise<void>;

export interface AgencyDeleteCounts {
  /** Return partitions that had rows. */
  returns: number;
  returnRows: number;
  grantRows: { agencySide: number; holderSide: number };
  agencyRows: number;
}

export class UnknownAgencyError extends Error {
  constructor(
    readonly agencyId: string,
    /** Registered agencies whose id or name is close to what was asked for. */
    readonly suggestions: Agency[],
  ) {
    super(`No agency is registered with the id "${agencyId}".`);
    this.name = "UnknownAgencyError";
  }
}

export class DeleteNotConfirmedError extends Error {
  constructor(agencyId: string) {
    super(`Deleting an agency needs its id repeated as confirmation (confirm: "${agencyId}"). Nothing was deleted.`);
    this.name = "DeleteNotConfirmedError";
  }
}

// ----- reading -----

const BATCH = 100;
const ANS = "ans";
const ACC = "acc";

function resolve(deps: AgencyDataDeps) {
  return {
    agencies: deps.agencies ?? new AgenciesRepo(deps.store),
    cycles: deps.cycles ?? new CyclesRepo(deps.store),
    grants: deps.grants ?? new GrantsRepo(deps.store),
    returns: deps.returns ?? new ReturnsRepo(deps.store),
    returnsTable: deps.store.table("Returns"),
    grantsTable: deps.store.table("Grants"),
    agenciesTable: deps.store.table("Agencies"),
    now: deps.now ?? (() => new Date()),
  };
}
type Resolved = ReturnType<typeof resolve>;

function cleanRow(e: Record<string, unknown>): RawRow {
  const { etag: _etag, "odata.metadata": _meta, ...rest } = e;
  return rest as RawRow;
}

async function listRows(table: TableClient, filter: string, select?: string[]): Promise<RawRow[]> {
  const out: RawRow[] = [];
  for await (const e of table.listEntities<Record<string, unknown>>({ queryOptions: { filter, select } })) out.push(cleanRow(e));
  return out;
}

function fullHistory(row: Record<string, unknown> | undefined): ExportedHistory {
  const out: ExportedHistory = [];
  for (const [k, v] of Object.entries(row ?? {})) {
    if (!HISTORY_COLUMN.test(k) || typeof v !== "string") continue;
    try {
      const h = JSON.parse(v) as { at?: unknown; by?: unknown; rating?: unknown };
      out.push({ at: String(h.at ?? ""), by: String(h.by ?? ""), ...(typeof h.rating === "string" ? { rating: h.rating } : {}) });
    } catch {
      out.push({ at: "", by: "", unreadable: v });
    }
  }
  return out.sort((a, b) => b.at.localeCompare(a.at));
}

const byIndicator = (a: { indicatorId: string }, b: { indicatorId: string }) => a.indicatorId.localeCompare(b.indicatorId, "en", { numeric: true });
const str = (v: unknown) => (typeof v === "string" ? v : "");

interface ReturnPartition {
  returnId: string;
  cycleId: string;
  cycle: Cycle | undefined;
  /** Position in the cycles list (newest first); orphans after. */
  order: number;
}

/** The agency's return partitions: one per cycle, plus any return whose cycle row is gone (found by its header). */
async function returnPartitions(r: Resolved, agencyId: string): Promise<ReturnPartition[]> {
  const cycles = await r.cycles.list();
  const found = new Map<string, ReturnPartition>();
  cycles.forEach((cycle, order) => found.set(returnPartition(cycle.cycleId, agencyId), { returnId: returnPartition(cycle.cycleId, agencyId), cycleId: cycle.cycleId, cycle, order }));
  for (const row of await listRows(r.returnsTable, odata`RowKey eq 'header'`, ["PartitionKey"])) {
    const parts = splitKey(row.partitionKey);
    if (parts.length !== 2 || parts[1] !== agencyId || found.has(row.partitionKey)) continue;
    found.set(row.partitionKey, { returnId: row.partitionKey, cycleId: parts[0], cycle: undefined, order: cycles.length });
  }
  return [...found.values()].sort((a, b) => a.order - b.order || a.returnId.localeCompare(b.returnId));
}

/** Holder-side grant rows of this agency: in any `h|…` partition, RowKey `<role>|<agencyId>`. */
async function holderSideRows(r: Resolved, agencyId: string): Promise<RawRow[]> {
  const rows = await listRows(r.grantsTable, odata`PartitionKey ge 'h|' and PartitionKey lt 'h}'`);
  return rows.filter((row) => {
    const parts = splitKey(row.rowKey);
    return parts.length === 2 && parts[1] === agencyId;
  });
}

const agencyPartition = (agencyId: string) => key("a", agencyId);

async function requireAgency(r: Resolved, agencyId: string): Promise<Agency> {
  const agency = agencyId && agencyId !== "*" ? await r.agencies.get(agencyId) : undefined;
  if (agency) return agency;
  let all: Agency[] = [];
  try {
    all = await r.agencies.list();
  } catch (e) {
    if (!isNotFound(e)) throw e; // no Agencies table yet: nothing to suggest
  }
  throw new UnknownAgencyError(agencyId, closeAgencyMatches(all, agencyId));
}

async function exportReturn(r: Resolved, p: ReturnPartition, rows: RawRow[]): Promise<ExportedReturn> {
  const byKey = new Map(rows.map((row) => [row.rowKey, row]));
  const loaded = await r.returns.load(p.returnId);
  const used = new Set<string>();
  const answers: ExportedAnswer[] = [];
  if (loaded) {
    used.add("header");
    for (const a of loaded.answers.values()) {
      const rk = key(ANS, a.indicatorId);
      used.add(rk);
      answers.push({
        indicatorId: a.indicatorId,
        rating: a.rating ?? null,
        evidence: a.evidence,
        naReason: a.naReason,
        actionText: a.actionText,
        actionOwner: a.actionOwner,
        actionDue: a.actionDue,
        updatedAt: a.updatedAt,
        updatedBy: a.updatedBy,
        updatedByKey: a.updatedByKey,
        history: byKey.has(rk) ? fullHistory(byKey.get(rk)) : a.history,
      });
    }
    for (const acc of loaded.access) used.add(key(ACC, acc.tenantId, acc.aadObjectId));
  }

  let firstSubmission: ExportedReturn["firstSubmission"] = null;
  const firstHeader = byKey.get("first|header");
  if (firstHeader) {
    used.add("first|header");
    const parsed = headerSchema.safeParse(firstHeader);
    const firstAnswers: ExportedFirstAnswer[] = [];
    for (const row of rows) {
      const parts = splitKey(row.rowKey);
      if (parts.length !== 3 || parts[0] !== "first" || parts[1] !== ANS) continue;
      used.add(row.rowKey);
      const a = storedAnswerSchema.parse(row);
      firstAnswers.push({ indicatorId: parts[2], rating: a.rating ?? null, evidence: a.evidence, naReason: a.naReason, actionText: a.actionText, actionOwner: a.actionOwner, actionDue: a.actionDue, updatedAt: str(row.updatedAt), updatedBy: str(row.updatedBy) });
    }
    firstSubmission = { header: parsed.success ? parsed.data : null, answers: firstAnswers.sort(byIndicator) };
    if (!parsed.success) used.delete("first|header");
  }

  const c = p.cycle;
  return {
    returnId: p.returnId,
    cycleId: p.cycleId,
    cycle: c ? { name: c.name, deadline: c.deadline, status: c.status, templateId: c.templateId, templateVersion: c.templateVersion } : null,
    header: loaded?.header ?? null,
    answers: answers.sort(byIndicator),
    access: loaded?.access ?? [],
    firstSubmission,
    otherRows: rows.filter((row) => !used.has(row.rowKey)),
    rowCount: rows.length,
  };
}

/**
 * Everything stored about one agency as one JSON-able object. Throws UnknownAgencyError (with
 * close matches) when no agency has this id. Read-only: needs only read access to the tables.
 */
export async function exportAgency(deps: AgencyDataDeps, agencyId: string, opts: { onProgress?: ProgressCallback } = {}): Promise<AgencyExport> {
  const r = resolve(deps);
  const exportedAt = r.now().toISOString();
  const agency = await requireAgency(r, agencyId);

  const partitions = await returnPartitions(r, agencyId);
  const returns: ExportedReturn[] = [];
  let done = 0;
  for (const p of partitions) {
    const rows = await listRows(r.returnsTable, odata`PartitionKey eq ${p.returnId}`);
    done++;
    if (rows.length) returns.push(await exportReturn(r, p, rows));
    await opts.onProgress?.({ action: "export", step: "return", returnId: p.returnId, cycleId: p.cycleId, rows: rows.length, done, total: partitions.length });
  }

  const agencySide = (await r.grants.forAgency(agencyId)).map((g) => ({ ...g, partitionKey: agencyPartition(agencyId), rowKey: key(g.role, g.holder) }));
  const agencySideRaw = await listRows(r.grantsTable, odata`PartitionKey eq ${agencyPartition(agencyId)}`);
  await opts.onProgress?.({ action: "export", step: "grants", side: "agency", rows: agencySideRaw.length });
  const holderRaw = await holderSideRows(r, agencyId);
  const holderSide: ExportedGrant[] = [];
  const otherGrantRows: RawRow[] = agencySideRaw.filter((row) => !agencySide.some((g) => g.rowKey === row.rowKey));
  for (const row of holderRaw) {
    const parsed = grantSchema.safeParse(row);
    if (parsed.success) holderSide.push({ ...parsed.data, partitionKey: row.partitionKey, rowKey: row.rowKey });
    else otherGrantRows.push(row);
  }
  await opts.onProgress?.({ action: "export", step: "grants", side: "holder", rows: holderRaw.length });
  await opts.onProgress?.({ action: "export", step: "agency", rows: 1 });

  const answers = returns.flatMap((x) => x.answers);
  return {
    format: AGENCY_EXPORT_FORMAT,
    kind: "agency-export",
    exportedAt,
    agency,
    grants: { agencySide, holderSide, otherRows: otherGrantRows },
    returns,
    counts: {
      returns: returns.length,
      submittedReturns: returns.filter((x) => x.firstSubmission || (x.header?.submissionCount ?? 0) > 0).length,
      answerRows: answers.length,
      answered: answers.filter((a) => a.updatedAt !== "" || a.rating !== null).length,
      historyEntries: answers.reduce((n, a) => n + a.history.length, 0),
      accessRows: returns.reduce((n, x) => n + x.access.length, 0),
      grants: { agencySide: agencySideRaw.length, holderSide: holderRaw.length },
      storedRows: returns.reduce((n, x) => n + x.rowCount, 0) + agencySideRaw.length + holderRaw.length + 1,
    },
  };
}

// ----- deleting -----

/**
 * Deletes the listed rows in transactions of at most 100 rows of one partition, listing again
 * until nothing is left (a row deleted by someone else meanwhile fails its batch with 404; a row
 * written meanwhile is picked up by the next listing).
 */
async function sweep(table: TableClient, list: () => Promise<Array<{ partitionKey: string; rowKey: string }>>, last?: string): Promise<number> {
  let deleted = 0;
  for (let round = 0; ; round++) {
    const rows = await list();
    if (!rows.length) return deleted;
    if (round >= 5) throw new Error(`Rows keep appearing in ${table.tableName} while deleting (${rows.length} left): stop the bot and try again.`);
    const byPartition = new Map<string, string[]>();
    for (const row of rows) byPartition.set(row.partitionKey, [...(byPartition.get(row.partitionKey) ?? []), row.rowKey]);
    try {
      for (const [pk, rowKeys] of byPartition) {
        // `last` (a return's header) goes in the last batch, so a run cut short still finds the return.
        rowKeys.sort((a, b) => Number(a === last) - Number(b === last));
        for (let i = 0; i < rowKeys.length; i += BATCH) {
          const chunk = rowKeys.slice(i, i + BATCH);
          await table.submitTransaction(chunk.map((rk): TransactionAction => ["delete", { partitionKey: pk, rowKey: rk }]));
          deleted += chunk.length;
        }
      }
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

/**
 * Removes the agency: its grants (agency side `a|<agencyId>` and every holder-side row), every
 * return partition (one per cycle) and finally its Agencies row, so an interrupted run can simply
 * be run again. People rows are kept. Refuses unless `confirm` repeats the agency id.
 */
export async function deleteAgency(deps: AgencyDataDeps, agencyId: string, opts: { confirm?: string; onProgress?: ProgressCallback } = {}): Promise<AgencyDeleteCounts> {
  if (!agencyId || opts.confirm !== agencyId) throw new DeleteNotConfirmedError(agencyId);
  const r = resolve(deps);
  await requireAgency(r, agencyId);
  const counts: AgencyDeleteCounts = { returns: 0, returnRows: 0, grantRows: { agencySide: 0, holderSide: 0 }, agencyRows: 0 };
  const keysOnly = ["PartitionKey", "RowKey"];

  // Grants first: once they are gone nobody gets new access rows on the agency's returns.
  counts.grantRows.holderSide = await sweep(r.grantsTable, () => holderSideRows(r, agencyId));
  await opts.onProgress?.({ action: "delete", step: "grants", side: "holder", rows: counts.grantRows.holderSide });
  counts.grantRows.agencySide = await sweep(r.grantsTable, () => listRows(r.grantsTable, odata`PartitionKey eq ${agencyPartition(agencyId)}`, keysOnly));
  await opts.onProgress?.({ action: "delete", step: "grants", side: "agency", rows: counts.grantRows.agencySide });

  // Header last within each partition (see sweep); progress once per return.
  const deleteReturns = async (reportEmpty: boolean) => {
    const partitions = await returnPartitions(r, agencyId);
    let done = 0;
    for (const p of partitions) {
      const rows = await sweep(r.returnsTable, () => listRows(r.returnsTable, odata`PartitionKey eq ${p.returnId}`, keysOnly), "header");
      done++;
      if (rows) {
        counts.returns++;
        counts.returnRows += rows;
      }
      if (rows || reportEmpty) await opts.onProgress?.({ action: "delete", step: "return", returnId: p.returnId, cycleId: p.cycleId, rows, done, total: partitions.length });
    }
  };
  await deleteReturns(true);

  try {
    await r.agenciesTable.deleteEntity("agency", agencyId);
    counts.agencyRows = 1;
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  await opts.onProgress?.({ action: "delete", step: "agency", rows: counts.agencyRows });

  // A return created while we were deleting (an admin opening a cycle just then): one more pass, normally empty.
  await deleteReturns(false);
  return counts;
}

// ----- close matches, for "unknown agency" messages -----

function distance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** Registered agencies whose id or name looks like what was typed: the name, part of the id, its words in short, or a typo. */
export function closeAgencyMatches(agencies: Agency[], typed: string, max = 5): Agency[] {
  const q = typed.trim().toLowerCase();
  const slug = agencyIdFor(typed);
  const wordsOf = (x: string) => x.split(/[^a-z0-9]+/).filter(Boolean);
  const words = wordsOf(slug);
  if (!q) return [];
  const scored: Array<{ a: Agency; score: number }> = [];
  for (const a of agencies) {
    const id = a.agencyId.toLowerCase();
    const name = a.name.toLowerCase();
    let score: number | undefined;
    if (id === slug || name === q) score = 0;
    else if ((q.length >= 3 && (id.includes(q) || name.includes(q))) || (slug.length >= 3 && id.includes(slug)) || (id.length >= 3 && q.includes(id))) score = 1;
    else if (words.length && words.every((w) => wordsOf(id).some((x) => x.startsWith(w) || (w.length >= 5 && distance(w, x) <= 1)))) score = 2;
    else {
      const d = Math.min(distance(slug, id), distance(q, id));
      if (d <= Math.max(2, Math.floor(id.length / 4))) score = 3 + d;
    }
    if (score !== undefined) scored.push({ a, score });
  }
  return scored.sort((x, y) => x.score - y.score || x.a.name.localeCompare(y.a.name)).slice(0, max).map((x) => x.a);
}
