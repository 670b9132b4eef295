import { z } from "zod/v4";
import type { DigestsRepo, RecordSummary } from "../storage/digestsRepo";
import type { AgenciesRepo } from "../storage/agenciesRepo";
import { digestFigures } from "../reporting/aggregate";
import type { ReportingService } from "../reporting/summaries";
import { publishable, yearStart, type TrainingFigures, type TrainingFiguresProvider } from "../reporting/training";
import type { DigestFigures } from "../reporting/types";
import { addDays, ukDate } from "../time";

/** What a posted digest showed: composed once per period and stored, so a retry posts the same figures and the next digest can say what changed. */
export interface DigestRecord {
  period: string;
  at: string;
  partnerships: string[];
  /** Undefined when no cycle covers the partnerships yet. */
  figures?: DigestFigures;
  /** The full count; `figures.overdueActions` keeps the oldest LIST_LIMIT. */
  overdueActionsCount: number;
  /**
   * "Against the previous cycle": the cycle this one was carried forward from (else the one before),
   * its headline at first and latest submissions, and per standard the share of agencies fully
   * meeting it then and now (docs/cycles.md).
   */
  previousCycle?: { name: string; firstPct: number; nowPct: number; standards?: Array<{ id: string; previousPct: number; nowPct: number }> };
  sincePrevious?: RecordSummary;
  /** Headline "now" of the recent digests and this one, oldest first. */
  trend: Array<{ period: string; nowPct: number }>;
  training: { sinceFrom: string; since?: TrainingFigures; ytdFrom: string; ytd?: TrainingFigures };
}

export const LIST_LIMIT = 10;
const TREND_POINTS = 8;

export interface ComposerDeps {
  reporting: ReportingService;
  agencies: AgenciesRepo;
  digests: DigestsRepo;
  training: () => TrainingFiguresProvider;
  now: () => Date;
}

export const recordSummaryOf = (r: DigestRecord): Omit<RecordSummary, "period"> => ({
  at: r.at,
  nowPct: r.figures?.headline.now.pct ?? 0,
  firstPct: r.figures?.headline.first.pct ?? 0,
  submitted: r.figures?.returns.submitted ?? 0,
  overdueActions: r.overdueActionsCount,
  overdueAgencies: r.figures?.returns.overdue ?? 0,
  cycleId: r.figures?.cycleId ?? "",
});

/** Reads what a digest of these partnerships shows now (storage requests grow with agencies, not answers). */
export async function composeDigest(d: ComposerDeps, channel: { teamId: string; channelId: string; partnerships: string[] }, period: string): Promise<DigestRecord> {
  const now = d.now();
  const today = ukDate(now);
  const [cycles, agencies, recent] = await Promise.all([d.reporting.cyclesFor(channel.partnerships), d.agencies.list(), d.digests.recentRecords(channel.teamId, channel.channelId, addDays(today, -400))]);
  const [current] = cycles;
  // The cycle this one carried its answers from is what "the previous cycle" means; else the one before.
  const previous = (current?.carriedFrom && cycles.find((c) => c.cycleId === current.carriedFrom)) || cycles[1];
  const before = recent.filter((r) => r.period < period);
  const last = before[before.length - 1];
  // Training counts from the last digest whatever its cycle; Section 11 changes and the trend only
  // within one cycle (a new cycle starts at 0 submitted: not a fall). Digests stored without a cycle id are kept.
  const earlier = before.filter((r) => !r.cycleId || r.cycleId === current?.cycleId);
  const sinceFrom = last ? ukDate(new Date(last.at || `${last.period.slice(0, 10)}T12:00:00Z`)) : addDays(today, -30);
  const ytdFrom = yearStart(today);
  const provider = d.training();
  // One round trip for everything that only needs the cycles and the recent digests.
  const [input, beforeInput, since, ytd] = await Promise.all([
    current ? d.reporting.input(current, channel.partnerships, agencies) : Promise.resolve(undefined),
    previous ? d.reporting.input(previous, channel.partnerships, agencies) : Promise.resolve(undefined),
    provider.figures({ partnerships: channel.partnerships, from: sinceFrom, to: today }),
    provider.figures({ partnerships: channel.partnerships, from: ytdFrom, to: today }),
  ]);
  const figures: DigestFigures | undefined = input ? digestFigures(input, channel.partnerships) : undefined;
  let previousCycle: DigestRecord["previousCycle"];
  if (beforeInput && previous) {
    const f = digestFigures(beforeInput);
    previousCycle = { name: previous.name, firstPct: f.headline.first.pct, nowPct: f.headline.now.pct, standards: figures ? againstPrevious(f, figures) : undefined };
  }
  return recordFrom({ period, at: now.toISOString(), partnerships: channel.partnerships, figures, previousCycle, earlier, training: { sinceFrom, since, ytdFrom, ytd } });
}

/** Pure: per standard of the current cycle (matched by id), the share fully meeting it in the previous cycle and now. */
export function againstPrevious(before: DigestFigures, now: DigestFigures): Array<{ id: string; previousPct: number; nowPct: number }> {
  const then = new Map(before.standards.filter((s) => s.rated > 0).map((s) => [s.id, s.greenPct]));
  return now.standards.filter((s) => s.rated > 0 && then.has(s.id)).map((s) => ({ id: s.id, previousPct: then.get(s.id)!, nowPct: s.greenPct }));
}

/** Pure: the stored form of a digest, its lists cut to what the card shows. */
export function recordFrom(o: { period: string; at: string; partnerships: string[]; figures?: DigestFigures; previousCycle?: DigestRecord["previousCycle"]; earlier: RecordSummary[]; training: { sinceFrom: string; since?: TrainingFigures; ytdFrom: string; ytd?: TrainingFigures } }): DigestRecord {
  const f = o.figures;
  return {
    period: o.period,
    at: o.at,
    partnerships: o.partnerships,
    figures: f && { ...f, overdueActions: f.overdueActions.slice(0, LIST_LIMIT), overdueAgencies: f.overdueAgencies.slice(0, LIST_LIMIT) },
    overdueActionsCount: f?.overdueActions.length ?? 0,
    previousCycle: o.previousCycle,
    sincePrevious: o.earlier[o.earlier.length - 1],
    trend: [...o.earlier.slice(-(TREND_POINTS - 1)).map((r) => ({ period: r.period, nowPct: r.nowPct })), ...(f ? [{ period: o.period, nowPct: f.headline.now.pct }] : [])],
    training: { sinceFrom: o.training.sinceFrom, since: publishable(o.training.since), ytdFrom: o.training.ytdFrom, ytd: publishable(o.training.ytd) },
  };
}

const recordSchema = z.custom<DigestRecord>((v) => !!v && typeof v === "object" && typeof (v as DigestRecord).period === "string" && Array.isArray((v as DigestRecord).trend));

export function parseRecord(body: string | undefined): DigestRecord | undefined {
  if (!body) return undefined;
  try {
    const parsed = recordSchema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
