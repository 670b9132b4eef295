import { startBot, type BotUnderTest } from "../support/botUnderTest";
import { actionOf, actionsOf, plain, textOf } from "../support/cardTools";
import { answerIndicator } from "../support/section11";
import { storageFaults } from "../support/storageFaults";
import { newTeamsUser, personalConversationId, TEST_TENANT_ID } from "../support/teamsActivity";
import { DEFAULT_TEMPLATE } from "../../src/section11/templateCatalog";
import { returnPartition } from "../../src/storage/returnsRepo";

/**
 * The next cycle end to end through /api/messages: opening a cycle carries every agency's answers
 * forward (one transaction per return, resumable when storage stumbles half way), each marked
 * "carried forward, please confirm" until the lead confirms or changes it, sign-off refused until
 * then; the previous cycle becomes read only; the comparison per standard, own agency only.
 */
const admin = newTeamsUser({ name: "Bea Admin", email: "bea@partnership.example" });
const lee = newTeamsUser({ name: "Lee Lead", email: "lee@plover.example" });
const olu = newTeamsUser({ name: "Olu Officer", email: "olu@plover.example" });
const hana = newTeamsUser({ name: "Hana Heron", email: "hana@heron.example" });
const all = DEFAULT_TEMPLATE.standards.flatMap((s) => s.indicators.map((i) => i.id));
const firstOfStandard1 = DEFAULT_TEMPLATE.standards[0].indicators.map((i) => i.id);
const answerFor = (id: string) =>
  id.startsWith("9.") ? { rating: "na", naReason: "We commission nothing." } : firstOfStandard1.includes(id) ? { rating: "partially", evidence: `Some of ${id}`, actionText: "Finish it", actionOwner: "Lee", actionDue: "2027-12-31" } : { rating: "fully", evidence: `Evidence for ${id}` };
const text = (r: { card: unknown }) => plain(textOf(r.card));

let offset = 0;
const clock = () => new Date(Date.now() + offset);
const faults = storageFaults();
let bot: BotUnderTest;
const OLD = "s11-2024-26";
let NEW = "";

beforeAll(async () => {
  offset = Date.parse("2026-11-02T10:00:00Z") - Date.now();
  bot = await startBot({ ADMIN_AAD_OBJECT_IDS: `${TEST_TENANT_ID}:${admin.aadObjectId}` }, { now: clock, storagePolicies: [faults.policy] });
  const s = bot.app.services;
  await s.repos.cycles.create({ cycleId: OLD, name: "Section 11 audit 2024-26", deadline: "2026-12-31", templateId: DEFAULT_TEMPLATE.id, templateVersion: DEFAULT_TEMPLATE.version, partnerships: ["Westmere"], status: "open", createdAt: "2024-11-01T00:00:00Z", createdBy: "t" });
  for (const [agencyId, name] of [["plover", "Plover Academy Trust"], ["heron", "Heron **Health** [x](https://evil.example)"], ["kestrel", "Kestrel Youth Club"], ["faraway", "Faraway Trust"]] as const) {
    await s.repos.agencies.create({ agencyId, name, sector: "education", partnerships: [agencyId === "faraway" ? "Eastshire" : "Westmere"], createdAt: "", createdBy: "" });
  }
  for (const u of [admin, lee, olu, hana]) bot.addToRoster(u);
  for (const [u, agencyId, role] of [[lee, "plover", "lead"], [olu, "plover", "officer"], [hana, "heron", "lead"]] as const) {
    await bot.invoke(admin, "admin.assign", { agencyId, role, email: u.email, personName: u.name });
    await bot.say(u, "hi");
  }
  // The previous cycle: Plover answers everything and signs off; Heron answers three indicators.
  const plover = returnPartition(OLD, "plover");
  for (const id of all) await answerIndicator(bot, lee, plover, id, answerFor(id));
  expect(text(await bot.invoke(lee, "s11.requestSignoff", { returnId: plover }))).toContain("Sent for sign-off");
  const card = await bot.invoke(olu, "s11.signoffCard", { returnId: plover });
  expect(text(await bot.invoke(olu, "s11.approve", actionOf(card.card, "s11.approve").data))).toContain("Signed off and submitted");
  for (const id of ["1.1", "2.1", "3.1"]) await answerIndicator(bot, hana, returnPartition(OLD, "heron"), id, { rating: "not", evidence: `Not yet ${id}`, actionText: "Start", actionOwner: "Hana", actionDue: "2027-06-30" });
}, 180_000);
afterAll(async () => bot?.stop());

test("the cycle form offers to carry forward from the previous cycle", async () => {
  const form = await bot.invoke(admin, "admin.cycle.form", {});
  const choice = JSON.stringify(form.card);
  expect(choice).toContain("Carry forward from Section 11 audit 2024-26");
  expect(choice).toContain("Start empty (no carry forward)");
});

test("opening a cycle with carry forward: a storage failure half way leaves a resumable run, pressing again completes it, nothing twice", async () => {
  // Heron's return in the new cycle is opened before carry forward reaches it (its lead got there first), and Kestrel's transaction fails once.
  const s = bot.app.services;
  const heronAgency = (await s.repos.agencies.get("heron"))!;
  const shape = { cycleId: "section-11-audit-2026-28", name: "Section 11 audit 2026-28", deadline: "2027-03-31", templateId: DEFAULT_TEMPLATE.id, templateVersion: DEFAULT_TEMPLATE.version, partnerships: ["Westmere"], status: "open" as const, createdAt: "", createdBy: "" };
  await s.returnService.ensureReturn(shape, heronAgency);
  faults.failNext((r) => r.method === "POST" && r.url.includes("$batch") && r.body.includes("kestrel"), 1, 503);
  const res = await bot.invoke(admin, "admin.cycle.create", { name: "Section 11 audit 2026-28", deadline: "2027-03-31", partnerships: "Westmere", templateId: "", reminderDays: "14, 7, 1", carryFrom: OLD });
  NEW = (await bot.app.services.repos.cycles.list()).find((c) => c.name === "Section 11 audit 2026-28")!.cycleId;
  expect(NEW).toBe(shape.cycleId);
  expect(faults.failed.length).toBe(1);
  expect(text(res)).toContain("carrying forward from Section 11 audit 2024-26");
  expect(text(res)).toMatch(/Agencies done:? 2 of 3/);
  expect(text(res)).toContain("Section 11 audit 2024-26 is closed: its returns are read only");
  const again = actionOf(res.card, "admin.cycle.carry");
  const done = await bot.invoke(admin, again.verb, again.data);
  expect(text(done)).toMatch(/Agencies done:? 3 of 3/);
  expect(text(done)).toMatch(new RegExp(`Answers carried forward:? ${all.length + 3}\\b`)); // 42 from Plover, 3 from Heron, none for Kestrel
  // The deadline reads as a date, as on every other card ("31 Mar 2027", not "2027-03-31").
  expect(text(done)).toMatch(/Deadline:? 31 Mar 2027/);
  const third = await bot.invoke(admin, again.verb, again.data);
  expect(text(third)).toMatch(/Agencies done:? 3 of 3/);
  const r = bot.app.services.repos.returns;
  const plover = await r.load(returnPartition(NEW, "plover"));
  expect([...plover!.answers.values()].filter((a) => a.carriedFrom === OLD)).toHaveLength(all.length);
  expect(plover!.answers.get("1.1")).toMatchObject({ rating: "partially", evidence: "Some of 1.1", actionDue: "2027-12-31" });
  const heron = await r.load(returnPartition(NEW, "heron"));
  expect([...heron!.answers.values()].filter((a) => a.carriedFrom).map((a) => a.indicatorId).sort()).toEqual(["1.1", "2.1", "3.1"]);
  const kestrel = await r.load(returnPartition(NEW, "kestrel"));
  expect(kestrel!.header.carriedFrom).toBe(OLD);
  expect([...kestrel!.answers.values()].filter((a) => a.rating)).toEqual([]);
  expect(await r.load(returnPartition(NEW, "faraway"))).toBeUndefined();
  expect((await bot.app.services.repos.cycles.get(OLD))!.status).toBe("closed");
}, 60_000);

test("a carried answer is marked on the lead's card until confirmed; sign-off is refused until every one is", async () => {
  const returnId = returnPartition(NEW, "plover");
  const overview = await bot.say(lee, "audit");
  expect(plain(overview.text)).toContain(`${all.length} answers were carried forward from the previous cycle`);
  // Short enough to read at a glance on a phone: what, which, what to do, why.
  const notice = plain(overview.text).split("\n").find((l) => l.includes("answers were carried forward"))!;
  expect(notice.length).toBeLessThan(220);
  expect(actionOf(overview.card, "s11.step", (a) => a.title === "Confirm carried answers").data).toEqual({ returnId, indicatorId: "1.1" });
  const compareButton = actionOf(overview.card, "s11.compare");
  expect(compareButton.data).toEqual({ agencyId: "plover", cycleId: NEW });
  expect(text(await bot.invoke(lee, compareButton.verb, compareButton.data))).toContain("Plover Academy Trust: Section 11 audit 2026-28 against Section 11 audit 2024-26");
  const step = await bot.invoke(lee, "s11.step", { returnId, indicatorId: "1.1" });
  expect(text(step)).toContain("Carried forward, please confirm");
  expect(text(step)).toContain("Carried forward from Section 11 audit 2024-26: carried forward, please confirm");
  // Said once, above the answer: not a second time by the buttons.
  expect(text(step).split("Carried forward, please confirm:").length - 1).toBe(1);
  const review = await bot.invoke(lee, "s11.review", { returnId });
  expect(text(review)).toContain("cannot be sent for sign-off until every carried answer is confirmed");
  expect(text(review).split("cannot be sent for sign-off until every carried answer is confirmed").length - 1).toBe(1);
  // The review lists the answers to confirm, each one tap away, and comes back to the review.
  expect(text(review)).toContain("Carried forward: check and confirm");
  const confirmFromReview = actionOf(review.card, "s11.step", (a) => a.data.indicatorId === "1.1");
  expect(confirmFromReview.data).toEqual({ returnId, indicatorId: "1.1", returnTo: "review" });
  const opened = await bot.invoke(lee, confirmFromReview.verb, confirmFromReview.data);
  expect(actionOf(opened.card, "s11.save", (a) => a.data.then === "review").title).toBe("Confirm and back to the review");
  const refused = await bot.invoke(lee, "s11.requestSignoff", { returnId });
  expect(text(refused)).toContain("cannot be sent for sign-off until every carried answer is confirmed");
  expect((await bot.app.services.repos.returns.load(returnId))!.header.status).toBe("draft");
  // Confirm as it is: the button saves the same answer, which clears the mark.
  const confirm = actionOf(step.card, "s11.save", (a) => a.title === "Confirm and next");
  const confirmed = await bot.invoke(lee, confirm.verb, { ...confirm.data, rating: "partially", evidence: "Some of 1.1", actionText: "Finish it", actionOwner: "Lee", actionDue: "2027-12-31" });
  expect(text(confirmed)).toContain("Confirmed 1.1 as carried forward");
  expect((await bot.app.services.repos.returns.getAnswer(returnId, "1.1"))!.carriedFrom).toBe("");
  // Changing one clears it too.
  await answerIndicator(bot, lee, returnId, "1.2", { ...answerFor("1.2"), evidence: "Changed this cycle" });
  const after = await bot.app.services.repos.returns.getAnswer(returnId, "1.2");
  expect(after).toMatchObject({ carriedFrom: "", evidence: "Changed this cycle" });
  const card = await bot.invoke(lee, "s11.step", { returnId, indicatorId: "1.2" });
  expect(text(card)).not.toContain("please confirm");
  expect(actionsOf(card.card).map((a) => a.title)).not.toContain("Confirm and next");
  // Every other carried answer confirmed through its own button: then sign-off may be asked.
  for (const id of all.filter((i) => i !== "1.1" && i !== "1.2")) {
    const s = await bot.invoke(lee, "s11.step", { returnId, indicatorId: id });
    const b = actionOf(s.card, "s11.save", (a) => a.title.startsWith("Confirm"));
    await bot.invoke(lee, b.verb, { ...b.data, ...answerFor(id) });
  }
  expect([...(await bot.app.services.repos.returns.load(returnId))!.answers.values()].filter((a) => a.carriedFrom)).toEqual([]);
  expect(text(await bot.invoke(lee, "s11.requestSignoff", { returnId }))).toContain("Sent for sign-off");
}, 120_000);

test("the previous cycle is read only", async () => {
  const old = returnPartition(OLD, "plover");
  const step = await bot.invoke(lee, "s11.step", { returnId: old, indicatorId: "2.1" });
  expect(text(step)).toContain("is closed: this return is read only");
  expect(actionsOf(step.card).filter((a) => a.verb === "s11.save")).toEqual([]);
  // A save sent anyway (an old card) is refused.
  const res = await bot.invoke(lee, "s11.save", { returnId: old, indicatorId: "2.1", etag: "W/\"x\"", rating: "not", evidence: "late change", then: "stay" });
  expect(text(res)).toContain("closed: answers can no longer change");
  expect((await bot.app.services.repos.returns.getAnswer(old, "2.1"))!.rating).toBe("fully");
});

test("the comparison per standard: previous against now, the lead's own agency only; an admin any agency", async () => {
  const returnId = returnPartition(NEW, "plover");
  await answerIndicator(bot, lee, returnId, "1.3", { rating: "fully", evidence: "Done now" });
  for (const id of firstOfStandard1.filter((i) => i !== "1.3")) await answerIndicator(bot, lee, returnId, id, { rating: "fully", evidence: "Done now" });
  const mine = await bot.say(lee, "compare");
  const said = plain(mine.text);
  expect(said).toContain("Plover Academy Trust: Section 11 audit 2026-28 against Section 11 audit 2024-26");
  expect(said).toContain(`1. ${DEFAULT_TEMPLATE.standards[0].title}`);
  expect(said).toContain("Previous: Partially met → now: Fully met (better)");
  expect(said).toContain("Previous: Fully met → now: Fully met (the same)");
  expect(said).toMatch(/Better:? 1\b/);
  const theirs = await bot.invoke(lee, "s11.compare", { agencyId: "heron" });
  expect(text(theirs)).toContain("You can compare only your own agency's returns");
  expect(text(theirs)).not.toContain("Heron");
  const unknownCycle = await bot.invoke(lee, "s11.compare", { agencyId: "plover", cycleId: "s11-1999" });
  expect(text(unknownCycle)).toContain("That cycle does not cover this agency");
  const adminView = await bot.invoke(admin, "s11.compare", { agencyId: "heron" });
  expect(text(adminView)).toContain("Previous: Not met → now: Not met (the same)");
  // Markdown in the agency's name is shown as typed: escaped where Teams reads markdown (a choice's title is plain text).
  expect(adminView.card.body[0].text).toContain("Heron \\*\\*Health\\*\\* \\[x\\]\\(https://evil.example\\)");
  const huge = await bot.invoke(admin, "s11.compare", { agencyId: "x".repeat(10_000), cycleId: { nested: true } });
  expect(huge.status).toBe(200);
  expect(text(huge)).toContain("That agency does not exist");
  const chooser = await bot.say(admin, "compare");
  expect(plain(chooser.text)).toContain("Choose an agency");
  expect(plain(chooser.text)).not.toContain("No agency chosen");
  // Compare pressed with nothing chosen: the card says what to do, not the same card again in silence.
  const none = await bot.invoke(admin, "s11.compare", { agencyId: "" });
  expect(plain(text(none))).toContain("No agency chosen: choose one from the list, then press Compare.");
});

test("bad input to carry forward: not an admin, a cycle that does not exist or was not carried, a made-up cycle to carry from", async () => {
  expect(text(await bot.invoke(lee, "admin.cycle.carry", { cycleId: NEW }))).toContain("Only the partnership's admins");
  expect(text(await bot.invoke(admin, "admin.cycle.carry", { cycleId: OLD }))).toContain("was not opened with carry forward");
  expect(text(await bot.invoke(admin, "admin.cycle.carry", { cycleId: "y".repeat(500) }))).not.toContain("Agencies done");
  const made = await bot.invoke(admin, "admin.cycle.create", { name: "Another **cycle** [x](https://evil.example)", deadline: "2027-06-30", partnerships: "Westmere", templateId: "", reminderDays: "7", carryFrom: "s11-made-up" });
  expect(text(made)).toContain("The cycle to carry forward from is not one of the cycles");
  expect((await bot.app.services.repos.cycles.list()).some((c) => c.name.startsWith("Another"))).toBe(false);
  const days = await bot.invoke(admin, "admin.cycle.create", { name: "Yet another cycle", deadline: "2027-06-30", partnerships: "Westmere", templateId: "", reminderDays: "x".repeat(3000), carryFrom: "none" });
  expect(text(days)).toContain("whole numbers of days");
});

test("the digest reads 'against the previous cycle': the cycle carried from, per standard then and now", async () => {
  const returnId = returnPartition(NEW, "plover");
  expect(text(await bot.invoke(lee, "s11.requestSignoff", { returnId }))).toContain("Sent for sign-off");
  const card = await bot.invoke(olu, "s11.signoffCard", { returnId });
  expect(text(await bot.invoke(olu, "s11.approve", actionOf(card.card, "s11.approve").data))).toContain("Signed off and submitted");
  const { composeDigest } = await import("../../src/digest/composer");
  const { digestView } = await import("../../src/digest/present");
  const posting = bot.app.services.digest.posting as unknown as { composerDeps(): Parameters<typeof composeDigest>[0] };
  const record = await composeDigest(posting.composerDeps(), { teamId: "t", channelId: "c", partnerships: ["Westmere"] }, "2026-11-02T10:00");
  expect(record.previousCycle?.name).toBe("Section 11 audit 2024-26");
  const s1 = DEFAULT_TEMPLATE.standards[0].id;
  // Standard 1: Plover partially met it in the previous cycle's submission, fully now.
  expect(record.previousCycle?.standards?.find((x) => x.id === s1)).toEqual({ id: s1, previousPct: 0, nowPct: 100 });
  const shown = plain(String(digestView(record, { sections: ["returns", "standards", "attention", "training"], interactive: false }).previousCycleText));
  expect(shown).toContain("Against the previous cycle (Section 11 audit 2024-26)");
  expect(shown).toContain(`${s1} 0% → 100%`);
  // A digest of the previous cycle posted before this one opened: "since the last digest" and the
  // trend do not compare two cycles (a new cycle starts at 0 submitted, which is not a fall).
  const deps = posting.composerDeps();
  await deps.digests.createRecord("t2", "c2", "2026-10-05T10:00", { at: "2026-10-05T09:00:00.000Z", nowPct: 80, firstPct: 78, submitted: 40, overdueActions: 0, overdueAgencies: 0, cycleId: OLD }, "{}");
  const next = await composeDigest(deps, { teamId: "t2", channelId: "c2", partnerships: ["Westmere"] }, "2026-11-02T10:00");
  expect(next.sincePrevious).toBeUndefined();
  expect(next.trend.map((t) => t.period)).toEqual(["2026-11-02T10:00"]);
  expect(String(digestView(next, { sections: ["returns", "standards", "attention", "training"], interactive: false }).changeText)).toBe("");
  // A table cell with no submissions yet hyphenates "submissions" instead of breaking it anywhere on a phone.
  const unsubmitted = { ...next, figures: { ...next.figures!, bySector: next.figures!.bySector.map((x) => ({ ...x, meetsMajorityNow: { ...x.meetsMajorityNow, of: 0, count: 0, pct: 0 } })) } };
  const rows = digestView(unsubmitted, { sections: ["returns", "standards", "attention", "training"], interactive: false }).sectorRows;
  expect(rows.length).toBeGreaterThan(0);
  for (const r of rows) expect(String(r.meets)).toBe("no sub\u00admis\u00adsions yet");
  // The same cycle's earlier digest still counts.
  await deps.digests.createRecord("t2", "c2", "2026-10-19T10:00", { at: "2026-10-19T09:00:00.000Z", nowPct: 0, firstPct: 0, submitted: 0, overdueActions: 0, overdueAgencies: 0, cycleId: NEW }, "{}");
  const again = await composeDigest(deps, { teamId: "t2", channelId: "c2", partnerships: ["Westmere"] }, "2026-11-02T10:00");
  expect(again.sincePrevious?.period).toBe("2026-10-19T10:00");
  expect(again.trend.map((t) => t.period)).toEqual(["2026-10-19T10:00", "2026-11-02T10:00"]);
}, 60_000);

test("carry forward left half done finishes by itself: its stored job carries on without anyone pressing", async () => {
  faults.failNext((r) => r.method === "POST" && r.url.includes("$batch") && r.body.includes("plover"), 1, 503);
  const res = await bot.invoke(admin, "admin.cycle.create", { name: "Section 11 audit 2028-30", deadline: "2028-03-31", partnerships: "Westmere", templateId: "", reminderDays: "", carryFrom: NEW });
  expect(text(res)).toMatch(/Agencies done:? 2 of 3/);
  const third = (await bot.app.services.repos.cycles.list()).find((c) => c.name === "Section 11 audit 2028-30")!.cycleId;
  const until = Date.now() + 30_000;
  for (;;) {
    const headers = await bot.app.services.repos.returns.listHeaders(third);
    if (headers.length === 3 && headers.every((h) => h.carriedFrom === NEW)) break;
    if (Date.now() > until) throw new Error(`carry forward did not finish: ${JSON.stringify(headers.map((h) => [h.agencyId, h.carriedFrom]))}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const plover = await bot.app.services.repos.returns.load(returnPartition(third, "plover"));
  expect([...plover!.answers.values()].filter((a) => a.carriedFrom === NEW)).toHaveLength(all.length);
  expect((await bot.app.services.repos.cycles.get(NEW))!.status).toBe("closed");
  // The admin whose answer said "still going" is told in their chat when it is done, once.
  const told = (a: { conversationId: string; operation: string; body?: any }) => a.operation === "send" && a.conversationId === personalConversationId(admin) && plain(textOf(a.body?.attachments?.[0]?.content ?? {})).includes("Section 11 audit 2028-30 is open, carried forward from Section 11 audit 2026-28");
  await bot.connector.waitFor(told, 20_000);
  await new Promise((r) => setTimeout(r, 1500));
  expect(bot.connector.activities.filter(told)).toHaveLength(1);
}, 60_000);
