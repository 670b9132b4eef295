import { fitText } from "../cards/fit";
import { md, NO_TEXT, text, type Shown } from "../cards/text";
import type { NoticeView } from "../cards/views";
import type { EvaluationContext } from "./answering";
import { PRIVACY_FIRST_LINE, PRIVACY_PATH } from "./privacy";
import { OUTCOME_LIMIT, questionsFor } from "./questions";
import { answeredAt } from "./types";
import { formatSessionDay } from "./ukTime";
import { TRAINING_VERBS } from "./verbs";
import type { EvaluationView } from "./views";

/** Outcome labels are the officer's text; a card keeps each to a size that cannot crowd the rest out. */
const OUTCOME_LABEL_BYTES = 400;

export function evaluationTitle(ctx: Pick<EvaluationContext, "kind" | "course">): string {
  return `${ctx.kind === "end" ? "Evaluation" : "Follow-up"}: ${ctx.course.title}`;
}

export function sessionLine(ctx: Pick<EvaluationContext, "session">): string {
  return [formatSessionDay(ctx.session.startsAt), ctx.session.trainer ? `with ${ctx.session.trainer}` : ""].filter(Boolean).join(" ");
}

/**
 * The delegate's evaluation card: every question of its kind, with what they typed or answered
 * before, and each problem right under its field.
 */
export function evaluationView(ctx: EvaluationContext, opts: { values: Record<string, string>; problems?: Record<string, string>; notice?: NoticeView; link?: string; privacyBase: string }): EvaluationView {
  const problems = opts.problems ?? {};
  const ids = questionsFor(ctx.kind, ctx.course.outcomes).map((q) => q.id);
  const values: Record<string, string> = Object.fromEntries(ids.filter((id) => !id.startsWith("outcome")).map((id) => [id, opts.values[id] ?? ""]));
  const shownProblems: Record<string, Shown> = Object.fromEntries(ids.filter((id) => !id.startsWith("outcome")).map((id) => [id, problems[id] ? text(problems[id]) : NO_TEXT]));
  const intro =
    ctx.kind === "end"
      ? md`${sessionLine(ctx)}. About two minutes: your answers help the partnership improve its training.`
      : md`A few weeks on from ${ctx.course.title} (${formatSessionDay(ctx.session.startsAt)}): has it made a difference to your work? About two minutes; you may want to talk it through with your manager.`;
  const save = { title: ctx.existing || answeredAt(ctx.delegate, ctx.kind) ? "Save my changes" : "Save my answers", verb: TRAINING_VERBS.answer, data: { sessionId: ctx.session.sessionId, kind: ctx.kind, delegateId: ctx.delegate.delegateId }, style: "positive" as const };
  return {
    kind: ctx.kind,
    title: text(evaluationTitle(ctx)),
    intro,
    privacy: md`${PRIVACY_FIRST_LINE}`,
    notice: opts.notice,
    bottomNotice: opts.notice && opts.notice.color !== "default" ? opts.notice : undefined,
    outcomes:
      ctx.kind === "end"
        ? ctx.course.outcomes.slice(0, OUTCOME_LIMIT).map((o, i) => ({ label: fitText(o, OUTCOME_LABEL_BYTES).text, value: opts.values[`outcome${i + 1}`] ?? "", problem: problems[`outcome${i + 1}`] ? text(problems[`outcome${i + 1}`]) : NO_TEXT }))
        : [],
    values,
    problems: shownProblems,
    actions: [save],
    links: [...(opts.link ? [{ title: "Answer in a web browser instead", url: opts.link }] : []), { title: "Privacy note", url: `${opts.privacyBase}${PRIVACY_PATH}` }],
  };
}
