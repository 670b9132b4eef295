import { startBot, type BotUnderTest } from "../support/botUnderTest";
import { actionOf, inputsOf, plain, textOf } from "../support/cardTools";
import { newTeamsUser, personalConversationId, TEST_TENANT_ID, type TeamsUser } from "../support/teamsActivity";
import { DEFAULT_TEMPLATE } from "../../src/section11/templateCatalog";
import { answerIndicator, openWithRating } from "../support/section11";

/**
 * A safeguarding lead's whole journey over HTTP, as Teams would send it: first contact,
 * the audit step by step, a stale card, a second lead, review, sign-off by the senior officer,
 * submission, and an update after submission that leaves the first submission untouched.
 */
const admin = newTeamsUser({ name: "Bea Business-Manager", email: "bea@partnership.example" });
const lead = newTeamsUser({ name: "Lee Lead", email: "lee@southdown-health.example" });
const lead2 = newTeamsUser({ name: "Lou Second-Lead", email: "lou@southdown-health.example" });
const officer = newTeamsUser({ name: "Olu Officer", email: "olu@southdown-health.example" });
const outsider = newTeamsUser({ name: "Otto Other-Agency", email: "otto@eastshire-fire.example" });
const allIndicators = DEFAULT_TEMPLATE.standards.flatMap((s) => s.indicators.map((i) => i.id));

// A fixed date that still moves on, so "after" and "before" mean something within the run.
const started = Date.now();
const clock = () => new Date(Date.parse("2026-11-20T10:00:00Z") + (Date.now() - started));
let bot: BotUnderTest;
let returnId: string;
let otherReturnId: string;

beforeAll(async () => {
  bot = await startBot({ ADMIN_AAD_OBJECT_IDS: `${TEST_TENANT_ID}:${admin.aadObjectId}` }, { now: clock });
  for (const u of [admin, lead, lead2, officer, outsider]) bot.addToRoster(u);
  const s = bot.app.services;
  const actor = { principal: { tenantId: TEST_TENANT_ID, aadObjectId: admin.aadObjectId }, name: admin.name };
  await s.repos.cycles.create({ cycleId: "s11-2026", name: "Section 11 audit 2026-28", deadline: "2027-02-28", templateId: DEFAULT_TEMPLATE.id, templateVersion: DEFAULT_TEMPLATE.version, partnerships: ["Westmere"], status: "open", createdAt: "2026-11-01T09:00:00Z", createdBy: actor.name });
  await s.repos.agencies.create({ agencyId: "southdown-health", name: "Southdown Community Health NHS Trust", sector: "health", partnerships: ["Westmere"], createdAt: "", createdBy: "" });
  await s.repos.agencies.create({ agencyId: "eastshire-fire", name: "Eastshire Fire & Rescue", sector: "fire", partnerships: ["Westmere"], createdAt: "", createdBy: "" });
  const grant = (u: TeamsUser, role: "lead" | "officer", agencyId: string, agencyName: string) =>
    s.access.grant({ role, agencyId, agencyName, holder: { kind: "email", email: u.email! }, name: u.name, email: u.email!, by: admin.name });
  await grant(lead, "lead", "southdown-health", "Southdown Community Health NHS Trust");
  await grant(lead2, "lead", "southdown-health", "Southdown Community Health NHS Trust");
  await grant(officer, "officer", "southdown-health", "Southdown Community Health NHS Trust");
  await grant(outsider, "lead", "eastshire-fire", "Eastshire Fire & Rescue");
});

afterAll(async () => {
  await bot?.stop();
});

const answer = (rating: string, extra: Record<string, string> = {}) => ({
  rating,
  evidence: rating === "na" ? "" : "Board minutes 12 Sep 2026; audit of 40 staff files; staff survey: 92% named the lead.",
  naReason: rating === "na" ? "We do not commission any services." : "",
  actionText: rating === "partially" || rating === "not" ? "Refresh the policy and brief all managers." : "",
  actionOwner: rating === "partially" || rating === "not" ? "Head of Safeguarding" : "",
  actionDue: rating === "partially" || rating === "not" ? "2027-03-31" : "",
  ...extra,
});

test("first contact links the lead by the e-mail Teams reports, and the welcome says what they can do", async () => {
  const r = await bot.say(lead, "hi");
  expect(r.status).toBe(200);
  expect(plain(r.text)).toContain("Safeguarding lead");
  expect(plain(r.text)).toContain("Southdown Community Health NHS Trust");
  actionOf(r.card, "cmd", (a) => a.data.command === "audit");
  // The other people link the same way.
  for (const u of [lead2, officer, outsider]) expect((await bot.say(u, "hi")).status).toBe(200);
});

test("audit opens the overview with progress per standard", async () => {
  const r = await bot.say(lead, "audit");
  expect(plain(r.text)).toContain("Section 11 audit 2026-28");
  expect(plain(r.text)).toContain(`0 of ${allIndicators.length} indicators answered`);
  expect(plain(r.text)).toContain("Senior leadership commitment");
  returnId = actionOf(r.card, "s11.step").data.returnId;
  expect(returnId).toContain("southdown-health");
  const other = await bot.say(outsider, "audit");
  otherReturnId = actionOf(other.card, "s11.step").data.returnId;
  expect(otherReturnId).not.toBe(returnId);
});

test("a step saves, moves on, and a hard error keeps what was typed", async () => {
  const step = await openWithRating(bot, lead, returnId, "1.1", "partially");
  expect(step.status).toBe(200);
  expect(plain(textOf(step.card))).toContain(DEFAULT_TEMPLATE.standards[0].indicators[0].text);
  const save = actionOf(step.card, "s11.save", (a) => a.title === "Save and next");

  const bad = await bot.invoke(lead, "s11.save", { ...save.data, ...answer("partially", { actionDue: "2020-01-01", evidence: "Typed with care ✍️" }) });
  expect(plain(textOf(bad.card))).toMatch(/in the past/);
  expect(inputsOf(bad.card).evidence).toBe("Typed with care ✍️");

  const ok = await bot.invoke(lead, "s11.save", { ...save.data, ...answer("fully") });
  expect(plain(textOf(ok.card))).toContain("Saved 1.1");
  expect(plain(textOf(ok.card))).toContain(DEFAULT_TEMPLATE.standards[0].indicators[1].text);
});

test("an incomplete answer is saved as a draft and says exactly what is missing", async () => {
  const step = await openWithRating(bot, lead, returnId, "1.2", "not");
  const save = actionOf(step.card, "s11.save", (a) => a.title === "Save and next");
  const r = await bot.invoke(lead, "s11.save", { ...save.data, rating: "not", evidence: "" });
  const text = plain(textOf(r.card));
  expect(text).toContain("as a draft");
  expect(text).toContain("Add evidence");
  expect(text).toContain("Name who leads the action");
  expect(inputsOf(r.card).rating).toBe("not");
});

test("a stale card never overwrites a newer answer; the second lead is shown the current answer and keeps their text", async () => {
  const a = await openWithRating(bot, lead, returnId, "2.1", "fully");
  const b = await openWithRating(bot, lead2, returnId, "2.1", "partially");
  const saveA = actionOf(a.card, "s11.save");
  const saveB = actionOf(b.card, "s11.save");
  const first = await bot.invoke(lead, "s11.save", { ...saveA.data, then: "stay", ...answer("fully", { evidence: "Lee's evidence" }) });
  expect(plain(textOf(first.card))).toContain("Saved");
  const second = await bot.invoke(lead2, "s11.save", { ...saveB.data, then: "stay", ...answer("partially", { evidence: "Lou's evidence" }) });
  const text = plain(textOf(second.card));
  expect(text).toContain("changed this answer while you were editing");
  expect(inputsOf(second.card).evidence).toBe("Lee's evidence");
  expect(text).toContain("Lou's evidence");
  const step = await bot.invoke(lead, "s11.step", { returnId, indicatorId: "2.1" });
  expect(inputsOf(step.card).evidence).toBe("Lee's evidence");
});

test("resume puts a lead exactly where they left off, from any device", async () => {
  const r = await bot.say(lead, "continue");
  // Lee last saved 2.1 (complete), so resume is the indicator after it.
  expect(plain(r.text)).toContain("Indicator 2.2");
});

test("another agency's return, a missing indicator and an unknown verb get clear answers and change nothing", async () => {
  const foreign = await bot.invoke(lead, "s11.step", { returnId: otherReturnId, indicatorId: "1.1" });
  expect(plain(textOf(foreign.card))).toContain("don't have access");
  const foreignSave = await bot.invoke(lead, "s11.save", { returnId: otherReturnId, indicatorId: "1.1", etag: "*", then: "next", ...answer("not") });
  expect(plain(textOf(foreignSave.card))).toContain("don't have access");
  const theirs = await bot.invoke(outsider, "s11.step", { returnId: otherReturnId, indicatorId: "1.1" });
  expect(inputsOf(theirs.card).rating ?? "").toBe("");

  const missing = await bot.invoke(lead, "s11.save", { returnId, indicatorId: "99.9", etag: "x", then: "next", ...answer("fully") });
  expect(plain(textOf(missing.card))).toContain("not part of this audit");
  const unknown = await bot.invoke(lead, "s11.deleteEverything", { returnId });
  expect(unknown.status).toBe(200);
  expect(plain(textOf(unknown.card))).toContain("not available");
  const junk = await bot.invoke(lead, "s11.save", { returnId: ["x"], indicatorId: { $ne: 1 } } as never);
  expect(plain(textOf(junk.card))).toContain("not valid");
});

test("100,000 characters of evidence are refused with the limit, keeping the first 4,000", async () => {
  const step = await openWithRating(bot, lead, returnId, "2.2", "fully");
  const save = actionOf(step.card, "s11.save", (a) => a.title === "Save and next");
  const huge = "E".repeat(100_000);
  const r = await bot.invoke(lead, "s11.save", { ...save.data, ...answer("fully", { evidence: huge }) });
  expect(plain(textOf(r.card))).toContain("100,000 characters; the limit is 4,000");
  expect((inputsOf(r.card).evidence as string).length).toBe(4000);
  expect(JSON.stringify(r.card).length).toBeLessThan(28 * 1024);
  const again = await bot.invoke(lead, "s11.step", { returnId, indicatorId: "2.2" });
  expect(inputsOf(again.card).evidence ?? "").toBe("");
});

async function answerAll(user: TeamsUser) {
  for (const id of allIndicators) {
    // "stay" is what a card-less client would send; the buttons move on, which the other tests cover.
    const rating = id.startsWith("9.") ? "na" : id === "5.5" ? "partially" : "fully";
    const r = await answerIndicator(bot, user, returnId, id, answer(rating));
    expect(plain(textOf(r.card))).toMatch(/Saved/);
  }
}

test("review, sign-off request, senior officer's approval and one atomic submission", async () => {
  const early = await bot.invoke(lead, "s11.requestSignoff", { returnId });
  expect(plain(textOf(early.card))).toMatch(/still need an answer/);

  await answerAll(lead);
  const review = await bot.invoke(lead, "s11.review", { returnId });
  expect(plain(textOf(review.card))).toContain("38 fully met, 1 partially met, 0 not met, 3 not applicable");

  const before = bot.connector.activities.length;
  const sent = await bot.invoke(lead, "s11.requestSignoff", { returnId, substituteContact: "Sam Deputy, 01632 960000" });
  expect(plain(textOf(sent.card))).toContain("Sent for sign-off to Olu Officer");
  // The officer is told proactively, in the personal chat where they said hi.
  const toOfficer = await bot.connector.waitFor((a) => a.seq > before && a.conversationId === personalConversationId(officer));
  const officerCard = toOfficer.body.attachments[0].content;
  expect(plain(textOf(officerCard))).toContain("Southdown Community Health NHS Trust");
  expect(plain(textOf(officerCard))).toContain("Sam Deputy");

  // A lead cannot sign off their own return.
  const leadApprove = await bot.invoke(lead, "s11.approve", { returnId });
  expect(plain(textOf(leadApprove.card))).toContain("Only your agency's senior officer");

  const approve = actionOf(officerCard, "s11.approve");
  const [first, second] = await Promise.all([bot.invoke(officer, "s11.approve", approve.data), bot.invoke(officer, "s11.approve", approve.data)]);
  const texts = [plain(textOf(first.card)), plain(textOf(second.card))];
  expect(texts.filter((t) => t.includes("Signed off and submitted"))).toHaveLength(1);
  expect(texts.some((t) => /Already/.test(t))).toBe(true);

  const overview = await bot.say(lead, "audit");
  expect(plain(overview.text)).toContain("Submitted");
});

test("after submission the agency can update; the first submission stays as it was", async () => {
  const step = await openWithRating(bot, lead, returnId, "5.5", "fully");
  const save = actionOf(step.card, "s11.save", (a) => a.title === "Save and overview");
  const r = await bot.invoke(lead, "s11.save", { ...save.data, ...answer("fully", { evidence: "Supervision audit in Jan 2027 showed training applied." }) });
  expect(plain(textOf(r.card))).toContain("Updated since submission");

  const actor = { principal: { tenantId: TEST_TENANT_ID, aadObjectId: lead.aadObjectId }, name: lead.name };
  const firstCopy = await bot.app.services.returnService.firstSubmission(actor, returnId);
  expect(firstCopy?.get("5.5")?.rating).toBe("partially");
  expect(firstCopy?.size).toBe(allIndicators.length);
});

test("the senior officer can send a return back with a comment, and the lead sees it", async () => {
  const sent = await bot.invoke(lead, "s11.requestSignoff", { returnId });
  expect(plain(textOf(sent.card))).toContain("Sent for sign-off");
  const empty = await bot.invoke(officer, "s11.sendBack", { returnId, comment: "" });
  expect(plain(textOf(empty.card))).toContain("Say what needs to change");
  const back = await bot.invoke(officer, "s11.sendBack", { returnId, comment: "Please add the date of the supervision audit [link](https://evil.example)" });
  expect(plain(textOf(back.card))).toContain("Sent back");
  const overview = await bot.say(lead, "audit");
  expect(plain(overview.text)).toContain("sent this back");
  expect(overview.text).not.toContain("[link](https://evil.example)");
});

test("a change after sign-off was requested stops the approval until the lead sends it again", async () => {
  const sent = await bot.invoke(lead, "s11.requestSignoff", { returnId });
  expect(plain(textOf(sent.card))).toContain("Sent for sign-off");
  await answerIndicator(bot, lead, returnId, "3.1", answer("fully", { evidence: "Framework re-issued Dec 2026." }));
  const approve = await bot.invoke(officer, "s11.approve", { returnId });
  expect(plain(textOf(approve.card))).toContain("changed after sign-off was requested");
  const review = await bot.invoke(lead, "s11.review", { returnId });
  expect(plain(textOf(review.card))).toContain("Changed after sign-off was requested");
  const again = await bot.invoke(lead, "s11.requestSignoff", { returnId });
  expect(plain(textOf(again.card))).toContain("Sent for sign-off");
  const ok = await bot.invoke(officer, "s11.approve", { returnId });
  expect(plain(textOf(ok.card))).toContain("Signed off and submitted");
});
