import { daysBetween } from "../time";
import type { SubmittedCell } from "../storage/summaryRow";
import { meetsMajority, percent, SECTOR_GROUP_LABELS, SECTOR_GROUPS, standardRating, type StandardRating } from "./rules";
import type { AgencyFacts, DigestFigures, DigestInput, OverdueAction, SectorFigures, Share, StandardDef, StandardFigures } from "./types";

/** Pure: every figure of a digest from the agencies' facts. Cost grows with agencies x indicators of the template, never with stored answers. */

const share = (count: number, of: number): Share => ({ count, of, pct: percent(count, of) });

const ratingsOf = (sub: Map<string, SubmittedCell>, ids: readonly string[]) => ids.map((id) => sub.get(id)?.rating);

export function allIndicatorIds(standards: readonly StandardDef[]): string[] {
  return standards.flatMap((s) => s.indicatorIds);
}

/** Each standard's rating for one submission. */
export function standardRatings(sub: Map<string, SubmittedCell> | undefined, standards: readonly StandardDef[]): Array<StandardRating | undefined> {
  return standards.map((s) => (sub ? standardRating(ratingsOf(sub, s.indicatorIds)) : undefined));
}

export function meetsMajorityIn(sub: Map<string, SubmittedCell> | undefined, standards: readonly StandardDef[]): boolean | undefined {
  return sub ? meetsMajority(ratingsOf(sub, allIndicatorIds(standards))) : undefined;
}

/**
 * Open actions: those of the latest submission (the indicator is partially or not met and has a
 * due date) that were not closed with evidence for that due date, and the open actions agreed at
 * a challenge panel (docs/actions.md).
 */
export function actionsOf(a: AgencyFacts, standards: readonly StandardDef[]): OverdueAction[] {
  const out: OverdueAction[] = [];
  if (!a.latest) return out;
  standards.forEach((s, standardIndex) => {
    for (const id of s.indicatorIds) {
      const cell = a.latest!.get(id);
      if (!cell || !cell.actionDue || (cell.rating !== "partially" && cell.rating !== "not")) continue;
      if (a.actions?.selfDone.get(id) === cell.actionDue) continue;
      out.push({ agencyId: a.agencyId, agencyName: a.agencyName, standardIndex, standardId: s.id, indicatorId: id, due: cell.actionDue, rating: cell.rating, source: "self" });
    }
    for (const p of a.actions?.panel ?? []) {
      if (p.status !== "open" || !p.due || !s.indicatorIds.includes(p.indicatorId)) continue;
      const r = a.latest!.get(p.indicatorId)?.rating;
      out.push({ agencyId: a.agencyId, agencyName: a.agencyName, standardIndex, standardId: s.id, indicatorId: p.indicatorId, due: p.due, rating: r === "not" || r === "fully" ? r : "partially", source: "panel" });
    }
  });
  return out;
}

/** Past its deadline (its own, when an extension gave it a later one) without a submission. */
export const isOverdue = (a: AgencyFacts, input: Pick<DigestInput, "today" | "cycle">) => a.status !== "submitted" && !!input.cycle.deadline && (a.ownDeadline && a.ownDeadline > input.cycle.deadline ? a.ownDeadline : input.cycle.deadline) < input.today;

export function digestFigures(input: DigestInput, partnerships: readonly string[] = []): DigestFigures {
  const { agencies, standards, today } = input;
  const returns = { agencies: agencies.length, submitted: 0, awaitingSignoff: 0, inProgress: 0, notStarted: 0, changedSinceSubmission: 0, overdue: 0, deadline: input.cycle.deadline, daysToDeadline: input.cycle.deadline ? daysBetween(today, input.cycle.deadline) : 0 };
  const std = standards.map((s, index): StandardFigures => ({ index, id: s.id, title: s.title, fully: 0, partially: 0, not: 0, rated: 0, greenPct: 0, firstGreenPct: 0 }));
  const firstRated = standards.map(() => ({ fully: 0, rated: 0 }));
  const sectors = new Map<string, SectorFigures & { nowCount: number; nowOf: number }>();
  let firstCount = 0;
  let firstOf = 0;
  let nowCount = 0;
  let nowOf = 0;
  let openActions = 0;
  const overdueActions: OverdueAction[] = [];
  const overdueAgencies: DigestFigures["overdueAgencies"] = [];

  for (const a of agencies) {
    if (a.status === "submitted") returns.submitted++;
    else if (a.status === "awaiting_signoff") returns.awaitingSignoff++;
    else if (a.status === "in_progress") returns.inProgress++;
    else returns.notStarted++;
    if (a.changedSinceSubmission) returns.changedSinceSubmission++;
    const late = isOverdue(a, input);
    if (late) {
      returns.overdue++;
      overdueAgencies.push({ agencyId: a.agencyId, agencyName: a.agencyName });
    }
    const sector = sectors.get(a.sector) ?? { sector: a.sector, label: SECTOR_GROUP_LABELS[a.sector], agencies: 0, submitted: 0, overdue: 0, meetsMajorityNow: share(0, 0), nowCount: 0, nowOf: 0 };
    sector.agencies++;
    if (a.status === "submitted") sector.submitted++;
    if (late) sector.overdue++;
    sectors.set(a.sector, sector);

    const firstMeets = meetsMajorityIn(a.first, standards);
    if (firstMeets !== undefined) {
      firstOf++;
      if (firstMeets) firstCount++;
    }
    const nowMeets = meetsMajorityIn(a.latest, standards);
    if (nowMeets !== undefined) {
      nowOf++;
      sector.nowOf++;
      if (nowMeets) {
        nowCount++;
        sector.nowCount++;
      }
    }
    standardRatings(a.latest, standards).forEach((r, i) => {
      if (!r) return;
      std[i][r]++;
      std[i].rated++;
    });
    standardRatings(a.first, standards).forEach((r, i) => {
      if (!r) return;
      firstRated[i].rated++;
      if (r === "fully") firstRated[i].fully++;
    });
    for (const action of actionsOf(a, standards)) {
      openActions++;
      if (action.due < today) overdueActions.push(action);
    }
  }
  for (const s of std) {
    s.greenPct = percent(s.fully, s.rated);
    s.firstGreenPct = percent(firstRated[s.index].fully, firstRated[s.index].rated);
  }
  overdueActions.sort((x, y) => x.due.localeCompare(y.due) || x.agencyName.localeCompare(y.agencyName) || x.indicatorId.localeCompare(y.indicatorId));
  overdueAgencies.sort((x, y) => x.agencyName.localeCompare(y.agencyName));
  const bySector = SECTOR_GROUPS.filter((g) => sectors.has(g)).map((g) => {
    const { nowCount: c, nowOf: of, ...rest } = sectors.get(g)!;
    return { ...rest, meetsMajorityNow: share(c, of) };
  });
  const byPartnership =
    partnerships.length > 1
      ? partnerships.map((p) => {
          const mine = agencies.filter((a) => a.partnerships.some((x) => x.toLowerCase() === p.toLowerCase()));
          const rated = mine.map((a) => meetsMajorityIn(a.latest, standards)).filter((m): m is boolean => m !== undefined);
          return { partnership: p, agencies: mine.length, submitted: mine.filter((a) => a.status === "submitted").length, meetsMajorityNow: share(rated.filter(Boolean).length, rated.length) };
        })
      : [];
  return {
    today,
    cycleId: input.cycle.cycleId,
    cycleName: input.cycle.name,
    returns,
    bySector,
    standards: std,
    overall: { fully: std.reduce((n, s) => n + s.fully, 0), partially: std.reduce((n, s) => n + s.partially, 0), not: std.reduce((n, s) => n + s.not, 0) },
    headline: { first: share(firstCount, firstOf), now: share(nowCount, nowOf) },
    openActions,
    overdueActions,
    overdueAgencies,
    byPartnership,
  };
}
