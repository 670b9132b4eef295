import { startBot, type BotUnderTest } from "../support/botUnderTest";
import { actionOf, actionsOf, inputsOf, plain, textOf } from "../support/cardTools";
import { answerIndicator, openWithRating } from "../support/section11";
import { storageFaults } from "../support/storageFaults";
import { newTeamsUser, TEST_TENANT_ID } from "../support/teamsActivity";
import { DEFAULT_TEMPLATE } from "../../src/section11/templateCatalog";
import { returnPartition } from "../../src/storage/returnsRepo";
import { holderKey } from "../../src/storage/grantsRepo";

/**
 * Who gets access, leavers, the cycle's life, and operations of several writes that stop part-way.
 * Everything through /api/messages as Teams sends it; storage is the run's Azurite.
 */
const HOME = TEST_TENANT_ID;
const OTHER = "00000000-0000-4000-8000-0000000000b2";
const admin = newTeamsUser({ name: "Bea Admin", email: "bea@partnership.example" });
const all = DEFAULT_TEMPLATE.standards.flatMap((s) => s.indicators.map((i) => i.id));
const answer = (id: string) => (id.startsWith("9.") ? { rating: "na", naReason: "We commission nothing." } : { rating: "fully", evidence: `Evidence for ${id}` });
const text = (r: { card: unknown }) => plain(textOf(r.card));

async function seed(b: BotUnderTest, agencyId: string, name: string, tenantId?: string) {
  const s = b.app.services;
  if (!(await s.repos.cycles.get("c1"))) await s.repos.cycles.create({ cycleId: "c1", name: "Section 11 audit 2026-28", deadline: "2027-03-31", templateId: DEFAULT_TEMPLATE.id, templateVersion: DEFAULT_TEMPLATE.version, partnerships: ["Westmere"], status: "open", createdAt: "2026-11-01T00:00:00Z", createdBy: "t" });
  await s.repos.agencies.create({ agencyId, name, sector: "education", partnerships: ["Westmere"], tenantId, createdAt: "", createdBy: "" });
  return returnPartition("c1", agencyId);
}

describe("who gets access", () => {
  let bot: BotUnderTest;
  beforeAll(async () => {
    // Two allowed tenants: the partnership's (first, so home) and another organisation's.
    bot = await startBot({ ALLOWED_TENANT_IDS: `${HOME},${OTHER}`, ADMIN_AAD_OBJECT_IDS: `${HOME}:${admin.aadObjectId}` });
    bot.addToRoster(admin);
  });
  afterAll(async () => bot?.stop());

  test("an e-mail grant of an agency with no tenant links only someone from the partnership's tenant; an impostor is reported, never linked", async () => {
    await seed(bot, "wren-school", "Wren Primary School");
    const address = "dsl@wren-school.example";
    const impostor = newTeamsUser({ tenantId: OTHER, name: "Ivy Impostor", email: address });
    const realLead = newTeamsUser({ tenantId: HOME, name: "Rae Real", email: address });
    for (const u of [impostor, realLead]) bot.addToRoster(u);
    const added = await bot.invoke(admin, "admin.assign", { agencyId: "wren-school", role: "lead", email: address, personName: "Rae Real" });
    expect(text(added)).toContain("they get access when they first open the bot");

    // The impostor's organisation says the address is theirs, and says so first.
    await bot.say(impostor, "hi");
    expect(text(await bot.say(impostor, "audit"))).toContain("No return for you yet");
    const grants = await bot.app.services.repos.grants.forAgency("wren-school");
    expect(grants.map((g) => g.holder)).toEqual([holderKey({ kind: "email", email: address })]);
    const people = await bot.invoke(admin, "admin.agency.people", { agencyId: "wren-school" });
    expect(text(people)).toContain(`someone signed in from another organisation (tenant ${OTHER}`);

    // The real lead, from the partnership's tenant, is linked, and holds the grant.
    await bot.say(realLead, "hi");
    expect(text(await bot.say(realLead, "audit"))).toContain("Wren Primary School");
    const after = await bot.app.services.repos.grants.forAgency("wren-school");
    expect(after.map((g) => g.holder)).toEqual([holderKey({ kind: "person", principal: { tenantId: HOME, aadObjectId: realLead.aadObjectId } })]);
    expect(text(await bot.say(impostor, "audit"))).toContain("No return for you yet");
  });

  test("the admin's add-person card shows the tenant and sign-in of who was linked", async () => {
    await seed(bot, "heron-trust", "Heron Trust");
    const known = newTeamsUser({ tenantId: HOME, name: "Kit Known", email: "kit@heron.example" });
    bot.addToRoster(known);
    await bot.say(known, "hi");
    const added = await bot.invoke(admin, "admin.assign", { agencyId: "heron-trust", role: "lead", email: "KIT@heron.example", personName: "" });
    const t = text(added);
    expect(t).toContain("Kit Known is now safeguarding lead for Heron Trust");
    expect(t).toContain(`Tenant: ${HOME}`);
    expect(t).toContain("Signs in as: kit@heron.example");
  });
});

describe("leavers and replacements", () => {
  let bot: BotUnderTest;
  const lead = newTeamsUser({ name: "Lou Leaver", email: "lou@osprey.example" });
  const next = newTeamsUser({ name: "Nat Next", email: "nat@osprey.example" });
  let returnId: string;
  beforeAll(async () => {
    bot = await startBot({ ADMIN_AAD_OBJECT_IDS: `${HOME}:${admin.aadObjectId}` });
    for (const u of [admin, lead, next]) bot.addToRoster(u);
    returnId = await seed(bot, "osprey", "Osprey Youth Service");
    await bot.invoke(admin, "admin.assign", { agencyId: "osprey", role: "lead", email: lead.email, personName: lead.name });
    await bot.say(lead, "hi");
    await bot.say(lead, "audit");
  });
  afterAll(async () => bot?.stop());

  test("the admin sees who holds which role, removes a leaver, and the leaver's next save is refused at once", async () => {
    const open = await openWithRating(bot, lead, returnId, "1.1", "fully");
    const people = await bot.invoke(admin, "admin.agency.people", { agencyId: "osprey" });
    expect(text(people)).toContain("Lou Leaver · Safeguarding lead");
    const remove = actionOf(people.card, "admin.person.remove", (a) => a.title === "Remove Lou Leaver");
    const removed = await bot.invoke(admin, remove.verb, remove.data);
    expect(text(removed)).toContain("Lou Leaver is no longer safeguarding lead for this agency");
    const save = await bot.invoke(lead, "s11.save", { ...actionOf(open.card, "s11.save").data, then: "stay", rating: "fully", evidence: "After leaving" });
    expect(text(save)).toContain("don't have access");
    expect(text(await bot.say(lead, "audit"))).toContain("No return for you yet");
  });

  test("replacing a lead adds the new one and removes the old one", async () => {
    await bot.invoke(admin, "admin.assign", { agencyId: "osprey", role: "lead", email: lead.email, personName: lead.name });
    await bot.say(lead, "hi");
    const people = await bot.invoke(admin, "admin.agency.people", { agencyId: "osprey" });
    const replace = actionOf(people.card, "admin.assign.form", (a) => a.title === "Replace Lou Leaver");
    const form = await bot.invoke(admin, replace.verb, replace.data);
    expect(text(form)).toContain("Replacing Lou Leaver as safeguarding lead");
    const add = actionOf(form.card, "admin.assign", (a) => a.title === "Add and replace");
    const done = await bot.invoke(admin, add.verb, { ...inputsOf(form.card), ...add.data, email: next.email, personName: next.name });
    expect(text(done)).toContain("Lou Leaver no longer has this role");
    await bot.say(next, "hi");
    expect(text(await bot.say(next, "audit"))).toContain("Osprey Youth Service");
    expect(text(await bot.say(lead, "audit"))).toContain("No return for you yet");
  });
});

describe("two instances on one storage", () => {
  test("a removal on one instance takes effect on the other within the access cache window (ACCESS_CACHE_SECONDS)", async () => {
    const lead = newTeamsUser({ name: "Pat Two-Instances", email: "pat@puffin.example" });
    const a = await startBot({ ADMIN_AAD_OBJECT_IDS: `${HOME}:${admin.aadObjectId}`, ACCESS_CACHE_SECONDS: "2" });
    const b = await startBot({ ADMIN_AAD_OBJECT_IDS: `${HOME}:${admin.aadObjectId}`, ACCESS_CACHE_SECONDS: "2", TABLE_PREFIX: a.app.services.config.TABLE_PREFIX });
    try {
      for (const x of [a, b]) for (const u of [admin, lead]) x.addToRoster(u);
      const returnId = await seed(a, "puffin", "Puffin Nursery");
      await a.invoke(admin, "admin.assign", { agencyId: "puffin", role: "lead", email: lead.email, personName: lead.name });
      await b.say(lead, "hi");
      await b.say(lead, "audit");
      // The lead works on instance B, whose cache now trusts their access row.
      const first = await answerIndicator(b, lead, returnId, "1.1", { rating: "fully", evidence: "On B" });
      expect(text(first)).toContain("Saved");
      const card = await openWithRating(b, lead, returnId, "1.2", "fully");
      const people = await a.invoke(admin, "admin.agency.people", { agencyId: "puffin" });
      const remove = actionOf(people.card, "admin.person.remove", (x) => x.title === "Remove Pat Two-Instances");
      await a.invoke(admin, remove.verb, remove.data);
      // On A the removal is immediate; on B, once the cached access has expired.
      expect(text(await a.invoke(lead, "s11.step", { returnId, indicatorId: "1.3" }))).toContain("don't have access");
      await new Promise((r) => setTimeout(r, 2_300));
      const late = await b.invoke(lead, "s11.save", { ...actionOf(card.card, "s11.save").data, then: "stay", rating: "fully", evidence: "Too late" });
      expect(text(late)).toContain("don't have access");
      expect((await b.app.services.repos.returns.getAnswer(returnId, "1.2"))!.evidence).toBe("");
    } finally {
      await a.stop();
      await b.stop();
    }
  }, 30_000);
});

describe("closing and reopening a cycle", () => {
  test("closing makes returns read only and withdraws pending sign-off requests, whose cards say so; reopening undoes it", async () => {
    const lead = newTeamsUser({ name: "Cal Close", email: "cal@gannet.example" });
    const officer = newTeamsUser({ name: "Ora Officer", email: "ora@gannet.example" });
    const bot = await startBot({ ADMIN_AAD_OBJECT_IDS: `${HOME}:${admin.aadObjectId}` });
    try {
      for (const u of [admin, lead, officer]) bot.addToRoster(u);
      const returnId = await seed(bot, "gannet", "Gannet College");
      await bot.invoke(admin, "admin.assign", { agencyId: "gannet", role: "lead", email: lead.email, personName: lead.name });
      await bot.invoke(admin, "admin.assign", { agencyId: "gannet", role: "officer", email: officer.email, personName: officer.name });
      for (const u of [lead, officer]) await bot.say(u, "hi");
      await bot.say(lead, "audit");
      for (const id of all) await answerIndicator(bot, lead, returnId, id, answer(id));
      const before = bot.connector.activities.length;
      await bot.invoke(lead, "s11.requestSignoff", { returnId });
      // A card the lead still has open, from before the close.
      const stale = await openWithRating(bot, lead, returnId, "1.1", "fully");
      const request = await bot.connector.waitFor((a) => bot.connector.activities.indexOf(a) >= before && a.conversationId.includes(officer.aadObjectId) && Boolean(a.body?.attachments));

      const cycles = await bot.invoke(admin, "admin.cycles", {});
      const close = actionOf(cycles.card, "admin.cycle.close");
      const closed = await bot.invoke(admin, close.verb, close.data);
      expect(text(closed)).toContain("is closed: its returns are read only, and 1 pending sign-off request was withdrawn");
      // The officer's card is replaced where it was delivered, and says why there is nothing to sign.
      const update = await bot.connector.waitFor((a) => a.operation === "update" && a.activityId === request.body.id || (a.operation === "update" && a.conversationId === request.conversationId));
      expect(plain(textOf(update.body.attachments[0].content))).toContain("withdrawn");
      expect(actionsOf(update.body.attachments[0].content).map((x) => x.verb)).not.toContain("s11.approve");

      const approve = await bot.invoke(officer, "s11.approve", { returnId });
      expect(text(approve)).toContain("closed");
      const save = await bot.invoke(lead, "s11.save", { ...actionOf(stale.card, "s11.save").data, then: "stay", rating: "partially", evidence: "After closing" });
      expect(text(save)).toContain("closed");
      expect(actionsOf(save.card).map((x) => x.verb)).not.toContain("s11.save");
      expect((await bot.app.services.repos.returns.getAnswer(returnId, "1.1"))!.rating).toBe("fully");

      const reopen = actionOf((await bot.invoke(admin, "admin.cycles", {})).card, "admin.cycle.reopen");
      expect(text(await bot.invoke(admin, reopen.verb, reopen.data))).toContain("is open again");
      const again = await answerIndicator(bot, lead, returnId, "1.1", { rating: "fully", evidence: "After reopening" });
      expect(text(again)).toContain("Saved");
    } finally {
      await bot.stop();
    }
  }, 30_000);
});

describe("operations of several writes that stop part-way", () => {
  test("a grant whose second write fails says it may have partly applied, and pressing again finishes it", async () => {
    const faults = storageFaults();
    const bot = await startBot({ ADMIN_AAD_OBJECT_IDS: `${HOME}:${admin.aadObjectId}` }, { storagePolicies: [faults.policy] });
    try {
      const lead = newTeamsUser({ name: "Fay Fault", email: "fay@tern.example" });
      for (const u of [admin, lead]) bot.addToRoster(u);
      await bot.say(lead, "hi");
      await seed(bot, "tern", "Tern Hospice");
      // The holder side of the grant (the person's rights) fails after the agency side was written.
      faults.failNext((r) => /Grants/.test(r.url) && /PartitionKey='h%7C|PartitionKey='h\|/.test(r.url));
      const first = await bot.invoke(admin, "admin.assign", { agencyId: "tern", role: "lead", email: lead.email, personName: lead.name });
      expect(faults.failed).toHaveLength(1);
      expect(text(first)).toContain("This may have partly applied");
      expect(text(first)).not.toContain("Nothing was changed");
      expect(text(await bot.say(lead, "audit"))).toContain("No return for you yet");
      const again = await bot.invoke(admin, "admin.assign", { agencyId: "tern", role: "lead", email: lead.email, personName: lead.name });
      expect(text(again)).toContain("Fay Fault is now safeguarding lead for Tern Hospice");
      expect(text(await bot.say(lead, "audit"))).toContain("Tern Hospice");
    } finally {
      await bot.stop();
    }
  });

  test("a return whose access row was never written is repaired the next time the person opens it", async () => {
    const faults = storageFaults();
    const bot = await startBot({ ADMIN_AAD_OBJECT_IDS: `${HOME}:${admin.aadObjectId}` }, { storagePolicies: [faults.policy] });
    try {
      const lead = newTeamsUser({ name: "Rex Repair", email: "rex@skua.example" });
      for (const u of [admin, lead]) bot.addToRoster(u);
      const returnId = await seed(bot, "skua", "Skua Housing");
      await bot.app.services.returnService.ensureReturn((await bot.app.services.repos.cycles.get("c1"))!, (await bot.app.services.repos.agencies.get("skua"))!);
      await bot.invoke(admin, "admin.assign", { agencyId: "skua", role: "lead", email: lead.email, personName: lead.name });
      // Linking writes the grant, then the return's access row: that last write fails.
      faults.failNext((r) => /Returns/.test(r.url) && r.url.includes("acc%7C") || (/Returns/.test(r.url) && r.url.includes("acc|")));
      await bot.say(lead, "hi");
      expect(faults.failed.length).toBeGreaterThanOrEqual(1);
      const loaded = await bot.app.services.repos.returns.load(returnId);
      expect(loaded!.access).toEqual([]);
      // The grant exists: opening the return writes the missing access row and carries on.
      const audit = await bot.say(lead, "audit");
      expect(text(audit)).toContain("Skua Housing");
      const saved = await answerIndicator(bot, lead, returnId, "1.1", { rating: "fully", evidence: "After repair" });
      expect(text(saved)).toContain("Saved");
      expect((await bot.app.services.repos.returns.load(returnId))!.access.map((a) => a.roles)).toEqual([["lead"]]);
    } finally {
      await bot.stop();
    }
  });

  test("/api/health says only whether storage answers, never an error text", async () => {
    const faults = storageFaults();
    const bot = await startBot({}, { storagePolicies: [faults.policy] });
    try {
      expect(await (await fetch(`${bot.url}/api/health`)).json()).toEqual({ ok: true, storage: "ok" });
      faults.failAll(500);
      const res = await fetch(`${bot.url}/api/health`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ ok: false, storage: "not answering" });
    } finally {
      faults.restore();
      await bot.stop();
    }
  });
});
