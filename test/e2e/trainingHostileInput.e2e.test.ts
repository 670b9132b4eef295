import { startBot, type BotUnderTest } from "../support/botUnderTest";
import { startGraphStandIn, type GraphStandIn } from "../support/graphStandIn";
import { actionOf, inputsOf, plain, textOf } from "../support/cardTools";
import { newTeamsUser, TEST_TENANT_ID } from "../support/teamsActivity";
import { cardOf, cardsTo, createCourse, createSession, endAnswer, linkIn, mailsTo, makeTrainer, postEvaluation, roundSettled } from "../support/training";
import { escapeMarkdown } from "../../src/cards/escape";
import { CARD_SIZE_LIMIT } from "../../src/cards/renderCard";

/**
 * Bad input, each through the real endpoint: ratings outside 1-5, 100,000 characters, markdown and
 * links in names shown to others (the officer, a manager), formula injection that reaches an export.
 */
const admin = newTeamsUser({ name: "Bea Business-Manager", email: "bea@partnership.example" });
const officer = newTeamsUser({ name: "Tara Trainer", email: "tara@partnership.example" });
const manager = newTeamsUser({ name: "Mona Manager", email: "mona@southdown.example" });
const teamsDelegate = newTeamsUser({ name: "Terry Teams", email: "terry@southdown.example" });
const HOSTILE_NAME = "[Click here](https://evil.example) **urgent** <b>x</b>";
const FORMULA_NAME = '=HYPERLINK("https://evil.example","Open")';
const webDelegates = Array.from({ length: 6 }, (_, i) => ({ name: i === 0 ? HOSTILE_NAME : i === 1 ? FORMULA_NAME : `Web Delegate ${i}`, email: `web${i}@southdown.example` }));

let offset = 0;
const clock = () => new Date(Date.now() + offset);
let bot: BotUnderTest;
let graph: GraphStandIn;
let sessionId = "";

beforeAll(async () => {
  graph = await startGraphStandIn();
  bot = await startBot(
    { ADMIN_AAD_OBJECT_IDS: `${TEST_TENANT_ID}:${admin.aadObjectId}`, MAIL_SENDER: "training@partnership.example", MAIL_TENANT_ID: "11111111-1111-4111-8111-111111111111", MAIL_CLIENT_ID: "22222222-2222-4222-8222-222222222222", MAIL_CLIENT_SECRET: "s", GRAPH_BASE_URL: graph.graphBaseUrl, GRAPH_AUTHORITY_HOST: graph.authorityHost, DELIVERY_EMAIL_PER_MINUTE: "6000" },
    { now: clock },
  );
  for (const u of [admin, officer, manager, teamsDelegate]) bot.addToRoster(u);
  await bot.say(admin, "hi");
  await makeTrainer(bot, admin, officer);
  for (const u of [manager, teamsDelegate]) await bot.say(u, "hi");
  const { courseId } = await createCourse(bot, officer, { title: "Neglect **now** [read](https://evil.example)", outcomes: "=HYPERLINK(\"x\")\nSecond outcome", reminderAfter: "1 minute", escalationAfter: "1 minute" });
  sessionId = (await createSession(bot, officer, courseId, new Date(clock().getTime() + 3_600_000))).sessionId;
  for (const d of [...webDelegates, { name: teamsDelegate.name, email: teamsDelegate.email! }]) {
    const r = await bot.invoke(officer, "training.delegate.add", { sessionId, name: d.name, email: d.email, agency: "@SUM(1)", managerName: "Mona Manager", managerEmail: manager.email! });
    expect(plain(textOf(r.card))).toContain("is booked");
  }
  await bot.invoke(officer, "training.session.close", { sessionId });
  await roundSettled(bot, sessionId, "end", "request", 7);
}, 40_000);

afterAll(async () => {
  await bot?.stop();
  await graph?.close();
});

test("a delegate form with a bad address or a 100,000-character name is refused, keeping what was typed", async () => {
  const r = await bot.invoke(officer, "training.delegate.add", { sessionId, name: "N".repeat(100_000), email: "not an address", agency: "", managerName: "Someone", managerEmail: "" });
  const text = plain(textOf(r.card));
  expect(text).toContain("Nobody was added yet");
  expect(text).toContain("100,000 characters; the limit is 120");
  expect(text).toContain('"not an address" is not a valid e-mail address');
  expect(text).toContain("manager's e-mail address is empty");
  expect(inputsOf(r.card).name).toHaveLength(120);
  expect(JSON.stringify(r.card).length).toBeLessThan(CARD_SIZE_LIMIT);
});

test("on the card: 100,000 characters are refused with the limit, keeping the first 2,000, and the card stays under Teams' size limit", async () => {
  const card = cardOf(cardsTo(bot, teamsDelegate, (t) => t.includes("Evaluation: Neglect"))[0]);
  // The course title's markdown shows as typed, never as a link.
  expect(textOf(card)).toContain(escapeMarkdown("Evaluation: Neglect **now** [read](https://evil.example)"));
  const save = actionOf(card, "training.evaluation.answer");
  const r = await bot.invoke(teamsDelegate, save.verb, { ...save.data, ...endAnswer({ comment: "y".repeat(100_000), overall: "99" }) });
  const text = plain(textOf(r.card));
  expect(text).toContain("100,000 characters; the limit is 2,000. We kept the first 2,000");
  expect(text).toContain("Choose a whole number from 1 to 5.");
  expect(inputsOf(r.card).comment).toBe("y".repeat(2000));
  expect(JSON.stringify(r.card).length).toBeLessThan(CARD_SIZE_LIMIT);
  expect(await bot.app.services.training.deps.answers.list(sessionId)).toHaveLength(0);
});

test("on the web page: a rating of 9 and 100,000 characters are refused beside their fields, keeping what was typed", async () => {
  const link = linkIn(mailsTo(graph, webDelegates[2].email, /^Evaluation: /)[0]);
  const r = await postEvaluation(link, endAnswer({ overall: "9", comment: "z".repeat(100_000), doDifferently: "<script>alert(1)</script>" }));
  expect(r.status).toBe(422);
  expect(r.body).toMatch(/id="overall-field"[^]*Choose a whole number from 1 to 5\.[^]*id="overall-0"/);
  expect(r.body).toContain("This is 100,000 characters; the limit is 2,000.");
  expect(r.body).toContain(`>${"z".repeat(2000)}</textarea>`);
  expect(r.body).toContain("&lt;script&gt;alert(1)&lt;/script&gt;</textarea>");
  expect(r.body).not.toContain("<script>");
});

test("names with markdown and links show as typed to the officer and to the manager, and as text in e-mails", async () => {
  const list = await bot.invoke(officer, "training.delegates", { sessionId });
  expect(textOf(list.card)).toContain(escapeMarkdown(HOSTILE_NAME));
  expect(textOf(list.card)).not.toContain("[Click here](");
  // Five answer (one with a formula), the rest are chased.
  for (const d of webDelegates.slice(2, 6)) expect((await postEvaluation(linkIn(mailsTo(graph, d.email, /^Evaluation: /)[0]), endAnswer({ doDifferently: "=1+1 then @SUM(A1)" }))).status).toBe(303);
  const save = actionOf(cardOf(cardsTo(bot, teamsDelegate, (t) => t.includes("Evaluation: Neglect"))[0]), "training.evaluation.answer");
  expect(plain(textOf((await bot.invoke(teamsDelegate, save.verb, { ...save.data, ...endAnswer() })).card))).toContain("saved");
  offset += 3 * 60_000;
  await roundSettled(bot, sessionId, "end", "escalation", 1);
  const toManager = cardsTo(bot, manager, (t) => t.includes("Training evaluations to complete"));
  expect(toManager).toHaveLength(1);
  const shown = textOf(cardOf(toManager[0]));
  expect(shown).toContain(escapeMarkdown(HOSTILE_NAME));
  expect(shown).not.toContain("[Click here](");
  // The reminder e-mail's HTML carries the course title as text.
  const reminder = mailsTo(graph, webDelegates[0].email, /^Reminder: /)[0];
  expect(String(reminder.message.body.content)).not.toMatch(/<b>x<\/b>|href="https:\/\/evil/);
});

test("formula injection in names, agencies and answers is neutralised in every download", async () => {
  const file = async (what: string) => {
    const before = Math.max(0, ...bot.connector.activities.map((a) => a.seq));
    await bot.invoke(officer, "training.export", { scope: "session", id: sessionId, what, format: "csv" });
    const offer = bot.connector.activities.find((a) => a.seq > before && a.body?.attachments?.[0]?.contentType === "application/vnd.microsoft.teams.card.file.consent");
    return (await bot.app.services.files.get(offer!.body.attachments[0].content.acceptContext.fileId))!.bytes.toString("utf8");
  };
  const outstanding = await file("outstanding");
  expect(outstanding).toContain(`"'=HYPERLINK(""https://evil.example"",""Open"")"`);
  expect(outstanding).toContain("'@SUM(1)");
  expect(outstanding).not.toMatch(/(^|,)[=+@-]/m);
  const answers = await file("answers");
  expect(answers).toContain("'=1+1 then @SUM(A1)");
  expect(answers).not.toMatch(/(^|,)"?[=+@]/m);
});
