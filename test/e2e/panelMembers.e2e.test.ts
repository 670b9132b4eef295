import { startBot, type BotUnderTest } from "../support/botUnderTest";
import { actionOf, inputsOf, plain, textOf } from "../support/cardTools";
import { newTeamsUser } from "../support/teamsActivity";
import { DEFAULT_TEMPLATE } from "../../src/section11/templateCatalog";

/**
 * Panel members added by e-mail before they have ever talked to the bot, like leads and senior
 * officers: named "not yet linked" on the panel, linked on first contact only from the
 * partnership's own organisation, then holding their right by tenant id + AAD object id.
 * Someone from another allowed organisation reporting the same address gets nothing, and the
 * admin sees the attempt on the panel.
 */
const HOME = "00000000-0000-4000-8000-0000000000d1";
const OTHER = "00000000-0000-4000-8000-0000000000d2";

const admin = newTeamsUser({ tenantId: HOME, name: "Bea Admin", email: "bea@partnership.example" });
const nia = newTeamsUser({ tenantId: HOME, name: "Nia Newcomer", email: "Nia.Newcomer@icb.example" });
// Another organisation's directory reporting Nia's address (its admins control what it says).
const impostor = newTeamsUser({ tenantId: OTHER, name: "Ivo Impostor", email: "nia.newcomer@icb.example" });
// The same object id as Nia in another tenant: a different person.
const twin = newTeamsUser({ tenantId: OTHER, aadObjectId: nia.aadObjectId, id: `29:twin-${nia.aadObjectId}`, name: "Tam Twin", email: "tam@other.example" });
const late = newTeamsUser({ tenantId: HOME, name: "Lola Late", email: "lola@police.example" });

let bot: BotUnderTest;
let panelId = "";
const text = (r: { card?: unknown; text?: string }) => plain(r.card ? textOf(r.card) : r.text ?? "");
const panelRows = async () => {
  const out: Array<Record<string, unknown>> = [];
  for await (const e of bot.app.store.table("Panels").listEntities<Record<string, unknown>>()) out.push(e);
  return out;
};

beforeAll(async () => {
  bot = await startBot({ ALLOWED_TENANT_IDS: `${HOME},${OTHER}`, ADMIN_AAD_OBJECT_IDS: `${HOME}:${admin.aadObjectId}` });
  const s = bot.app.services;
  await s.repos.cycles.create({ cycleId: "c1", name: "Section 11 audit 2026-28", deadline: "2099-03-31", templateId: DEFAULT_TEMPLATE.id, templateVersion: DEFAULT_TEMPLATE.version, partnerships: ["Westmere"], status: "open", createdAt: "2026-11-01T00:00:00Z", createdBy: "t" });
  await s.repos.agencies.create({ agencyId: "plover", name: "Plover Academy Trust", sector: "education", partnerships: ["Westmere"], createdAt: "", createdBy: "" });
  for (const u of [admin, nia, impostor, twin, late]) bot.addToRoster(u);
  await bot.say(admin, "hi");
}, 60_000);
afterAll(async () => bot?.stop());

test("a member added by e-mail before first contact is named 'not yet linked', refused to another organisation, linked on first contact from the partnership's", async () => {
  const created = await bot.invoke(admin, "panel.create", { name: "Education panel", date: "2027-02-10", cycleId: "c1", members: nia.email, agencyIds: "plover" });
  expect(text(created)).toContain("Panel created");
  expect(text(created)).toContain("nia.newcomer@icb.example (not yet linked");
  panelId = (await bot.app.services.panels["d"].panels.list())[0].panelId;
  expect(plain((await bot.say(admin, "panels")).text)).toContain("1 members (1 not yet linked)");
  // Nothing is granted yet: only the wait on the address.
  expect((await panelRows()).filter((r) => String(r.partitionKey).startsWith("m|"))).toEqual([]);

  // Someone from another (allowed) organisation reporting the same address: nothing, and the admin sees it.
  expect(text(await bot.say(impostor, "panels"))).toContain("No challenge panel for you");
  expect(text(await bot.invoke(impostor, "panel.view", { panelId }))).toContain("You are not a member of that panel");
  const seen = text(await bot.invoke(admin, "panel.view", { panelId }));
  expect(seen).toContain(`Someone signed in to another organisation (tenant ${OTHER}`);
  expect(seen).toContain("not yet linked");

  // Nia's first contact, from the partnership's organisation: linked, and the panel is hers at once.
  const home = await bot.say(nia, "panels");
  expect(text(home)).toContain("Education panel");
  const page = await bot.invoke(nia, "panel.view", { panelId });
  expect(text(page)).toContain("Plover Academy Trust: Not submitted yet");
  expect(text(page)).toContain("Members: Nia Newcomer");
  expect(text(page)).not.toContain("not yet linked");
  const stored = (await bot.app.services.panels["d"].panels.get(panelId))!;
  expect(stored.members).toEqual([{ tenantId: HOME, aadObjectId: nia.aadObjectId.toLowerCase(), name: "Nia Newcomer", email: "nia.newcomer@icb.example" }]);
  const rows = await panelRows();
  expect(rows.filter((r) => String(r.partitionKey).startsWith("e|"))).toEqual([]);
  expect(rows.filter((r) => String(r.partitionKey).startsWith("m|")).map((r) => r.partitionKey)).toEqual([`m|${HOME}|${nia.aadObjectId.toLowerCase()}`]);

  // Her right is keyed by tenant id + object id: the same object id in another tenant, and the impostor again, get nothing.
  expect(text(await bot.invoke(twin, "panel.view", { panelId }))).toContain("You are not a member of that panel");
  expect(text(await bot.say(impostor, "panels"))).toContain("No challenge panel for you");
  expect(text(await bot.invoke(impostor, "panel.agency", { panelId, returnId: "c1|plover" }))).toContain("You are not a member of that panel");

  // The admin's form shows her address; saving it again keeps her linked identity.
  const form = await bot.invoke(admin, "panel.edit", { panelId });
  expect(inputsOf(form.card).members).toBe("nia.newcomer@icb.example");
  const save = actionOf(form.card, "panel.save");
  expect(text(await bot.invoke(admin, save.verb, { ...save.data, ...inputsOf(form.card), name: "Education panel (2)" }))).toContain("Saved");
  expect((await bot.app.services.panels["d"].panels.get(panelId))!.members[0].aadObjectId).toBe(nia.aadObjectId.toLowerCase());
  expect(text(await bot.invoke(nia, "panel.view", { panelId }))).toContain("Plover Academy Trust");
}, 60_000);

test("an address taken off the panel before its first contact links to nothing", async () => {
  const form = await bot.invoke(admin, "panel.edit", { panelId });
  const save = actionOf(form.card, "panel.save");
  expect(text(await bot.invoke(admin, save.verb, { ...save.data, ...inputsOf(form.card), members: `${nia.email}\n${late.email}` }))).toContain("Saved");
  expect(text(await bot.invoke(admin, "panel.view", { panelId }))).toContain("lola@police.example (not yet linked");
  const again = await bot.invoke(admin, "panel.edit", { panelId });
  const save2 = actionOf(again.card, "panel.save");
  expect(text(await bot.invoke(admin, save2.verb, { ...save2.data, ...inputsOf(again.card), members: nia.email }))).toContain("Saved");
  expect((await panelRows()).filter((r) => String(r.partitionKey).startsWith("e|"))).toEqual([]);
  expect(text(await bot.say(late, "panels"))).toContain("No challenge panel for you");
  expect(text(await bot.invoke(late, "panel.view", { panelId }))).toContain("You are not a member of that panel");
  expect((await bot.app.services.panels["d"].panels.get(panelId))!.members.map((m) => m.email)).toEqual(["nia.newcomer@icb.example"]);
}, 60_000);

test("a first contact in the middle of a panel's creation (its waits written, its row not yet) leaves the wait for the next message", async () => {
  const ria = newTeamsUser({ tenantId: HOME, name: "Ria Racer", email: "ria@council.example" });
  bot.addToRoster(ria);
  const repo = bot.app.services.panels["d"].panels;
  const panel = { panelId: "pn-racer00001", name: "Racing panel", date: "2027-03-01", cycleId: "c1", agencyIds: ["plover"], members: [{ tenantId: "", aadObjectId: "", name: ria.email!, email: ria.email! }], createdAt: new Date().toISOString(), createdBy: "t" };
  // What create() has done when it is interrupted between the members' rows and the panel row.
  await bot.app.store.table("Panels").upsertEntity({ partitionKey: `e|${ria.email}`, rowKey: panel.panelId, panelName: panel.name, cycleId: "c1" }, "Merge");
  expect(text(await bot.say(ria, "panels"))).toContain("No challenge panel for you");
  expect((await panelRows()).some((r) => r.partitionKey === `e|${ria.email}`)).toBe(true);
  // The panel row lands (create() completing): her next message links her.
  expect(await repo.create(panel)).toBe(true);
  expect(text(await bot.say(ria, "panels"))).toContain("Racing panel");
  expect((await repo.get(panel.panelId))!.members[0]).toMatchObject({ tenantId: HOME, aadObjectId: ria.aadObjectId.toLowerCase(), name: "Ria Racer" });
}, 60_000);
