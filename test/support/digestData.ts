import { digestFigures } from "../../src/reporting/aggregate";
import type { SectorGroup } from "../../src/reporting/rules";
import type { AgencyFacts, StandardDef } from "../../src/reporting/types";
import { recordFrom, type DigestRecord } from "../../src/digest/composer";
import type { TrainingFigures } from "../../src/reporting/training";
import type { SubmittedCell } from "../../src/storage/summaryRow";

/** Synthetic digest inputs for card tests: any number of agencies, any names, any ratings. */

export function sampleStandards(count = 10, perStandard = 4, title = (i: number) => `Standard title ${i + 1}`): StandardDef[] {
  return Array.from({ length: count }, (_, s) => ({ id: `S${s + 1}`, title: title(s), indicatorIds: Array.from({ length: perStandard }, (_, i) => `${s + 1}.${i + 1}`) }));
}

const SECTORS: SectorGroup[] = ["health", "police_justice", "local_authority", "education", "voluntary", "secure_estate", "other"];

export function sampleFacts(n: number, standards: StandardDef[], o: { name?: (i: number) => string; rating?: (agency: number, indicator: number) => string; due?: string } = {}): AgencyFacts[] {
  const ids = standards.flatMap((s) => s.indicatorIds);
  return Array.from({ length: n }, (_, i) => {
    const sub = new Map<string, SubmittedCell>(ids.map((id, k) => {
      const rating = o.rating ? o.rating(i, k) : (i + k) % 5 === 0 ? "partially" : (i + k) % 11 === 0 ? "not" : "fully";
      return [id, { rating, actionDue: rating === "fully" || rating === "na" ? "" : (o.due ?? "2025-01-15") }];
    }));
    const status: AgencyFacts["status"] = i % 9 === 0 ? "not_started" : i % 7 === 0 ? "in_progress" : i % 8 === 0 ? "awaiting_signoff" : "submitted";
    return {
      agencyId: `ag-${i}`,
      agencyName: o.name ? o.name(i) : `Agency ${i + 1}`,
      sector: SECTORS[i % SECTORS.length],
      partnerships: i % 2 ? ["Westmere"] : ["Westmere", "Eastshire"],
      status,
      changedSinceSubmission: status === "submitted" && i % 10 === 3,
      first: status === "submitted" ? sub : undefined,
      latest: status === "submitted" ? sub : undefined,
    };
  });
}

export const SAMPLE_TRAINING: TrainingFigures = {
  sessions: 29,
  delegates: 450,
  answered: 302,
  averageRating: 4.43,
  confidence: { before: 2.91, after: 4.12, followUp: 3.95 },
  followUp: { sent: 302, answered: 140, impactPct: 71.4 },
  quotes: ["I am now aware of the five categories of neglect.", "I will use this knowledge when escalating cases.", "Knowing the LADO's role makes me confident to ask."],
  byCourse: [
    { course: "Basic child protection", sessions: 10, delegates: 238, answered: 170, averageRating: 4.5 },
    { course: "Child sexual exploitation", sessions: 5, delegates: 60, answered: 41, averageRating: 4.2 },
  ],
};

export function sampleRecord(facts: AgencyFacts[], standards: StandardDef[], o: { training?: TrainingFigures; trend?: number; partnerships?: string[]; cycleName?: string } = {}): DigestRecord {
  const partnerships = o.partnerships ?? ["Westmere", "Eastshire"];
  const figures = digestFigures({ today: "2026-03-02", cycle: { cycleId: "c1", name: o.cycleName ?? "Section 11 audit 2025-27", deadline: "2025-11-30" }, standards, agencies: facts }, partnerships);
  const earlier = Array.from({ length: o.trend ?? 7 }, (_, i) => ({ period: `2026-01-${String(5 + i).padStart(2, "0")}`, at: `2026-01-${String(5 + i).padStart(2, "0")}T09:00:00.000Z`, nowPct: 60 + i * 3, firstPct: 60, submitted: 40 + i, overdueActions: 20 - i, overdueAgencies: 3 }));
  return recordFrom({ period: "2026-03-02", at: "2026-03-02T09:00:00.000Z", partnerships, figures, previousCycle: { name: "Section 11 audit 2023-25", firstPct: 70, nowPct: 84 }, earlier, training: { sinceFrom: "2026-02-23", since: o.training, ytdFrom: "2025-04-01", ytd: o.training } });
}
