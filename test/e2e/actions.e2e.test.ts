import { startBot, type BotUnderTest } from "../support/botUnderTest";
import { actionOf, actionsOf, inputsOf, plain, textOf } from "../support/cardTools";
import { answerIndicator } from "../support/section11";
import { newTeamsUser, personalConversationId, TEST_TENANT_ID } from "../support/teamsActivity";
import { DEFAULT_TEMPLATE } from "../../src/section11/templateCatalog";
import { returnPartition } from "../../src/storage/returnsRepo";
import { addDays, ukDate } from "../../src/time";
import { nextSweep } from "../../src/actions/service";
import { reminderBatchId } from "../../src/actions/model";
import { NO_ACCESS } from "../../src/errors";

/**
 * Actions end to end through /api/messages on a controllable clock: the lead's action from the
 * self-assessment gets one reminder before its due date and one on the day (never twice, however
 * often or wherever the sweep runs), closing it asks what was done and keeps it, a closed action
 * is not chased and leaves the digest's overdue list; the admin lists every open action (overdue
 * first, filtered by agency and standard, paged with the filters kept) and gets the export privately. Bad input: another agency's return, ids that are not
 * ids, oversized and markdown text.
 */
const admin = newTeamsUser({ name: "Bea Admin", email: "bea@partnership.example" });
const lead = newTeamsUser({ name: "Lee Lead", email: "lee@plover.example" });
const otherLead = newTeamsUser({ name: "Otto Other-Lead", email: "otto@curlew.example" });

let offset = 0;
const clock = () => new Date(Date.now() + offset);
let bot: BotUnderTest;
/** A second instance of the bot on the same storage (as two App Service instances): both run the scheduler. */
let second: BotUnderTest | undefined;
const startSecond = async () => {
  second = await startBot({ ADMIN_AAD_OBJECT_IDS: `${TEST_TENANT_ID}:${admin.aadObjectId}`, TABLE_PREFIX: bot.app.services.config.TABLE_PREFIX! }, { now: clock });
};
const returnId = returnPartition("c1", "plover");
const otherReturn = returnPartition("c1", "curlew");
const text = (r: { card?: unknown }) => plain(textOf(r.card ?? {}));
let due = "";
const reminders = () => [...bot.connector.activities, ...(second?.connector.activities ?? [])].filter((a) => a.operation === "send" && a.conversationId === personalConversationId(lead) && plain(textOf(a.body?.attachments?.[0]?.content ?? {})).includes("Action reminder"));
const waitUntil = async (ok: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error("timed out waiting for the reminder");
    await new Promise((r) => setTimeout(r, 100));
  }
};
const settle = (ms = 1500) => new Promise((r) => setTimeout(r, ms));
/** Moves the clock just past the next morning sweep (on `day`, a UK date, or later), so the stored job runs. */
const jumpToSweepOn = (day?: string) => {
  const from = day ? new Date(Math.max(clock().getTime(), Date.parse(`${day}T00:30:00Z`))) : clock();
  const target = nextSweep(from);
  offset = target.getTime() + 60_000 - Date.now();
};

beforeAll(async () => {
  bot = await startBot({ ADMIN_AAD_OBJECT_IDS: `${TEST_TENANT_ID}:${admin.aadObjectId}` }, { now: clock });
  const s = bot.app.services;
  await s.repos.cycles.create({ cycleId: "c1", name: "Section 11 audit 2026-28", deadline: "2099-03-31", templateId: DEFAULT_TEMPLATE.id, templateVersion: DEFAULT_TEMPLATE.version, partnerships: ["Westmere"], status: "open", createdAt: "2026-11-01T00:00:00Z", createdBy: "t" });
  await s.repos.agencies.create({ agencyId: "plover", name: "Plover Academy Trust", sector: "education", partnerships: ["Westmere"], createdAt: "", createdBy: "" });
  await s.repos.agencies.create({ agencyId: "curlew", name: "Curlew **Children's** Centre", sector: "voluntary", partnerships: ["Westmere"], createdAt: "", createdBy: "" });
  for (const u of [admin, lead, otherLead]) bot.addToRoster(u);
  await bot.invoke(admin, "admin.assign", { agencyId: "plover", role: "lead", email: lead.email, personName: lead.name });
  await bot.invoke(admin, "admin.assign", { agencyId: "curlew", role: "lead", email: otherLead.email, personName: otherLead.name });
  for (const u of [admin, lead, otherLead]) await bot.say(u, "hi");
  await bot.say(lead, "audit");
  await bot.say(otherLead, "audit");
  due = addDays(ukDate(clock()), 3);
  const saved = await answerIndicator(bot, lead, returnId, "1.1", { rating: "partially", evidence: "Board minutes", actionText: "Write the lead's role description", actionOwner: "Head of HR", actionDue: due });
  expect(text(saved)).not.toContain("Not saved");
  const other = await answerIndicator(bot, otherLead, otherReturn, "2.1", { rating: "not", evidence: "None yet", actionText: "=HYPERLINK(\"http://evil.example\",\"x\")", actionOwner: "**CEO**", actionDue: addDays(ukDate(clock()), 20) });
  expect(text(other)).not.toContain("Not saved");
  await startSecond();
}, 90_000);
afterAll(async () => {
  await second?.stop();
  await bot?.stop();
});

test("the lead sees the action with its owner, due date and status, and a button to close it", async () => {
  const r = await bot.say(lead, "actions");
  const t = plain(r.text);
  expect(t).toContain("Write the lead's role description");
  expect(t).toContain("Head of HR");
  expect(t).toMatch(/Open, due/);
  expect(t).not.toContain("Curlew");
  expect(actionOf(r.card, "act.closeForm").data).toEqual({ returnId, actionId: "s.1.1" });
});

test("one reminder before the due date, however often and on whichever instance the sweep runs", async () => {
  jumpToSweepOn();
  await waitUntil(() => reminders().length >= 1, 20_000);
  // Sweeps on both instances at once, and again later the same day: nothing new.
  await Promise.all([bot.app.services.actions.sweep(), second!.app.services.actions.sweep()]);
  await second!.app.services.actions.sweep();
  await settle();
  expect(reminders()).toHaveLength(1);
  expect(plain(textOf(reminders()[0].body.attachments[0].content))).toMatch(/is due (in \d days|tomorrow)/);
  const batch = await bot.app.services.delivery.outbox.batchStatus(reminderBatchId(returnId, "s.1.1", due, "before"));
  expect(batch.total).toBe(1);
}, 40_000);

test("one reminder on the due date, after an instance restarts, then the lead closes the action from it, saying what was done", async () => {
  // The second instance restarts (it ensures the sweep again as it starts).
  await second!.stop();
  await startSecond();
  jumpToSweepOn(due);
  await waitUntil(() => reminders().length >= 2, 20_000);
  await Promise.all([bot.app.services.actions.sweep(), second!.app.services.actions.sweep()]);
  await settle();
  expect(reminders()).toHaveLength(2);
  const onTheDay = reminders()[1].body.attachments[0].content;
  expect(plain(textOf(onTheDay))).toContain("is due today");

  const open = actionOf(onTheDay, "act.closeForm");
  const form = await bot.invoke(lead, open.verb, open.data);
  expect(text(form)).toContain("Say what was done");
  const close = actionOf(form.card, "act.close");
  // Required: nothing typed closes nothing.
  const empty = await bot.invoke(lead, close.verb, { ...close.data, evidence: "   " });
  expect(text(empty)).toContain("Not closed: say what was done");
  // Too long: refused, and what was typed comes back (cut to the limit) so nothing is lost.
  const long = await bot.invoke(lead, close.verb, { ...close.data, evidence: "x".repeat(2500) });
  expect(text(long)).toContain("the limit is 2,000");
  expect(String(inputsOf(long.card).evidence)).toHaveLength(2000);
  expect((await bot.app.services.actions["d"].actions.forReturn(returnId))!.rows.get("s.1.1")).toBeUndefined();
  // Done, with markdown in what was done shown as typed.
  const [a, b] = await Promise.all([bot.invoke(lead, close.verb, { ...close.data, evidence: "Role description **agreed** by the board [minutes](http://evil.example)" }), bot.invoke(lead, close.verb, { ...close.data, evidence: "Role description **agreed** by the board [minutes](http://evil.example)" })]);
  const texts = [text(a), text(b)];
  expect(texts.filter((t) => t.includes("Marked as done"))).toHaveLength(1);
  expect(texts.filter((t) => t.includes("Already done"))).toHaveLength(1);
  expect(textOf(a.card)).not.toContain("[minutes](http");
  const row = (await bot.app.services.actions["d"].actions.forReturn(returnId))!.rows.get("s.1.1")!;
  expect(row).toMatchObject({ status: "done", closedBy: "Lee Lead", closedForDue: due, evidence: "Role description **agreed** by the board [minutes](http://evil.example)" });
  const list = await bot.say(lead, "actions");
  expect(plain(list.text)).toMatch(/Done, done/);

  // A reminder still queued when the action was closed is drawn at send time and skipped.
  const queued = `${reminderBatchId(returnId, "s.1.1", due, "due")}|queued-before-the-close`;
  await bot.app.services.delivery.outbox.enqueue(queued, [{ recipient: { kind: "person", tenantId: TEST_TENANT_ID, aadObjectId: lead.aadObjectId, name: lead.name }, kind: "act.reminder", params: { returnId, actionId: "s.1.1", due, point: "due" } }]);
  for (let i = 0; i < 100 && (await bot.app.services.delivery.outbox.batchStatus(queued)).counts.skipped === 0; i++) await settle(200);
  expect((await bot.app.services.delivery.outbox.batchStatus(queued)).rows[0]).toMatchObject({ state: "skipped", lastError: expect.stringContaining("done") });
  // Closed: a later sweep chases nothing.
  jumpToSweepOn(addDays(due, 1));
  await settle(2500);
  await bot.app.services.actions.sweep();
  await settle();
  expect(reminders()).toHaveLength(2);
}, 60_000);

test("a closed action leaves the digest's overdue actions; an open one past its date is there", async () => {
  const s = bot.app.services;
  // The figures the digest reads, from the summary rows the closes wrote.
  const { digestFigures } = await import("../../src/reporting/aggregate");
  const { ReportingService } = await import("../../src/reporting/summaries");
  const { ReturnSummariesRepo } = await import("../../src/storage/returnSummariesRepo");
  const reporting = new ReportingService({ summaries: new ReturnSummariesRepo(bot.app.store), returns: s.repos.returns, agencies: s.repos.agencies, cycles: s.repos.cycles, catalog: s.catalog, now: clock });
  const input = await reporting.input((await s.repos.cycles.get("c1"))!, ["Westmere"]);
  const plover = input.agencies.find((a) => a.agencyId === "plover")!;
  expect(plover.actions?.selfDone.get("1.1")).toBe(due);
  // Pretend both answers were in the latest submission: only the open one counts.
  for (const a of input.agencies) a.latest = a.agencyId === "plover" ? new Map([["1.1", { rating: "partially", actionDue: due }]]) : new Map([["2.1", { rating: "not", actionDue: addDays(due, -10) }]]);
  const figures = digestFigures(input);
  expect(figures.overdueActions.map((x) => x.agencyId)).toEqual(["curlew"]);
});

test("the admin sees every open action by agency and standard and gets the export privately, formula-safe", async () => {
  const list = await bot.say(admin, "actions");
  const t = plain(list.text);
  expect(t).toContain("Curlew");
  expect(t).toContain("standard 2");
  expect(t).not.toContain("Write the lead's role description"); // done: not in the open list
  // The status page counts the same way: the closed action is not open (nor overdue) any more.
  expect(text(await bot.invoke(admin, "admin.status", { cycleId: "c1" }))).toContain("Actions agreed in the returns: 1 open, 0 past their due date.");
  const seq = Math.max(0, ...bot.connector.activities.map((a) => a.seq));
  const exported = await bot.invoke(admin, "act.export", actionOf(list.card, "act.export").data);
  expect(text(exported)).toContain("accept the file card below");
  await bot.connector.waitFor((a) => a.seq > seq && a.conversationId === personalConversationId(admin) && a.body?.attachments?.[0]?.contentType === "application/vnd.microsoft.teams.card.file.consent");
  const { file } = await bot.app.services.actions.exportCsv({ principal: { tenantId: TEST_TENANT_ID, aadObjectId: admin.aadObjectId }, name: admin.name }, { cycleId: "c1" });
  expect(file.content).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
  expect(file.content).toContain("Role description **agreed**");
  expect(file.content.split("\r\n")[0]).toContain("what_was_done");
  // Not for leads.
  expect(text(await bot.invoke(lead, "act.export", { cycleId: "c1" }))).toContain("Only the partnership's admins");
  expect(text(await bot.invoke(lead, "act.admin", {}))).toContain("Only the partnership's admins");
  expect(text(await bot.invoke(lead, "act.sweepNow", {}))).toContain("Only the partnership's admins");
});

test("the admin's list of many open actions: overdue first then by due date, filtered by agency and standard, paged with the filters kept", async () => {
  // A second cycle with 45 agencies (A to Z), one panel action each, plus overdue ones late in the alphabet.
  const s = bot.app.services;
  const repo = bot.app.services.actions["d"].actions;
  const today = ukDate(clock());
  await s.repos.cycles.create({ cycleId: "c2", name: "Big cycle", deadline: "2099-03-31", templateId: DEFAULT_TEMPLATE.id, templateVersion: DEFAULT_TEMPLATE.version, partnerships: ["Westmere"], status: "closed", createdAt: "2026-01-01T00:00:00Z", createdBy: "t" });
  const agencies = [...Array.from({ length: 44 }, (_, i) => ({ id: `ag${String(i).padStart(2, "0")}`, name: `Agency ${String(i).padStart(2, "0")}` })), { id: "zephyr", name: "Zephyr Youth Justice Service" }];
  const at = clock().toISOString();
  await Promise.all(
    agencies.map(async (a, i) => {
      const pk = returnPartition("c2", a.id);
      await s.repos.returns.create({ cycleId: "c2", agencyId: a.id, agencyName: a.name, sector: "other", templateId: DEFAULT_TEMPLATE.id, templateVersion: DEFAULT_TEMPLATE.version, status: "submitted", createdAt: at, requestSeq: 0 } as never, [], []);
      await repo.createPanelAction(pk, { actionId: "p.1", indicatorId: "1.1", text: `Routine action ${a.name}`, owner: "Lead", due: addDays(today, 10 + i), panelId: "pn", by: "t", byKey: "t", at });
    }),
  );
  await repo.createPanelAction(returnPartition("c2", "zephyr"), { actionId: "p.2", indicatorId: "3.1", text: "Zephyr overdue action", owner: "Lead", due: addDays(today, -5), panelId: "pn", by: "t", byKey: "t", at });
  await repo.createPanelAction(returnPartition("c2", "ag43"), { actionId: "p.2", indicatorId: "1.2", text: "Most overdue action", owner: "Lead", due: addDays(today, -30), panelId: "pn", by: "t", byKey: "t", at });

  const first = await bot.invoke(admin, "act.admin", { cycleId: "c2" });
  const t1 = plain(textOf(first.card));
  expect(t1).toContain("47 open actions across 45 agencies, 2 overdue");
  expect(t1).toContain("Showing 1 to 20 of 47 open actions (page 1 of 3)");
  // Overdue first (most overdue first), whatever the agency's place in the alphabet; then by due date.
  const facts = t1.split("\n").filter((l) => l.includes(" · standard "));
  expect(facts).toHaveLength(20);
  expect(facts[0]).toContain("Most overdue action");
  expect(facts[1]).toContain("Zephyr overdue action");
  expect(facts[2]).toContain("Routine action Agency 00");
  expect(JSON.stringify(first.card).length).toBeLessThan(28 * 1024);
  // Compact filters, every agency and every standard chosen; the agency list says what each has open.
  const filters = (first.card as { body: Array<{ id?: string; style?: string; choices?: Array<{ title: string; value: string }> }> }).body.filter((b) => b.id === "agency" || b.id === "standard");
  expect(filters.map((f) => [f.id, f.style])).toEqual([["agency", "compact"], ["standard", "compact"]]);
  expect(inputsOf(first.card)).toMatchObject({ agency: "*", standard: "*" });
  expect(filters[0].choices).toContainEqual({ title: "Zephyr Youth Justice Service (2 open, 1 overdue)", value: "zephyr" });
  expect(actionsOf(first.card).some((a) => a.title.startsWith("Previous"))).toBe(false);
  // The export is still every action.
  expect(actionOf(first.card, "act.export").data).toEqual({ cycleId: "c2" });

  // Next, then the last page: the late agencies are reachable.
  const next = actionOf(first.card, "act.admin", (a) => a.title.startsWith("Next"));
  const second = await bot.invoke(admin, next.verb, next.data);
  expect(plain(textOf(second.card))).toContain("Showing 21 to 40 of 47 open actions (page 2 of 3)");
  const third = await bot.invoke(admin, "act.admin", actionOf(second.card, "act.admin", (a) => a.title.startsWith("Next")).data);
  expect(plain(textOf(third.card))).toContain("Showing 41 to 47 of 47 open actions (page 3 of 3)");
  expect(plain(textOf(third.card))).toContain("Routine action Zephyr Youth Justice Service");

  // Filter by agency (the Show button reads the inputs): only Zephyr's, overdue first.
  const show = actionOf(first.card, "act.admin", (a) => a.title === "Show");
  const zephyr = await bot.invoke(admin, show.verb, { ...show.data, agency: "zephyr", standard: "*" });
  const tz = plain(textOf(zephyr.card));
  expect(tz).toContain("Showing 1 to 2 of 2 open actions matching the filters (Zephyr Youth Justice Service) (page 1 of 1)");
  expect(tz.indexOf("Zephyr overdue action")).toBeLessThan(tz.indexOf("Routine action Zephyr"));
  expect(tz).not.toContain("Agency 00");
  expect(inputsOf(zephyr.card)).toMatchObject({ agency: "zephyr", standard: "*" });

  // Filter by standard, then page: the filter goes with Next and Previous.
  const std1 = await bot.invoke(admin, show.verb, { ...show.data, agency: "*", standard: "1" });
  expect(plain(textOf(std1.card))).toContain("of 46 open actions matching the filters (standard 1) (page 1 of 3)");
  expect(plain(textOf(std1.card))).not.toContain("Zephyr overdue action");
  const std1Next = actionOf(std1.card, "act.admin", (a) => a.title.startsWith("Next"));
  expect(std1Next.data).toMatchObject({ cycleId: "c2", standard: "1", page: "2" });
  const std1p2 = await bot.invoke(admin, std1Next.verb, std1Next.data);
  expect(plain(textOf(std1p2.card))).toContain("Showing 21 to 40 of 46 open actions matching the filters (standard 1) (page 2 of 3)");
  expect(inputsOf(std1p2.card)).toMatchObject({ standard: "1" });
  expect(actionOf(std1p2.card, "act.admin", (a) => a.title.startsWith("Previous")).data).toMatchObject({ standard: "1", page: "1" });

  // Filters are pointers, never trusted: an unknown agency or standard shows every one; a page past the end shows the last.
  const odd = await bot.invoke(admin, "act.admin", { cycleId: "c2", agency: "curlew", standard: "99", page: "999" });
  expect(plain(textOf(odd.card))).toContain("Showing 41 to 47 of 47 open actions (page 3 of 3)");
  const bad = await bot.invoke(admin, "act.admin", { cycleId: "c2", agency: { $ne: 1 }, standard: ["1"], page: "-4" });
  expect(plain(textOf(bad.card))).toContain("(page 1 of 3)");
}, 60_000);

test("help lists the actions command (typed; the manifest's personal list is full)", async () => {
  const help = await bot.say(lead, "help");
  expect(plain(help.text)).toContain("actions");
});

describe("bad input", () => {
  test("another agency's return or action: refused, nothing shown or changed", async () => {
    const view = await bot.invoke(lead, "act.closeForm", { returnId: otherReturn, actionId: "s.2.1" });
    expect(text(view)).toContain(plain(NO_ACCESS).slice(0, 40));
    expect(text(view)).not.toContain("HYPERLINK");
    const close = await bot.invoke(lead, "act.close", { returnId: otherReturn, actionId: "s.2.1", evidence: "done" });
    expect(text(close)).not.toContain("Marked as done");
    expect((await bot.app.services.actions["d"].actions.forReturn(otherReturn))!.rows.size).toBe(0);
    // A cycle that does not exist, and one the ids were made up for.
    expect(text(await bot.invoke(lead, "act.closeForm", { returnId: returnPartition("c9", "plover"), actionId: "s.1.1" }))).toContain(plain(NO_ACCESS).slice(0, 40));
    expect(text(await bot.invoke(admin, "act.admin", { cycleId: "no-such-cycle" }))).toContain("That cycle does not exist");
  });

  test("every action verb refuses someone with no right to it, with nothing shown", async () => {
    const stranger = newTeamsUser({ name: "Sly Stranger", email: "sly@nowhere.example" });
    await bot.say(stranger, "hi");
    for (const [verb, data] of [["act.mine", {}], ["act.closeForm", { returnId, actionId: "s.1.1" }], ["act.close", { returnId, actionId: "s.1.1", evidence: "x" }], ["act.admin", { cycleId: "c1" }], ["act.export", { cycleId: "c1" }], ["act.sweepNow", {}]] as const) {
      const r = await bot.invoke(stranger, verb, data);
      expect(r.status).toBe(200);
      expect(text(r)).toMatch(/No actions for you|You don't have access|Only the partnership's admins/);
      expect(text(r)).not.toContain("Plover");
    }
  });

  test("ids that are not ids, and an action that is not in the return", async () => {
    for (const data of [{ returnId: returnId, actionId: "../../x" }, { returnId: "x".repeat(400), actionId: "s.1.1" }, { returnId: returnId, actionId: "s." + "1".repeat(200) }, { returnId: 42, actionId: "s.1.1" }]) {
      const r = await bot.invoke(lead, "act.closeForm", data as Record<string, unknown>);
      expect(r.status).toBe(200);
      expect(text(r)).toContain("That button's data was not valid");
    }
    expect(text(await bot.invoke(lead, "act.closeForm", { returnId, actionId: "p.1.1.nope" }))).toContain("That action is not part of this return");
  });

  test("markdown in an agency's name and an owner shows as typed", async () => {
    const view = await bot.invoke(otherLead, "act.closeForm", { returnId: otherReturn, actionId: "s.2.1" });
    expect(textOf(view.card)).toContain("Curlew \\*\\*Children's\\*\\* Centre");
    expect(textOf(view.card)).toContain("\\*\\*CEO\\*\\*");
  });
});
