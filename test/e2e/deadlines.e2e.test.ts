import { startBot, type BotUnderTest } from "../support/botUnderTest";
import { startApp } from "../../src/app";
import { loadConfig } from "../../src/config";
import { actionOf, actionsOf, plain, textOf } from "../support/cardTools";
import { newTeamsUser, personalConversationId, TEST_TENANT_ID, type TeamsUser } from "../support/teamsActivity";
import { returnPartition } from "../../src/storage/returnsRepo";
import { DEADLINE_MESSAGES, extensionBatchId, reminderBatchId, reminderJobId } from "../../src/deadlines/reminders";

/**
 * Deadline reminders and extensions end to end, on a controllable clock: the stored job per cycle
 * fires D-14, D-7 and D-1 at 09:00 UK time (across the March clock change), only to the leads of
 * agencies that have not submitted (checked again when each message is sent), once per agency and
 * reminder however often the job runs; extensions tell the leads concerned and re-plan the job.
 */
const admin = newTeamsUser({ name: "Bea Admin", email: "bea@partnership.example" });
const lee = newTeamsUser({ name: "Lee Lead", email: "lee@plover.example" });
const hana = newTeamsUser({ name: "Hana Heron", email: "hana@heron.example" });
const oz = newTeamsUser({ name: "Oz Osprey", email: "oz@osprey.example" });
const stranger = newTeamsUser({ name: "Sam Stranger", email: "sam@elsewhere.example" });
const wendy = newTeamsUser({ name: "Wendy Wren", email: "wendy@wren.example" }); // has blocked the bot in Teams: reached by e-mail
const KIM = "kim@kestrel.example"; // registered by e-mail, never opens Teams: reached by e-mail

let offset = 0;
const clock = () => new Date(Date.now() + offset);
const setClock = (iso: string) => {
  offset = Date.parse(iso) - Date.now();
};
let bot: BotUnderTest;
let cycleId = "";
const text = (r: { card: unknown }) => plain(textOf(r.card));

const remindersTo = (u: TeamsUser) => bot.connector.activities.filter((a) => a.operation === "send" && a.conversationId === personalConversationId(u) && plain(textOf(a.body?.attachments?.[0]?.content ?? {})).includes("Reminder: your Section 11 return is due"));
const rows = async (agencyId: string, deadline: string, days: number) => (await bot.app.services.delivery.outbox.batchStatus(reminderBatchId(cycleId, agencyId, deadline, days))).rows;

async function settled(agencyId: string, deadline: string, days: number, expected: number, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await rows(agencyId, deadline, days);
    if (r.length >= expected && r.every((x) => ["sent", "skipped", "failed", "unreachable"].includes(x.state))) return r;
    if (Date.now() > until) throw new Error(`reminder ${agencyId} D-${days} not settled: ${JSON.stringify(r.map((x) => x.state))}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

beforeAll(async () => {
  setClock("2027-03-01T10:00:00Z");
  bot = await startBot({ ADMIN_AAD_OBJECT_IDS: `${TEST_TENANT_ID}:${admin.aadObjectId}` }, { now: clock });
  const s = bot.app.services;
  for (const [agencyId, name, partnerships] of [
    ["plover", "Plover Academy Trust", ["Westmere"]],
    ["heron", "Heron **Health** [click](https://evil.example)", ["Westmere"]],
    ["kestrel", "Kestrel Youth Club", ["Westmere"]],
    ["osprey", "Osprey Police", ["Westmere"]],
    ["wren", "Wren Nursery", ["Westmere"]],
    ["faraway", "Faraway Trust", ["Eastshire"]],
  ] as const) {
    await s.repos.agencies.create({ agencyId, name, sector: "education", partnerships: [...partnerships], createdAt: "", createdBy: "" });
  }
  for (const u of [admin, lee, hana, oz, stranger, wendy]) bot.addToRoster(u);
  const created = await bot.invoke(admin, "admin.cycle.create", { name: "Section 11 audit 2027", deadline: "2027-03-31", partnerships: "Westmere", templateId: "" });
  expect(text(created)).toContain("is open");
  cycleId = (await s.repos.cycles.list())[0].cycleId;
  for (const [u, agencyId] of [[lee, "plover"], [hana, "heron"], [oz, "osprey"], [wendy, "wren"]] as const) {
    await bot.invoke(admin, "admin.assign", { agencyId, role: "lead", email: u.email, personName: u.name });
    await bot.say(u, "hi");
  }
  await bot.invoke(admin, "admin.assign", { agencyId: "kestrel", role: "lead", email: KIM, personName: "Kim Kestrel" });
  bot.connector.failConversation(personalConversationId(wendy), 403);
  // Osprey has submitted (its sign-off is the Section 11 tests' subject): header as a sign-off leaves it.
  const pk = returnPartition(cycleId, "osprey");
  const loaded = await s.repos.returns.load(pk);
  await s.repos.returns.updateHeader(pk, { status: "submitted", submissionCount: 1, firstSubmittedAt: clock().toISOString(), lastSubmittedAt: clock().toISOString() }, loaded!.headerEtag);
}, 90_000);
afterAll(async () => bot?.stop());

test("opening a cycle plans its reminder job for D-14 at 09:00 UK time", async () => {
  const job = await bot.app.services.delivery.scheduler.get(reminderJobId(cycleId));
  expect(job).toMatchObject({ state: "pending", dueAt: "2027-03-17T09:00:00.000Z" });
});

test("D-14: every lead of an agency that has not submitted is reminded once, with what is left; nothing to the agency that submitted", async () => {
  setClock("2027-03-17T09:00:05Z");
  const [plover, heron, kestrel] = await Promise.all([settled("plover", "2027-03-31", 14, 1), settled("heron", "2027-03-31", 14, 1), settled("kestrel", "2027-03-31", 14, 1)]);
  expect(plover.map((r) => [r.state, r.channel])).toEqual([["sent", "teams"]]);
  expect(heron.map((r) => [r.state, r.channel])).toEqual([["sent", "teams"]]);
  expect(kestrel.map((r) => [r.state, r.channel, r.recipient.kind])).toEqual([["sent", "email", "email"]]);
  // Teams cannot reach Wendy (403): the same reminder goes to her e-mail through the outbox.
  const wren = await settled("wren", "2027-03-31", 14, 1);
  expect(wren.map((r) => [r.state, r.channel, r.recipient.kind])).toEqual([["sent", "email", "person"]]);
  expect(await rows("osprey", "2027-03-31", 14)).toEqual([]);
  await bot.connector.waitFor((a) => remindersTo(lee).includes(a), 10_000);
  const card = remindersTo(lee)[0].body.attachments[0].content;
  const said = plain(textOf(card));
  expect(said).toContain("31 Mar 2027 (14 days left)");
  expect(said).toMatch(/Indicators unanswered:? *\d+/);
  expect(said).toContain("Sign-off");
  expect(said).toContain("not requested yet");
  expect(actionOf(card, "s11.overview").data).toEqual({ returnId: returnPartition(cycleId, "plover") });
  // Markdown in an agency's name is shown as typed, never as a link.
  const heronCard = JSON.stringify(remindersTo(hana)[0]?.body ?? (await bot.connector.waitFor((a) => remindersTo(hana).includes(a))).body);
  expect(heronCard).not.toContain("[click](https://evil.example)");
  expect(remindersTo(oz)).toHaveLength(0);
  // The job waits for D-7 now.
  await waitForJob("2027-03-24T09:00:00.000Z");
}, 60_000);

async function waitForJob(dueAt: string) {
  const until = Date.now() + 15_000;
  for (;;) {
    const job = await bot.app.services.delivery.scheduler.get(reminderJobId(cycleId));
    if (job?.state === "pending" && job.dueAt === dueAt) return job;
    if (Date.now() > until) throw new Error(`job not at ${dueAt}: ${JSON.stringify(job)}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

test("the job run again (a restart, a second process, the same minute) reminds nobody twice", async () => {
  const r = bot.app.services.deadlines.reminders;
  await Promise.all([r.run(cycleId), r.run(cycleId), r.run(cycleId)]);
  await new Promise((res) => setTimeout(res, 1500));
  expect(await rows("plover", "2027-03-31", 14)).toHaveLength(1);
  expect(remindersTo(lee)).toHaveLength(1);
});

test("whether an agency has submitted is checked again when the message is sent", async () => {
  // A reminder queued for the agency that has submitted (as if it submitted after the job ran) is skipped, not sent.
  const batch = reminderBatchId(cycleId, "osprey", "2027-03-31", 14);
  await bot.app.services.delivery.outbox.enqueue(batch, [{ recipient: { kind: "person", tenantId: oz.tenantId, aadObjectId: oz.aadObjectId, name: oz.name }, kind: DEADLINE_MESSAGES.reminder, params: { cycleId, agencyId: "osprey", deadline: "2027-03-31", days: "14" } }]);
  const [row] = await settled("osprey", "2027-03-31", 14, 1);
  expect(row).toMatchObject({ state: "skipped", lastError: expect.stringContaining("already submitted") });
  expect(remindersTo(oz)).toHaveLength(0);
});

test("D-7 with a second bot process on the same storage: each lead reminded once; an agency that submitted in between gets nothing", async () => {
  for (const agencyId of ["heron", "wren"]) {
    const pk = returnPartition(cycleId, agencyId);
    const loaded = await bot.app.services.repos.returns.load(pk);
    await bot.app.services.repos.returns.updateHeader(pk, { status: "submitted", submissionCount: 1, lastSubmittedAt: clock().toISOString() }, loaded!.headerEtag);
  }
  // A second instance of the bot: its own scheduler and dispatcher, the same tables and clock.
  const second = await startApp(loadConfig({ ...bot.app.services.config.raw, BOT_SERVICE_URL: bot.connector.serviceUrl }), { now: clock });
  try {
    setClock("2027-03-24T09:00:05Z");
    await settled("plover", "2027-03-31", 7, 1);
    await settled("kestrel", "2027-03-31", 7, 1);
    await new Promise((res) => setTimeout(res, 1500));
  } finally {
    await second.close();
  }
  expect(await rows("heron", "2027-03-31", 7)).toEqual([]);
  await bot.connector.waitFor(() => remindersTo(lee).length === 2, 10_000);
  expect(plain(textOf(remindersTo(lee)[1].body.attachments[0].content))).toContain("(7 days left)");
  expect(remindersTo(hana)).toHaveLength(1);
  // D-1 falls after the clocks go forward (28 March): 09:00 UK time is 08:00 UTC.
  await waitForJob("2027-03-30T08:00:00.000Z");
}, 60_000);

test("an extension for one agency tells its leads, moves its reminders to the new date, and leaves the others on theirs", async () => {
  const form = await bot.invoke(admin, "admin.deadline.form", { cycleId });
  expect(text(form)).toContain("D-14, D-7, D-1");
  const extended = await bot.invoke(admin, "admin.deadline.extend", { cycleId, agencyId: "kestrel", deadline: "2027-04-30" });
  expect(text(extended)).toContain("Kestrel Youth Club now has until 30 Apr 2027 (was 31 Mar 2027)");
  expect(text(extended)).toContain("30 Apr 2027 (its own deadline)");
  const told = async () => (await bot.app.services.delivery.outbox.batchStatus(extensionBatchId(cycleId, "kestrel", "2027-04-30"))).rows;
  await waitUntil(async () => (await told()).some((r) => r.state === "sent"));
  expect((await told()).map((r) => [r.recipient.kind, r.channel])).toEqual([["email", "email"]]);
  setClock("2027-03-30T08:00:05Z");
  await settled("plover", "2027-03-31", 1, 1);
  await new Promise((res) => setTimeout(res, 1000));
  expect(await rows("kestrel", "2027-03-31", 1)).toEqual([]);
  // Kestrel's next reminder is D-14 of its own date (16 April, 09:00 BST).
  await waitForJob("2027-04-16T08:00:00.000Z");
}, 60_000);

test("an extension for every agency tells the leads concerned, keeps a later own date, and re-plans the reminders", async () => {
  const before = bot.connector.activities.filter((a) => a.conversationId === personalConversationId(lee) && plain(textOf(a.body?.attachments?.[0]?.content ?? {})).includes("Deadline extended")).length;
  const res = await bot.invoke(admin, "admin.deadline.extend", { cycleId, agencyId: "*", deadline: "2027-04-15" });
  expect(text(res)).toContain("is now 15 Apr 2027 for every agency");
  expect(text(res)).toContain("keeps its own later date");
  await bot.connector.waitFor((a) => a.conversationId === personalConversationId(lee) && plain(textOf(a.body?.attachments?.[0]?.content ?? {})).includes("Deadline extended to 15 Apr 2027"), 15_000);
  expect(before).toBe(0);
  expect((await bot.app.services.delivery.outbox.batchStatus(extensionBatchId(cycleId, "kestrel", "2027-04-15"))).rows).toEqual([]);
  // Pressed again (a double click, or after a failure part-way): nothing changes, nobody is told twice.
  const again = await bot.invoke(admin, "admin.deadline.extend", { cycleId, agencyId: "*", deadline: "2027-04-15" });
  expect(text(again)).toContain("The deadline for every agency is already 15 Apr 2027");
  await new Promise((res) => setTimeout(res, 1000));
  expect((await bot.app.services.delivery.outbox.batchStatus(extensionBatchId(cycleId, "plover", "2027-04-15"))).rows).toHaveLength(1);
  expect(bot.connector.activities.filter((a) => a.conversationId === personalConversationId(lee) && plain(textOf(a.body?.attachments?.[0]?.content ?? {})).includes("Deadline extended to 15 Apr 2027"))).toHaveLength(1);
  // D-14 of 15 April is 1 April, 09:00 BST.
  await waitForJob("2027-04-01T08:00:00.000Z");
  setClock("2027-04-01T08:00:05Z");
  await settled("plover", "2027-04-15", 14, 1);
  await waitUntil(async () => remindersTo(lee).length === 4);
  expect(plain(textOf(remindersTo(lee)[3].body.attachments[0].content))).toContain("15 Apr 2027 (14 days left)");
}, 60_000);

test("reminder days are the admin's to set per cycle, and bad values are refused with the reason", async () => {
  const bad = await bot.invoke(admin, "admin.deadline.reminders", { cycleId, reminderDays: "14, 7, <b>1</b>" });
  expect(text(bad)).toContain("whole numbers of days");
  expect(inputValue(bad.card, "reminderDays")).toBe("14, 7, <b>1</b>");
  // Said again just under the field, by the button that was pressed (the top of a long card may be off screen).
  const after = JSON.stringify(bad.card).split('"id":"reminderDays"')[1];
  expect(after.split('"verb":"admin.deadline.reminders"')[0]).toContain("whole numbers of days");
  const tooMany = await bot.invoke(admin, "admin.deadline.reminders", { cycleId, reminderDays: "30,21,14,10,7,3,1" });
  expect(text(tooMany)).toContain("At most 6 reminders");
  const ok = await bot.invoke(admin, "admin.deadline.reminders", { cycleId, reminderDays: "10, 3" });
  expect(text(ok)).toContain("Reminders for Section 11 audit 2027: D-10, D-3.");
  expect((await bot.app.services.repos.cycles.get(cycleId))!.reminderDays).toEqual([10, 3]);
  await waitForJob("2027-04-05T08:00:00.000Z");
});

test("bad input to every deadline verb: another partnership's agency, an unknown cycle, oversized text, an earlier date, no admin rights", async () => {
  const other = await bot.invoke(admin, "admin.deadline.extend", { cycleId, agencyId: "faraway", deadline: "2027-05-01" });
  expect(text(other)).toContain("That agency is not part of this cycle");
  expect(await bot.app.services.deadlines.admin["d"].overrides.get(cycleId, "faraway")).toBeUndefined();
  const unknown = await bot.invoke(admin, "admin.deadline.extend", { cycleId: "no-such-cycle", agencyId: "*", deadline: "2027-05-01" });
  expect(text(unknown)).toContain("That cycle does not exist");
  const huge = await bot.invoke(admin, "admin.deadline.extend", { cycleId, agencyId: "x".repeat(5000), deadline: "9".repeat(5000) });
  expect(huge.status).toBe(200);
  expect(text(huge)).toMatch(/not a real date/);
  const earlier = await bot.invoke(admin, "admin.deadline.extend", { cycleId, agencyId: "plover", deadline: "2027-04-10" });
  expect(text(earlier)).toContain("must be after its current one (15 Apr 2027)");
  const body: any[] = earlier.card.body;
  const at = (f: (el: any) => boolean, from = 0) => body.findIndex((el, i) => i >= from && f(el));
  const dateAt = at((el) => el.id === "deadline");
  const problemAt = at((el) => el.type === "Container" && plain(textOf(el)).includes("must be after its current one (15 Apr 2027)"), dateAt);
  const buttonAt = at((el) => JSON.stringify(el).includes('"verb":"admin.deadline.extend"'), dateAt);
  expect(dateAt).toBeGreaterThan(-1);
  expect([dateAt < problemAt, problemAt < buttonAt]).toEqual([true, true]);
  const badDays = await bot.invoke(admin, "admin.deadline.demo", { cycleId, days: "<b>7</b>" });
  expect(badDays.status).toBe(200);
  expect(text(badDays)).not.toMatch(/new messages? queued/);
  const otherCycle = await bot.invoke(admin, "admin.deadline.demo", { cycleId: "no-such-cycle", days: "7" });
  expect(text(otherCycle)).toContain("That cycle does not exist");
  const longCycleId = await bot.invoke(admin, "admin.deadline.form", { cycleId: "c".repeat(500) });
  expect(text(longCycleId)).not.toContain("Deadline and reminders");
  for (const [verb, data] of [
    ["admin.deadline.form", { cycleId }],
    ["admin.deadline.extend", { cycleId, agencyId: "*", deadline: "2027-06-01" }],
    ["admin.deadline.reminders", { cycleId, reminderDays: "1" }],
    ["admin.deadline.demo", { cycleId, days: "1" }],
  ] as const) {
    const denied = await bot.invoke(lee, verb, data);
    expect(text(denied)).toContain("Only the partnership's admins");
  }
  expect((await bot.app.services.repos.cycles.get(cycleId))!.deadline).toBe("2027-04-15");
  // Markdown in an agency's name stays text on the admin's card: an own deadline puts it in a fact (markdown), the list in a choice (plain text).
  await bot.invoke(admin, "admin.deadline.extend", { cycleId, agencyId: "heron", deadline: "2027-05-31" });
  const form = await bot.invoke(admin, "admin.deadline.form", { cycleId });
  const facts = JSON.stringify(form.card.body.filter((b: any) => b.type === "FactSet"));
  expect(facts).toContain("Heron \\\\*\\\\*Health");
  expect(facts).not.toContain("[click](https://evil.example)");
  // The lead's overview shows the agency's own date.
  expect(plain((await bot.say(hana, "audit")).text)).toContain("Deadline 31 May 2027");
  expect(plain((await bot.say(lee, "audit")).text)).toContain("Deadline 15 Apr 2027");
});

test("local mode's button sends a round as if its day had come, once", async () => {
  // Each button sits under the fields it uses; the local-mode buttons fit a phone's width.
  const form = await bot.invoke(admin, "admin.deadline.form", { cycleId });
  const order = inOrder(form.card);
  expect(order.indexOf("input:deadline")).toBeLessThan(order.indexOf("verb:admin.deadline.extend"));
  expect(order.indexOf("verb:admin.deadline.extend")).toBeLessThan(order.indexOf("input:reminderDays"));
  expect(order.indexOf("input:reminderDays")).toBeLessThan(order.indexOf("verb:admin.deadline.reminders"));
  const demos = actionsOf(form.card).filter((a) => a.verb === "admin.deadline.demo");
  expect(demos.length).toBeGreaterThan(0);
  for (const d of demos) expect(d.title.length).toBeLessThanOrEqual(30);
  const first = await bot.invoke(admin, "admin.deadline.demo", { cycleId, days: "3" });
  expect(text(first)).toMatch(/D-3 reminders: [12] new messages? queued/);
  const again = await bot.invoke(admin, "admin.deadline.demo", { cycleId, days: "3" });
  expect(text(again)).toContain("D-3 reminders: 0 new messages queued");
});

/** The card's inputs and buttons in the order a person reads them. */
function inOrder(card: any): string[] {
  const seen: string[] = [];
  const visit = (n: any) => {
    if (Array.isArray(n)) n.forEach(visit);
    else if (n && typeof n === "object") {
      if (typeof n.type === "string" && n.type.startsWith("Input.")) seen.push(`input:${n.id}`);
      if (typeof n.type === "string" && n.type.startsWith("Action.") && n.verb) seen.push(`verb:${n.verb}`);
      Object.values(n).forEach(visit);
    }
  };
  visit(card);
  return seen;
}

function inputValue(card: any, id: string): unknown {
  let found: unknown;
  const visit = (n: any) => {
    if (Array.isArray(n)) n.forEach(visit);
    else if (n && typeof n === "object") {
      if (n.id === id) found = n.value;
      Object.values(n).forEach(visit);
    }
  };
  visit(card);
  return found;
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 15_000) {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((res) => setTimeout(res, 200));
  }
}

test("the admin's status counts an agency past the deadline by its own date", async () => {
  setClock("2027-04-20T10:00:00Z");
  const status = await bot.say(admin, "status");
  // Plover (the cycle's 15 April) is past it; Kestrel has until 30 April; the others have submitted.
  expect(plain(status.text)).toContain("1 past the deadline without a submission");
  const rows = await bot.app.services.admin.status.rows((await bot.app.services.repos.cycles.get(cycleId))!);
  expect(rows.filter((r) => r.overdue).map((r) => r.agencyId)).toEqual(["plover"]);
  // And the digest's "past the deadline without a submission" the same way.
  const { composeDigest } = await import("../../src/digest/composer");
  const posting = bot.app.services.digest.posting as unknown as { composerDeps(): Parameters<typeof composeDigest>[0] };
  const record = await composeDigest(posting.composerDeps(), { teamId: "t", channelId: "c", partnerships: ["Westmere"] }, "2027-04-20T10:00");
  expect(record.figures?.overdueAgencies.map((a) => a.agencyId)).toEqual(["plover"]);
});

test("a cycle made outside the bot gets its reminders planned when the admin first opens its deadline card", async () => {
  const s = bot.app.services;
  await s.repos.cycles.create({ cycleId: "scripted", name: "Scripted cycle", deadline: "2027-06-30", templateId: "s11-default", templateVersion: (await s.repos.cycles.get(cycleId))!.templateVersion, partnerships: ["Eastshire"], status: "open", createdAt: clock().toISOString(), createdBy: "script" });
  expect(await s.delivery.scheduler.get(reminderJobId("scripted"))).toBeUndefined();
  await bot.invoke(admin, "admin.deadline.form", { cycleId: "scripted" });
  expect(await s.delivery.scheduler.get(reminderJobId("scripted"))).toMatchObject({ dueAt: "2027-06-16T08:00:00.000Z" });
});

test("typing deadlines lists the open cycles by name for an admin (straight to the card when one is open), and refuses anyone else; help lists it", async () => {
  // Two open cycles (this one and "Scripted cycle", made by the test before, or here when run alone):
  // a chooser whose buttons are the names alone, short enough not to be cut off (the heading says what they open).
  const s = bot.app.services;
  if (!(await s.repos.cycles.get("scripted"))) await s.repos.cycles.create({ cycleId: "scripted", name: "Scripted cycle", deadline: "2027-06-30", templateId: "s11-default", templateVersion: (await s.repos.cycles.get(cycleId))!.templateVersion, partnerships: ["Eastshire"], status: "open", createdAt: clock().toISOString(), createdBy: "script" });
  const listed = await bot.say(admin, "deadlines");
  expect(actionOf(listed.card, "admin.deadline.form", (a) => a.data.cycleId === cycleId).title).toBe("Section 11 audit 2027");
  expect(actionOf(listed.card, "admin.deadline.form", (a) => a.data.cycleId === "scripted").title).toBe("Scripted cycle");
  // One open cycle: its deadline card straight away, no chooser.
  const scripted = (await bot.app.services.repos.cycles.getWithEtag("scripted"))!;
  await bot.app.services.repos.cycles.setStatus("scripted", scripted.etag, { status: "closed", closedAt: clock().toISOString(), closedBy: "script" });
  const direct = await bot.say(admin, "deadlines");
  expect(text(direct)).toContain("Deadline and reminders: Section 11 audit 2027");
  expect(actionsOf(direct.card).filter((a) => a.verb === "admin.deadline.form" && a.title === "Section 11 audit 2027")).toEqual([]);
  expect(text(direct)).not.toContain("choose a cycle");
  expect(text(listed)).toContain("choose a cycle");
  expect(plain((await bot.say(lee, "deadlines")).text)).toContain("Only the partnership's admins");
  const help = (await bot.say(lee, "help")).card;
  const commands = actionsOf(help).map((a) => a.data.command);
  expect(commands).toEqual(expect.arrayContaining(["compare", "deadlines", "audit", "help"]));
});
