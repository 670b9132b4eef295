import { z } from "zod/v4";
import { md, text } from "../cards/text";
import { messageReply, reply } from "../cards/reply";
import { UserFacingError } from "../errors";
import type { MessageBuilder, MessageTarget } from "../routes";
import { normaliseEmail } from "../storage/peopleRepo";
import type { EvaluationAnswering } from "./answering";
import type { TrainingDeps } from "./deps";
import { evaluationTitle, evaluationView, sessionLine } from "./evaluationView";
import { PRIVACY_FIRST_LINE, PRIVACY_PATH } from "./privacy";
import type { SessionPages } from "./sessions";
import { answeredAt, EVALUATION_LABELS, sentAt, type Delegate } from "./types";
import { formatSessionDay } from "./ukTime";
import { TRAINING_MESSAGES } from "./verbs";

const requestParams = z.object({ sessionId: z.string(), kind: z.enum(["end", "follow"]), delegateId: z.string(), reminder: z.enum(["yes", "no"]).catch("no") });
const escalationParams = z.object({ sessionId: z.string(), kind: z.enum(["end", "follow"]), managerEmail: z.string() });
const officerParams = z.object({ sessionId: z.string(), note: z.string().max(300).catch("") });

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
/** Names in an e-mail subject or text: one line, no control characters. */
const line = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+/g, " ").trim();

/**
 * The messages the evaluation rounds send, drawn when each is sent so they say what is true then:
 * someone who answered meanwhile, or was marked absent, gets nothing (the row ends "skipped" with
 * why). Each check a handler would make is made here too: a card goes to a person only if they
 * are the delegate; a manager's list only ever names staff, never answers.
 */
export function trainingMessages(d: TrainingDeps, answering: EvaluationAnswering, sessions: SessionPages): Record<string, MessageBuilder> {
  const request: MessageBuilder = async (to, raw) => {
    const p = requestParams.safeParse(raw);
    if (!p.success) return { skip: "malformed request" };
    const { sessionId, kind, delegateId } = p.data;
    const reminder = p.data.reminder === "yes";
    const ctx = await answering.load(sessionId, kind, delegateId);
    if (!ctx) return { skip: "no longer booked, or the session is gone" };
    if (answeredAt(ctx.delegate, kind)) return { skip: "already answered" };
    const closed = answering.closedReason(ctx);
    if (closed) return { skip: ctx.delegate.attended ? "evaluation closed" : "marked as not attended" };
    if (to.kind === "channel") return { skip: "evaluations go to people" };
    if (to.kind === "person" && !(await answering.isDelegate(to.actor, ctx.delegate))) return { skip: "not this delegate" };
    const link = answering.link(ctx.session, kind, delegateId)!;
    const title = evaluationTitle(ctx);
    const when = sessionLine(ctx);
    const lead = reminder ? `A reminder: your ${EVALUATION_LABELS[kind]} of ${ctx.course.title} (${when}) is still waiting for your answers.` : `Please tell us how ${ctx.course.title} (${when}) went for you${kind === "follow" ? ", a few weeks on" : ""}.`;
    const until = formatSessionDay(ctx.expires.toISOString());
    const email = {
      subject: line(`${reminder ? "Reminder: " : ""}${title}`).slice(0, 250),
      text: `${lead}\n\nIt takes about two minutes, on a phone or a computer, and needs no sign-in:\n${link}\n\nThe link is personal to you and works until ${until}.\n\n${PRIVACY_FIRST_LINE} Privacy note: ${d.config.publicBaseUrl}${PRIVACY_PATH}`,
      html: `<p>${esc(lead)}</p><p>It takes about two minutes, on a phone or a computer, and needs no sign-in.</p><p><a href="${esc(link)}">Open your evaluation</a></p><p>The link is personal to you and works until ${esc(until)}.</p><p style="color:#555">${esc(PRIVACY_FIRST_LINE)} <a href="${esc(d.config.publicBaseUrl + PRIVACY_PATH)}">Privacy note</a></p>`,
    };
    if (to.kind === "email") return { email };
    const view = evaluationView(ctx, { values: answering.valuesOf(ctx), link, privacyBase: d.config.publicBaseUrl, notice: reminder ? { text: md`Reminder: this is still waiting for your answers.`, color: "warning" } : undefined });
    return { reply: reply("trainingEvaluation", view), email };
  };

  const escalation: MessageBuilder = async (to, raw) => {
    const p = escalationParams.safeParse(raw);
    if (!p.success) return { skip: "malformed escalation" };
    const { sessionId, kind, managerEmail } = p.data;
    const session = await d.repo.getSession(sessionId);
    if (!session || !sentAt(session, kind)) return { skip: "the session is gone" };
    const course = await d.repo.getCourse(session.courseId);
    if (!course) return { skip: "the course is gone" };
    const staff = (await d.repo.listDelegates(sessionId)).filter((x: Delegate) => x.attended && !answeredAt(x, kind) && normaliseEmail(x.managerEmail) === normaliseEmail(managerEmail));
    if (!staff.length) return { skip: "all of their staff have answered" };
    if (to.kind === "channel") return { skip: "escalations go to managers" };
    const names = staff.map((x) => line(x.name) || x.email);
    const what = `the ${EVALUATION_LABELS[kind]} of ${line(course.title)} (${formatSessionDay(session.startsAt)})`;
    const ask = kind === "follow" ? "The follow-up is meant to be talked through with you: please complete it with them, using the link each of them was sent." : "Please remind them to complete it: it takes about two minutes, using the link each of them was sent.";
    const email = {
      subject: line(`Outstanding training evaluation: ${course.title}`).slice(0, 250),
      text: `You are named as the manager of staff who have not yet completed ${what}:\n\n${names.map((n) => `- ${n}`).join("\n")}\n\n${ask}\n\nYou see only who is outstanding, never anyone's answers.`,
      html: `<p>You are named as the manager of staff who have not yet completed ${esc(what)}:</p><ul>${names.map((n) => `<li>${esc(n)}</li>`).join("")}</ul><p>${esc(ask)}</p><p style="color:#555">You see only who is outstanding, never anyone's answers.</p>`,
    };
    if (to.kind === "email") return { email };
    return {
      reply: messageReply(md`Training evaluations to complete`, md`Your staff below have not yet completed ${what}. ${ask} You see only who is outstanding, never anyone's answers.`, "warning", { facts: names.slice(0, 40).map((n, i) => ({ title: text(String(i + 1)), value: text(n) })) }),
      email,
    };
  };

  const officerSession: MessageBuilder = async (to: MessageTarget, raw) => {
    const p = officerParams.safeParse(raw);
    if (!p.success || to.kind !== "person") return { skip: "session cards go to the training officer" };
    try {
      return { reply: reply("trainingSession", await sessions.view(to.actor, p.data.sessionId, p.data.note ? { text: text(p.data.note), color: "good" } : undefined)) };
    } catch (e) {
      if (e instanceof UserFacingError) return { skip: "no longer a training officer" };
      throw e;
    }
  };

  return { [TRAINING_MESSAGES.request]: request, [TRAINING_MESSAGES.escalation]: escalation, [TRAINING_MESSAGES.officerSession]: officerSession };
}
