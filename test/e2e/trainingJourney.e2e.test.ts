import { startBot, type BotUnderTest } from "../support/botUnderTest";
import { startGraphStandIn, type GraphStandIn } from "../support/graphStandIn";
import { startHttpsFiles, type HttpsFiles } from "../support/httpsFiles";
import { actionOf, actionsOf, inputsOf, plain, textOf } from "../support/cardTools";
import { postActivity } from "../support/http";
import { fileConsentOrFileMessage, invokeAction, message, newTeamsUser, personalConversationId, TEST_TENANT_ID, toConnectorMember, type TeamsUser } from "../support/teamsActivity";
import { cardOf, cardsTo, createCourse, createSession, endAnswer, linkIn, mailsTo, makeTrainer, postEvaluation, roundSettled } from "../support/training";
import { batchId } from "../../src/training/verbs";

/**
 * A session of 30 delegates run end to end over HTTP: 10 reachable in Teams (5 who have talked to
 * the bot, 5 taken from a group chat's roster), 20 only by e-mail (through the Graph stand-in).
 * The Bot Connector stand-in throttles (429 + Retry-After), fails (500s), refuses one person (403)
 * and has lost another's chat (404). Some answer in Teams, some through their web link, some never;
 * reminders and the managers' messages fire on a controllable clock. Everyone gets exactly one
 * request, at most one reminder; every manager at most one message for the session.
 */
const admin = newTeamsUser({ name: "Bea Business-Manager", email: "bea@partnership.example" });
const officer = newTeamsUser({ name: "Tara Trainer", email: "tara.trainer@partnership.example" });
const talked = Array.from({ length: 5 }, (_, i) => newTeamsUser({ name: `Teams Talker ${i + 1}`, email: `talker${i + 1}@southdown-health.example` }));
const roster = Array.from({ length: 5 }, (_, i) => newTeamsUser({ name: `Roster Member ${i + 1}`, email: `member${i + 1}@westmere-council.example` }));
const teamsManager = newTeamsUser({ name: "Mona Manager", email: "mona.manager@southdown-health.example" });
const emailOnly = Array.from({ length: 20 }, (_, i) => ({ name: `Email Delegate ${i + 1}`, email: `delegate${i + 1}@agency${i % 4}.example`, managerName: `Manager ${i % 4}`, managerEmail: `manager${i % 4}@agency${i % 4}.example` }));
const [blocked, chatGone] = talked;

let offset = 0;
const clock = () => new Date(Date.now() + offset);
let bot: BotUnderTest;
let graph: GraphStandIn;
let files: HttpsFiles;
let sessionId = "";
let courseId = "";

beforeAll(async () => {
  graph = await startGraphStandIn();
  files = await startHttpsFiles();
  bot = await startBot(
    {
      ADMIN_AAD_OBJECT_IDS: `${TEST_TENANT_ID}:${admin.aadObjectId}`,
      MAIL_SENDER: "training@partnership.example",
      MAIL_TENANT_ID: "11111111-1111-4111-8111-111111111111",
      MAIL_CLIENT_ID: "22222222-2222-4222-8222-222222222222",
      MAIL_CLIENT_SECRET: "graph-secret",
      GRAPH_BASE_URL: graph.graphBaseUrl,
      GRAPH_AUTHORITY_HOST: graph.authorityHost,
      DELIVERY_EMAIL_PER_MINUTE: "6000",
      ...files.botSettings(),
    },
    { now: clock },
  );
  for (const u of [admin, officer, ...talked, teamsManager]) bot.addToRoster(u);
}, 30_000);

afterAll(async () => {
  await bot?.stop();
  await graph?.close();
  await files?.close();
});

const deliveries = (round: "request" | "reminder" | "escalation") => bot.app.services.delivery.outbox.batchStatus(batchId(sessionId, "end", round));

test("the admin makes a training officer; the officer creates a course and a session", async () => {
  await bot.say(admin, "hi");
  await makeTrainer(bot, admin, officer);
  const home = await bot.say(officer, "training");
  expect(plain(home.text)).toContain("Start with a course");
  const course = await createCourse(bot, officer);
  courseId = course.courseId;
  expect(plain(textOf(course.card))).toContain("Recognise the five categories of neglect");
  expect(plain(textOf(course.card))).toContain("after 10 minutes without an answer");
  const session = await createSession(bot, officer, courseId, new Date(clock().getTime() + 2 * 3_600_000));
  sessionId = session.sessionId;
  expect(plain(textOf(session.card))).toContain("Open");
});

test("someone who is not a training officer cannot see or change anything", async () => {
  const stranger = talked[4];
  await bot.say(stranger, "hi");
  const r = await bot.invoke(stranger, "training.session.close", { sessionId });
  expect(plain(textOf(r.card))).toMatch(/Only the partnership's training officers/);
  const home = await bot.say(stranger, "training");
  expect(plain(home.text)).toMatch(/Only the partnership's training officers/);
});

test("delegates come from a CSV sent in chat (with a report per row) and from a group chat's roster, with nothing personal shown in the group", async () => {
  for (const u of [...talked, teamsManager]) await bot.say(u, "hi");
  const target = await bot.invoke(officer, "training.delegate.csv", { sessionId });
  expect(plain(textOf(target.card))).toContain("Send the CSV file in this chat");
  const rows = [
    "Name,E-mail,Agency,Manager name,Manager email",
    ...talked.map((u) => `${u.name},${u.email},Southdown Community Health NHS Trust,Mona Manager,${teamsManager.email}`),
    ...emailOnly.map((d) => `${d.name},${d.email},Agency ${d.email.split("@")[1]},${d.managerName},${d.managerEmail}`),
    `Email Delegate 1 again,${emailOnly[0].email.toUpperCase()},,,`,
    "Broken Row,not-an-email,,,",
  ];
  files.served["/delegates.csv"] = rows.join("\r\n");
  const before = Math.max(0, ...bot.connector.activities.map((a) => a.seq));
  await postActivity(bot.url, fileConsentOrFileMessage(officer, { name: "delegates.csv", downloadUrl: `${files.url}/delegates.csv`, fileType: "csv" }));
  const replies = bot.connector.activities.filter((a) => a.seq > before);
  const report = plain(textOf(cardOf(replies[replies.length - 1])));
  expect(report).toContain("25 delegates added");
  expect(report).toMatch(/Line 27\s+the same e-mail address as line 7: merged/);
  expect(report).toMatch(/Line 28: Broken Row\s+"not-an-email" is not a valid e-mail address/);

  // In the group chat: the prompt names nobody; the session list and the result go to the presser only.
  bot.connector.setMembers([...roster, officer].map((u) => toConnectorMember(u)));
  const group = { conversationId: "19:training-group@thread.v2" };
  const inGroup = (a: ReturnType<typeof message>) => ({ ...a, conversation: { ...a.conversation, conversationType: "groupChat" as const, isGroup: true } });
  const beforeGroup = Math.max(0, ...bot.connector.activities.map((a) => a.seq));
  await postActivity(bot.url, inGroup(message(officer, "add delegates", group)));
  const prompt = bot.connector.activities.filter((a) => a.seq > beforeGroup && a.conversationId === group.conversationId);
  expect(prompt).toHaveLength(1);
  const promptText = plain(textOf(cardOf(prompt[0])));
  for (const u of roster) expect(promptText).not.toContain(u.name);
  const sessions = await postActivity(bot.url, inGroup(invokeAction(officer, "training.roster.sessions", {}, group)));
  const choose = actionOf(sessions.body.value, "training.roster.add");
  const added = await postActivity(bot.url, inGroup(invokeAction(officer, choose.verb, choose.data, group)));
  expect(plain(textOf(added.body.value))).toContain("Added 5 people from this chat");
  for (const u of roster) expect(JSON.stringify(added.body.value)).not.toContain(u.name);
  // Nothing else was posted into the group; the names went to the officer's own chat.
  expect(bot.connector.activities.filter((a) => a.seq > beforeGroup && a.conversationId === group.conversationId)).toHaveLength(1);
  const toOfficer = await bot.connector.waitFor((a) => a.seq > beforeGroup && a.conversationId === personalConversationId(officer) && /Added 5 from a Teams chat/.test(plain(textOf(cardOf(a)))));
  expect(plain(textOf(cardOf(toOfficer)))).toContain("Booked: 30");

  // A stranger pressing the group button sees only that it is not for them.
  const stranger = newTeamsUser({ name: "Group Stranger" });
  const refused = await postActivity(bot.url, inGroup(invokeAction(stranger, "training.roster.add", choose.data, group)));
  expect(plain(textOf(refused.body.value))).toMatch(/Only the partnership's training officers/);
});

test("closing the session sends every delegate exactly one request, through throttling, errors, a block and a lost chat", async () => {
  bot.connector.failConversation(personalConversationId(blocked), 403);
  bot.connector.failConversation(personalConversationId(chatGone), 404);
  bot.connector.failNext(1, 429, { "Retry-After": "1" });
  bot.connector.failNext(2, 500);
  graph.failNext(1, 429, { "Retry-After": "1" });
  // Before and after closing, every button on the session card fits a phone's width (about 30 characters).
  expect(actionsOf((await bot.invoke(officer, "training.session", { sessionId })).card).filter((a) => a.title.length > 30).map((a) => a.title)).toEqual([]);
  const closed = await bot.invoke(officer, "training.session.close", { sessionId });
  expect(plain(textOf(closed.card))).toContain("Session closed");
  expect(actionsOf(closed.card).filter((a) => a.title.length > 30).map((a) => a.title)).toEqual([]);
  const status = await roundSettled(bot, sessionId, "end", "request", 30, 20_000);
  expect(status.total).toBe(30);
  expect(status.counts.sent).toBe(30);
  const rows = status.rows;
  expect(rows.filter((r) => r.channel === "teams")).toHaveLength(9);
  expect(rows.filter((r) => r.channel === "email")).toHaveLength(21);
  expect(bot.connector.rejected.some((r) => r.status === 429)).toBe(true);
  expect(bot.connector.rejected.filter((r) => r.status === 500)).toHaveLength(2);

  // One request each, wherever it went.
  const isRequest = (t: string) => t.includes("Evaluation: Neglect") && !t.includes("Reminder");
  for (const u of [...talked, ...roster]) {
    const teams = cardsTo(bot, u, isRequest).length;
    const mails = mailsTo(graph, u.email!, /^Evaluation: /).length;
    expect({ who: u.name, total: teams + mails }).toEqual({ who: u.name, total: 1 });
  }
  expect(mailsTo(graph, blocked.email!, /^Evaluation: /)).toHaveLength(1);
  expect(cardsTo(bot, chatGone, isRequest)).toHaveLength(1);
  for (const d of emailOnly) expect({ who: d.email, n: mailsTo(graph, d.email, /^Evaluation: /).length }).toEqual({ who: d.email, n: 1 });

  // The officer sees per delegate how each was reached.
  const pages = [await bot.invoke(officer, "training.delegates", { sessionId })];
  pages.push(await bot.invoke(officer, actionOf(pages[0].card, "training.delegates", (a) => a.title === "Next page").verb, actionOf(pages[0].card, "training.delegates", (a) => a.title === "Next page").data));
  const text = pages.map((p) => plain(textOf(p.card))).join("\n");
  expect(text).toContain("30 booked, 30 attended");
  expect(text).toMatch(/by e-mail \(Teams could not reach them\)/);
  expect(text).toContain("in Teams");
}, 60_000);

test("answers in Teams and through the web link are the same answer; answering again changes it", async () => {
  // Three Teams delegates answer on their card; one changes their answer.
  const teamsAnswerers = [talked[2], talked[3], roster[0]];
  for (const u of teamsAnswerers) {
    const card = cardOf(cardsTo(bot, u, (t) => t.includes("Evaluation: Neglect"))[0]);
    const save = actionOf(card, "training.evaluation.answer");
    const r = await bot.invoke(u, save.verb, { ...save.data, ...endAnswer() });
    expect(plain(textOf(r.card))).toContain("Thank you: your answers are saved");
  }
  const again = actionOf(cardOf(cardsTo(bot, roster[0], (t) => t.includes("Evaluation: Neglect"))[0]), "training.evaluation.answer");
  const changed = await bot.invoke(roster[0], again.verb, { ...again.data, ...endAnswer({ overall: "2" }) });
  expect(plain(textOf(changed.card))).toContain("Your answers are changed");
  expect(inputsOf(changed.card).overall).toBe("2");

  // Eight e-mail delegates and the blocked one answer through their link.
  for (const who of [...emailOnly.slice(0, 8).map((d) => d.email), blocked.email!]) {
    const link = linkIn(mailsTo(graph, who, /^Evaluation: /)[0]);
    const r = await postEvaluation(link, endAnswer());
    expect(r.status).toBe(303);
    const page = await (await fetch(new URL(r.location!, link))).text();
    expect(page).toContain("Thank you: your answers are saved.");
  }
  const answers = await bot.app.services.training.deps.answers.list(sessionId);
  expect(answers).toHaveLength(12);
  expect(answers.filter((a) => a.answers.kind === "end" && a.answers.overall === 2)).toHaveLength(1);
  // The answers hold no name, e-mail or user id.
  const stored = JSON.stringify(answers);
  for (const u of [...talked, ...roster]) {
    expect(stored).not.toContain(u.email!);
    expect(stored).not.toContain(u.aadObjectId);
    expect(stored).not.toContain(u.name);
  }
});

test("a delegate cannot answer someone else's evaluation, and ratings outside 1-5 are refused with what was typed kept", async () => {
  const mine = actionOf(cardOf(cardsTo(bot, talked[4], (t) => t.includes("Evaluation: Neglect"))[0]), "training.evaluation.answer");
  const theirs = actionOf(cardOf(cardsTo(bot, roster[1], (t) => t.includes("Evaluation: Neglect"))[0]), "training.evaluation.answer");
  const denied = await bot.invoke(talked[4], theirs.verb, { ...theirs.data, ...endAnswer() });
  expect(plain(textOf(denied.card))).toContain("This evaluation was sent to someone else");
  const bad = await bot.invoke(talked[4], mine.verb, { ...mine.data, ...endAnswer({ overall: "7", trainer: "0", doDifferently: "Keep *this* text" }) });
  const text = plain(textOf(bad.card));
  expect(text).toContain("Not saved yet");
  expect(text).toContain("Choose a whole number from 1 to 5.");
  expect(inputsOf(bad.card).doDifferently).toBe("Keep *this* text");
  expect(await bot.app.services.training.deps.answers.list(sessionId)).toHaveLength(12);
});

test("after R one reminder goes to each delegate who has not answered; after R + E each manager gets one message listing only outstanding staff", async () => {
  const answeredEmails = new Set([talked[2], talked[3], roster[0], blocked].map((u) => u.email!.toLowerCase()).concat(emailOnly.slice(0, 8).map((d) => d.email)));
  offset += 11 * 60_000;
  const reminders = await roundSettled(bot, sessionId, "end", "reminder", 18, 30_000);
  expect(reminders.total).toBe(18);
  for (const u of [...talked, ...roster]) {
    const n = cardsTo(bot, u, (t) => t.includes("Reminder")).length + mailsTo(graph, u.email!, /^Reminder: /).length;
    expect({ who: u.name, n }).toEqual({ who: u.name, n: answeredEmails.has(u.email!.toLowerCase()) ? 0 : 1 });
  }
  for (const d of emailOnly) expect({ who: d.email, n: mailsTo(graph, d.email, /^Reminder: /).length }).toEqual({ who: d.email, n: answeredEmails.has(d.email) ? 0 : 1 });

  // Two more answer after their reminder.
  for (const d of emailOnly.slice(8, 10)) expect((await postEvaluation(linkIn(mailsTo(graph, d.email, /^Reminder: /)[0]), endAnswer())).status).toBe(303);

  offset += 11 * 60_000;
  const escalations = await roundSettled(bot, sessionId, "end", "escalation", 5, 30_000);
  // Mona (Teams) for the Southdown delegates, and the four e-mail managers.
  expect(escalations.total).toBe(5);
  const mona = cardsTo(bot, teamsManager, (t) => t.includes("Training evaluations to complete"));
  expect(mona).toHaveLength(1);
  const monaText = plain(textOf(cardOf(mona[0])));
  expect(monaText).toContain(talked[1].name);
  expect(monaText).not.toContain(talked[2].name);
  for (let m = 0; m < 4; m++) {
    const mails = mailsTo(graph, `manager${m}@agency${m}.example`, /^Outstanding training evaluation/);
    expect(mails).toHaveLength(1);
    const body = String(mails[0].message.body.content);
    for (const d of emailOnly.filter((_, i) => i % 4 === m)) {
      const outstanding = !answeredEmails.has(d.email) && !emailOnly.slice(8, 10).includes(d);
      expect({ d: d.name, listed: body.includes(`<li>${d.name}</li>`) }).toEqual({ d: d.name, listed: outstanding });
    }
    expect(body).not.toMatch(/neglect tool|overall|rating/i);
  }

  // Time passes and the jobs would run again: nothing more is sent.
  const sentBefore = graph.sent.length + bot.connector.activities.length;
  offset += 3 * 3_600_000;
  await new Promise((r) => setTimeout(r, 1_500));
  expect(graph.sent.length + bot.connector.activities.length).toBe(sentBefore);
  expect((await deliveries("reminder")).total).toBe(18);
  expect((await deliveries("escalation")).total).toBe(5);
}, 60_000);

test("the officer's results: response rate, averages and outcomes from 5 answers up, consented quotes, who is outstanding", async () => {
  const r = await bot.invoke(officer, "training.results", { scope: "session", id: sessionId });
  expect(actionsOf(r.card).filter((a) => a.title.length > 30).map((a) => a.title)).toEqual([]);
  const text = plain(textOf(r.card));
  expect(text).toContain("End of session: answered: 14 of 30 (47%)");
  expect(text).toMatch(/Overall: 3\.9/);
  expect(text).toMatch(/Recognise the five categories of neglect: yes 100% · partly 0% · no 0%/);
  expect(text).toContain("“I will use the tool at every review of a child in need plan.”");
  expect(text).toContain(`${talked[4].name}, Southdown Community Health NHS Trust: end of session`);
  // Who is outstanding reads as a list of people against what they owe, not a block of text.
  const facts: Array<{ title: string; value: string }> = [];
  const visit = (n: any) => {
    if (Array.isArray(n)) n.forEach(visit);
    else if (n && typeof n === "object") {
      if (n.type === "FactSet") facts.push(...n.facts);
      Object.values(n).forEach(visit);
    }
  };
  visit(r.card);
  expect(facts.map((f) => [plain(f.title), f.value])).toContainEqual([`${talked[4].name}, Southdown Community Health NHS Trust`, "end of session"]);
  expect(text).not.toContain(`${talked[2].name},`);
});

test("downloads: answers without identities, the outstanding list and the links, formula-safe; XLSX is a real workbook", async () => {
  const menu = await bot.invoke(officer, "training.export", { scope: "session", id: sessionId, what: "menu", format: "csv" });
  expect(actionsOf(menu.card).map((a) => a.title)).toContain("Answers, without names (Excel)");
  const fileOf = async (what: string, format: string) => {
    const before = Math.max(0, ...bot.connector.activities.map((a) => a.seq));
    const res = await bot.invoke(officer, "training.export", { scope: "session", id: sessionId, what, format });
    const offer = bot.connector.activities.find((a) => a.seq > before && a.body?.attachments?.[0]?.contentType === "application/vnd.microsoft.teams.card.file.consent");
    const fileId = offer!.body.attachments[0].content.acceptContext.fileId;
    const stored = await bot.app.services.files.get(fileId);
    return { res, bytes: stored!.bytes, name: offer!.body.attachments[0].name as string };
  };
  const answers = await fileOf("answers", "csv");
  const csv = answers.bytes.toString("utf8");
  expect(csv.split("\r\n").filter(Boolean)).toHaveLength(15);
  for (const u of [...talked, ...roster]) {
    expect(csv).not.toContain(u.email!);
    expect(csv).not.toContain(u.name);
  }
  const xlsx = await fileOf("answers", "xlsx");
  expect(xlsx.name).toMatch(/\.xlsx$/);
  expect(xlsx.bytes.subarray(0, 2).toString()).toBe("PK");
  const outstanding = (await fileOf("outstanding", "csv")).bytes.toString("utf8");
  expect(outstanding).toContain(talked[4].email!);
  expect(outstanding).not.toContain(talked[2].email!);
  const links = (await fileOf("links", "csv")).bytes.toString("utf8");
  expect(links).toMatch(/\/evaluate\/s-[a-z0-9]{10}\.end\./);
});

test("a session closes by itself once it has ended, and the follow-up goes out by itself weeks later", async () => {
  const later = await createSession(bot, officer, courseId, new Date(clock().getTime() + 30 * 60_000));
  const late = { name: "Late Booker", email: "late.booker@agency9.example" };
  const absent = { name: "No Show", email: "no.show@agency9.example" };
  for (const d of [late, absent]) await bot.invoke(officer, "training.delegate.add", { sessionId: later.sessionId, ...d, agency: "", managerName: "", managerEmail: "" });
  // Everyone booked counts as attended until the officer says otherwise; no-shows get no evaluation.
  const attendance = await bot.invoke(officer, "training.attendance", { sessionId: later.sessionId });
  const noShow = (attendance.card.body as any[]).flatMap((b) => JSON.stringify(b).match(/"title":"No Show","value":"([0-9a-f]{24})"/)?.[1] ?? []);
  const saved = await bot.invoke(officer, "training.attendance.save", { sessionId: later.sessionId, absent: noShow[0] });
  expect(plain(textOf(saved.card))).toContain("Attendance saved (1 change)");
  expect(mailsTo(graph, late.email)).toHaveLength(0);
  // Its end (start + 60 minutes) passes: the scheduler closes it and sends the evaluation.
  offset += 95 * 60_000;
  await roundSettled(bot, later.sessionId, "end", "request", 1, 20_000);
  expect(mailsTo(graph, late.email, /^Evaluation: /)).toHaveLength(1);
  expect(mailsTo(graph, absent.email)).toHaveLength(0);
  const view = await bot.invoke(officer, "training.session", { sessionId: later.sessionId });
  expect(plain(textOf(view.card))).toMatch(/State: Closed/);
  // Its length reads as a person says it: "1 hour", with the time it ends.
  expect(plain(textOf(view.card))).toMatch(/When: [^\n]*\d\d:\d\d to \d\d:\d\d \(1 hour\)/);

  // Eight weeks after the first session closed, its follow-up goes to everyone who attended.
  offset += 8 * 7 * 86_400_000;
  const follow = await roundSettled(bot, sessionId, "follow", "request", 30, 30_000);
  expect(follow.total).toBe(30);
  for (const d of emailOnly) expect({ who: d.email, n: mailsTo(graph, d.email, /^Follow-up: /).length }).toEqual({ who: d.email, n: 1 });
  const card = cardOf(cardsTo(bot, roster[0], (t) => t.includes("Follow-up: Neglect"))[0]);
  const save = actionOf(card, "training.evaluation.answer");
  expect(save.data.kind).toBe("follow");
  const r = await bot.invoke(roster[0], save.verb, { ...save.data, practiceChanged: "yes", practiceExample: "I escalated a drifting plan.", jointWorking: "partly", confidenceNow: "5", barriers: "", consentQuote: "no" });
  expect(plain(textOf(r.card))).toContain("Thank you: your answers are saved");
  const answers = await bot.app.services.training.deps.answers.list(sessionId);
  const mine = answers.filter((a) => a.answers.kind === "follow");
  expect(mine).toHaveLength(1);
  // The same person's end-of-session answer shares the pseudonym: the two can be compared, without a name.
  expect(answers.filter((a) => a.pseudonym === mine[0].pseudonym).map((a) => a.answers.kind).sort()).toEqual(["end", "follow"]);
}, 60_000);
