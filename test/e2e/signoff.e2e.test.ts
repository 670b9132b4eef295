import { startBot, type BotUnderTest } from "../support/botUnderTest";
import { actionOf, inputsOf, plain, textOf } from "../support/cardTools";
import { answerIndicator, openWithRating } from "../support/section11";
import { newTeamsUser, personalConversationId, TEST_TENANT_ID, type TeamsUser } from "../support/teamsActivity";
import { DEFAULT_TEMPLATE } from "../../src/section11/templateCatalog";
import { CARD_SIZE_LIMIT, cardSize } from "../../src/cards/renderCard";
import { returnPartition } from "../../src/storage/returnsRepo";

/**
 * What a sign-off signs: the version the officer saw, once, by someone other than the lead who
 * asked (where the partnership says so), with every signed-off submission kept and every change
 * of every answer on record.
 */
const admin = newTeamsUser({ name: "Bea Admin", email: "bea@partnership.example" });
const lead = newTeamsUser({ name: "Lee Lead", email: "lee@plover.example" });
const officer = newTeamsUser({ name: "Olu Officer", email: "olu@plover.example" });
const officer2 = newTeamsUser({ name: "Oke Second-Officer", email: "oke@plover.example" });
const all = DEFAULT_TEMPLATE.standards.flatMap((s) => s.indicators.map((i) => i.id));
const answer = (id: string, tag = "") => (id.startsWith("9.") ? { rating: "na", naReason: "We commission nothing." } : { rating: "fully", evidence: `Evidence for ${id}${tag}` });
const text = (r: { card: unknown }) => plain(textOf(r.card));

let bot: BotUnderTest;
let returnId: string;

beforeAll(async () => {
  bot = await startBot({ ADMIN_AAD_OBJECT_IDS: `${TEST_TENANT_ID}:${admin.aadObjectId}` });
  const s = bot.app.services;
  await s.repos.cycles.create({ cycleId: "c1", name: "Section 11 audit 2026-28", deadline: "2027-03-31", templateId: DEFAULT_TEMPLATE.id, templateVersion: DEFAULT_TEMPLATE.version, partnerships: ["Westmere"], status: "open", createdAt: "2026-11-01T00:00:00Z", createdBy: "t" });
  await s.repos.agencies.create({ agencyId: "plover", name: "Plover Academy Trust", sector: "education", partnerships: ["Westmere"], createdAt: "", createdBy: "" });
  for (const u of [admin, lead, officer, officer2]) bot.addToRoster(u);
  for (const [u, role] of [[lead, "lead"], [officer, "officer"], [officer2, "officer"]] as const) {
    await bot.invoke(admin, "admin.assign", { agencyId: "plover", role, email: u.email, personName: u.name });
    await bot.say(u, "hi");
  }
  returnId = returnPartition("c1", "plover");
  await bot.say(lead, "audit");
  for (const id of all) await answerIndicator(bot, lead, returnId, id, answer(id));
}, 60_000);
afterAll(async () => bot?.stop());

async function requestAndGetCard(to: TeamsUser) {
  const seq = Math.max(0, ...bot.connector.activities.map((a) => a.seq));
  const sent = await bot.invoke(lead, "s11.requestSignoff", { returnId });
  expect(text(sent)).toContain("Sent for sign-off");
  const got = await bot.connector.waitFor((a) => a.seq > seq && a.conversationId === personalConversationId(to) && plain(textOf(a.body?.attachments?.[0]?.content ?? {})).includes("Please sign off"));
  return got.body.attachments[0].content;
}

const leadMessages = () => bot.connector.activities.filter((a) => a.conversationId === personalConversationId(lead) && a.operation === "send" && plain(textOf(a.body?.attachments?.[0]?.content ?? {})).includes("signed off by"));

test("an approval is for the version the officer saw: an older card is refused and the current one is shown", async () => {
  const oldCard = await requestAndGetCard(officer);
  // The lead changes an answer (which withdraws the request) and asks again: a new version.
  await answerIndicator(bot, lead, returnId, "2.1", answer("2.1", " (revised)"));
  await requestAndGetCard(officer);
  const stale = await bot.invoke(officer, "s11.approve", actionOf(oldCard, "s11.approve").data);
  expect(text(stale)).toContain("The return changed since this card was drawn");
  expect(text(stale)).not.toContain("Signed off and submitted");
  expect((await bot.app.services.repos.returns.load(returnId))!.header.status).toBe("awaiting_signoff");
});

test("the officer can read every answer of a standard before signing, and go back to the buttons", async () => {
  const card = await bot.invoke(officer, "s11.signoffCard", { returnId });
  const read = actionOf(card.card, "s11.standard", (a) => a.title === "Read standard 2");
  const standard = await bot.invoke(officer, read.verb, read.data);
  expect(text(standard)).toContain("Evidence for 2.1 (revised)");
  expect(cardSize(standard.card)).toBeLessThan(CARD_SIZE_LIMIT);
  const back = actionOf(standard.card, "s11.signoffCard");
  expect(actionOf((await bot.invoke(officer, back.verb, back.data)).card, "s11.approve")).toBeDefined();
});

test("a double click on sign-off submits once, tells the lead once, and counts one submission", async () => {
  const card = (await bot.invoke(officer, "s11.signoffCard", { returnId })).card;
  const approve = actionOf(card, "s11.approve");
  const before = leadMessages().length;
  const [a, b] = await Promise.all([bot.invoke(officer, approve.verb, approve.data), bot.invoke(officer, approve.verb, approve.data)]);
  const texts = [text(a), text(b)];
  expect(texts.filter((t) => t.includes("Signed off and submitted"))).toHaveLength(1);
  expect(texts.some((t) => /Already signed off/.test(t))).toBe(true);
  const header = (await bot.app.services.repos.returns.load(returnId))!.header;
  expect(header).toMatchObject({ status: "submitted", submissionCount: 1, signedOffBy: officer.name });
  await bot.connector.waitForCount(before + 1, (x) => leadMessages().includes(x));
  await new Promise((r) => setTimeout(r, 500));
  expect(leadMessages().length).toBe(before + 1);
});

test("an update signed off twice at once is submitted once too", async () => {
  await answerIndicator(bot, lead, returnId, "5.1", answer("5.1", " (after the panel)"));
  const card = await requestAndGetCard(officer);
  const approve = actionOf(card, "s11.approve");
  expect(approve.title).toBe("Sign off and submit the update");
  const [a, b] = await Promise.all([bot.invoke(officer, approve.verb, approve.data), bot.invoke(officer, approve.verb, approve.data)]);
  expect([text(a), text(b)].filter((t) => t.includes("Signed off and submitted"))).toHaveLength(1);
  expect((await bot.app.services.repos.returns.load(returnId))!.header.submissionCount).toBe(2);
});

test("a send-back and a sign-off by two officers at the same moment: one wins, the other is told, nothing is lost", async () => {
  await answerIndicator(bot, lead, returnId, "6.1", answer("6.1", " (again)"));
  const card1 = await requestAndGetCard(officer);
  const card2 = (await bot.invoke(officer2, "s11.signoffCard", { returnId })).card;
  const [approved, sentBack] = await Promise.all([
    bot.invoke(officer, "s11.approve", actionOf(card1, "s11.approve").data),
    bot.invoke(officer2, "s11.sendBack", { ...actionOf(card2, "s11.sendBack").data, comment: "Please check 6.1 first." }),
  ]);
  const a = text(approved);
  const b = text(sentBack);
  const header = (await bot.app.services.repos.returns.load(returnId))!.header;
  if (a.includes("Signed off and submitted")) {
    expect(b).not.toContain("Sent back to the lead");
    expect(header).toMatchObject({ status: "submitted", submissionCount: 3 });
  } else {
    expect(b).toContain("Sent back to the lead");
    expect(a).toMatch(/sent this return back at the same moment|no longer waiting|changed while/);
    expect(header).toMatchObject({ status: "draft", submissionCount: 2, sentBackBy: officer2.name });
  }
});

test("every signed-off submission is kept as it was, with who signed it and when; the first stays the baseline", async () => {
  const snapshots = await bot.app.services.repos.returns.snapshots(returnId);
  expect(snapshots.length).toBeGreaterThanOrEqual(2);
  expect(snapshots[0]).toMatchObject({ number: 1, signedOffBy: officer.name, requestedBy: lead.name });
  expect(snapshots[0].answers.get("5.1")?.evidence).toBe("Evidence for 5.1");
  expect(snapshots[1].answers.get("5.1")?.evidence).toBe("Evidence for 5.1 (after the panel)");
  expect(snapshots[0].at < snapshots[1].at).toBe(true);
  const first = await bot.app.services.returnService.firstSubmission({ principal: { tenantId: lead.tenantId, aadObjectId: lead.aadObjectId }, name: lead.name }, returnId);
  expect(first?.get("2.1")?.evidence).toBe("Evidence for 2.1 (revised)");
});

test("the admin reads what changed in one indicator: rating, evidence, action, owner and due date, with who and when", async () => {
  const open = await openWithRating(bot, lead, returnId, "7.1", "partially");
  await bot.invoke(lead, "s11.save", { ...actionOf(open.card, "s11.save").data, then: "stay", rating: "partially", evidence: "Only half the teams", actionText: "Brief the rest", actionOwner: "Head of Quality", actionDue: "2027-06-30" });
  const history = await bot.invoke(admin, "s11.history", { returnId, indicatorId: "7.1" });
  const t = text(history);
  expect(t).toContain("Lee Lead");
  expect(t).toContain("Rating: Fully met → Partially met");
  expect(t).toContain('Evidence changed to: "Only half the teams"');
  expect(t).toContain('Action added: "Brief the rest"');
  expect(t).toContain('Action owner added: "Head of Quality"');
  expect(t).toContain("Due date set to 30 Jun 2027");
  // Someone with no role on the return gets nothing.
  const stranger = newTeamsUser({ name: "Sid Stranger" });
  expect(text(await bot.invoke(stranger, "s11.history", { returnId, indicatorId: "7.1" }))).toContain("don't have access");
});

test("with separate sign-off on, the lead who asked cannot sign off their own request, and the card says why", async () => {
  const b = await startBot({ ADMIN_AAD_OBJECT_IDS: `${TEST_TENANT_ID}:${admin.aadObjectId}` });
  try {
    const both = newTeamsUser({ name: "Bo Both-Roles", email: "bo@dunlin.example" });
    const other = newTeamsUser({ name: "Ot Other-Officer", email: "ot@dunlin.example" });
    const s = b.app.services;
    await s.repos.cycles.create({ cycleId: "c1", name: "Cycle", deadline: "2027-03-31", templateId: DEFAULT_TEMPLATE.id, templateVersion: DEFAULT_TEMPLATE.version, partnerships: ["Westmere"], status: "open", createdAt: "", createdBy: "t" });
    await s.repos.agencies.create({ agencyId: "dunlin", name: "Dunlin Care", sector: "voluntary", partnerships: ["Westmere"], createdAt: "", createdBy: "" });
    for (const u of [admin, both, other]) b.addToRoster(u);
    for (const role of ["lead", "officer"] as const) await b.invoke(admin, "admin.assign", { agencyId: "dunlin", role, email: both.email, personName: both.name });
    await b.say(both, "hi");
    await b.say(both, "audit");
    const id = returnPartition("c1", "dunlin");
    for (const i of all) await answerIndicator(b, both, id, i, answer(i));
    // The admin turns the rule on (local mode starts with it off so one person can try every role).
    const settings = await b.invoke(admin, "admin.settings", {});
    expect(inputsOf(settings.card).separateSignoff).toBe("false");
    expect(text(await b.invoke(admin, "admin.settings.save", { separateSignoff: "true" }))).toContain("Separate sign-off is on");
    const alone = await b.invoke(both, "s11.requestSignoff", { returnId: id });
    expect(text(alone)).toContain("You are the only senior officer registered");
    await b.invoke(admin, "admin.assign", { agencyId: "dunlin", role: "officer", email: other.email, personName: other.name });
    await b.say(other, "hi");
    expect(text(await b.invoke(both, "s11.requestSignoff", { returnId: id }))).toContain("Sent for sign-off to Ot Other-Officer");
    const own = await b.invoke(both, "s11.approve", { returnId: id });
    expect(text(own)).toContain("the person who signs off must be someone else");
    expect((await s.repos.returns.load(id))!.header.status).toBe("awaiting_signoff");
    expect(text(await b.invoke(other, "s11.approve", { returnId: id }))).toContain("Signed off and submitted");
  } finally {
    await b.stop();
  }
}, 60_000);

test("no save slips between the approval's read and its transaction", async () => {
  const repos = bot.app.services.repos;
  await answerIndicator(bot, lead, returnId, "8.1", answer("8.1", " (race)"));
  if ((await repos.returns.load(returnId))!.header.status !== "awaiting_signoff") await bot.invoke(lead, "s11.requestSignoff", { returnId });
  const read = (await repos.returns.load(returnId))!;
  // A save lands after the read...
  const row = (await repos.returns.getAnswer(returnId, "8.2"))!;
  await repos.returns.saveAnswer(returnId, "8.2", row.etag, { ...row, evidence: "Slipped in" }, { name: "Lee Lead", key: "k" }, new Date().toISOString());
  // ...so the decision made on what was read fails as a whole: nothing is submitted.
  await expect(repos.returns.decide(read, { decision: "approved", by: "Olu", byKey: "k", at: new Date().toISOString(), version: "v", patch: { status: "submitted", submissionCount: read.header.submissionCount + 1 }, snapshot: { number: read.header.submissionCount + 1 } })).rejects.toMatchObject({ statusCode: expect.any(Number) });
  const after = (await repos.returns.load(returnId))!;
  expect(after.header.status).toBe("awaiting_signoff");
  expect(await repos.returns.snapshots(returnId, read.header.submissionCount + 1)).toEqual([]);
});

test("a conflict card holding long non-ASCII text stays under the size limit, and says what it cut", async () => {
  const lead2 = newTeamsUser({ name: "Lia Second-Lead", email: "lia@plover.example" });
  bot.addToRoster(lead2);
  await bot.invoke(admin, "admin.assign", { agencyId: "plover", role: "lead", email: lead2.email, personName: lead2.name });
  await bot.say(lead2, "hi");
  const mine = await openWithRating(bot, lead2, returnId, "4.1", "partially");
  await answerIndicator(bot, lead, returnId, "4.1", { rating: "fully", evidence: "保護".repeat(1999) });
  const clash = await bot.invoke(lead2, "s11.save", { ...actionOf(mine.card, "s11.save").data, then: "stay", rating: "partially", evidence: "児童".repeat(1996) + "👩🏽‍⚕️", actionText: "対策".repeat(499), actionOwner: "責任者".repeat(40), actionDue: "2027-06-30" });
  expect(clash.status).toBe(200);
  expect(cardSize(clash.card)).toBeLessThan(CARD_SIZE_LIMIT);
  expect(text(clash)).toContain("changed this answer while you were editing");
  expect(text(clash)).toContain("cut here to fit the card");
});

test("the bot's own bold is bold; what people typed is not", async () => {
  const r = await bot.invoke(lead, "s11.nothingHere", {});
  expect(textOf(r.card)).toContain("Type **help**");
});
