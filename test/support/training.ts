import type { BotUnderTest } from "./botUnderTest";
import { actionOf, inputsOf, plain, textOf } from "./cardTools";
import type { GraphStandIn, SentMail } from "./graphStandIn";
import type { RecordedActivity } from "./connector";
import { personalConversationId, type TeamsUser } from "./teamsActivity";
import { batchId } from "../../src/training/verbs";
import { londonToUtc } from "../../src/training/ukTime";

/** Driving the training feature the way people do, through the bot's HTTP endpoint and its web page. */

/** The admin makes `officer` a training officer with the admin flow; the officer then says hi (which links them). */
export async function makeTrainer(bot: BotUnderTest, admin: TeamsUser, officer: TeamsUser): Promise<void> {
  const menu = await bot.say(admin, "admin");
  const form = await bot.invoke(admin, actionOf(menu.card, "training.officer.form").verb, {});
  const added = await bot.invoke(admin, "training.officer.add", { email: officer.email!, personName: officer.name });
  if (!/training officer/i.test(plain(textOf(added.card)))) throw new Error(`officer not added: ${plain(textOf(added.card))} / ${plain(textOf(form.card))}`);
  await bot.say(officer, "hi");
}

export async function createCourse(bot: BotUnderTest, officer: TeamsUser, fields: Partial<Record<"title" | "kind" | "outcomes" | "followUpWeeks" | "reminderAfter" | "escalationAfter" | "partnerships", string>> = {}): Promise<{ courseId: string; card: any }> {
  const form = await bot.invoke(officer, "training.course.form", {});
  const create = actionOf(form.card, "training.course.create");
  const r = await bot.invoke(officer, create.verb, {
    ...create.data,
    title: "Neglect: recognising and responding",
    kind: "tool",
    outcomes: "Recognise the five categories of neglect\nUse the neglect assessment tool with a family\nKnow when and how to escalate a concern",
    followUpWeeks: "8",
    reminderAfter: "10 minutes",
    escalationAfter: "10 minutes",
    ...fields,
  });
  const add = actionOf(r.card, "training.session.form");
  return { courseId: add.data.courseId, card: r.card };
}

export async function createSession(bot: BotUnderTest, officer: TeamsUser, courseId: string, at: Date, fields: Record<string, string> = {}): Promise<{ sessionId: string; card: any }> {
  const form = await bot.invoke(officer, "training.session.form", { courseId });
  const create = actionOf(form.card, "training.session.create");
  const london = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/London", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(at);
  const p = Object.fromEntries(london.map((x) => [x.type, x.value]));
  const date = `${p.year}-${p.month}-${p.day}`;
  const time = `${p.hour}:${p.minute}`;
  if (!londonToUtc(date, time)) throw new Error("not a London time");
  const r = await bot.invoke(officer, create.verb, { ...create.data, date, time, duration: "60", mode: "virtual", venue: "https://teams.microsoft.com/l/meetup-join/example", trainer: "Dr Helen Mayhew", ...fields });
  return { sessionId: actionOf(r.card, "training.session.close").data.sessionId, card: r.card };
}

/** A valid end-of-session answer, as a card or form sends it. */
export function endAnswer(over: Record<string, string> = {}): Record<string, string> {
  return { overall: "4", outcome1: "yes", outcome2: "partly", outcome3: "yes", confidenceBefore: "2", confidenceAfter: "4", trainer: "5", materials: "4", doDifferently: "I will use the tool at every review of a child in need plan.", comment: "", consentQuote: "yes", ...over };
}

export function followAnswer(over: Record<string, string> = {}): Record<string, string> {
  return { practiceChanged: "yes", practiceExample: "I used the neglect tool with a family and escalated to my manager.", jointWorking: "partly", confidenceNow: "4", barriers: "", consentQuote: "yes", ...over };
}

/** The personal link in an evaluation e-mail. */
export function linkIn(mail: SentMail): string {
  const m = /https?:\/\/[^"<\s]+\/evaluate\/[A-Za-z0-9._-]+/.exec(String(mail.message?.body?.content ?? ""));
  if (!m) throw new Error("no evaluation link in the e-mail");
  return m[0];
}

export const mailsTo = (graph: GraphStandIn, email: string, subject?: RegExp) => graph.sent.filter((m) => String(m.message?.toRecipients?.[0]?.emailAddress?.address ?? "").toLowerCase() === email.toLowerCase() && (!subject || subject.test(String(m.message?.subject ?? ""))));

/** Posts a form to the evaluation page as a browser would (urlencoded), following nothing. */
export async function postEvaluation(link: string, fields: Record<string, string>): Promise<{ status: number; body: string; location: string | null }> {
  const res = await fetch(link, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString(), redirect: "manual" });
  return { status: res.status, body: await res.text(), location: res.headers.get("location") };
}

/** Conversation ids the bot wrote to for each person: their personal chat, and chats it opened with them. */
export function conversationsOf(bot: BotUnderTest, user: TeamsUser): Set<string> {
  const ids = new Set([personalConversationId(user)]);
  for (const c of bot.connector.createdConversations) if (String(c.body?.members?.[0]?.id ?? "").toLowerCase() === user.aadObjectId.toLowerCase()) ids.add(c.id);
  return ids;
}

export const cardOf = (a: RecordedActivity) => a.body?.attachments?.[0]?.content;

/** Proactive cards the bot sent a person (not replies to their own messages). */
export function cardsTo(bot: BotUnderTest, user: TeamsUser, match: (text: string) => boolean): RecordedActivity[] {
  const ids = conversationsOf(bot, user);
  return bot.connector.activities.filter((a) => a.operation === "send" && ids.has(a.conversationId) && cardOf(a) && match(plain(textOf(cardOf(a)))));
}

/** Waits until every row of a round has an outcome (sent, unreachable, failed or skipped). */
export async function roundSettled(bot: BotUnderTest, sessionId: string, kind: "end" | "follow", round: "request" | "reminder" | "escalation", expectRows?: number, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const status = await bot.app.services.delivery.outbox.batchStatus(batchId(sessionId, kind, round));
    if ((expectRows === undefined || status.total >= expectRows) && status.counts.pending + status.counts.sending === 0 && status.total > 0) return status;
    if (Date.now() > end) throw new Error(`round ${round} of ${sessionId} did not settle: ${JSON.stringify(status.counts)} of ${status.total}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export { inputsOf };
