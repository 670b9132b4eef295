import { startBot, type BotUnderTest } from "../support/botUnderTest";
import { startGraphStandIn, type GraphStandIn } from "../support/graphStandIn";
import { actionOf, actionsOf, inputsOf, plain, textOf } from "../support/cardTools";
import { invokeAction, message, newTeamsUser, TEST_TENANT_ID } from "../support/teamsActivity";
import { postActivity } from "../support/http";
import { createCourse, createSession, endAnswer, followAnswer, linkIn, mailsTo, makeTrainer, postEvaluation, roundSettled } from "../support/training";
import { batchId } from "../../src/training/verbs";
import { StoredTrainingFigures } from "../../src/training/digestFigures";
import { tallyOf, type SessionTally } from "../../src/training/tally";
import type { EndAnswers } from "../../src/training/questions";
import { BOT_COMMANDS } from "../../manifest/commands";

/**
 * A delegate's data rights, through the real endpoint: Priya is booked on two sessions of two
 * courses, answers both (and the first one's follow-up), and is also the manager of a delegate
 * who does not answer (so she is sent a manager's message). The officer gets everything held
 * about her as a file (and nothing about anyone else), then erases it: storage is read directly
 * afterwards, and the session results and the digest's training figures must equal a recount of
 * the answers that remain. Confirming twice erases once; a new booking with her address starts clean.
 */
const admin = newTeamsUser({ name: "Bea Business-Manager", email: "bea@partnership.example" });
const officer = newTeamsUser({ name: "Tara Trainer", email: "tara@partnership.example" });
const stranger = newTeamsUser({ name: "Stan Stranger", email: "stan@southdown.example" });
const PRIYA = { name: "Priya Shah", email: "priya.shah@westmere.example", agency: "=SUM(1) Westmere Council", managerName: "Mona Manager", managerEmail: "mona@westmere.example" };
const SAM = { name: "Sam Staffmember", email: "sam@westmere.example", agency: "Westmere Council", managerName: "Priya Shah", managerEmail: "PRIYA.SHAH@westmere.example" };
const others = (n: number, from: number) => Array.from({ length: n }, (_, i) => ({ name: `Other Delegate ${from + i}`, email: `other${from + i}@eastshire.example`, agency: "Eastshire NHS", managerName: "", managerEmail: "" }));
const ONE = others(5, 1);
const TWO = others(5, 6);

let offset = 0;
const clock = () => new Date(Date.now() + offset);
let bot: BotUnderTest;
let graph: GraphStandIn;
let s1 = "";
let s2 = "";

const deps = () => bot.app.services.training.deps;
const COUNTS = ["end", "overall", "trainer", "materials", "before", "after", "follow", "confidenceNow", "changedYes", "changedPartly"] as const;
const countsOf = (t: Pick<SessionTally, (typeof COUNTS)[number]> | undefined) => Object.fromEntries(COUNTS.map((k) => [k, t?.[k] ?? 0]));
/** A session's tally recounted from the answers stored now, independently of the running totals. */
const recount = async (sessionId: string) => countsOf(tallyOf(sessionId, (await deps().answers.list(sessionId)).map((a, i) => ({ quoteKey: String(i), answers: a.answers }))));

async function book(sessionId: string, people: Array<typeof PRIYA>) {
  for (const p of people) expect(plain(textOf((await bot.invoke(officer, "training.delegate.add", { sessionId, ...p })).card))).toContain("is booked");
}

async function answerByLink(email: string, subject: RegExp, fields: Record<string, string>) {
  const link = linkIn(mailsTo(graph, email, subject)[0]);
  expect((await postEvaluation(link, fields)).status).toBe(303);
}

/** The file the bot offered after `act`, read from where it waits for the person's consent. */
async function offeredFile(act: () => Promise<unknown>) {
  const before = Math.max(0, ...bot.connector.activities.map((a) => a.seq));
  const result = await act();
  const offer = bot.connector.activities.find((a) => a.seq > before && a.body?.attachments?.[0]?.contentType === "application/vnd.microsoft.teams.card.file.consent");
  if (!offer) return { result, file: undefined };
  const stored = await bot.app.services.files.get(offer.body.attachments[0].content.acceptContext.fileId);
  return { result, file: { name: offer.body.attachments[0].name as string, bytes: stored!.bytes } };
}

beforeAll(async () => {
  graph = await startGraphStandIn();
  bot = await startBot(
    { ADMIN_AAD_OBJECT_IDS: `${TEST_TENANT_ID}:${admin.aadObjectId}`, MAIL_SENDER: "training@partnership.example", MAIL_TENANT_ID: "11111111-1111-4111-8111-111111111111", MAIL_CLIENT_ID: "22222222-2222-4222-8222-222222222222", MAIL_CLIENT_SECRET: "s", GRAPH_BASE_URL: graph.graphBaseUrl, GRAPH_AUTHORITY_HOST: graph.authorityHost, DELIVERY_EMAIL_PER_MINUTE: "6000" },
    { now: clock },
  );
  for (const u of [admin, officer, stranger]) bot.addToRoster(u);
  await bot.say(admin, "hi");
  await makeTrainer(bot, admin, officer);
  await bot.say(stranger, "hi");
  const a = await createCourse(bot, officer, { title: "Neglect: recognising and responding", reminderAfter: "1 day", escalationAfter: "1 day" });
  const b = await createCourse(bot, officer, { title: "Exploitation: contextual safeguarding", reminderAfter: "1 minute", escalationAfter: "1 minute" });
  s1 = (await createSession(bot, officer, a.courseId, new Date(clock().getTime() + 3_600_000))).sessionId;
  s2 = (await createSession(bot, officer, b.courseId, new Date(clock().getTime() + 7_200_000))).sessionId;
  await book(s1, [PRIYA, ...ONE]);
  await book(s2, [PRIYA, SAM, ...TWO]);
  for (const s of [s1, s2]) await bot.invoke(officer, "training.session.close", { sessionId: s });
  await roundSettled(bot, s1, "end", "request", 6);
  await roundSettled(bot, s2, "end", "request", 7);
  // Priya answers both sessions (rating them 1, so her answers move the averages); five others answer each.
  await answerByLink(PRIYA.email, /^Evaluation: Neglect/, endAnswer({ overall: "1", trainer: "1", confidenceBefore: "1", doDifferently: "Priya's own words about her practice.", consentQuote: "yes" }));
  await answerByLink(PRIYA.email, /^Evaluation: Exploitation/, endAnswer({ overall: "1", materials: "1" }));
  for (const o of ONE) await answerByLink(o.email, /^Evaluation: Neglect/, endAnswer({ overall: "5" }));
  for (const o of TWO) await answerByLink(o.email, /^Evaluation: Exploitation/, endAnswer({ overall: "4" }));
  // The first session's follow-up: Priya and three others answer it.
  await bot.invoke(officer, "training.followUp.now", { sessionId: s1 });
  await roundSettled(bot, s1, "follow", "request", 6);
  await answerByLink(PRIYA.email, /^Follow-up: Neglect/, followAnswer({ confidenceNow: "2", practiceChanged: "partly" }));
  for (const o of ONE.slice(0, 3)) await answerByLink(o.email, /^Follow-up: Neglect/, followAnswer());
  // Sam never answers: after the reminder and the escalation delays, his manager (Priya) is sent a message.
  offset += 5 * 60_000;
  await roundSettled(bot, s2, "end", "escalation", 1, 20_000);
  expect(mailsTo(graph, PRIYA.email).filter((m) => /Sam Staffmember/.test(JSON.stringify(m)))).toHaveLength(1);
}, 90_000);

afterAll(async () => {
  await bot?.stop();
  await graph?.close();
});

test("someone who is not a training officer can neither see nor erase a delegate's data", async () => {
  for (const r of [await bot.say(stranger, `delegate data ${PRIYA.email}`), await bot.say(stranger, `erase delegate ${PRIYA.email}`)]) {
    expect(plain(r.text)).toMatch(/Only the partnership's training officers/);
    expect(r.text).not.toContain("Priya");
  }
  const { result, file } = await offeredFile(() => bot.invoke(stranger, "training.rights.export", { email: PRIYA.email, format: "csv" }));
  expect(plain(textOf((result as { card: unknown }).card))).toMatch(/Only the partnership's training officers/);
  expect(file).toBeUndefined();
  const refused = await bot.invoke(stranger, "training.rights.check", { email: PRIYA.email });
  expect(plain(textOf(refused.card))).toMatch(/Only the partnership's training officers/);
  expect((await deps().repo.listDelegates(s1)).some((d) => d.email === PRIYA.email)).toBe(true);
  // Even the officer gets nothing about a person in a group chat: only a pointer to the personal chat.
  const group = { conversationId: "19:data-rights-group@thread.v2" };
  const inGroup = <T extends { conversation: object }>(a: T) => ({ ...a, conversation: { ...a.conversation, conversationType: "groupChat" as const, isGroup: true } });
  const before = Math.max(0, ...bot.connector.activities.map((a) => a.seq));
  await postActivity(bot.url, inGroup(message(officer, `delegate data ${PRIYA.email}`, group)));
  const pressed = await postActivity(bot.url, inGroup(invokeAction(officer, "training.rights.export", { email: PRIYA.email, format: "csv" }, group)));
  const inChat = bot.connector.activities.filter((a) => a.seq > before);
  expect(JSON.stringify(inChat)).not.toContain("Priya Shah");
  expect(JSON.stringify(pressed.body)).not.toContain("Priya Shah");
  expect(inChat.some((a) => a.body?.attachments?.[0]?.contentType === "application/vnd.microsoft.teams.card.file.consent")).toBe(false);
  expect(plain(JSON.stringify(inChat))).toMatch(/personal chat/);
  // The officer's home card offers both; a stranger's does not.
  expect(actionsOf((await bot.say(officer, "training")).card).filter((a) => a.verb === "training.rights.form").map((a) => a.data.mode)).toEqual(["access", "erase"]);
  expect(actionsOf((await bot.say(stranger, "training")).card).some((a) => a.verb === "training.rights.form")).toBe(false);
});

test("hostile or unknown addresses are refused clearly, keeping what was typed", async () => {
  const formula = '=HYPERLINK("https://evil.example","x")';
  const bad = await bot.say(officer, `delegate data ${formula}`);
  expect(plain(bad.text)).toContain("is not a valid e-mail address");
  expect(inputsOf(bad.card).email).toBe(formula);
  const markdown = await bot.say(officer, "erase delegate [click](https://evil.example)@x.example");
  expect(plain(markdown.text)).toContain("is not a valid e-mail address");
  expect(markdown.text).not.toMatch(/\[click\]\(https/);
  expect(inputsOf(markdown.card).email).toBe("[click](https://evil.example)@x.example");
  const long = await bot.invoke(officer, "training.rights.export", { email: `${"a".repeat(100_000)}@x.example`, format: "csv" });
  expect(plain(textOf(long.card))).toMatch(/an e-mail address has at most 254/);
  expect((inputsOf(long.card).email as string).length).toBe(254);
  const junk = await bot.invoke(officer, "training.rights.check", { email: { $ne: 1 } });
  expect(plain(textOf(junk.card))).toContain("The e-mail address is missing");
  const nobody = await bot.say(officer, "delegate data nobody@nowhere.example");
  expect(plain(nobody.text)).toContain("Nothing is stored about nobody@nowhere.example");
  expect(inputsOf(nobody.card).email).toBe("nobody@nowhere.example");
  // A confirmation whose version was made up (or tampered with) erases nothing.
  const forged = await bot.invoke(officer, "training.rights.erase", { email: PRIYA.email, version: "AAAAAAAAAAAAAAAAAAAAAA" });
  expect(plain(textOf(forged.card))).toContain("changed since you read it");
  const malformed = await bot.invoke(officer, "training.rights.erase", { email: PRIYA.email, version: "../../x" });
  expect(plain(textOf(malformed.card))).not.toContain("Erased");
  expect((await deps().repo.listDelegates(s1)).some((d) => d.email === PRIYA.email)).toBe(true);
  // The help card lists the commands; the manifest does not (its list is full).
  const help = actionsOf((await bot.say(officer, "help")).card).map((a) => a.data.command);
  expect(help).toEqual(expect.arrayContaining(["delegate data", "erase delegate"]));
  expect(BOT_COMMANDS.map((c) => c.command)).not.toContain("delegate data");
  // Pressed on the help card (no address), the command opens the form.
  const viaHelp = await bot.submit(officer, { verb: "cmd", command: "erase delegate" });
  expect(inputsOf(viaHelp.card)).toHaveProperty("email", "");
});

test("what we hold: every booking, message, completion record and answer of hers, as CSV and Excel, and nothing of anyone else", async () => {
  const { result, file } = await offeredFile(() => bot.say(officer, ` Delegate data ${PRIYA.email.toUpperCase()} `));
  const card = (result as { text: string }).text;
  expect(plain(card)).toContain("accept the file card below");
  expect(plain(card)).toMatch(/Bookings: 2 bookings in 2 sessions/);
  expect(plain(card)).toMatch(/Evaluation answers: 3 answers/);
  expect(file!.name).toMatch(/^delegate-data-priya\.shah-westmere\.example-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = file!.bytes.toString("utf8");
  const lines = csv.replace(/^\ufeff/, "").split("\r\n").filter(Boolean);
  expect(lines[0]).toBe("Record,Session,Item,Value");
  for (const s of ["Neglect: recognising and responding", "Exploitation: contextual safeguarding"]) {
    expect(lines.some((l) => l.startsWith(`Booking,"${s}`) && l.endsWith(",Name,Priya Shah"))).toBe(true);
    expect(lines.some((l) => l.startsWith(`Answer (End-of-session),"${s}`) && l.includes('"Overall, how would you rate this session?",1 – Poor'))).toBe(true);
    expect(lines.some((l) => l.startsWith(`Message sent to you,"${s}`) && l.includes('Request: end-of-session evaluation,"by e-mail'))).toBe(true);
  }
  expect(lines.some((l) => l.startsWith("Answer (Follow-up)") && l.includes("Has your practice changed since the course?,Partly"))).toBe(true);
  expect(csv).toContain("Priya's own words about her practice.");
  expect(csv).toContain("Manager's e-mail,mona@westmere.example");
  // Completion records: both evaluations of the first session, the end-of-session one of the second, all answered.
  expect(lines.filter((l) => l.startsWith("Completion record"))).toHaveLength(3);
  expect(lines.filter((l) => l.startsWith("Completion record") && l.endsWith(",no"))).toHaveLength(0);
  // As a manager: how many bookings name her and the message she was sent, never who her staff are.
  expect(csv).toContain("you were sent 1");
  expect(lines.some((l) => l.startsWith("Message sent to you") && l.includes("Message to you as a manager"))).toBe(true);
  expect(csv).not.toContain(SAM.name);
  expect(csv).not.toContain(SAM.email);
  for (const o of [...ONE, ...TWO]) {
    expect(csv).not.toContain(o.email);
    expect(csv).not.toContain(o.name);
  }
  // Formula-safe: her agency starts with "=", so the cell starts with an apostrophe.
  expect(csv).toContain("Agency,'=SUM(1) Westmere Council");

  const xlsx = await offeredFile(() => bot.invoke(officer, "training.rights.export", { email: PRIYA.email, format: "xlsx" }));
  expect(xlsx.file!.name).toMatch(/\.xlsx$/);
  expect(xlsx.file!.bytes.subarray(0, 2).toString()).toBe("PK");
});

test("erasure: confirm what goes, then everything of hers is gone from storage, and the figures equal a recount of what remains; pressing again erases nothing more", async () => {
  const pseudonyms = [s1, s2].map((s, i) => ({ sessionId: s, pseudonym: "" , i }));
  const delegateId = deps().keys.delegateId({ email: PRIYA.email });
  for (const p of pseudonyms) p.pseudonym = deps().keys.pseudonym(delegateId, (await deps().repo.getSession(p.sessionId))!.courseId);
  const rowsBefore = await Promise.all([s1, s2].flatMap((s) => (["end", "follow"] as const).flatMap((k) => (["request", "reminder", "escalation"] as const).map((r) => bot.app.services.delivery.outbox.batchStatus(batchId(s, k, r))))));
  const reachedBefore = plain(textOf((await bot.invoke(officer, "training.results", { scope: "session", id: s1 })).card)).match(/End of session: reached: [^\n]*/)![0];

  // A reminder queued for later (not sent yet): erasure deletes it rather than keeping it.
  await bot.app.services.delivery.outbox.enqueue(batchId(s1, "end", "reminder"), [{ recipient: { kind: "email", email: PRIYA.email, name: PRIYA.name }, kind: "training.request", params: { sessionId: s1, kind: "end", delegateId, reminder: "yes" }, notBefore: new Date(clock().getTime() + 86_400_000) }]);

  const home = await bot.say(officer, "training");
  const form = await bot.invoke(officer, "training.rights.form", actionOf(home.card, "training.rights.form", (a) => a.data.mode === "erase").data);
  const show = actionOf(form.card, "training.rights.check");
  const confirm = await bot.invoke(officer, show.verb, { ...show.data, email: ` ${PRIYA.email} ` });
  const confirmText = plain(textOf(confirm.card));
  expect(confirmText).toContain(`Erase everything about ${PRIYA.email}?`);
  expect(confirmText).toContain("Bookings (name, e-mail, agency, manager): 2 in 2 sessions: deleted");
  expect(confirmText).toContain("Evaluation answers: 3: deleted");
  expect(confirmText).toContain("Completion records: 3: deleted");
  expect(confirmText).toMatch(/Messages already sent: 4: kept only as a count/);
  expect(confirmText).toMatch(/Messages not sent yet: 1: deleted, they will not go out/);
  expect(confirmText).toMatch(/Named as someone's manager: 1: their name and e-mail are blanked/);
  // Nothing is erased by looking.
  expect((await deps().repo.listDelegates(s1)).some((d) => d.email === PRIYA.email)).toBe(true);

  const erase = actionOf(confirm.card, "training.rights.erase");
  // A double click: two presses at once. Each step is conditional and named, so her answers leave the figures once.
  const both = await Promise.all([bot.invoke(officer, erase.verb, erase.data), bot.invoke(officer, erase.verb, erase.data)]);
  const said = both.map((r) => plain(textOf(r.card)));
  expect(said.some((t) => t.includes("Erased: 2 bookings, 3 answers, 1 message not yet sent, 4 sent messages kept as a count, their name as manager blanked on 1 booking"))).toBe(true);
  for (const t of said) expect(t).toMatch(/Erased: 2 bookings|erased already/);
  // Pressed again later: nothing left, nothing changed.
  expect(plain(textOf((await bot.invoke(officer, erase.verb, erase.data)).card))).toContain(`Nothing is stored about ${PRIYA.email} any more: it was erased already`);

  // Storage, read directly: no booking, answer or message names her; Sam keeps his booking without her as manager.
  for (const s of [s1, s2]) {
    const delegates = await deps().repo.listDelegates(s);
    expect(JSON.stringify(delegates).toLowerCase()).not.toContain(PRIYA.email);
    expect(delegates.some((d) => d.delegateId === delegateId)).toBe(false);
  }
  const sam = (await deps().repo.listDelegates(s2)).find((d) => d.email === SAM.email)!;
  expect([sam.managerName, sam.managerEmail]).toEqual(["", ""]);
  for (const p of pseudonyms) for (const kind of ["end", "follow"] as const) expect(await deps().answers.find(p.sessionId, kind, p.pseudonym)).toBeUndefined();
  expect((await deps().answers.list(s1)).map((a) => a.pseudonym)).not.toContain(pseudonyms[0].pseudonym);
  const rowsAfter = await Promise.all([s1, s2].flatMap((s) => (["end", "follow"] as const).flatMap((k) => (["request", "reminder", "escalation"] as const).map((r) => bot.app.services.delivery.outbox.batchStatus(batchId(s, k, r))))));
  // Sent rows stay as counts (same totals, same states), naming nobody.
  expect(rowsAfter.map((b) => [b.batchId, b.total, b.counts.sent])).toEqual(rowsBefore.map((b) => [b.batchId, b.total, b.counts.sent]));
  const stored = JSON.stringify(rowsAfter).toLowerCase();
  expect(stored).not.toContain(PRIYA.email);
  expect(stored).not.toContain(delegateId);
  expect(stored).not.toContain("priya");

  // Each session's tally equals a recount of the answers that remain (her answers taken out once, though confirmed twice).
  for (const s of [s1, s2]) expect(countsOf(await deps().answers.getTally(s))).toEqual(await recount(s));
  expect((await recount(s1)).end).toBe(5);
  expect((await recount(s1)).follow).toBe(3);
  expect((await recount(s2)).end).toBe(5);
  // The quote she allowed is gone from the session's quotes.
  expect(JSON.stringify(await deps().answers.getTally(s1))).not.toContain("Priya's own words");

  // The Results card: averages from the remaining answers; "reached" still counts the message she was sent.
  const results = plain(textOf((await bot.invoke(officer, "training.results", { scope: "session", id: s1 })).card));
  const ends = (await deps().answers.list(s1)).filter((a) => a.kind === "end").map((a) => a.answers as EndAnswers);
  expect(results).toContain(`Overall: ${(ends.reduce((n, a) => n + a.overall, 0) / ends.length).toFixed(1)}`);
  expect(results).toContain("Booked: 5");
  expect(results).toContain(reachedBefore);

  // The digest's training figures, read the way the digest reads them, equal the recount.
  const figures = (await new StoredTrainingFigures({ repo: deps().repo, answers: deps().answers }).figures({ partnerships: [], from: "2000-01-01", to: "2100-12-31" }))!;
  const all = [...(await deps().answers.list(s1)), ...(await deps().answers.list(s2))];
  const allEnds = all.filter((a) => a.kind === "end").map((a) => a.answers as EndAnswers);
  expect(figures.answered).toBe(allEnds.length);
  expect(figures.averageRating).toBeCloseTo(allEnds.reduce((n, a) => n + a.overall, 0) / allEnds.length, 10);
  expect(figures.confidence?.before).toBeCloseTo(allEnds.reduce((n, a) => n + a.confidenceBefore, 0) / allEnds.length, 10);
  expect(figures.followUp?.answered).toBe(3);
  expect(figures.delegates).toBe(5 + 6);
  expect(figures.quotes.join(" ")).not.toContain("Priya's own words");
}, 60_000);

test("a new booking with the same address starts clean", async () => {
  await book(s1, [{ ...PRIYA, agency: "Westmere Council" }]);
  const held = await bot.say(officer, `delegate data ${PRIYA.email}`);
  expect(plain(held.text)).toMatch(/Bookings: 1 booking in 1 session/);
  expect(plain(held.text)).toMatch(/Evaluation answers: 0 answers/);
  // Her new booking gets its own, new requests: the old ones (kept as counts) no longer name her, so they do not stand in the way.
  expect(plain(held.text)).toMatch(/Messages sent to them: 2 requests and reminders/);
  const until = Date.now() + 15_000;
  while (mailsTo(graph, PRIYA.email, /^Evaluation: Neglect/).length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  expect(mailsTo(graph, PRIYA.email, /^Evaluation: Neglect/)).toHaveLength(2);
  expect((await bot.app.services.delivery.outbox.batchStatus(batchId(s1, "end", "request"))).total).toBe(7);
  const me = (await deps().repo.listDelegates(s1)).find((d) => d.email === PRIYA.email)!;
  expect([me.endAnsweredAt, me.followAnsweredAt]).toEqual([undefined, undefined]);
  // Her old answers do not come back under the same pseudonym.
  expect(await deps().answers.find(s1, "end", deps().keys.pseudonym(me.delegateId, (await deps().repo.getSession(s1))!.courseId))).toBeUndefined();
});
