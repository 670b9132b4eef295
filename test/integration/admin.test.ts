/** The partnership admin's side against a real Azurite: cycles, agencies, people, status, CSV import, demo data. */
import { IMPORT_HINT } from "../../src/admin/menu";
import { plainText, text } from "../../src/cards/text";
import { adminHarness, readable, type AdminHarness } from "../support/adminHarness";
import { DEMO_AGENCIES, loadDemoData, PLAYGROUND_AGENCY_NAME } from "../../scripts/demoData";
import { createLogger } from "../../src/log";
import { ADMIN_VERBS } from "../../src/admin/verbs";
import { loadConfig } from "../../src/config";
import type { Actor } from "../../src/people/actor";
import { displayStatus, fullyMeetsMajority, type DisplayStatus } from "../../src/section11/status";
import { returnPartition } from "../../src/storage/returnsRepo";

const TENANT = "11111111-2222-3333-4444-555555555555";
const ADMIN: Actor = { principal: { tenantId: TENANT, aadObjectId: "aaaaaaaa-0000-0000-0000-000000000001" }, name: "Bea Manager" };
const STRANGER: Actor = { principal: { tenantId: TENANT, aadObjectId: "bbbbbbbb-0000-0000-0000-000000000002" }, name: "Sam Stranger" };
const NOW = new Date("2025-06-02T09:00:00Z");

async function setUp(now: () => Date = () => NOW): Promise<AdminHarness> {
  // Local mode (no app id), but local users are not all admins: only ADMIN is.
  return adminHarness({ ADMIN_AAD_OBJECT_IDS: `${TENANT}:${ADMIN.principal.aadObjectId}` }, now);
}

const denied = (p: Promise<unknown>) => expect(p).rejects.toMatchObject({ name: "UserFacingError", kind: "denied", message: expect.stringContaining("Only the partnership's admins") });

describe("AdminService: who may use it", () => {
  let s: AdminHarness;
  beforeAll(async () => {
    s = await setUp();
  });

  it("denies a non-admin every method, and writes nothing", async () => {
    const a = s.admin;
    await denied(a.menu(STRANGER));
    await denied(a.cycleForm(STRANGER));
    await denied(a.createCycle(STRANGER, { name: "Audit 2025", deadline: "2025-12-01", partnerships: "Westmere" }));
    await denied(a.agencyForm(STRANGER));
    await denied(a.createAgency(STRANGER, { name: "Sneaky Trust", sector: "health", partnerships: "Westmere" }));
    await denied(a.assignForm(STRANGER));
    await denied(a.assign(STRANGER, { agencyId: "sneaky-trust", role: "lead", email: "me@x.example" }));
    await denied(a.assignSelf(STRANGER));
    await denied(a.status(STRANGER));
    await denied(a.importCsv(STRANGER, "agency_name,sector,partnerships\nSneaky Trust,health,Westmere"));
    expect(await s.agencies.list()).toEqual([]);
    expect(await s.cycles.list()).toEqual([]);
  });

  it("gives the admin the menu with every action and the CSV hint", async () => {
    await s.admin.createAgency(ADMIN, { name: "Menu Test Trust", sector: "health", partnerships: "Westmere" });
    const menu = await s.admin.menu(ADMIN, { text: text("Hello"), color: "default" });
    expect(menu.cycleSummary).toContain("No cycle is open. 1 agency registered.");
    expect(menu.notice).toEqual({ text: "Hello", color: "default" });
    expect(menu.actions.map((x) => x.verb)).toEqual([ADMIN_VERBS.cycleForm, ADMIN_VERBS.agencyForm, ADMIN_VERBS.assignForm, "training.officer.form", ADMIN_VERBS.status, ADMIN_VERBS.cycles, ADMIN_VERBS.settings, ADMIN_VERBS.assignSelf]);
    expect(menu.importHint).toBe(plainText(IMPORT_HINT));
    expect(menu.importHint).toContain("agency_name, sector, partnerships, lead_email, lead_name, officer_email, officer_name");
    expect(menu.importHint).toContain(".json");
  });

  it("allows assignSelf only in local mode", async () => {
    const hosted = await adminHarness({ MicrosoftAppId: "00000000-0000-0000-0000-0000000000b0", MicrosoftAppPassword: "x", MicrosoftAppType: "SingleTenant", MicrosoftAppTenantId: TENANT, ADMIN_AAD_OBJECT_IDS: `${TENANT}:${ADMIN.principal.aadObjectId}` }, () => NOW);
    await hosted.admin.createAgency(ADMIN, { name: "Hosted Trust", sector: "health", partnerships: "Westmere" });
    await expect(hosted.admin.assignSelf(ADMIN)).rejects.toMatchObject({ kind: "denied", message: expect.stringContaining("only available when the bot runs locally") });
    expect((await hosted.admin.menu(ADMIN)).actions.map((x) => x.verb)).not.toContain(ADMIN_VERBS.assignSelf);
  });
});

describe("AdminService: cycles, agencies and people", () => {
  let s: AdminHarness;
  beforeAll(async () => {
    s = await setUp();
  });

  it("validates the cycle form field by field and keeps what was typed", async () => {
    const r = await s.admin.createCycle(ADMIN, { name: "S1", deadline: "2025-02-30", partnerships: "A, B, C, D, E", templateId: "nope" });
    expect(r.view).toBe("cycleForm");
    if (r.view !== "cycleForm") return;
    expect(r.data.problems).toEqual([
      "The cycle name needs at least 3 characters.",
      'The deadline "2025-02-30" is not a real date: pick it from the calendar (yyyy-mm-dd).',
      "Partnerships: at most 4 partnerships (you gave 5).",
      'The template "nope" is not available: choose one from the list.',
    ]);
    expect(r.data).toMatchObject({ name: "S1", deadline: "2025-02-30", partnerships: "A, B, C, D, E" });
    const past = await s.admin.createCycle(ADMIN, { name: "Audit 2025", deadline: "2025-06-01", partnerships: "" });
    if (past.view !== "cycleForm") throw new Error("expected the form");
    expect(past.data.problems).toEqual(["The deadline 1 Jun 2025 is in the past: choose today or a later date.", "Partnerships: name at least one partnership, separated by commas."]);
  });

  it("opens a cycle and creates returns for the registered agencies it covers", async () => {
    await s.admin.createAgency(ADMIN, { name: "Westmere Borough Council", sector: "local_authority", partnerships: "Westmere" });
    await s.admin.createAgency(ADMIN, { name: "Joint Constabulary", sector: "police", partnerships: "westmere, Eastshire" });
    await s.admin.createAgency(ADMIN, { name: "Far Away Trust", sector: "health", partnerships: "Northvale" });
    const r = await s.admin.createCycle(ADMIN, { name: "Section 11 audit 2025-27", deadline: "2025-11-30", partnerships: "Westmere, eastshire", templateId: "s11-default" });
    expect(r.view).toBe("message");
    if (r.view !== "message") return;
    expect(r.data.title).toBe("Section 11 audit 2025-27 is open");
    expect(r.data.facts).toContainEqual({ title: "Returns created", value: "2" });
    const cycle = (await s.cycles.get("section-11-audit-2025-27"))!;
    expect(cycle.partnerships).toEqual(["Westmere", "Eastshire"]);
    const headers = await s.returns.listHeaders(cycle.cycleId);
    expect(headers.map((h) => h.agencyId).sort()).toEqual(["joint-constabulary", "westmere-borough-council"]);
    // The same name again is a duplicate, not a second cycle.
    const again = await s.admin.createCycle(ADMIN, { name: "SECTION 11 AUDIT 2025-27!", deadline: "2025-11-30", partnerships: "Westmere" });
    expect(again.view === "cycleForm" && again.data.problems[0]).toContain('A cycle called "Section 11 audit 2025-27" already exists');
  });

  it("registers an agency into the open cycle and refuses a duplicate", async () => {
    const form = await s.admin.createAgency(ADMIN, { name: "Kingfisher Primary School", sector: "education", partnerships: "WESTMERE" });
    expect(form.problems).toEqual([]);
    expect(form.notice).toEqual({ color: "good", text: expect.stringContaining("Registered Kingfisher Primary School (Education; Westmere). Its return for Section 11 audit 2025-27 is ready.") });
    expect(form).toMatchObject({ name: "", sector: "", partnerships: "Westmere" });
    expect(await s.returns.load(returnPartition("section-11-audit-2025-27", "kingfisher-primary-school"))).toBeDefined();
    const dup = await s.admin.createAgency(ADMIN, { name: "kingfisher primary school", sector: "education", partnerships: "Westmere" });
    expect(dup.problems).toEqual([expect.stringContaining('"Kingfisher Primary School" is already registered')]);
    expect(dup.name).toBe("kingfisher primary school");
    const bad = await s.admin.createAgency(ADMIN, { name: "X", sector: "hospital", partnerships: "A, B, C" });
    expect(bad.problems).toEqual([
      "The agency name needs at least 2 characters.",
      expect.stringContaining('Unknown sector "hospital"'),
      "Partnerships: at most 2 partnerships (you gave 3).",
    ]);
  });

  it("assigns by e-mail, and linking on first contact gives the person access rows on the return", async () => {
    const pk = returnPartition("section-11-audit-2025-27", "kingfisher-primary-school");
    const form = await s.admin.assign(ADMIN, { agencyId: "kingfisher-primary-school", role: "lead", email: " Hannah.Marsh@Kingfisher.example ", personName: "Hannah Marsh" });
    expect(form.problems).toEqual([]);
    expect(form.notice?.text).toBe("Hannah Marsh (Hannah.Marsh@Kingfisher.example) will be safeguarding lead for Kingfisher Primary School: they get access when they first open the bot with that e-mail address.");
    expect(form).toMatchObject({ agencyId: "kingfisher-primary-school", role: "officer", email: "", personName: "" });
    expect((await s.returns.load(pk))!.access).toEqual([]);

    const hannah = { tenantId: "99999999-0000-0000-0000-000000000009", aadObjectId: "cccccccc-0000-0000-0000-000000000003" };
    const { linked } = await s.access.link({ ...hannah, name: "Hannah Marsh", email: "hannah.marsh@kingfisher.example", upn: "hannah.marsh@kingfisher.example", conversation: "", firstSeenAt: NOW.toISOString() });
    expect(linked.map((g) => [g.role, g.agencyId])).toEqual([["lead", "kingfisher-primary-school"]]);
    expect((await s.returns.load(pk))!.access).toEqual([{ ...hannah, name: "Hannah Marsh", roles: ["lead"] }]);
    const roles = await s.access.rolesOf({ principal: hannah, name: "Hannah Marsh" });
    expect([...roles.agencies.keys()]).toEqual(["kingfisher-primary-school"]);

    // Now that she is linked, a second role goes straight to her.
    const second = await s.admin.assign(ADMIN, { agencyId: "kingfisher-primary-school", role: "officer", email: "HANNAH.MARSH@kingfisher.example" });
    expect(second.notice?.text).toBe("Hannah Marsh is now senior officer (signs off) for Kingfisher Primary School: they can start now.");
    expect((await s.returns.load(pk))!.access).toEqual([{ ...hannah, name: "Hannah Marsh", roles: ["lead", "officer"] }]);
  });

  it("never trusts the agency id or role from the card", async () => {
    for (const agencyId of ["x' or '1' eq '1", "../agency", "kingfisher-primary-school-gone", "", "A".repeat(500)]) {
      const form = await s.admin.assign(ADMIN, { agencyId, role: "lead", email: "a@b.example" });
      expect(form.problems[0]).toMatch(agencyId ? /That agency is not registered/ : /Choose the agency/);
      expect(form.agencyId).toBe("");
    }
    const form = await s.admin.assign(ADMIN, { agencyId: "kingfisher-primary-school", role: "admin", email: "not an email", personName: "=cmd" });
    // A name starting with "=" is a name: formula injection is neutralised where CSV is written, not here.
    expect(form.problems).toEqual(["Choose the role: safeguarding lead or senior officer.", '"not an email" is not a valid e-mail address.']);
  });

  it("stores hostile but legitimate names exactly and gives specific problems for the rest", async () => {
    const names = [`O'Brien's "Trust"`, "**Bold** _Care_ [click](https://evil.example) <b>x</b> `code`", "🌈 Rainbow Club 👩‍👩‍👧 Ünïcödé", "Trust \\ with / slashes # and ? marks | pipes %20"];
    for (const name of names) {
      const form = await s.admin.createAgency(ADMIN, { name, sector: "voluntary", partnerships: "Westmere" });
      expect(form.problems).toEqual([]);
    }
    const stored = await s.agencies.list();
    for (const name of names) {
      const a = stored.find((x) => x.name === name);
      expect(a).toBeDefined();
      expect(await s.agencies.get(a!.agencyId)).toMatchObject({ name });
      const header = (await s.returns.load(returnPartition("section-11-audit-2025-27", a!.agencyId)))!.header;
      expect(header.agencyName).toBe(name);
    }
    // People with quotes in their names and addresses, on the hostile agency.
    const obrien = stored.find((x) => x.name === names[0])!;
    const form = await s.admin.assign(ADMIN, { agencyId: obrien.agencyId, role: "lead", email: "o'brien@trust.example", personName: `Siobhán O'Brien "Shiv"` });
    expect(form.problems).toEqual([]);
    const grants = await s.grants.forAgency(obrien.agencyId);
    expect(grants).toEqual([expect.objectContaining({ role: "lead", email: "o'brien@trust.example", name: names[0], personName: `Siobhán O'Brien "Shiv"` })]);

    const huge = await s.admin.createAgency(ADMIN, { name: "N".repeat(10_000), sector: "health", partnerships: "Westmere" });
    expect(huge.problems).toEqual(["The agency name is 10,000 characters; the limit is 120. We kept the first 120: shorten it and send again."]);
    expect(huge.name).toHaveLength(120);
    const hugeCycle = await s.admin.createCycle(ADMIN, { name: "C".repeat(10_000), deadline: "2025-12-01", partnerships: "P".repeat(10_000) });
    if (hugeCycle.view !== "cycleForm") throw new Error("expected the form");
    expect(hugeCycle.data.problems).toEqual([
      "The cycle name is 10,000 characters; the limit is 80. We kept the first 80: shorten it and send again.",
      expect.stringContaining("is 10,000 characters; the limit is 60"),
    ]);
    expect(hugeCycle.data.name).toHaveLength(80);
    const formula = await s.admin.createAgency(ADMIN, { name: "=HYPERLINK(\"http://evil\")", sector: "health", partnerships: "Westmere" });
    expect(formula.problems).toEqual([]);
    expect((await s.agencies.list()).map((x) => x.name)).toContain('=HYPERLINK("http://evil")');
    const junk = await s.admin.createAgency(ADMIN, { name: true, sector: ["health"], partnerships: { a: 1 } } as unknown as Record<string, unknown>);
    expect(junk.problems).toEqual(["The agency name is missing.", expect.stringContaining("The sector is missing"), expect.stringContaining("name at least one partnership")]);
  });

  it("shows where every agency stands, what needs attention first", async () => {
    const view = await s.admin.status(ADMIN);
    expect(view.cycleName).toBe("Section 11 audit 2025-27");
    expect(view.deadlineText).toBe("Deadline 30 Nov 2025 (181 days left)");
    expect(view.countsText).toBe("8 agencies: 0 submitted, 0 awaiting sign-off, 0 in draft, 8 not started");
    expect(view.rows.map((r) => r.agencyName)).toContain(`O'Brien's "Trust"`);
    expect(view.rows.every((r) => r.statusLabel === "Not started" && r.progressText === "0/42 answered")).toBe(true);
    expect(view.rows.map((r) => r.agencyName)).not.toContain("Far Away Trust");
    expect(view.actions.map((a) => a.verb)).toEqual([ADMIN_VERBS.status, ADMIN_VERBS.statusExport, ADMIN_VERBS.cycles, ADMIN_VERBS.menu]);
  });

  it("imports a CSV file and reports every row", async () => {
    const csv = [
      "\ufeffAgency_Name,Sector,Partnerships,Lead_Email,Lead_Name,Officer_Email,Officer_Name",
      `"Larkspur Children's Hospice, Day Service",Health,Westmere,nurse@larkspur.example,Mei Chen,ceo@larkspur.example,Gareth Pryce`,
      `"O'Brien's ""Trust""",,,second@obrien.example,,,`,
      "Kingfisher Primary School,education,Westmere,hannah.marsh@kingfisher.example,,,",
      "Bad Sector Trust,hospital,Westmere,,,,",
      "=cmd|' /C calc'!A0,health,Westmere,,,,",
    ].join("\r\n");
    const progress: Array<[number, number]> = [];
    const report = await s.admin.importCsv(ADMIN, csv, async (done, total) => {
      progress.push([done, total]);
    });
    expect(report.title).toBe("Import finished with problems");
    expect(report.color).toBe("warning");
    expect(report.summaryText).toBe("5 rows: 2 agencies registered, 2 already registered (people added), 4 leads and officers added (3 get access when they first open the bot); 1 row not imported.");
    expect(report.rejected).toEqual([{ line: "Line 5 (Bad Sector Trust)", reason: expect.stringContaining('Unknown sector "hospital"') }]);
    expect(report.registered).toEqual(["Larkspur Children's Hospice, Day Service", "=cmd|' /C calc'!A0"]);
    expect(progress[progress.length - 1]).toEqual([5, 5]);
    const hospice = await s.agencies.get("larkspur-children-s-hospice-day-service");
    expect(hospice).toMatchObject({ name: "Larkspur Children's Hospice, Day Service", sector: "health", partnerships: ["Westmere"] });
    expect(await s.returns.load(returnPartition("section-11-audit-2025-27", hospice!.agencyId))).toBeDefined();
    // Hannah is linked: the import gave her the lead role directly (she already had it: no change).
    const bad = await s.admin.importCsv(ADMIN, "name,kind\nx,y");
    expect(bad).toMatchObject({ title: "Nothing was imported", color: "attention", summaryText: expect.stringContaining('unknown columns "name", "kind"') });
  });
});

describe("demo data", () => {
  it("loads 57 agencies with returns in every state, and a second run changes nothing", async () => {
    const s = await setUp(() => new Date());
    const playgroundUser = { tenantId: "00000000-0000-0000-0000-000000000001", aadObjectId: "00000000-0000-0000-0000-0000000000aa", name: "Alex Playground", email: "alex@playground.example" };
    const ticks: number[] = [];
    const deps = { config: s.config, store: s.store, log: createLogger("silent"), now: () => new Date() };
    const first = await loadDemoData(deps, { playgroundUser, onProgress: (done) => { ticks.push(done); } });
    expect(first).toMatchObject({ cycleCreated: true, agenciesCreated: 58, agenciesExisting: 0 });
    expect(first.states).toEqual({ not_started: 4, draft: 6, sent_back: 2, awaiting_signoff: 5, submitted: 34, updated: 3, resubmitted: 3 });
    expect(ticks.sort((a, b) => a - b)).toEqual(Array.from({ length: 58 }, (_, i) => i + 1));

    const agencies = await s.agencies.list();
    expect(agencies).toHaveLength(58);
    expect(agencies.filter((a) => a.name !== PLAYGROUND_AGENCY_NAME)).toHaveLength(DEMO_AGENCIES.length);
    expect(DEMO_AGENCIES).toHaveLength(57);
    expect(new Set(agencies.map((a) => a.sector)).size).toBeGreaterThanOrEqual(10);
    expect(agencies.filter((a) => a.partnerships.length === 2).length).toBeGreaterThan(5);

    const cycle = (await s.cycles.listOpen())[0];
    const headers = await s.returns.listHeaders(cycle.cycleId);
    const answers = await s.returns.listAnswers(cycle.cycleId);
    const byStatus = new Map<DisplayStatus, number>();
    for (const h of headers) {
      const st = displayStatus(h, answers.get(h.partitionKey) ?? []);
      byStatus.set(st, (byStatus.get(st) ?? 0) + 1);
    }
    // The playground agency is a draft too.
    expect(Object.fromEntries(byStatus)).toEqual({ not_started: 4, draft: 7, sent_back: 2, awaiting_signoff: 5, submitted: 37, updated: 3 });

    // 77% of submitted agencies fully met the majority of indicators at first submission.
    const submitted = headers.filter((h) => h.submissionCount > 0);
    let strong = 0;
    for (const h of submitted) if (fullyMeetsMajority((await s.returns.snapshots(h.partitionKey, 1))[0].answers.values())) strong++;
    expect(submitted).toHaveLength(40);
    expect(strong).toBe(31); // 31 of 40 = 77.5%: "about 77%"

    const view = await s.admin.status({ principal: playgroundUser, name: playgroundUser.name });
    expect(view.countsText).toBe("58 agencies: 40 submitted (3 updated since), 5 awaiting sign-off, 9 in draft (2 sent back), 4 not started");
    expect(view.rows).toHaveLength(15);
    expect(view.pageText).toBe("Page 1 of 4");
    expect(view.rows.slice(0, 4).map((r) => r.statusLabel)).toEqual(["Not started", "Not started", "Not started", "Not started"]);
    expect(view.rows[4].statusLabel).toBe("Sent back by the senior officer");

    // The playground user is admin, lead and senior officer of the demo agency, with a draft to resume.
    const actor: Actor = { principal: playgroundUser, name: playgroundUser.name };
    const mine = await s.returnService.returnsFor(actor);
    expect(mine.map((m) => [m.agencyName, m.roles.sort()])).toEqual([[PLAYGROUND_AGENCY_NAME, ["lead", "officer"]]]);
    const overview = await s.returnService.overview(actor, mine[0].returnId);
    expect(readable(overview).progressText).toBe("4 of 42 indicators answered");
    expect((await s.people.findByEmail("alex@playground.example"))).toEqual({ tenantId: playgroundUser.tenantId, aadObjectId: playgroundUser.aadObjectId });
    const step = await s.returnService.step(actor, mine[0].returnId);
    expect(step.indicatorId).toBe("1.5");

    const second = await loadDemoData(deps, { playgroundUser });
    expect(second).toMatchObject({ cycleCreated: false, agenciesCreated: 0, agenciesExisting: 58, answersWritten: 0, headerChanges: 0, grantsWritten: 0 });
    expect(await s.agencies.list()).toHaveLength(58);
    expect(await s.returns.listHeaders(cycle.cycleId)).toHaveLength(headers.length);
    expect((await s.cycles.list())).toHaveLength(1);
  }, 120_000);

  it("assignSelf makes the local admin lead and officer of the first agency, with an audit button", async () => {
    const s = await setUp(() => new Date());
    await s.admin.createCycle(ADMIN, { name: "Local cycle", deadline: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10), partnerships: "Westmere" });
    const empty = await s.admin.assignSelf(ADMIN);
    expect(empty).toMatchObject({ title: "No agency yet", color: "warning" });
    await s.admin.createAgency(ADMIN, { name: "Zeta Trust", sector: "health", partnerships: "Westmere" });
    await s.admin.createAgency(ADMIN, { name: "Alpha Academy", sector: "education", partnerships: "Westmere" });
    const msg = await s.admin.assignSelf(ADMIN);
    expect(msg.title).toBe("You are lead and senior officer of Alpha Academy");
    expect(msg.actions).toEqual([{ title: "Open the audit", verb: "cmd", data: { command: "audit" }, kind: "submit", style: "positive" }]);
    const mine = await s.returnService.returnsFor(ADMIN);
    expect(mine.map((m) => [m.agencyId, m.roles.sort()])).toEqual([["alpha-academy", ["lead", "officer"]]]);
    const loaded = await s.returns.load(mine[0].returnId);
    expect(loaded!.access).toEqual([{ tenantId: TENANT, aadObjectId: ADMIN.principal.aadObjectId, name: "Bea Manager", roles: ["lead", "officer"] }]);
  });
});
