import { z } from "zod/v4";
import { md, text } from "../cards/text";
import { messageReply } from "../cards/reply";
import type { FactView } from "../cards/views";
import type { MessageBuilder } from "../routes";
import { returnPartition, type LoadedReturn } from "../storage/returnsRepo";
import { incompleteIndicators, displayStatus } from "../section11/status";
import { S11_VERBS } from "../section11/verbs";
import { daysLeftText, formatDate, formatWhen, ukDate } from "../time";
import type { DeadlineDeps } from "./deps";
import { DEADLINE_MESSAGES } from "./reminders";
import { effectiveDeadline } from "./rules";

const reminderParams = z.object({ cycleId: z.string().max(120), agencyId: z.string().max(120), deadline: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), days: z.string().regex(/^\d{1,3}$/) });
const extendedParams = z.object({ cycleId: z.string().max(120), agencyId: z.string().max(120), deadline: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), previous: z.string().max(10).catch(""), by: z.string().max(200).catch("") });

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
/** Names in an e-mail: one line, no control or direction characters. */
const line = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+/g, " ").trim();

export interface LeftToDo {
  unanswered: number;
  carried: number;
  signoff: string;
}

/** What is left before the return counts as submitted, in the lead's terms. */
export function leftToDo(loaded: LoadedReturn | undefined, unanswered: number): LeftToDo {
  const carried = loaded ? [...loaded.answers.values()].filter((a) => a.carriedFrom).length : 0;
  if (!loaded) return { unanswered, carried, signoff: "not requested yet (nothing answered so far)" };
  const status = displayStatus(loaded.header, loaded.answers.values());
  const h = loaded.header;
  const signoff =
    status === "awaiting_signoff"
      ? `waiting for your senior officer since ${formatWhen(h.signoffRequestedAt)}`
      : status === "sent_back"
        ? `sent back by ${h.sentBackBy || "your senior officer"}: see their comment on the overview`
        : "not requested yet: answer everything, then Review and Send for sign-off";
  return { unanswered, carried, signoff };
}

/**
 * Drawn when each message is sent, so it says what is true then. A return submitted meanwhile, a
 * closed cycle, a deadline moved since (its own reminders follow), or a recipient who is no
 * longer a lead of the agency: the row ends "skipped" with why.
 */
export function deadlineMessages(d: DeadlineDeps, appLink: string): Record<string, MessageBuilder> {
  const context = async (cycleId: string, agencyId: string) => {
    const cycle = await d.cycles.get(cycleId);
    if (!cycle) return undefined;
    const pk = returnPartition(cycleId, agencyId);
    const [loaded, own, agency] = await Promise.all([d.returns.load(pk), d.overrides.get(cycleId, agencyId), d.agencies.get(agencyId)]);
    return { cycle, pk, loaded, deadline: effectiveDeadline(cycle, own), agencyName: loaded?.header.agencyName ?? agency?.name ?? agencyId };
  };
  const isLead = (c: { loaded?: LoadedReturn }, to: Parameters<MessageBuilder>[0]) =>
    to.kind !== "person" || !c.loaded || c.loaded.access.some((a) => a.roles.includes("lead") && a.tenantId === to.actor.principal.tenantId && a.aadObjectId === to.actor.principal.aadObjectId);

  const reminder: MessageBuilder = async (to, raw) => {
    const p = reminderParams.safeParse(raw);
    if (!p.success) return { skip: "malformed reminder" };
    if (to.kind === "channel") return { skip: "reminders go to people" };
    const c = await context(p.data.cycleId, p.data.agencyId);
    if (!c) return { skip: "the cycle is gone" };
    if (c.cycle.status !== "open") return { skip: "the cycle is closed" };
    if ((c.loaded?.header.submissionCount ?? 0) > 0) return { skip: "already submitted" };
    if (c.deadline.deadline !== p.data.deadline) return { skip: "the deadline moved" };
    if (!isLead(c, to)) return { skip: "no longer a lead of this agency" };
    const index = await d.catalog.get(c.cycle.templateId, c.cycle.templateVersion);
    const unanswered = index ? (c.loaded ? incompleteIndicators(index, c.loaded.answers).length : index.size) : 0;
    const left = leftToDo(c.loaded, unanswered);
    const today = ukDate(d.now());
    const due = `${formatDate(c.deadline.deadline)} (${daysLeftText(c.deadline.deadline, today)})`;
    const facts: FactView[] = [
      { title: text("Deadline"), value: text(due) },
      { title: text("Indicators unanswered"), value: text(String(left.unanswered)) },
      ...(left.carried ? [{ title: text("Carried forward, to confirm"), value: text(String(left.carried)) }] : []),
      { title: text("Sign-off"), value: text(left.signoff) },
    ];
    const name = line(c.agencyName);
    const cycleName = line(c.cycle.name);
    const lines = [`Deadline: ${due}`, `Indicators unanswered: ${left.unanswered}`, ...(left.carried ? [`Answers carried forward from the previous cycle, still to confirm: ${left.carried}`] : []), `Sign-off: ${left.signoff}`];
    const email = {
      subject: line(`Section 11 return due ${formatDate(c.deadline.deadline)}: ${name}`).slice(0, 250),
      text: `The Section 11 return of ${name} (${cycleName}) has not been submitted yet.\n\n${lines.join("\n")}\n\nOpen Safeguarding Assurance in Microsoft Teams and type "audit": ${appLink}`,
      html: `<p>The Section 11 return of ${esc(name)} (${esc(cycleName)}) has not been submitted yet.</p><ul>${lines.map((l) => `<li>${esc(l)}</li>`).join("")}</ul><p>Open <a href="${esc(appLink)}">Safeguarding Assurance in Microsoft Teams</a> and type <b>audit</b>.</p>`,
    };
    if (to.kind === "email") return { email };
    return {
      reply: messageReply(md`Reminder: your Section 11 return is due ${formatDate(c.deadline.deadline)}`, md`The return of ${c.agencyName} for ${c.cycle.name} has not been submitted yet. Here is what is left:`, "warning", {
        facts,
        actions: c.loaded ? [{ title: "Open the return", verb: S11_VERBS.overview, data: { returnId: c.pk }, style: "positive" }] : [{ title: "Open the return", verb: "cmd", data: { command: "audit" }, kind: "submit", style: "positive" }],
      }),
      email,
    };
  };

  const extended: MessageBuilder = async (to, raw) => {
    const p = extendedParams.safeParse(raw);
    if (!p.success) return { skip: "malformed notice" };
    if (to.kind === "channel") return { skip: "deadline notices go to people" };
    const c = await context(p.data.cycleId, p.data.agencyId);
    if (!c) return { skip: "the cycle is gone" };
    if (c.cycle.status !== "open") return { skip: "the cycle is closed" };
    if (c.deadline.deadline !== p.data.deadline) return { skip: "the deadline moved again" };
    if (!isLead(c, to)) return { skip: "no longer a lead of this agency" };
    const was = p.data.previous ? ` (it was ${formatDate(p.data.previous)})` : "";
    const name = line(c.agencyName);
    const email = {
      subject: line(`Section 11 deadline extended to ${formatDate(p.data.deadline)}: ${name}`).slice(0, 250),
      text: `The deadline for the Section 11 return of ${name} (${line(c.cycle.name)}) is now ${formatDate(p.data.deadline)}${was}. Reminders follow the new date.\n\nOpen Safeguarding Assurance in Microsoft Teams and type "audit": ${appLink}`,
      html: `<p>The deadline for the Section 11 return of ${esc(name)} (${esc(line(c.cycle.name))}) is now <b>${esc(formatDate(p.data.deadline))}</b>${esc(was)}. Reminders follow the new date.</p><p>Open <a href="${esc(appLink)}">Safeguarding Assurance in Microsoft Teams</a> and type <b>audit</b>.</p>`,
    };
    if (to.kind === "email") return { email };
    return {
      reply: messageReply(md`Deadline extended to ${formatDate(p.data.deadline)}`, md`The deadline for the Section 11 return of ${c.agencyName} (${c.cycle.name}) is now ${formatDate(p.data.deadline)}${was}. Reminders follow the new date.`, "good", {
        actions: c.loaded ? [{ title: "Open the return", verb: S11_VERBS.overview, data: { returnId: c.pk } }] : [],
      }),
      email,
    };
  };

  return { [DEADLINE_MESSAGES.reminder]: reminder, [DEADLINE_MESSAGES.extended]: extended };
}
