import type { Services } from "../../src/compose";
import type { Agency, Sector } from "../../src/storage/agenciesRepo";
import type { Cycle } from "../../src/storage/cyclesRepo";
import { returnPartition, returnVersion } from "../../src/storage/returnsRepo";
import type { TableStore } from "../../src/storage/tableStore";
import { mapPool } from "../../src/admin/pool";
import { ukDate, addDays } from "../../src/time";
import type { EvaluationRecord, TrainingSessionRecord } from "../../src/reporting/training";
import defaultTemplate from "../../src/section11/templates/default.json";

/**
 * A partnership shaped like the seed one, written through the real repositories (each save is the
 * repository's own transaction, each sign-off its own decision transaction): 57 returns across two
 * partnerships; 52 submitted, of which 40 (77%) fully met the majority of their applicable
 * indicators at first submission; six of the twelve weaker ones improved in an update signed off
 * after the panels; one more changed after submission without a new sign-off. The plan keeps every
 * rating so a test can compute each figure on its own.
 */

export const PARTNERSHIPS = ["Westmere", "Eastshire"] as const;
const SECTORS: Sector[] = ["health", "police", "education", "local_authority", "voluntary", "secure_estate", "justice", "fire", "housing", "early_years", "other"];
export const INDICATORS: Array<{ standard: string; id: string }> = (defaultTemplate as { standards: Array<{ id: string; indicators: Array<{ id: string }> }> }).standards.flatMap((s) => s.indicators.map((i) => ({ standard: s.id, id: i.id })));

export interface PlannedAgency {
  agency: Agency;
  state: "submitted" | "awaiting_signoff" | "in_progress" | "not_started";
  /** As signed off first, and as signed off last (the same when never updated). */
  first?: Map<string, { rating: string; due: string }>;
  latest?: Map<string, { rating: string; due: string }>;
  /** Saved after the last sign-off and not signed off again. */
  changedAfter: boolean;
}

export interface SeedPlan {
  cycle: Cycle;
  today: string;
  agencies: PlannedAgency[];
  sessions: TrainingSessionRecord[];
  evaluations: EvaluationRecord[];
}

const WEAK = [3, 7, 11, 15, 19, 23, 27, 31, 35, 39, 43, 47];
const IMPROVED = WEAK.slice(0, 6);

function ratingsFor(i: number, weak: boolean, today: string): Map<string, { rating: string; due: string }> {
  const past = addDays(today, -60 - (i % 5) * 10);
  const future = addDays(today, 200);
  return new Map(
    INDICATORS.map(({ id }, k) => {
      const rating = weak ? ["fully", "partially", "not"][k % 3] : (k + i) % 7 === 3 ? "partially" : k % 13 === 5 ? "na" : (k + i) % 17 === 9 ? "not" : "fully";
      return [id, { rating, due: rating === "partially" || rating === "not" ? ((i + k) % 4 === 0 ? past : future) : "" }];
    }),
  );
}

export function seedPlan(now: Date): SeedPlan {
  const today = ukDate(now);
  const cycle: Cycle = { cycleId: "cycle-2025-27", name: "Section 11 audit 2025-27", deadline: addDays(today, -17), templateId: "s11-default", templateVersion: 1, partnerships: [...PARTNERSHIPS], status: "open", createdAt: now.toISOString(), createdBy: "seed" };
  const agencies = Array.from({ length: 57 }, (_, i): PlannedAgency => {
    const agency: Agency = { agencyId: `seed-agency-${String(i).padStart(2, "0")}`, name: `Seed Agency ${String(i).padStart(2, "0")} (${SECTORS[i % SECTORS.length]})`, sector: SECTORS[i % SECTORS.length], partnerships: i % 3 === 0 ? ["Westmere", "Eastshire"] : i % 3 === 1 ? ["Westmere"] : ["Eastshire"], createdAt: now.toISOString(), createdBy: "seed" };
    const state = i < 52 ? "submitted" : i < 55 ? "awaiting_signoff" : i === 55 ? "in_progress" : "not_started";
    if (state !== "submitted") return { agency, state, changedAfter: false };
    const first = ratingsFor(i, WEAK.includes(i), today);
    const latest = IMPROVED.includes(i) ? ratingsFor(i, false, today) : first;
    return { agency, state, first, latest, changedAfter: i === 50 };
  });
  // 29 sessions, 450 delegates, 302 evaluations answered (67%), in this partnership year.
  const yearStartDay = `${Number(today.slice(0, 4)) - (Number(today.slice(5, 7)) >= 4 ? 0 : 1)}-04-01`;
  const span = Math.max(1, Math.round((Date.parse(today) - Date.parse(yearStartDay)) / 86_400_000));
  const sessions: TrainingSessionRecord[] = Array.from({ length: 29 }, (_, s) => ({ sessionId: `session-${s}`, course: ["Basic child protection", "Neglect", "Child exploitation", "LADO awareness"][s % 4], date: addDays(yearStartDay, Math.floor((s * span) / 29)), partnerships: s % 2 ? ["Westmere"] : ["Westmere", "Eastshire"], delegates: s < 28 ? 15 : 30 }));
  const evaluations: EvaluationRecord[] = Array.from({ length: 302 }, (_, e) => ({
    sessionId: `session-${e % 29}`,
    rating: 3 + (e % 3),
    confidenceBefore: 2 + (e % 2),
    confidenceAfter: 4 + (e % 2),
    followUp: e % 2 ? { answered: e % 4 === 1, confidence: 4, changedPractice: e % 8 === 1 } : undefined,
    quote: e % 50 === 7 ? { text: `I will use this knowledge when escalating cases (${e}).`, consent: e !== 7 } : undefined,
  }));
  return { cycle, today, agencies, sessions, evaluations };
}

const who = { name: "Seed Lead", key: "seed:lead" };

/** Writes the plan. `withoutSummary` agencies lose their summary row afterwards, as returns written before summaries existed. */
export async function seedPartnership(s: Services, store: TableStore, plan: SeedPlan, o: { withoutSummary?: number[] } = {}): Promise<void> {
  const r = s.repos.returns;
  await s.repos.cycles.create(plan.cycle);
  await mapPool(plan.agencies, 8, async (p, i) => {
    await s.repos.agencies.create(p.agency);
    const pk = await s.returnService.ensureReturn(plan.cycle, p.agency);
    const at = (min: number) => new Date(Date.now() - 86_400_000 * 30 + min * 60_000).toISOString();
    const saveAll = async (ratings: Map<string, { rating: string; due: string }>, only?: number, minute = 0) => {
      const loaded = (await r.load(pk))!;
      let n = 0;
      for (const [id, a] of ratings) {
        if (only !== undefined && n++ >= only) break;
        const current = loaded.answers.get(id)!;
        await r.saveAnswer(pk, id, current.etag, { rating: a.rating, evidence: `Evidence of agency ${i} for ${id}`, naReason: a.rating === "na" ? "Not a service we run" : "", actionText: a.due ? `Action ${id} of agency ${i}` : "", actionOwner: a.due ? `Owner Person ${i}` : "", actionDue: a.due }, who, at(minute));
      }
    };
    const approve = async (number: number, minute: number) => {
      let loaded = (await r.load(pk))!;
      if (number > 1) {
        await r.updateHeader(pk, { requestSeq: loaded.header.requestSeq + 1 }, loaded.headerEtag);
        loaded = (await r.load(pk))!;
      }
      const when = at(minute);
      await r.decide(loaded, { decision: "approved", by: "Seed Officer", byKey: "seed:officer", at: when, version: returnVersion(loaded), patch: { status: "submitted", lastSubmittedAt: when, submissionCount: number, signedOffBy: "Seed Officer", ...(number === 1 ? { firstSubmittedAt: when } : {}) }, snapshot: { number } });
    };
    if (p.state === "in_progress") await saveAll(ratingsFor(i, false, plan.today), 5);
    if (p.state === "awaiting_signoff") {
      await saveAll(ratingsFor(i, false, plan.today));
      const loaded = (await r.load(pk))!;
      await r.updateHeader(pk, { status: "awaiting_signoff", requestSeq: 1, signoffRequestedAt: at(100) }, loaded.headerEtag);
    }
    if (p.state === "submitted") {
      await saveAll(p.first!, undefined, 0);
      await approve(1, 10);
      if (p.latest !== p.first) {
        await saveAll(p.latest!, undefined, 20);
        await approve(2, 30);
      }
      if (p.changedAfter) {
        const [id] = INDICATORS;
        const loaded = (await r.load(pk))!;
        await r.saveAnswer(pk, id.id, loaded.answers.get(id.id)!.etag, { rating: "not", evidence: "Changed after sign-off", naReason: "", actionText: "New action", actionOwner: "Owner", actionDue: addDays(plan.today, 30) }, who, at(40));
      }
    }
  });
  for (const i of o.withoutSummary ?? []) await store.table("Returns").deleteEntity(returnPartition(plan.cycle.cycleId, plan.agencies[i].agency.agencyId), "summary");
}
