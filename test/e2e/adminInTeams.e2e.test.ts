import { startBot, type BotUnderTest } from "../support/botUnderTest";
import { startHttpsFiles, type HttpsFiles } from "../support/httpsFiles";
import { actionOf, inputsOf, plain, textOf } from "../support/cardTools";
import { postActivity } from "../support/http";
import { fileConsentOrFileMessage, installationUpdate, conversationUpdateMembersAdded, newTeamsUser, TEST_TENANT_ID } from "../support/teamsActivity";
import { DEFAULT_TEMPLATE } from "../../src/section11/templateCatalog";

/**
 * The business manager's set-up, done in Teams: install, open a cycle, register agencies one by
 * one and from a CSV sent in chat, load the partnership's own template, and a lead registered by
 * the CSV who can then start their return.
 */
const admin = newTeamsUser({ name: "Bea Business-Manager", email: "bea@partnership.example" });
const stranger = newTeamsUser({ name: "Stan Stranger", email: "stan@elsewhere.example" });
const priya = newTeamsUser({ name: "Priya Shah", email: "priya.shah@westmere-council.example" });

let bot: BotUnderTest;
let files: HttpsFiles;

beforeAll(async () => {
  files = await startHttpsFiles();
  bot = await startBot({ ADMIN_AAD_OBJECT_IDS: `${TEST_TENANT_ID}:${admin.aadObjectId}`, ...files.botSettings() });
  for (const u of [admin, stranger, priya]) bot.addToRoster(u);
});

afterAll(async () => {
  await bot?.stop();
  await files?.close();
});

async function sendFile(user: typeof admin, name: string, content: string) {
  files.served[`/${name}`] = content;
  return sendLink(user, name, `${files.url}/${name}`);
}

async function sendLink(user: typeof admin, name: string, downloadUrl: string) {
  const before = Math.max(0, ...bot.connector.activities.map((a) => a.seq));
  const res = await postActivity(bot.url, fileConsentOrFileMessage(user, { name, downloadUrl, fileType: name.split(".").pop()! }));
  const replies = bot.connector.activities.filter((a) => a.seq > before);
  const card = replies[replies.length - 1]?.body?.attachments?.[0]?.content;
  return { status: res.status, card, text: card ? plain(textOf(card)) : "", replies };
}

test("installing the app remembers the person, and the welcome card offers the admin menu", async () => {
  expect((await postActivity(bot.url, installationUpdate(admin))).status).toBe(200);
  expect(await bot.app.services.people.get({ tenantId: TEST_TENANT_ID, aadObjectId: admin.aadObjectId })).toMatchObject({ email: admin.email });
  const before = Math.max(0, ...bot.connector.activities.map((a) => a.seq));
  expect((await postActivity(bot.url, conversationUpdateMembersAdded(admin))).status).toBe(200);
  const welcome = await bot.connector.waitFor((a) => a.seq > before);
  expect(plain(textOf(welcome.body.attachments[0].content))).toContain("Partnership admin");
});

test("opening a cycle: a bad form keeps what was typed and says what is wrong; a good one creates it", async () => {
  const menu = await bot.say(admin, "admin");
  const form = await bot.invoke(admin, actionOf(menu.card, "admin.cycle.form").verb, {});
  expect(plain(textOf(form.card))).toMatch(/cycle/i);
  const bad = await bot.invoke(admin, "admin.cycle.create", { name: "Section 11 audit 2026-28 ✨", deadline: "2020-01-01", partnerships: "Westmere", templateId: DEFAULT_TEMPLATE.id });
  expect(plain(textOf(bad.card))).toMatch(/deadline/i);
  expect(inputsOf(bad.card).name).toBe("Section 11 audit 2026-28 ✨");
  const good = await bot.invoke(admin, "admin.cycle.create", { name: "Section 11 audit 2026-28", deadline: "2030-03-31", partnerships: "Westmere, Eastshire", templateId: DEFAULT_TEMPLATE.id });
  expect(plain(textOf(good.card))).toMatch(/opened|created/i);
  expect((await bot.app.services.repos.cycles.listOpen()).map((c) => c.name)).toContain("Section 11 audit 2026-28");
});

test("registering an agency and adding its lead by e-mail from the forms", async () => {
  const created = await bot.invoke(admin, "admin.agency.create", { name: "O'Brien's \"Trust\"", sector: "voluntary", partnerships: "Westmere" });
  expect(plain(textOf(created.card))).toContain("O'Brien's \"Trust\"");
  const again = await bot.invoke(admin, "admin.agency.create", { name: "O'Brien's \"Trust\"", sector: "voluntary", partnerships: "Westmere" });
  expect(plain(textOf(again.card))).toMatch(/already/i);
  const agency = (await bot.app.services.repos.agencies.list()).find((a) => a.name === "O'Brien's \"Trust\"")!;
  const assigned = await bot.invoke(admin, "admin.assign", { agencyId: agency.agencyId, role: "lead", email: "lee@obriens.example", personName: "Lee" });
  expect(plain(textOf(assigned.card))).toMatch(/first open|when they/i);
  const forged = await bot.invoke(admin, "admin.assign", { agencyId: "no-such-agency", role: "lead", email: "x@y.example" });
  expect(plain(textOf(forged.card))).toMatch(/agency/i);
});

test("a CSV sent in chat registers agencies, names them, and reports each rejected row with the reason", async () => {
  const csv = [
    "agency_name,sector,partnerships,lead_email,lead_name,officer_email,officer_name",
    "Westmere Borough Council,local_authority,Westmere,priya.shah@westmere-council.example,Priya Shah,director@westmere-council.example,Tom Whitfield",
    "\"Larkspur Children's Hospice, Day Service\",health,Westmere;Eastshire,nurse.lead@larkspur.example,Mei Chen,,",
    "Bad Sector Ltd,spaceport,Westmere,a@b.example,A B,,",
    "=HYPERLINK(\"http://evil.example\"),voluntary,Westmere,c@d.example,C D,,",
  ].join("\r\n");
  const r = await sendFile(admin, "agencies.csv", "\uFEFF" + csv);
  expect(r.status).toBe(200);
  expect(r.text).toMatch(/3 agencies registered/i);
  expect(r.text).toContain("spaceport");
  expect(r.text).toMatch(/line 4/i);
  // The report names what it registered, not only a count.
  expect(r.text).toContain("Westmere Borough Council");
  expect(r.text).toContain("Larkspur Children's Hospice, Day Service");
  const names = (await bot.app.services.repos.agencies.list()).map((a) => a.name);
  expect(names).toEqual(expect.arrayContaining(["Westmere Borough Council", "Larkspur Children's Hospice, Day Service"]));
  // A name is kept as typed; formula injection is neutralised where CSV is written (see the status export test).
  expect(names).toContain('=HYPERLINK("http://evil.example")');
});

test("a file is fetched only over https, only from the hosts Teams serves attachments from, and refused before reading when too large", async () => {
  const plainHttp = await sendLink(admin, "plain.csv", files.url.replace("https:", "http:") + "/plain.csv");
  expect(plainHttp.text).toMatch(/secure \(https\) link/);
  const elsewhere = await sendLink(admin, "elsewhere.csv", "https://evil.example/agencies.csv");
  expect(elsewhere.text).toContain("not where Teams keeps files");
  const before = files.requests.length;
  files.served["/huge.csv"] = "agency_name,sector,partnerships\n";
  files.declaredLength["/huge.csv"] = 50 * 1024 * 1024;
  const huge = await sendLink(admin, "huge.csv", `${files.url}/huge.csv`);
  expect(huge.text).toMatch(/too large.*50\.0 MB/s);
  expect(files.requests.length).toBe(before + 1);
});

test("only admins can send files; other files are explained", async () => {
  const refused = await sendFile(stranger, "agencies2.csv", "agency_name,sector\nX,health");
  expect(refused.text).toContain("Only the partnership's admins");
  const pdf = await sendFile(admin, "policy.pdf", "%PDF");
  expect(pdf.text).toContain("Send a .csv to register agencies, or a .json");
});

test("a partnership's own template sent as JSON is validated, stored as a version and offered for new cycles", async () => {
  const broken = await sendFile(admin, "broken.json", "{ not json");
  expect(broken.text).toContain("not valid JSON");
  const invalid = await sendFile(admin, "invalid.json", JSON.stringify({ id: "edu", version: 1, name: "Education audit", standards: [{ id: "E1", title: "Policies", indicators: [{ id: "e1", text: "" }] }] }));
  expect(invalid.text).toContain("must not be empty");
  const edu = { id: "education-audit", version: 1, name: "Education safeguarding audit", standards: [{ id: "E1", title: "Designated safeguarding lead", indicators: [{ id: "e1.1", text: "A trained designated safeguarding lead and deputy are in post." }, { id: "e1.2", text: "Governors receive an annual safeguarding report." }] }] };
  const loaded = await sendFile(admin, "education.json", JSON.stringify(edu));
  expect(loaded.text).toContain("Template loaded");
  const form = await bot.invoke(admin, "admin.cycle.form", {});
  expect(JSON.stringify(form.card)).toContain("education-audit@1");
});

test("a lead registered by the CSV links on first contact and can start their return", async () => {
  const hi = await bot.say(priya, "hi");
  expect(plain(hi.text)).toContain("Westmere Borough Council");
  const audit = await bot.say(priya, "audit");
  expect(plain(audit.text)).toContain("Section 11 audit 2026-28");
  expect(plain(audit.text)).toContain(`0 of ${DEFAULT_TEMPLATE.standards.reduce((n, s) => n + s.indicators.length, 0)} indicators answered`);
});

test("the status card shows every agency of the cycle to the admin, and nothing to anyone else", async () => {
  const status = await bot.say(admin, "status");
  expect(plain(status.text)).toContain("Westmere Borough Council");
  const denied = await bot.say(stranger, "status");
  expect(plain(denied.text)).not.toContain("Westmere Borough Council");
});

test("an agency's optional tenant id is checked and kept, so its people link only from that organisation", async () => {
  const bad = await bot.invoke(admin, "admin.agency.create", { name: "Tenant Pinned Trust", sector: "health", partnerships: "Westmere", tenantId: "contoso.onmicrosoft.com" });
  expect(plain(textOf(bad.card))).toContain("is not a tenant id");
  expect(inputsOf(bad.card).tenantId).toBe("contoso.onmicrosoft.com");
  const good = await bot.invoke(admin, "admin.agency.create", { name: "Tenant Pinned Trust", sector: "health", partnerships: "Westmere", tenantId: "0A1B2C3D-0000-4000-8000-00000000ABCD" });
  expect(plain(textOf(good.card))).toContain("Registered Tenant Pinned Trust");
  expect((await bot.app.services.repos.agencies.get("tenant-pinned-trust"))?.tenantId).toBe("0a1b2c3d-0000-4000-8000-00000000abcd");
});
