import { AgenciesRepo, agencyIdFor, type Agency } from "../storage/agenciesRepo";
import { AgencyRowsRepo, type RawRow } from "../storage/agencyRowsRepo";
import { CyclesRepo, type Cycle } from "../storage/cyclesRepo";
import { isNotFound } from "../storage/errors";
import { GrantsRepo, grantSchema, type Grant } from "../storage/grantsRepo";
import { key, splitKey } from "../storage/keys";
import { returnPartition, ReturnsRepo, type AccessRow, type ReturnHeader } from "../storage/returnsRepo";
import type { TableStore } from "../storage/tableStore";

/**
 * Everything stored about one agency, for a backup, a subject access request or a leaver /
 * retention request: `exportAgency` reads it into one plain JSON object, `deleteAgency` removes it.
 *
 * Everything goes through repositories: the features' repositories read rows as their meaning
 * (the agency, cycles, a return's header, answers, history, snapshots and access rows), and
 * AgencyRowsRepo reads and deletes rows verbatim, so nothing stored is left out of an export or
 * behind after a delete. Key layout: see src/storage/returnsRepo.ts and src/storage/grantsRepo.ts.
 *
 * People rows are never touched: a person may work for other agencies, and the row belongs to
 * the person, not the agency.
 */

export const AGENCY_EXPORT_FORMAT = 2;

export interface AgencyDataDeps {
  store: TableStore;
  now?: () => Date;
}

export type { RawRow };

export interface ExportedAnswer {
  indicatorId: string;
  rating: string | null;
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

/** Every saved change, newest first: the whole answer after it, who and when. */
export type ExportedHistory = Array<{ at: string; by: string; byKey: string; rating: string; evidence: string; naReason: string; actionText: string; actionOwner: string; actionDue: string }>;

export type ExportedFirstAnswer = Omit<ExportedAnswer, "updatedByKey" | "history">;

/** A signed-off submission as kept: who signed, when, and every answer. */
export interface ExportedSubmission {
  number: number;
  at: string;
  signedOffBy: string;
  requestedBy: string;
  version: string;
  answers: ExportedFirstAnswer[];
}

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
  /** Every signed-off submission, oldest first (number 1 is the first submission). */
  submissions: ExportedSubmission[];
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

function resolve(deps: AgencyDataDeps) {
  return {
    agencies: new AgenciesRepo(deps.store),
    cycles: new CyclesRepo(deps.store),
    grants: new GrantsRepo(deps.store),
    returns: new ReturnsRepo(deps.store),
    rows: new AgencyRowsRepo(deps.store),
    now: deps.now ?? (() => new Date()),
  };
}
type Resolved = ReturnType<typeof resolve>;

const byIndicator = (a: { indicatorId: string }, b: { indicatorId: string }) => a.indicatorId.localeCompare(b.indicatorId, "en", { numeric: true });

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
  for (const pk of await r.rows.returnPartitionsOf(agencyId)) {
    if (!found.has(pk)) found.set(pk, { returnId: pk, cycleId: splitKey(pk)[0], cycle: undefined, order: cycles.length });
  }
  return [...found.values()].sort((a, b) => a.order - b.order || a.returnId.localeCompare(b.returnId));
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

const firstAnswer = (a: { indicatorId: string; rating: string; evidence: string; naReason: string; actionText: string; actionOwner: string; actionDue: string; updatedAt: string; updatedBy: string }): ExportedFirstAnswer => ({
  indicatorId: a.indicatorId,
  rating: a.rating || null,
  evidence: a.evidence,
  naReason: a.naReason,
  actionText: a.actionText,
  actionOwner: a.actionOwner,
  actionDue: a.actionDue,
  updatedAt: a.updatedAt,
  updatedBy: a.updatedBy,
});

async function exportReturn(r: Resolved, p: ReturnPartition, rows: RawRow[]): Promise<ExportedReturn> {
  const loaded = await r.returns.load(p.returnId);
  // "summary" is reporting's copy of the answers and submissions above (storage/summaryRow.ts): nothing of its own to export.
  const understood = (rk: string) => rk === "header" || rk === "summary" || /^(ans|acc|hist|snap|dec)\|/.test(rk);
  const answers: ExportedAnswer[] = [];
  if (loaded) {
    for (const a of loaded.answers.values()) {
      const history = (await r.returns.history(p.returnId, a.indicatorId)).reverse();
      answers.push({ ...firstAnswer(a), updatedByKey: a.updatedByKey, history });
    }
  }
  const snapshots = await r.returns.snapshots(p.returnId);
  const submissions: ExportedSubmission[] = snapshots.map((snap) => ({
    number: snap.number,
    at: snap.at,
    signedOffBy: snap.signedOffBy,
    requestedBy: snap.requestedBy,
    version: snap.version,
    answers: [...snap.answers].map(([indicatorId, a]) => firstAnswer({ ...a, indicatorId })).sort(byIndicator),
  }));
  const first = submissions.find((x) => x.number === 1);
  const c = p.cycle;
  return {
    returnId: p.returnId,
    cycleId: p.cycleId,
    cycle: c ? { name: c.name, deadline: c.deadline, status: c.status, templateId: c.templateId, templateVersion: c.templateVersion } : null,
    header: loaded?.header ?? null,
    answers: answers.sort(byIndicator),
    access: loaded?.access ?? [],
    firstSubmission: first ? { header: loaded?.header ?? null, answers: first.answers } : null,
    submissions,
    otherRows: rows.filter((row) => !understood(row.rowKey) || (row.rowKey === "header" && !loaded)),
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
    const rows = await r.rows.returnRows(p.returnId);
    done++;
    if (rows.length) returns.push(await exportReturn(r, p, rows));
    await opts.onProgress?.({ action: "export", step: "return", returnId: p.returnId, cycleId: p.cycleId, rows: rows.length, done, total: partitions.length });
  }

  const agencySide = (await r.grants.forAgency(agencyId)).map((g) => ({ ...g, partitionKey: agencyPartition(agencyId), rowKey: key(g.role, g.holder) }));
  const agencySideRaw = await r.rows.agencySideGrants(agencyId);
  await opts.onProgress?.({ action: "export", step: "grants", side: "agency", rows: agencySideRaw.length });
  const holderRaw = await r.rows.holderSideGrants(agencyId);
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
      submittedReturns: returns.filter((x) => x.submissions.length > 0).length,
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
 * Removes the agency: its grants (agency side `a|<agencyId>` and every holder-side row), every
 * return partition (one per cycle) and finally its Agencies row, so an interrupted run can simply
 * be run again. People rows are kept. Refuses unless `confirm` repeats the agency id.
 */
export async function deleteAgency(deps: AgencyDataDeps, agencyId: string, opts: { confirm?: string; onProgress?: ProgressCallback } = {}): Promise<AgencyDeleteCounts> {
  if (!agencyId || opts.confirm !== agencyId) throw new DeleteNotConfirmedError(agencyId);
  const r = resolve(deps);
  await requireAgency(r, agencyId);
  const counts: AgencyDeleteCounts = { returns: 0, returnRows: 0, grantRows: { agencySide: 0, holderSide: 0 }, agencyRows: 0 };

  // Grants first: once they are gone nobody gets new access rows on the agency's returns.
  counts.grantRows.holderSide = await r.rows.sweep("Grants", () => r.rows.holderSideGrants(agencyId));
  await opts.onProgress?.({ action: "delete", step: "grants", side: "holder", rows: counts.grantRows.holderSide });
  counts.grantRows.agencySide = await r.rows.sweep("Grants", () => r.rows.agencySideGrants(agencyId, true));
  await opts.onProgress?.({ action: "delete", step: "grants", side: "agency", rows: counts.grantRows.agencySide });

  // Header last within each partition (see sweep); progress once per return.
  const deleteReturns = async (reportEmpty: boolean) => {
    const partitions = await returnPartitions(r, agencyId);
    let done = 0;
    for (const p of partitions) {
      const rows = await r.rows.sweep("Returns", () => r.rows.returnRows(p.returnId, true), "header");
      done++;
      if (rows) {
        counts.returns++;
        counts.returnRows += rows;
      }
      if (rows || reportEmpty) await opts.onProgress?.({ action: "delete", step: "return", returnId: p.returnId, cycleId: p.cycleId, rows, done, total: partitions.length });
    }
  };
  await deleteReturns(true);

  if (await r.rows.deleteAgencyRow(agencyId)) counts.agencyRows = 1;
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
