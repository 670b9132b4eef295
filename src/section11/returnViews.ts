import type { ActionView, NoticeView } from "../cards/views";
import { md, NO_TEXT, text, type Shown } from "../cards/text";
import type { AnswerColumns, LoadedReturn, StoredAnswer } from "../storage/returnsRepo";
import type { Cycle } from "../storage/cyclesRepo";
import { daysLeftText, formatDate, formatWhen } from "../time";
import { EMPTY_ANSWER, LIMITS, RATINGS, RATING_LABELS, answerDigest, answerOf, fieldsFor, ratingOf, missingForCompletion, type Answer, type FieldProblem, type Rating } from "./answer";
import { countsByStandard, displayStatus, incompleteIndicators, progress, STATUS_COLORS, STATUS_LABELS } from "./status";
import type { TemplateIndex } from "./template";
import { S11_VERBS } from "./verbs";
import type { AnswerShownView, IndicatorStepView, OverviewView, ReviewStandardView, ReviewView, SignoffRequestView, StandardAnswersView } from "./views";
import { fitText } from "../cards/fit";
import { returnVersion } from "../storage/returnsRepo";

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

const act = (title: string, verb: string, data: Record<string, string>, style: ActionView["style"] = "default"): ActionView => ({ title, verb, data, style });

/** What a save needs from the card besides the inputs: the row, its ETag and a digest of what was stored. */
export function saveData(returnId: string, indicatorId: string, stored: StoredAnswer | undefined): Record<string, string> {
  return { returnId, indicatorId, etag: stored?.etag ?? "", answerDigest: answerDigest(stored ? answerOf(stored) : EMPTY_ANSWER), storedDue: stored?.actionDue ?? "" };
}

export function answerShown(a: Answer): AnswerShownView {
  return {
    rating: text(a.rating ? RATING_LABELS[a.rating] : ""),
    evidence: text(a.evidence),
    naReason: text(a.naReason),
    actionText: text(a.actionText),
    actionOwner: text(a.actionOwner),
    actionDue: text(a.actionDue ? formatDate(a.actionDue) : ""),
  };
}

const RATING_HINTS: Record<Rating, string> = {
  fully: "It is in place and you can show it: give your evidence.",
  partially: "Some of it is in place: your evidence, and an action to finish it.",
  not: "It is not in place yet: what you know, and an action with an owner and a date.",
  na: "It does not apply to your organisation: say why.",
};

const NO_FIELD_PROBLEMS = { rating: NO_TEXT, evidence: NO_TEXT, naReason: NO_TEXT, actionText: NO_TEXT, actionOwner: NO_TEXT, actionDue: NO_TEXT };

export interface StepOptions {
  /** What the card's inputs show (what was typed), when it is not the stored answer. */
  shown?: Answer;
  notice?: NoticeView;
  /** Problems per field: each is shown under its field, and summed up by the notice. */
  problems?: FieldProblem[];
  yourVersion?: Shown;
  readOnly?: boolean;
  skipTo?: string;
  /** Opened from the review's list of what is left: saving returns there. */
  returnTo?: "review";
}

export function stepView(ctx: StepContext, indicatorId: string, opts: StepOptions = {}): IndicatorStepView {
  const ref = ctx.index.get(indicatorId)!;
  const stored = ctx.answers.get(indicatorId);
  const shown = opts.shown ?? (stored ? answerOf(stored) : EMPTY_ANSWER);
  const returnId = ctx.returnId;
  const drawnFrom = saveData(returnId, indicatorId, stored);
  const base: Record<string, string> = { ...drawnFrom, ...(opts.returnTo ? { returnTo: opts.returnTo } : {}) };
  const std = ctx.index.template.standards;
  const choosing = !opts.readOnly && !shown.rating;
  const next = ctx.index.next(indicatorId);
  const previous = ctx.index.previous(indicatorId);
  const nav = (title: string, id: string) => act(title, S11_VERBS.step, { returnId, indicatorId: id });
  let actions: ActionView[];
  if (opts.readOnly) actions = [act("Back to overview", S11_VERBS.overview, { returnId }, "positive"), ...(stored?.updatedAt ? [act("Change history", S11_VERBS.history, { returnId, indicatorId })] : [])];
  else if (choosing) actions = [...(next ? [nav("Skip for now", next.indicator.id)] : []), ...(previous ? [nav("Previous indicator", previous.indicator.id)] : []), act("Overview", S11_VERBS.overview, { returnId })];
  else if (opts.returnTo === "review") {
    // Opened from the review's list of carried answers: saving as it is confirms it, so the button says so.
    const carried = !!stored?.carriedFrom && !opts.shown;
    actions = [act(carried ? "Confirm and back to the review" : "Save and back to the review", S11_VERBS.save, { ...base, then: "review" }, "positive"), act("Save", S11_VERBS.save, { ...base, then: "stay" })];
  }
  else {
    const carried = !!stored?.carriedFrom && !opts.shown;
    actions = [
      // A carried-forward answer is confirmed by saving it as it is (any save clears the mark).
      ...(carried ? [act(ref.position === ctx.index.size - 1 ? "Confirm and review" : "Confirm and next", S11_VERBS.save, { ...base, then: "next" }, "positive")] : []),
      act(ref.position === ctx.index.size - 1 ? "Save and review" : "Save and next", S11_VERBS.save, { ...base, then: "next" }, carried ? "default" : "positive"),
      ...(opts.skipTo ? [nav("Skip for now", opts.skipTo)] : []),
      ...(ref.position > 0 ? [act("Save and back", S11_VERBS.save, { ...base, then: "back" })] : []),
      act("Save and overview", S11_VERBS.save, { ...base, then: "overview" }),
      ...(stored?.updatedAt ? [{ ...act("Change history", S11_VERBS.history, { returnId, indicatorId }), inputs: "none" as const }] : []),
    ];
  }
  const fieldProblems = { ...NO_FIELD_PROBLEMS };
  for (const p of opts.problems ?? []) fieldProblems[p.field] = text(p.message);
  const needs = fieldsFor(shown.rating);
  return {
    returnId,
    indicatorId,
    etag: drawnFrom.etag,
    agencyName: text(ctx.agencyName),
    standardLabel: md`Standard ${ref.standardIndex + 1} of ${std.length}: ${ref.standard.title}`,
    positionLabel: md`Indicator ${ref.indicator.id} · ${ref.position + 1} of ${ctx.index.size}`,
    question: text(ref.indicator.text),
    guidance: text(ref.indicator.guidance ?? ""),
    ratingChoices: RATINGS.map((r) => ({ title: RATING_LABELS[r], value: r })),
    rating: shown.rating ?? "",
    evidence: shown.evidence,
    naReason: shown.naReason,
    actionText: shown.actionText,
    actionOwner: shown.actionOwner,
    actionDue: /^\d{4}-\d{2}-\d{2}$/.test(shown.actionDue) ? shown.actionDue : "",
    shown: answerShown(shown),
    limits: { ...LIMITS },
    choosing,
    ratingOptions: RATINGS.map((r) => ({ label: text(RATING_LABELS[r]), hint: text(RATING_HINTS[r]), choose: act(RATING_LABELS[r], S11_VERBS.step, { returnId, indicatorId, rating: r, ...(opts.returnTo ? { returnTo: opts.returnTo } : {}) }) })),
    needs: { evidence: needs.evidence, naReason: needs.naReason, action: needs.action },
    notice: opts.notice ?? carriedNotice(stored, opts),
    // The carried-forward mark is said once, above the answer; what a press did is repeated by the buttons.
    bottomNotice: opts.notice,
    problems: [],
    fieldProblems,
    lastChangedText: stored?.carriedFrom ? md`${stored.updatedBy || "Carried forward from the previous cycle"}: carried forward, please confirm` : stored?.updatedAt ? md`Last changed by ${stored.updatedBy || "someone"}, ${formatWhen(stored.updatedAt)}` : md`Not answered yet`,
    yourVersion: opts.yourVersion,
    readOnly: !!opts.readOnly,
    actions,
  };
}

/** The mark on an answer carried from the previous cycle, until the lead confirms or changes it. */
function carriedNotice(stored: StoredAnswer | undefined, opts: StepOptions): NoticeView | undefined {
  if (!stored?.carriedFrom) return undefined;
  return opts.readOnly
    ? { text: md`Carried forward from the previous cycle, not confirmed yet.`, color: "warning" }
    : { text: md`Carried forward, please confirm: this is your answer from the previous cycle. Check it is still true, change what is not, then Confirm (or Save). The return cannot go for sign-off until every carried answer is confirmed.`, color: "warning" };
}

/** What the user had typed, as lines of plain text, when a newer answer replaced it on screen. */
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

export function overviewView(ctx: ViewContext, opts: { notice?: NoticeView; canEdit: boolean; beside?: RatingsBeside }): OverviewView {
  const { index, loaded } = ctx;
  const returnId = loaded.partitionKey;
  const status = displayStatus(loaded.header, loaded.answers.values());
  const p = progress(index, loaded.answers);
  const counts = countsByStandard(index, loaded.answers);
  const incomplete = new Set(incompleteIndicators(index, loaded.answers).map((r) => r.indicator.id));
  const firstMissing = index.ordered.find((r) => incomplete.has(r.indicator.id));
  const actions: ActionView[] = [];
  if (opts.canEdit && firstMissing) actions.push(act("Continue", S11_VERBS.step, { returnId, indicatorId: firstMissing.indicator.id }, "positive"));
  // Carried-forward answers count as answered but must be confirmed before sign-off: a way straight to the first.
  const firstCarried = index.ordered.find((r) => loaded.answers.get(r.indicator.id)?.carriedFrom);
  if (opts.canEdit && firstCarried) actions.push(act("Confirm carried answers", S11_VERBS.step, { returnId, indicatorId: firstCarried.indicator.id }, firstMissing ? "default" : "positive"));
  actions.push(act("Review the whole return", S11_VERBS.review, { returnId }, firstMissing || firstCarried ? "default" : "positive"));
  if (loaded.header.carriedFrom) actions.push(act("Compare with the previous cycle", S11_VERBS.compare, { agencyId: loaded.header.agencyId, cycleId: loaded.header.cycleId }));
  const sentBack = status === "sent_back" && loaded.header.sentBackComment ? { text: md`${loaded.header.sentBackBy ?? ""} sent this back: "${loaded.header.sentBackComment}"`, color: "attention" as const } : undefined;
  return {
    agencyName: text(loaded.header.agencyName),
    cycleName: text(ctx.cycle.name),
    deadlineText: md`Deadline ${formatDate(ctx.cycle.deadline)} (${daysLeftText(ctx.cycle.deadline, ctx.today)})`,
    statusLabel: text(ctx.cycle.status === "closed" ? `${STATUS_LABELS[status]} · cycle closed (read only)` : STATUS_LABELS[status]),
    statusColor: STATUS_COLORS[status],
    progressText: md`${p.answered} of ${p.total} indicators answered`,
    besideText: besideTotals(index, loaded.answers, opts.beside, "overview"),
    notice: opts.notice ?? sentBack,
    standards: index.template.standards.map((s, i) => {
      const c = counts[i];
      const answered = c.total - c.missing;
      const target = s.indicators.find((ind) => incomplete.has(ind.id)) ?? s.indicators[0];
      const verbWord = opts.canEdit ? "Open" : "View";
      return {
        number: text(String(i + 1)),
        title: text(s.title),
        progressText: md`${answered}/${c.total}`,
        color: answered === c.total ? "good" : answered > 0 ? "warning" : "default",
        open: act(`${verbWord} standard ${i + 1}`, S11_VERBS.step, { returnId, indicatorId: target.id }),
        openLabel: text(verbWord),
      };
    }),
    actions,
  };
}

/** From the return's summary row: the ratings at first submission and a challenge panel's moderated ratings, shown beside the agency's own. */
export interface RatingsBeside {
  first?: Map<string, { rating: string }>;
  moderated?: Map<string, string>;
}

const ratingLabel = (r: string | undefined) => (r && ratingOf(r) ? RATING_LABELS[ratingOf(r)!] : "not answered");
/** Entries listed per standard on the review card before "and n more": keeps 60 indicators well inside 28 KB. */
const BESIDE_SHOWN = 12;
const listed = (items: string[]) => `${items.slice(0, BESIDE_SHOWN).join("; ")}${items.length > BESIDE_SHOWN ? `; and ${items.length - BESIDE_SHOWN} more` : ""}`;

/**
 * Per standard, once per indicator that a panel moderated or that changed since the first
 * submission: the agency's own rating, the first submission's, the panel's ("2.1 Partially met,
 * first submission Fully met, panel Not met"). Each id once keeps 60 indicators inside 28 KB.
 */
function besideOf(index: TemplateIndex, answers: Map<string, StoredAnswer>, standardIndex: number, beside: RatingsBeside | undefined): { text: Shown; moderated: number; changed: number } {
  if (!beside) return { text: NO_TEXT, moderated: 0, changed: 0 };
  let moderated = 0;
  let changed = 0;
  const entries: string[] = [];
  for (const { id } of index.template.standards[standardIndex].indicators) {
    const own = answers.get(id)?.rating ?? "";
    const first = beside.first ? beside.first.get(id)?.rating ?? "" : own;
    const panel = beside.moderated?.get(id);
    if (first === own && !panel) continue;
    if (first !== own) changed++;
    if (panel) moderated++;
    entries.push(`${id} ${ratingLabel(own)}${first !== own ? `, first submission ${ratingLabel(first)}` : ""}${panel ? `, panel ${ratingLabel(panel)}` : ""}`);
  }
  return { text: entries.length ? text(`Changed or moderated: ${listed(entries)}`) : NO_TEXT, moderated, changed };
}

export function standardSummaries(index: TemplateIndex, answers: Map<string, StoredAnswer>, returnId: string, from: "review" | "signoff", beside?: RatingsBeside): ReviewStandardView[] {
  return countsByStandard(index, answers).map((c, i) => ({
    number: text(String(i + 1)),
    title: text(index.template.standards[i].title),
    ...c,
    summaryText: text(
      [
        c.fully ? `${c.fully} fully met` : "",
        c.partially ? `${c.partially} partially met` : "",
        c.not ? `${c.not} not met` : "",
        c.na ? `${c.na} not applicable` : "",
        c.missing ? `${c.missing} to answer` : "",
      ].filter(Boolean).join(" · "),
    ),
    besideText: besideOf(index, answers, i, beside).text,
    open: act(`Read standard ${i + 1}`, S11_VERBS.standard, { returnId, standard: String(i), from }),
  }));
}

/** The line about a panel's moderated ratings and changes since the first submission, or nothing: the review lists them under each standard, the overview points there. */
function besideTotals(index: TemplateIndex, answers: Map<string, StoredAnswer>, beside: RatingsBeside | undefined, on: "review" | "overview" = "review"): Shown {
  let moderated = 0;
  let changed = 0;
  for (let i = 0; i < index.template.standards.length; i++) {
    const b = besideOf(index, answers, i, beside);
    moderated += b.moderated;
    changed += b.changed;
  }
  const parts = [
    moderated ? `A challenge panel gave a moderated rating to ${moderated} indicator${moderated === 1 ? "" : "s"}: shown beside yours under each standard${on === "overview" ? " of the review" : ""} (your own ratings are unchanged).` : "",
    changed ? `${changed} indicator${changed === 1 ? "" : "s"} changed rating since the first submission.` : "",
  ].filter(Boolean);
  return parts.length ? text(parts.join(" ")) : NO_TEXT;
}

export function totalsText(standards: ReviewStandardView[]): Shown {
  const t = standards.reduce((acc, s) => ({ fully: acc.fully + s.fully, partially: acc.partially + s.partially, not: acc.not + s.not, na: acc.na + s.na, missing: acc.missing + s.missing }), { fully: 0, partially: 0, not: 0, na: 0, missing: 0 });
  return text(`${t.fully} fully met, ${t.partially} partially met, ${t.not} not met, ${t.na} not applicable${t.missing ? `; ${t.missing} still to answer` : ""}`);
}

const INCOMPLETE_SHOWN = 8;

export function reviewView(ctx: ViewContext, opts: { notice?: NoticeView; canEdit: boolean; substituteContact?: string; noticeBelow?: boolean; beside?: RatingsBeside }): ReviewView {
  const { index, loaded } = ctx;
  const returnId = loaded.partitionKey;
  const status = displayStatus(loaded.header, loaded.answers.values());
  const standards = standardSummaries(index, loaded.answers, returnId, "review", opts.beside);
  const incomplete = incompleteIndicators(index, loaded.answers);
  // Answered, but carried from the previous cycle and not confirmed yet: listed apart from what is still to answer.
  const missing = new Set(incomplete.map((r) => r.indicator.id));
  const carried = index.ordered.filter((r) => loaded.answers.get(r.indicator.id)?.carriedFrom && !missing.has(r.indicator.id));
  const canRequestSignoff = opts.canEdit && incomplete.length === 0 && status !== "awaiting_signoff" && status !== "submitted";
  const actions: ActionView[] = [];
  if (canRequestSignoff) actions.push(act(status === "updated" ? "Send the update for sign-off" : "Send for sign-off", S11_VERBS.requestSignoff, { returnId }, "positive"));
  actions.push(act("Back to overview", S11_VERBS.overview, { returnId }));
  const substituteContact = opts.substituteContact ?? loaded.header.substituteContact ?? "";
  return {
    returnId,
    agencyName: text(loaded.header.agencyName),
    cycleName: text(ctx.cycle.name),
    statusLabel: text(STATUS_LABELS[status]),
    statusColor: STATUS_COLORS[status],
    totalsText: totalsText(standards),
    besideText: besideTotals(index, loaded.answers, opts.beside),
    standards,
    incomplete: incomplete.slice(0, INCOMPLETE_SHOWN).map((r) => ({ label: text(`${r.indicator.id} ${truncate(r.indicator.text, 70)}`), open: act(`Answer ${r.indicator.id}`, S11_VERBS.step, { returnId, indicatorId: r.indicator.id, returnTo: "review" }) })),
    moreIncompleteText: incomplete.length > INCOMPLETE_SHOWN ? md`and ${incomplete.length - INCOMPLETE_SHOWN} more to answer` : NO_TEXT,
    toConfirm: opts.canEdit ? carried.slice(0, INCOMPLETE_SHOWN).map((r) => ({ label: text(`${r.indicator.id} ${truncate(r.indicator.text, 70)}`), open: act(`Confirm ${r.indicator.id}`, S11_VERBS.step, { returnId, indicatorId: r.indicator.id, returnTo: "review" }) })) : [],
    moreToConfirmText: opts.canEdit && carried.length > INCOMPLETE_SHOWN ? md`and ${carried.length - INCOMPLETE_SHOWN} more to confirm` : NO_TEXT,
    notice: opts.notice ?? (status === "awaiting_signoff" ? { text: md`Waiting for sign-off since ${formatWhen(loaded.header.signoffRequestedAt)}.`, color: "warning" } : undefined),
    bottomNotice: opts.noticeBelow === false ? undefined : opts.notice,
    canRequestSignoff,
    substituteContact,
    substituteContactText: text(substituteContact),
    actions,
  };
}

export function signoffView(ctx: ViewContext, opts: { notice?: NoticeView; comment?: string; open: boolean; changedSince?: string[] }): SignoffRequestView {
  const { loaded, index } = ctx;
  const returnId = loaded.partitionKey;
  const standards = standardSummaries(index, loaded.answers, returnId, "signoff");
  const version = returnVersion(loaded);
  const comment = opts.comment ?? (opts.open ? "" : loaded.header.sentBackComment ?? "");
  const isUpdate = loaded.header.submissionCount > 0;
  const changed = opts.changedSince ?? [];
  return {
    returnId,
    heading: opts.open ? text(isUpdate ? "Please sign off this update" : "Please sign off this return") : text("Sign-off"),
    changedText: isUpdate && opts.open ? (changed.length ? text(`Changed since the last submission: ${changed.slice(0, 20).join(", ")}${changed.length > 20 ? ` and ${changed.length - 20} more` : ""}.`) : text("No answer changed since the last submission.")) : NO_TEXT,
    agencyName: text(loaded.header.agencyName),
    cycleName: text(ctx.cycle.name),
    requestedBy: text(loaded.header.signoffRequestedBy ?? ""),
    requestedAtText: text(formatWhen(loaded.header.signoffRequestedAt)),
    substituteContact: text(loaded.header.substituteContact ?? ""),
    totalsText: totalsText(standards),
    standards,
    isUpdate,
    notice: opts.notice,
    comment,
    commentText: text(opts.open ? "" : comment),
    open: opts.open,
    actions: opts.open
      ? [
          act(isUpdate ? "Sign off and submit the update" : "Sign off and submit", S11_VERBS.approve, { returnId, version }, "positive"),
          act("Send back with comment", S11_VERBS.sendBack, { returnId, version }, "destructive"),
        ]
      : [act("See the whole return", S11_VERBS.overview, { returnId })],
  };
}

/** The indicators whose answer differs from a submission's copy. */
export function changedSince(index: TemplateIndex, answers: Map<string, StoredAnswer>, snapshot: Map<string, AnswerColumns> | undefined): string[] {
  if (!snapshot) return [];
  return index.ordered.map((r) => r.indicator.id).filter((id) => {
    const now = answers.get(id);
    const then = snapshot.get(id);
    return (now ? answerDigest(answerOf(now)) : "") !== (then ? answerDigest(answerOf(then)) : "");
  });
}

/** First budget for the answers' text on one standard card, in UTF-8 bytes of the raw text; smaller ones are tried when escaping makes it too big. */
export const STANDARD_TEXT_BUDGET = 16_000;

export function standardAnswersView(ctx: ViewContext, standardIndex: number, from: "review" | "signoff", changed: Set<string>, notice?: NoticeView, budget = STANDARD_TEXT_BUDGET, beside?: RatingsBeside): StandardAnswersView {
  const { loaded, index } = ctx;
  const returnId = loaded.partitionKey;
  const standard = index.template.standards[standardIndex];
  const summary = standardSummaries(index, loaded.answers, returnId, from)[standardIndex];
  const perIndicator = Math.floor(budget / Math.max(1, standard.indicators.length));
  let cut = false;
  const fit = (s: string, share: number) => {
    const f = fitText(s, Math.max(100, Math.floor(perIndicator * share)));
    if (f.cut) cut = true;
    return f.cut ? text(`${f.text}…`) : text(f.text);
  };
  const colors = { fully: "good", partially: "warning", not: "attention", na: "default" } as const;
  const indicators = standard.indicators.map((ind) => {
    const stored = loaded.answers.get(ind.id);
    const a = stored ? answerOf(stored) : EMPTY_ANSWER;
    const missing = missingForCompletion(a);
    // Side by side: the rating at first submission when it differs, and a challenge panel's moderated rating.
    const label = (r: string | undefined) => (r && ratingOf(r) ? RATING_LABELS[ratingOf(r)!] : "not answered");
    const first = beside?.first ? beside.first.get(ind.id)?.rating ?? "" : undefined;
    const moderated = beside?.moderated?.get(ind.id);
    const sideText = `${first !== undefined && first !== (a.rating ?? "") ? ` · first submission: ${label(first)}` : ""}${moderated ? ` · moderated by the panel: ${label(moderated)}` : ""}`;
    return {
      id: text(ind.id),
      question: text(ind.text),
      ratingText: text(a.rating ? `${RATING_LABELS[a.rating]}${missing.length ? ` (incomplete: ${missing.map((m) => m.message.replace(/\.$/, "").toLowerCase()).join("; ")})` : ""}${sideText}` : `Not answered yet${sideText}`),
      ratingColor: a.rating ? colors[a.rating] : ("attention" as const),
      evidence: fit(a.evidence, 0.6),
      naReason: fit(a.naReason, 0.2),
      actionText: fit(a.actionText, 0.2),
      actionOwner: text(a.actionOwner),
      actionDue: text(a.actionDue ? formatDate(a.actionDue) : ""),
      changeText: changed.has(ind.id) ? text("Changed since the last submission") : NO_TEXT,
    };
  });
  const back = from === "signoff" ? act("Back to the sign-off", S11_VERBS.signoffCard, { returnId }, "positive") : act("Back to the review", S11_VERBS.review, { returnId }, "positive");
  const std = index.template.standards;
  return {
    agencyName: text(loaded.header.agencyName),
    standardLabel: md`Standard ${standardIndex + 1} of ${std.length}: ${standard.title}`,
    summaryText: summary.summaryText,
    notice,
    indicators,
    moreText: cut ? md`Long answers are shortened here to fit Teams' card size: open the indicator from the overview to read one in full.` : NO_TEXT,
    actions: [
      back,
      ...(standardIndex + 1 < std.length ? [act(`Next: standard ${standardIndex + 2}`, S11_VERBS.standard, { returnId, standard: String(standardIndex + 1), from })] : []),
      ...(standardIndex > 0 ? [act(`Previous: standard ${standardIndex}`, S11_VERBS.standard, { returnId, standard: String(standardIndex - 1), from })] : []),
    ],
  };
}

function truncate(s: string, n: number) {
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
}
