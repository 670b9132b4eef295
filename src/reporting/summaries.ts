import type { Agency, AgenciesRepo } from "../storage/agenciesRepo";
import type { Cycle, CyclesRepo } from "../storage/cyclesRepo";
import type { ReturnsRepo } from "../storage/returnsRepo";
import type { ReturnSummariesRepo, ReturnSummaryRow } from "../storage/returnSummariesRepo";
import { actionCells, fullSummary, decodeSummary } from "../storage/summaryRow";
import type { TemplateCatalog } from "../section11/templateCatalog";
import { mapPool } from "../admin/pool";
import { ukDate } from "../time";
import { agencyFacts } from "./facts";
import type { AgencyFacts, DigestInput, StandardDef } from "./types";

export interface ReportingDeps {
  summaries: ReturnSummariesRepo;
  returns: ReturnsRepo;
  agencies: AgenciesRepo;
  cycles: CyclesRepo;
  catalog: TemplateCatalog;
  now: () => Date;
}

const inScope = (partnerships: readonly string[], of: readonly string[]) => {
  const want = new Set(partnerships.map((p) => p.toLowerCase()));
  return of.some((p) => want.has(p.toLowerCase()));
};

/**
 * Reads what reports need from the summary rows: one query for a cycle's headers and summaries,
 * one for the agencies, the template from the catalog's cache. A return whose summary row is
 * missing or incomplete (written before summaries existed, or only by saves since) is computed
 * once from its own partition and stored, so the next read finds it.
 */
export class ReportingService {
  constructor(private readonly deps: ReportingDeps) {}

  /** The cycles that cover these partnerships, newest first: [current, previous, ...]. The current one is the newest open one, else the newest. */
  async cyclesFor(partnerships: readonly string[]): Promise<Cycle[]> {
    const all = (await this.deps.cycles.list()).filter((c) => inScope(partnerships, c.partnerships));
    const open = all.find((c) => c.status === "open");
    return open ? [open, ...all.filter((c) => c !== open && c.createdAt < open.createdAt)] : all;
  }

  async standards(cycle: Pick<Cycle, "templateId" | "templateVersion">): Promise<StandardDef[]> {
    const index = await this.deps.catalog.get(cycle.templateId, cycle.templateVersion);
    return index ? index.template.standards.map((s) => ({ id: s.id, title: s.title, indicatorIds: s.indicators.map((i) => i.id) })) : [];
  }

  /** Everything a digest of these partnerships needs for one cycle. */
  async input(cycle: Cycle, partnerships: readonly string[], agencies?: Agency[]): Promise<DigestInput & { backfilled: number }> {
    const [list, rows, standards] = await Promise.all([agencies ? Promise.resolve(agencies) : this.deps.agencies.list(), this.deps.summaries.listForCycle(cycle.cycleId), this.standards(cycle)]);
    const { rows: complete, backfilled } = await this.completeSummaries(rows);
    const byId = new Map(list.map((a) => [a.agencyId, a]));
    const facts = new Map<string, AgencyFacts>();
    for (const a of list) if (inScope(cycle.partnerships, a.partnerships) && inScope(partnerships, a.partnerships)) facts.set(a.agencyId, agencyFacts(a, undefined, undefined));
    for (const r of complete) {
      const agency = byId.get(r.header.agencyId);
      // An agency no longer registered keeps its return in the figures of the partnerships the cycle covers.
      if (agency ? !inScope(partnerships, agency.partnerships) : !inScope(partnerships, cycle.partnerships)) continue;
      const f = agencyFacts(agency, r.header, r.summary);
      facts.set(r.header.agencyId, r.ownDeadline && r.ownDeadline > cycle.deadline ? { ...f, ownDeadline: r.ownDeadline } : f);
    }
    return {
      today: ukDate(this.deps.now()),
      cycle: { cycleId: cycle.cycleId, name: cycle.name, deadline: cycle.deadline },
      standards,
      agencies: [...facts.values()].sort((a, b) => a.agencyName.localeCompare(b.agencyName)),
      backfilled,
    };
  }

  private async completeSummaries(rows: ReturnSummaryRow[]): Promise<{ rows: ReturnSummaryRow[]; backfilled: number }> {
    const missing = rows.filter((r) => !r.summary?.complete);
    if (!missing.length) return { rows, backfilled: 0 };
    const done = new Map((await mapPool(missing, 4, async (r) => [r.partitionKey, await this.backfill(r.partitionKey)] as const)).filter(([, s]) => s));
    return { rows: rows.map((r) => (done.has(r.partitionKey) ? { ...r, summary: done.get(r.partitionKey)! } : r)), backfilled: done.size };
  }

  /**
   * Computes a return's summary row from its answers and snapshots. The row is read first and
   * written on that ETag (or created), so a save landing meanwhile sends us round again.
   */
  async backfill(pk: string): Promise<ReturnType<typeof decodeSummary> | undefined> {
    for (let attempt = 0; attempt < 4; attempt++) {
      const before = await this.deps.summaries.read(pk);
      if (before?.summary.complete) return before.summary;
      const loaded = await this.deps.returns.load(pk);
      if (!loaded) return undefined;
      const n = loaded.header.submissionCount;
      const [first, latest] = n ? await Promise.all([this.deps.returns.snapshots(pk, 1), n > 1 ? this.deps.returns.snapshots(pk, n) : Promise.resolve([])]) : [[], []];
      const cells = (s: { answers: Map<string, { rating: string; actionDue: string }> } | undefined) => (s ? [...s.answers].map(([indicatorId, a]) => ({ indicatorId, rating: a.rating, actionDue: a.actionDue })) : undefined);
      const firstSnap = first.find((s) => s.number === 1);
      const latestSnap = n > 1 ? latest.find((s) => s.number === n) : firstSnap;
      // Action cells are kept as they were read: the write is on that ETag, so a close meanwhile sends us round again.
      const columns = { ...actionCells(before?.summary.actions, before?.summary.moderated), ...fullSummary([...loaded.answers.values()], cells(firstSnap), latestSnap ? { number: latestSnap.number, answers: cells(latestSnap)! } : undefined) };
      if (await this.deps.summaries.write(pk, columns, before?.etag)) return decodeSummary(columns);
    }
    return undefined;
  }
}
