import { joinShown, md, NO_TEXT, text, type Shown } from "../cards/text";
import type { ActionView, ChoiceView, FactView } from "../cards/views";
import type { DigestSection } from "../storage/digestsRepo";
import { SECTOR_GROUP_LABELS, SECTOR_GROUPS, STANDARD_RULE_TEXT } from "../reporting/rules";
import { responseRatePct, type TrainingFigures } from "../reporting/training";
import type { SectorFigures, Share } from "../reporting/types";
import { formatDate, formatWhen } from "../time";
import type { DigestRecord } from "./composer";
import { DIGEST_VERBS } from "./verbs";
import { CardTooLargeError, renderCard } from "../cards/renderCard";
import type { ChartSlice, DigestView, SectorRowView } from "./views";

/** Turns a stored digest into the channel card: headline figures in words first, then charts, each with its numbers in a fallback. */

const n = (x: number) => x.toLocaleString("en-GB");
const plural = (count: number, one: string, many = `${one}s`) => `${n(count)} ${count === 1 ? one : many}`;
// For table cells: soft hyphens let "submissions" break as "sub-missions" on a phone, not at any letter.
const pct = (s: Share) => (s.of ? `${s.pct}%` : "no sub\u00admis\u00adsions yet");
const signed = (d: number) => (d > 0 ? `+${d}` : String(d));
const day = (period: string) => formatDate(period.slice(0, 10));
/** Cut for display at a word boundary where there is one, so what is left reads as whole words. */
function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  const head = s.slice(0, Math.max(1, max - 1));
  const space = head.lastIndexOf(" ");
  return `${space > max / 2 ? head.slice(0, space) : head}…`;
}
const shortLabel = (id: string, title: string, max = 40) => (max <= 0 ? id : `${id} ${cut(title, max)}`);

/**
 * How much a card may show: level 0 is everything; each level cuts lists and labels further, so a
 * partnership of any size, with names of any length, still fits Teams' limit (see digestCard).
 */
const LEVELS = [
  { list: 10, name: 120, title: 40, quote: 300, courses: 8, partnership: 60 },
  { list: 6, name: 70, title: 28, quote: 200, courses: 4, partnership: 40 },
  { list: 3, name: 40, title: 16, quote: 120, courses: 2, partnership: 30 },
  { list: 0, name: 30, title: 0, quote: 0, courses: 0, partnership: 20 },
] as const;

export const RATING_COLOURS = { fully: "good", partially: "warning", not: "attention" } as const;

function deadlineText(days: number, deadline: string): string {
  if (!deadline) return "";
  if (days > 1) return `deadline ${formatDate(deadline)}, ${days} days left`;
  if (days === 1) return `deadline ${formatDate(deadline)}, tomorrow`;
  if (days === 0) return `deadline ${formatDate(deadline)}, today`;
  return `deadline ${formatDate(deadline)}, ${plural(-days, "day")} ago`;
}

function sectorRow(s: SectorFigures): SectorRowView {
  return { label: text(s.label), agencies: text(n(s.agencies)), submitted: text(n(s.submitted)), overdue: text(n(s.overdue)), meets: text(pct(s.meetsMajorityNow)) };
}

function trainingLine(label: string, f: TrainingFigures | undefined): string {
  if (!f) return `${label}: no training recorded.`;
  const parts = [`${plural(f.sessions, "session")}`, `${plural(f.delegates, "delegate")}`, `evaluations answered by ${n(f.answered)} of ${n(f.delegates)} (${responseRatePct(f)}%)`];
  if (f.averageRating !== undefined) parts.push(`average rating ${f.averageRating} out of 5`);
  return `${label}: ${parts.join(", ")}.`;
}

export interface PresentOptions {
  sections: readonly DigestSection[];
  /** Drill-down inputs and buttons; `scope` data lets an admin's preview in personal chat name the channel. */
  interactive: boolean;
  actionData?: Record<string, string>;
}

/** The digest view that fits on a card: the fullest level whose bound card is under Teams' limit. */
export function digestCard(r: DigestRecord, o: PresentOptions): DigestView {
  for (let level = 0; level < LEVELS.length - 1; level++) {
    const view = digestView(r, o, level);
    try {
      renderCard("digest", view);
      return view;
    } catch (e) {
      if (!(e instanceof CardTooLargeError)) throw e;
    }
  }
  return digestView(r, o, LEVELS.length - 1);
}

export function digestView(r: DigestRecord, o: PresentOptions, level = 0): DigestView {
  const L = LEVELS[Math.min(level, LEVELS.length - 1)];
  const has = (s: DigestSection) => o.sections.includes(s);
  const f = r.figures;
  const title = md`Section 11 digest: ${r.partnerships.map((p) => cut(p, L.partnership)).join(" and ")}`;
  const subtitle = f ? text(`${cut(f.cycleName, 120)} · figures at ${formatWhen(r.at)}`) : text(`Figures at ${formatWhen(r.at)}`);
  const empty: DigestView = {
    title,
    subtitle,
    emptyText: NO_TEXT,
    showFigures: false,
    headline: NO_TEXT,
    quotable: NO_TEXT,
    changeText: NO_TEXT,
    previousCycleText: NO_TEXT,
    showReturns: false,
    returnsText: NO_TEXT,
    sectorRows: [],
    partnershipRows: [],
    showStandards: false,
    splitTitle: NO_TEXT,
    split: [],
    splitFacts: [],
    barsTitle: NO_TEXT,
    bars: [],
    standardFacts: [],
    ruleText: NO_TEXT,
    showTrend: false,
    trendTitle: NO_TEXT,
    trend: [],
    trendFacts: [],
    showAttention: false,
    attentionText: NO_TEXT,
    overdueActions: [],
    overdueAgencies: [],
    attentionMore: NO_TEXT,
    showTraining: false,
    trainingText: NO_TEXT,
    hasResponseRate: false,
    responseTitle: NO_TEXT,
    responseRate: 0,
    responseFacts: [],
    trainingFacts: [],
    quotes: [],
    interactive: false,
    standardChoices: [],
    sectorChoices: [],
    actions: [],
  };
  const view: DigestView = { ...empty };
  if (!f) view.emptyText = md`No Section 11 cycle covers ${r.partnerships.map((p) => cut(p, L.partnership)).join(" or ")} yet: the figures start when the business manager opens one.`;
  else {
    const h = f.headline;
    view.showFigures = true;
    view.headline = h.first.of
      ? md`${h.first.pct}% of agencies fully met most of their applicable indicators at first submission (${n(h.first.count)} of ${n(h.first.of)}); ${h.now.pct}% do now (${n(h.now.count)} of ${n(h.now.of)}).`
      : md`No agency has submitted its return yet.`;
    const rated = f.standards.filter((s) => s.rated > 0);
    view.quotable = rated.length ? md`Agencies fully meeting each standard: ${joinShown(rated.map((s) => `${s.id} ${s.greenPct}%`), ", ")}.` : NO_TEXT;
    const p = r.sincePrevious;
    if (p) {
      const more = f.returns.submitted - p.submitted;
      const changes = [
        more >= 0 ? `${plural(more, "more return")} submitted` : `${plural(-more, "return")} fewer submitted`,
        `fully meeting most indicators ${p.nowPct}% → ${h.now.pct}% (${signed(h.now.pct - p.nowPct)} points)`,
        `overdue actions ${n(p.overdueActions)} → ${n(r.overdueActionsCount)}`,
      ];
      view.changeText = md`Since the last digest (${day(p.period)}): ${changes.join("; ")}.`;
    }
    if (r.previousCycle) {
      const p = r.previousCycle;
      const moved = (p.standards ?? []).map((x) => `${cut(x.id, 12)} ${x.previousPct}% → ${x.nowPct}%`);
      const perStandard = moved.length ? ` Agencies fully meeting each standard, then → now: ${moved.join(", ")}.` : "";
      view.previousCycleText = md`Against the previous cycle (${cut(p.name, 120)}): ${p.firstPct}% fully met most indicators at first submission and ${p.nowPct}% at its latest submissions, against ${h.now.pct}% now (${signed(h.now.pct - p.nowPct)} points).${perStandard}`;
    }

    if (has("returns")) {
      const x = f.returns;
      view.showReturns = true;
      const parts = [`${n(x.submitted)} of ${plural(x.agencies, "agency", "agencies")} submitted`, `${n(x.awaitingSignoff)} awaiting sign-off`, `${n(x.inProgress)} in progress`, `${n(x.notStarted)} not started`];
      const late = x.overdue ? ` ${plural(x.overdue, "agency", "agencies")} past the deadline without a submission.` : "";
      const changed = x.changedSinceSubmission ? ` ${plural(x.changedSinceSubmission, "submitted return")} changed since, not yet signed off again.` : "";
      view.returnsText = text(`${parts.join(", ")}; ${deadlineText(x.daysToDeadline, x.deadline)}.${late}${changed}`);
      view.sectorRows = f.bySector.map(sectorRow);
      view.partnershipRows = f.byPartnership.map((b) => ({ label: text(cut(b.partnership, L.partnership)), agencies: text(n(b.agencies)), submitted: text(n(b.submitted)), meets: text(pct(b.meetsMajorityNow)) }));
    }
    if (has("standards") && f.standards.length) {
      view.showStandards = true;
      view.splitTitle = text("Standards rated by the agencies (latest submissions)");
      const split: ChartSlice[] = [
        { legend: "Fully met", value: f.overall.fully, color: RATING_COLOURS.fully },
        { legend: "Partially met", value: f.overall.partially, color: RATING_COLOURS.partially },
        { legend: "Not met", value: f.overall.not, color: RATING_COLOURS.not },
      ];
      view.split = split;
      view.splitFacts = split.map((s) => ({ title: text(s.legend), value: text(n(s.value)) }));
      view.barsTitle = text("Agencies per standard: fully, partially, not met");
      view.bars = f.standards.map((s) => ({
        title: shortLabel(s.id, s.title, L.title),
        parts: [
          { legend: "Fully met", value: s.fully, color: RATING_COLOURS.fully },
          { legend: "Partially met", value: s.partially, color: RATING_COLOURS.partially },
          { legend: "Not met", value: s.not, color: RATING_COLOURS.not },
        ],
      }));
      view.standardFacts = f.standards.map((s) => ({ title: text(shortLabel(s.id, s.title, L.title)), value: text(`${n(s.fully)} fully, ${n(s.partially)} partially, ${n(s.not)} not met${s.rated ? ` (${s.greenPct}% fully)` : ""}`) }));
      // Which rating the figures are (docs/panels.md): the agencies' own; panels' moderated ratings are in the export beside them.
      view.ruleText = text(`${STANDARD_RULE_TEXT} Ratings are the agencies' own (self-assessment); challenge panels' moderated ratings are in the export, beside them.`);
    }
    if (r.trend.length > 1) {
      view.showTrend = true;
      view.trendTitle = text("Agencies fully meeting most indicators (%)");
      view.trend = r.trend.map((t) => ({ x: day(t.period), y: t.nowPct }));
      view.trendFacts = r.trend.map((t) => ({ title: text(day(t.period)), value: text(`${t.nowPct}%`) }));
    }
    if (has("attention")) {
      view.showAttention = true;
      view.attentionText = text(
        r.overdueActionsCount || f.returns.overdue
          ? `${plural(r.overdueActionsCount, "action")} past the due date and not closed (of ${n(f.openActions)} open); ${plural(f.returns.overdue, "agency", "agencies")} past the deadline without a submission.`
          : `No overdue actions (${n(f.openActions)} open) and no agency past the deadline without a submission.`,
      );
      const stdById = new Map(f.standards.map((s) => [s.id, s]));
      const actions = f.overdueActions.slice(0, L.list);
      const late = f.overdueAgencies.slice(0, L.list);
      view.overdueActions = actions.map((a) => md`${formatDate(a.due)}: ${cut(a.agencyName, L.name)}, standard ${stdById.get(a.standardId)?.id ?? a.standardId} (indicator ${a.indicatorId})`);
      view.overdueAgencies = late.length ? [md`Not submitted: ${joinShown(late.map((a) => cut(a.agencyName, L.name)), "; ")}`] : [];
      const moreActions = r.overdueActionsCount - actions.length;
      const moreAgencies = f.returns.overdue - late.length;
      view.attentionMore = moreActions > 0 || moreAgencies > 0 ? text(`And ${[moreActions > 0 ? plural(moreActions, "more action") : "", moreAgencies > 0 ? plural(moreAgencies, "more agency", "more agencies") : ""].filter(Boolean).join(" and ")}: look closer by sector or agency below.`) : NO_TEXT;
    }
  }
  if (has("training")) {
    view.showTraining = true;
    const t = r.training;
    if (!t.since && !t.ytd) view.trainingText = text("No training recorded yet.");
    else {
      view.trainingText = text([trainingLine(`Since ${formatDate(t.sinceFrom)}`, t.since), trainingLine(`Year to date (from ${formatDate(t.ytdFrom)})`, t.ytd)].join(" "));
      const y = t.ytd ?? t.since!;
      if (y.delegates > 0) {
        view.hasResponseRate = true;
        view.responseTitle = text("Evaluation response rate, year to date");
        view.responseRate = responseRatePct(y);
        view.responseFacts = [{ title: text("Response rate"), value: text(`${responseRatePct(y)}% (${n(y.answered)} of ${n(y.delegates)})`) }];
      }
      const facts: FactView[] = [];
      const c = y.confidence;
      if (c && (c.before !== undefined || c.after !== undefined)) facts.push({ title: text("Confidence (out of 5)"), value: text([c.before !== undefined ? `before ${c.before}` : "", c.after !== undefined ? `after ${c.after}` : "", c.followUp !== undefined ? `at follow-up ${c.followUp}` : ""].filter(Boolean).join(", ")) });
      if (y.followUp) facts.push({ title: text("Follow-up"), value: text(`${n(y.followUp.answered)} of ${n(y.followUp.sent)} answered${y.followUp.impactPct !== undefined ? `; ${y.followUp.impactPct}% say their practice changed` : ""}`) });
      for (const b of (y.byCourse ?? []).slice(0, L.courses)) facts.push({ title: text(cut(b.course, 60)), value: text(`${plural(b.sessions, "session")}, ${plural(b.delegates, "delegate")}${b.averageRating !== undefined ? `, rated ${b.averageRating}` : ""}`) });
      view.trainingFacts = facts;
      view.quotes = L.quote ? y.quotes.map((q) => md`“${cut(q, L.quote)}”`) : [];
    }
  }
  if (o.interactive && f) {
    view.interactive = true;
    view.standardChoices = f.standards.map((s) => ({ title: shortLabel(s.id, s.title, L.title), value: String(s.index) }));
    view.sectorChoices = SECTOR_GROUPS.map((g) => ({ title: SECTOR_GROUP_LABELS[g], value: g }));
    const data = o.actionData ?? {};
    view.actions = [
      { title: "Show standard", verb: DIGEST_VERBS.standard, data, style: "positive" },
      { title: "Show sector", verb: DIGEST_VERBS.sector, data },
      { title: "Find agency", verb: DIGEST_VERBS.agency, data },
      { title: "Export (CSV, Excel)", verb: DIGEST_VERBS.export, data, inputs: "none" },
    ];
  }
  return view;
}

export const CHOICES = {
  sections: [
    { title: "Returns and sectors", value: "returns" },
    { title: "Standards (charts)", value: "standards" },
    { title: "Needs attention", value: "attention" },
    { title: "Training", value: "training" },
  ] satisfies ChoiceView[],
};

export type { ActionView, Shown };
