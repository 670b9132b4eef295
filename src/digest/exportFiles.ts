import writeXlsxFile from "write-excel-file/node";
import { toCsv } from "../export/csv";
import { actionsOf, digestFigures, meetsMajorityIn, standardRatings } from "../reporting/aggregate";
import { SECTOR_GROUP_LABELS, standardRating } from "../reporting/rules";
import type { DigestFigures, DigestInput } from "../reporting/types";
import type { Snapshot } from "../storage/returnsRepo";

/**
 * The digest's figures and every return's ratings, actions and due dates, for the annual report and
 * Power BI: one table per kind of row (figures, standards, sectors, returns, actions). No evidence
 * and no people: action text is kept (it is what was agreed), its owner is not.
 * Ratings: the figures are on the agencies' self-ratings; the returns and actions tables carry the
 * challenge panels' moderated rating in columns of their own beside them (docs/panels.md).
 */

type Cell = string | number;
export interface ExportTables {
  figures: { header: string[]; rows: Cell[][] };
  standards: { header: string[]; rows: Cell[][] };
  sectors: { header: string[]; rows: Cell[][] };
  returns: { header: string[]; rows: Cell[][] };
  actions: { header: string[]; rows: Cell[][] };
}

const yesNo = (b: boolean | undefined) => (b === undefined ? "" : b ? "yes" : "no");

export function figureRows(f: DigestFigures): Cell[][] {
  const r = f.returns;
  return [
    ["agencies", r.agencies],
    ["returns_submitted", r.submitted],
    ["returns_awaiting_signoff", r.awaitingSignoff],
    ["returns_in_progress", r.inProgress],
    ["returns_not_started", r.notStarted],
    ["returns_changed_since_submission", r.changedSinceSubmission],
    ["agencies_past_deadline_without_submission", r.overdue],
    ["deadline", r.deadline],
    ["fully_meet_most_first_submission_count", f.headline.first.count],
    ["fully_meet_most_first_submission_of", f.headline.first.of],
    ["fully_meet_most_first_submission_pct", f.headline.first.pct],
    ["fully_meet_most_now_count", f.headline.now.count],
    ["fully_meet_most_now_of", f.headline.now.of],
    ["fully_meet_most_now_pct", f.headline.now.pct],
    ["standard_ratings_fully", f.overall.fully],
    ["standard_ratings_partially", f.overall.partially],
    ["standard_ratings_not", f.overall.not],
    ["open_actions", f.openActions],
    ["overdue_actions", f.overdueActions.length],
  ];
}

/** `latest` holds each submitted return's latest snapshot (for the action text), by agency id. */
export function exportTables(input: DigestInput, partnerships: readonly string[], latest: Map<string, Snapshot>): ExportTables {
  const f = digestFigures(input, partnerships);
  const std = input.standards;
  const returns = input.agencies.map((a) => {
    const now = standardRatings(a.latest, std);
    const first = standardRatings(a.first, std);
    const actions = actionsOf(a, std);
    // Moderated, per standard: the panel's rating where it gave one, the agency's own elsewhere; blank when no indicator of the standard was moderated.
    const moderated = std.map((st) => (st.indicatorIds.some((id) => a.moderated?.get(id)) ? standardRating(st.indicatorIds.map((id) => a.moderated?.get(id) || a.latest?.get(id)?.rating)) ?? "" : ""));
    return [
      a.agencyName,
      SECTOR_GROUP_LABELS[a.sector],
      a.partnerships.join("; "),
      a.status,
      a.changedSinceSubmission ? "yes" : "no",
      yesNo(meetsMajorityIn(a.first, std)),
      yesNo(meetsMajorityIn(a.latest, std)),
      actions.length,
      actions.filter((x) => x.due < input.today).length,
      ...std.flatMap((_, i) => [first[i] ?? "", now[i] ?? "", moderated[i]]),
    ];
  });
  const actions = input.agencies.flatMap((a) =>
    actionsOf(a, std).map((x) => {
      const answer = latest.get(a.agencyId)?.answers.get(x.indicatorId);
      return [a.agencyName, x.standardId, x.indicatorId, a.first?.get(x.indicatorId)?.rating ?? "", x.rating, a.moderated?.get(x.indicatorId) ?? "", x.source === "panel" ? "panel" : "self-assessment", x.source === "panel" ? "" : answer?.actionText ?? "", x.due, x.due < input.today ? "yes" : "no"];
    }),
  );
  return {
    figures: { header: ["measure", "value"], rows: [["cycle", f.cycleName], ["partnerships", partnerships.join("; ")], ["as_of", input.today], ...figureRows(f)] },
    standards: { header: ["standard_id", "standard", "agencies_rating_it", "fully", "partially", "not", "fully_pct_now", "fully_pct_first_submission"], rows: f.standards.map((s) => [s.id, s.title, s.rated, s.fully, s.partially, s.not, s.greenPct, s.firstGreenPct]) },
    sectors: { header: ["sector", "agencies", "submitted", "past_deadline", "fully_meet_most_now_pct"], rows: f.bySector.map((s) => [s.label, s.agencies, s.submitted, s.overdue, s.meetsMajorityNow.pct]) },
    returns: { header: ["agency", "sector", "partnerships", "status", "changed_since_submission", "fully_meets_most_first", "fully_meets_most_now", "open_actions", "overdue_actions", ...std.flatMap((s) => [`${s.id}_first`, `${s.id}_now`, `${s.id}_moderated`])], rows: returns },
    actions: { header: ["agency", "standard_id", "indicator_id", "rating_first_submission", "rating_now", "rating_moderated", "source", "action", "due", "overdue"], rows: actions },
  };
}

export const csvOf = (t: { header: string[]; rows: Cell[][] }) => toCsv(t.header, t.rows);

const SHEETS: Array<[keyof ExportTables, string]> = [
  ["figures", "Figures"],
  ["standards", "Standards"],
  ["sectors", "Sectors"],
  ["returns", "Returns"],
  ["actions", "Actions"],
];

/** Strings stay strings (never formulas): write-excel-file writes them as text cells. */
export async function xlsxOf(t: ExportTables): Promise<Buffer> {
  const sheets = SHEETS.map(([k, sheet]) => ({ sheet, data: [t[k].header.map((h) => ({ value: h, fontWeight: "bold" as const })), ...t[k].rows.map((r) => r.map((v) => ({ value: v })))] }));
  const out = await writeXlsxFile(sheets).toBuffer();
  return Buffer.from(out);
}
