import type { ActionView, IndicatorStepView, NoticeView, OverviewView, ReviewStandardView, ReviewView, SignoffRequestView } from "../cards/views";
import type { LoadedReturn, StoredAnswer } from "../storage/returnsRepo";
import type { Cycle } from "../storage/cyclesRepo";
import { EMPTY_ANSWER, LIMITS, RATINGS, RATING_LABELS, answerFingerprint, formatDate, type Answer } from "./answer";
import { countsByStandard, daysLeftText, displayStatus, incompleteIndicators, progress, STATUS_COLORS, STATUS_LABELS } from "./status";
import type { TemplateIndex } from "./template";
import { S11_VERBS } from "./verbs";

/** Builds the card view models of the Section 11 flow from a loaded return. Pure: no I/O. */

export interface ViewContext {
  index: TemplateIndex;
  loaded: LoadedReturn;
  cycle: Cycle;
  today: string;
}

/** What one indicator card needs: less than a whole return, so a save can draw it from what it wrote. */
export interface StepContext {
  index: TemplateIndex;
  returnId: string;
  agencyName: string;
  answers: Map<string, StoredAnswer>;
}

export const stepContextOf = (ctx: ViewContext): StepContext => ({ index: ctx.index, returnId: ctx.loaded.partitionKey, agencyName: ctx.loaded.header.agencyName, answers: ctx.loaded.answers });

// One formatter for the process: building an Intl formatter per call costs more than the rest of a card.
const WHEN = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: "Europe/London" });
const when = (iso: string) => (iso && !Number.isNaN(Date.parse(iso)) ? WHEN.format(new Date(iso)) : "");

const act = (title: string, verb: string, data: Record<string, string>, style: ActionView["style"] = "default"): ActionView => ({ title, verb, data, style });

export function stepView(
  ctx: StepContext,
  indicatorId: string,
  opts: { shown?: Answer; notice?: NoticeView; problems?: string[]; yourVersion?: string; readOnly?: boolean; skipTo?: string } = {},
): IndicatorStepView {
  const ref = ctx.index.get(indicatorId)!;
  const stored = ctx.answers.get(indicatorId);
  const shown = opts.shown ?? stored ?? EMPTY_ANSWER;
  const returnId = ctx.returnId;
  // fp and origDue describe the stored answer the card was drawn from (see answerFingerprint).
  const base = { returnId, indicatorId, etag: stored?.etag ?? "", fp: answerFingerprint(stored ?? EMPTY_ANSWER), origDue: stored?.actionDue ?? "", hn: String(stored?.historyCount ?? 0) };
  const std = ctx.index.template.standards;
  const actions: ActionView[] = opts.readOnly
    ? [act("Back to overview", S11_VERBS.overview, { returnId }, "positive")]
    : [
        act(ref.position === ctx.index.size - 1 ? "Save and review" : "Save and next", S11_VERBS.save, { ...base, go: "next" }, "positive"),
        ...(opts.skipTo ? [act("Skip for now", S11_VERBS.step, { returnId, indicatorId: opts.skipTo })] : []),
        ...(ref.position > 0 ? [act("Save and back", S11_VERBS.save, { ...base, go: "back" })] : []),
        act("Save and overview", S11_VERBS.save, { ...base, go: "overview" }),
      ];
  return {
    returnId,
    indicatorId,
    etag: base.etag,
    agencyName: ctx.agencyName,
    standardLabel: `Standard ${ref.standardIndex + 1} of ${std.length}: ${ref.standard.title}`,
    positionLabel: `Indicator ${ref.indicator.id} · ${ref.position + 1} of ${ctx.index.size}`,
    question: ref.indicator.text,
    guidance: ref.indicator.guidance ?? "",
    ratingChoices: RATINGS.map((r) => ({ title: RATING_LABELS[r], value: r })),
    rating: shown.rating ?? "",
    evidence: shown.evidence,
    naReason: shown.naReason,
    actionText: shown.actionText,
    actionOwner: shown.actionOwner,
    actionDue: shown.actionDue,
    limits: { ...LIMITS },
    notice: opts.notice,
    problems: opts.problems ?? [],
    lastChangedText: stored?.updatedAt ? `Last changed by ${stored.updatedBy || "someone"}, ${when(stored.updatedAt)}` : "Not answered yet",
    yourVersion: opts.yourVersion,
    readOnly: !!opts.readOnly,
    actions,
  };
}

/** What the user had typed, as plain lines, when a newer answer replaced it on screen. */
export function describeAnswer(a: Answer): string {
  return [
    a.rating ? `Rating: ${RATING_LABELS[a.rating]}` : "",
    a.evidence ? `Evidence: ${a.evidence}` : "",
    a.naReason ? `Why not applicable: ${a.naReason}` : "",
    a.actionText ? `Action: ${a.actionText}` : "",
    a.actionOwner ? `Owner: ${a.actionOwner}` : "",
    a.actionDue ? `Due: ${formatDate(a.actionDue)}` : "",
  ].filter(Boolean).join("\n");
}

export function overviewView(ctx: ViewContext, opts: { notice?: NoticeView; canEdit: boolean }): OverviewView {
  const { index, loaded } = ctx;
  const returnId = loaded.partitionKey;
  const status = displayStatus(loaded.header, loaded.answers.values());
  const p = progress(index, loaded.answers);
  const counts = countsByStandard(index, loaded.answers);
  const firstMissing = incompleteIndicators(index, loaded.answers)[0];
  const actions: ActionView[] = [];
  if (opts.canEdit && firstMissing) actions.push(act("Continue", S11_VERBS.step, { returnId, indicatorId: firstMissing.indicator.id }, "positive"));
  actions.push(act("Review the whole return", S11_VERBS.review, { returnId }, firstMissing ? "default" : "positive"));
  return {
    agencyName: loaded.header.agencyName,
    cycleName: ctx.cycle.name,
    deadlineText: `Deadline ${formatDate(ctx.cycle.deadline)} (${daysLeftText(ctx.cycle.deadline, ctx.today)})`,
    statusLabel: STATUS_LABELS[status],
    statusColor: STATUS_COLORS[status],
    progressText: `${p.answered} of ${p.total} indicators answered`,
    notice: opts.notice ?? (status === "sent_back" && loaded.header.sentBackComment ? { text: `${loaded.header.sentBackBy} sent this back: "${loaded.header.sentBackComment}"`, color: "attention" } : undefined),
    standards: index.template.standards.map((s, i) => {
      const c = counts[i];
      const answered = c.total - c.missing;
      const target = s.indicators.find((ind) => { const a = loaded.answers.get(ind.id); return !a || incompleteIndicators(index, new Map([[ind.id, a]])).some((r) => r.indicator.id === ind.id); }) ?? s.indicators[0];
      return {
        number: String(i + 1),
        title: s.title,
        progressText: `${answered}/${c.total}`,
        color: answered === c.total ? "good" : answered > 0 ? "warning" : "default",
        open: act(opts.canEdit ? "Open" : "View", S11_VERBS.step, { returnId, indicatorId: target.id }),
      };
    }),
    actions,
  };
}

export function standardSummaries(index: TemplateIndex, answers: Map<string, StoredAnswer>): ReviewStandardView[] {
  return countsByStandard(index, answers).map((c, i) => ({
    number: String(i + 1),
    title: index.template.standards[i].title,
    ...c,
    summaryText: [
      c.fully ? `${c.fully} fully met` : "",
      c.partially ? `${c.partially} partially met` : "",
      c.not ? `${c.not} not met` : "",
      c.na ? `${c.na} not applicable` : "",
      c.missing ? `${c.missing} to answer` : "",
    ].filter(Boolean).join(" · "),
  }));
}

export function totalsText(standards: ReviewStandardView[]): string {
  const t = standards.reduce((acc, s) => ({ fully: acc.fully + s.fully, partially: acc.partially + s.partially, not: acc.not + s.not, na: acc.na + s.na, missing: acc.missing + s.missing }), { fully: 0, partially: 0, not: 0, na: 0, missing: 0 });
  return `${t.fully} fully met, ${t.partially} partially met, ${t.not} not met, ${t.na} not applicable${t.missing ? `; ${t.missing} still to answer` : ""}`;
}

const INCOMPLETE_SHOWN = 8;

export function reviewView(ctx: ViewContext, opts: { notice?: NoticeView; canEdit: boolean; substituteContact?: string }): ReviewView {
  const { index, loaded } = ctx;
  const returnId = loaded.partitionKey;
  const status = displayStatus(loaded.header, loaded.answers.values());
  const standards = standardSummaries(index, loaded.answers);
  const incomplete = incompleteIndicators(index, loaded.answers);
  const canRequestSignoff = opts.canEdit && incomplete.length === 0 && (status === "draft" || status === "sent_back" || status === "updated" || status === "not_started" || status === "changed_after_request");
  const actions: ActionView[] = [];
  if (canRequestSignoff) actions.push(act(status === "updated" ? "Send the update for sign-off" : "Send for sign-off", S11_VERBS.requestSignoff, { returnId }, "positive"));
  actions.push(act("Back to overview", S11_VERBS.overview, { returnId }));
  return {
    returnId,
    agencyName: loaded.header.agencyName,
    cycleName: ctx.cycle.name,
    statusLabel: STATUS_LABELS[status],
    statusColor: STATUS_COLORS[status],
    totalsText: totalsText(standards),
    standards,
    incomplete: incomplete.slice(0, INCOMPLETE_SHOWN).map((r) => ({ label: `${r.indicator.id} ${truncate(r.indicator.text, 70)}`, open: act("Answer", S11_VERBS.step, { returnId, indicatorId: r.indicator.id }) })),
    moreIncompleteText: incomplete.length > INCOMPLETE_SHOWN ? `and ${incomplete.length - INCOMPLETE_SHOWN} more to answer` : "",
    notice: opts.notice ?? (status === "awaiting_signoff" ? { text: `Waiting for sign-off since ${when(loaded.header.signoffRequestedAt ?? "")}.`, color: "warning" } : undefined),
    canRequestSignoff,
    substituteContact: opts.substituteContact ?? loaded.header.substituteContact ?? "",
    actions,
  };
}

export function signoffView(ctx: ViewContext, opts: { notice?: NoticeView; comment?: string; open: boolean }): SignoffRequestView {
  const { loaded, index } = ctx;
  const returnId = loaded.partitionKey;
  const standards = standardSummaries(index, loaded.answers);
  return {
    returnId,
    agencyName: loaded.header.agencyName,
    cycleName: ctx.cycle.name,
    requestedBy: loaded.header.signoffRequestedBy ?? "",
    requestedAtText: when(loaded.header.signoffRequestedAt ?? ""),
    substituteContact: loaded.header.substituteContact ?? "",
    totalsText: totalsText(standards),
    standards,
    isUpdate: loaded.header.submissionCount > 0,
    notice: opts.notice,
    comment: opts.comment ?? "",
    open: opts.open,
    actions: opts.open
      ? [
          act(loaded.header.submissionCount > 0 ? "Sign off and submit the update" : "Sign off and submit", S11_VERBS.approve, { returnId, version: loaded.headerEtag }, "positive"),
          act("Send back with comment", S11_VERBS.sendBack, { returnId, version: loaded.headerEtag }, "destructive"),
          act("See the whole return", S11_VERBS.overview, { returnId }),
        ]
      : [act("See the whole return", S11_VERBS.overview, { returnId })],
  };
}

function truncate(s: string, n: number) {
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
}
