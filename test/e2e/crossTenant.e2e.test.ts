import { randomUUID } from "node:crypto";
import { startBot, type BotUnderTest } from "../support/botUnderTest";
import { openWithRating } from "../support/section11";
import { actionOf, inputsOf, plain, textOf } from "../support/cardTools";
import { postActivity } from "../support/http";
import { conversationUpdateMembersAdded, installationUpdate, invokeAction, message, newTeamsUser, type TeamsUser } from "../support/teamsActivity";
import { DEFAULT_TEMPLATE } from "../../src/section11/templateCatalog";
import type { TableName } from "../../src/storage/tableStore";

/**
 * Agencies' staff sit in different Microsoft 365 organisations, and an AAD object id is unique
 * only within its tenant. A person is (tenant, object id): someone in another partner tenant who
 * happens to have the same object id gets nothing of theirs, and someone from a tenant outside
 * ALLOWED_TENANT_IDS is turned away politely before anything about them is looked up or stored.
 */
const TENANT_A = "00000000-0000-4000-8000-0000000000aa";
const TENANT_B = "00000000-0000-4000-8000-0000000000bb";
const TENANT_UNLISTED = "00000000-0000-4000-8000-0000000000cc";
const SHARED_OID = randomUUID();

// Teams user ids ("29:...") differ per tenant even when the object ids collide.
const alex = newTeamsUser({ tenantId: TENANT_A, aadObjectId: SHARED_OID, id: `29:1a-${SHARED_OID}`, name: "Alex Agency-X", email: "alex@agency-x.example" });
const blake = newTeamsUser({ tenantId: TENANT_B, aadObjectId: SHARED_OID, id: `29:1b-${SHARED_OID}`, name: "Blake Tenant-B", email: "blake@tenant-b.example" });
const casey = newTeamsUser({ tenantId: TENANT_UNLISTED, name: "Casey Unlisted", email: "casey@unlisted.example" });
// Outside the partnership, with the very same object id as Alex.
const dana = newTeamsUser({ tenantId: TENANT_UNLISTED, aadObjectId: SHARED_OID, id: `29:1c-${SHARED_OID}`, name: "Dana Same-Id", email: "dana@unlisted.example" });

const AGENCY_X = "Xanadu Borough Council";
const ALEX_EVIDENCE = "Alex's evidence: safeguarding policy reviewed by the board on 3 Oct 2026.";
const REFUSAL = /only available to the organisations in the safeguarding partnership/;

let bot: BotUnderTest;
let returnId: string;

beforeAll(async () => {
  bot = await startBot({
    // Upper case on purpose: Teams sends tenant ids in lower case.
    ALLOWED_TENANT_IDS: `${TENANT_A},${TENANT_B.toUpperCase()}`,
    // A bare object id means the home tenant (the first allowed): Alex is an admin, Blake is not.
    ADMIN_AAD_OBJECT_IDS: SHARED_OID,
  });
  for (const u of [alex, blake, casey, dana]) bot.addToRoster(u);
  const s = bot.app.services;
  await s.repos.cycles.create({ cycleId: "s11-x", name: "Section 11 audit 2026-28", deadline: "2027-02-28", templateId: DEFAULT_TEMPLATE.id, templateVersion: DEFAULT_TEMPLATE.version, partnerships: ["Westmere"], status: "open", createdAt: "2026-11-01T09:00:00Z", createdBy: "test" });
  await s.repos.agencies.create({ agencyId: "xanadu", name: AGENCY_X, sector: "local_authority", partnerships: ["Westmere"], createdAt: "", createdBy: "" });
  // Granted by e-mail, as an admin does before the lead has ever talked to the bot.
  await s.access.grant({ role: "lead", agencyId: "xanadu", agencyName: AGENCY_X, holder: { kind: "email", email: alex.email! }, name: alex.name, email: alex.email!, by: "test" });
});

afterAll(async () => {
  await bot?.stop();
});

const cardText = (card: unknown) => plain(textOf(card));

async function allEntities(table: TableName): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  for await (const e of bot.app.store.table(table).listEntities<Record<string, unknown>>()) out.push(e);
  return out;
}

test("tenant A's lead links by e-mail, opens agency X's return and saves an answer", async () => {
  const hi = await bot.say(alex, "hi");
  expect(cardText(hi.card)).toContain(AGENCY_X);
  const audit = await bot.say(alex, "audit");
  returnId = actionOf(audit.card, "s11.step").data.returnId;
  expect(returnId).toContain("xanadu");

  const step = await openWithRating(bot, alex, returnId, "1.1", "fully");
  const save = actionOf(step.card, "s11.save");
  const saved = await bot.invoke(alex, "s11.save", { ...save.data, then: "stay", rating: "fully", evidence: ALEX_EVIDENCE, naReason: "", actionText: "", actionOwner: "", actionDue: "" });
  expect(cardText(saved.card)).toContain("Saved");
});

test("tenant B's user with the same object id has no access to X's return and sees none of A's data", async () => {
  const hi = await bot.say(blake, "hi");
  expect(hi.status).toBe(200);
  expect(cardText(hi.card)).toContain("Not registered yet");
  expect(cardText(hi.card)).not.toContain(AGENCY_X);

  const audit = await bot.say(blake, "audit");
  expect(cardText(audit.card)).toContain("No return for you yet");
  const whoami = await bot.say(blake, "whoami");
  expect(cardText(whoami.card)).toContain("no roles");
  // The configured admin entry is Alex in the home tenant, not the same object id elsewhere.
  const admin = await bot.say(blake, "admin");
  expect(cardText(admin.card)).toContain("Only the partnership's admins");

  for (const verb of ["s11.overview", "s11.step", "s11.review"]) {
    const r = await bot.invoke(blake, verb, { returnId, indicatorId: "1.1" });
    expect(r.status).toBe(200);
    const text = cardText(r.card);
    expect(text).toContain("don't have access");
    expect(text).not.toContain(AGENCY_X);
    expect(JSON.stringify(r.card)).not.toContain("board on 3 Oct");
  }
  expect(bot.connector.activities.filter((a) => a.conversationId.includes(TENANT_B)).every((a) => !JSON.stringify(a.body).includes("board on 3 Oct") && !JSON.stringify(a.body).includes(AGENCY_X))).toBe(true);
  expect(await bot.app.services.returnService.returnsFor({ principal: { tenantId: TENANT_B, aadObjectId: SHARED_OID }, name: blake.name })).toEqual([]);
});

test("tenant B's user cannot save to X's return with the return id and ETag taken from A's card", async () => {
  const step = await openWithRating(bot, alex, returnId, "1.1", "not");
  const save = actionOf(step.card, "s11.save");
  const attempt = await bot.invoke(blake, "s11.save", { ...save.data, then: "stay", rating: "not", evidence: "Overwritten from tenant B", naReason: "", actionText: "Nothing", actionOwner: "B", actionDue: "2027-06-30" });
  expect(cardText(attempt.card)).toContain("don't have access");
  const signoff = await bot.invoke(blake, "s11.requestSignoff", { returnId });
  expect(cardText(signoff.card)).toContain("don't have access");

  const after = await bot.invoke(alex, "s11.step", { returnId, indicatorId: "1.1" });
  expect(inputsOf(after.card).evidence).toBe(ALEX_EVIDENCE);
  expect(inputsOf(after.card).rating).toBe("fully");
});

test("storage keeps the two people apart: separate rows, and grants only for tenant A's", async () => {
  const s = bot.app.services;
  const a = await s.people.get({ tenantId: TENANT_A, aadObjectId: SHARED_OID });
  const b = await s.people.get({ tenantId: TENANT_B, aadObjectId: SHARED_OID });
  expect(a?.email).toBe(alex.email);
  expect(b?.email).toBe(blake.email);
  const roles = await s.access.rolesOf({ principal: { tenantId: TENANT_B, aadObjectId: SHARED_OID }, name: blake.name });
  expect(roles.admin).toBe(false);
  expect(roles.agencies.size).toBe(0);
  const grants = await allEntities("Grants");
  expect(grants.some((g) => String(g.holder).includes(TENANT_A))).toBe(true);
  expect(grants.some((g) => JSON.stringify(g).includes(TENANT_B))).toBe(false);
  const returns = await allEntities("Returns");
  expect(returns.some((r) => JSON.stringify(r).includes(TENANT_B))).toBe(false);
});

test("a user from a tenant outside the partnership is refused politely, for a message and for an invoke", async () => {
  const said = await bot.say(casey, "hi");
  expect(said.status).toBe(200);
  expect(said.text).toMatch(REFUSAL);
  expect(said.card).toBeUndefined();

  const invoked = await bot.invoke(casey, "cmd", { command: "help" });
  expect(invoked.status).toBe(200);
  expect(invoked.body).toEqual({ statusCode: 200, type: "application/vnd.microsoft.activity.message", value: expect.stringMatching(REFUSAL) });

  // Installing the app, or being added to a chat with it, is refused the same way (silently).
  for (const activity of [conversationUpdateMembersAdded(casey), installationUpdate(casey, "add")]) {
    expect((await postActivity(bot.url, activity)).status).toBe(200);
  }
});

test("the same object id from outside the partnership gets neither A's return nor A's admin rights", async () => {
  expect((await bot.say(dana, "audit")).text).toMatch(REFUSAL);
  expect((await bot.say(dana, "admin")).text).toMatch(REFUSAL);
  const step = await bot.invoke(dana, "s11.step", { returnId, indicatorId: "1.1" });
  expect(step.card).toBeUndefined();
  expect(step.body.value).toMatch(REFUSAL);
  expect(JSON.stringify(step.body)).not.toContain("board on 3 Oct");
});

test("an activity with no tenant at all is refused too", async () => {
  const anonymous = message(newTeamsUser({ name: "No Tenant" }), "hi") as unknown as { channelData: Record<string, unknown>; conversation: Record<string, unknown> };
  delete anonymous.channelData.tenant;
  delete anonymous.conversation.tenantId;
  const res = await postActivity(bot.url, anonymous);
  expect(res.status).toBe(200);
  const reply = await bot.connector.waitFor((a) => a.conversationId === (anonymous.conversation.id as string) && typeof a.body?.text === "string");
  expect(reply.body.text).toMatch(REFUSAL);
});

test("nothing at all is stored or looked up for people outside the partnership", async () => {
  const lookedUp = (u: TeamsUser) => bot.connector.requests.some((r) => r.path.includes("/members/") && decodeURIComponent(r.path).includes(u.id!));
  // (The partnership's people were looked up on first contact, so the check below can see one.)
  expect(lookedUp(alex) && lookedUp(blake)).toBe(true);
  const outsiders: TeamsUser[] = [casey, dana];
  for (const u of outsiders) {
    expect(await bot.app.services.people.get({ tenantId: u.tenantId, aadObjectId: u.aadObjectId })).toBeUndefined();
    // No roster lookup either: the bot never asked Teams for their e-mail.
    expect(lookedUp(u)).toBe(false);
  }
  for (const table of ["People", "Grants", "Returns"] as const) {
    for (const e of await allEntities(table)) {
      const json = JSON.stringify(e).toLowerCase();
      expect(json).not.toContain(TENANT_UNLISTED);
      expect(json).not.toContain(casey.aadObjectId);
      expect(json).not.toContain("unlisted.example");
    }
  }
  const people = await allEntities("People");
  expect(people.filter((p) => p.partitionKey === TENANT_UNLISTED)).toEqual([]);
  expect(people.filter((p) => String(p.partitionKey) !== "email" && p.rowKey === SHARED_OID).map((p) => p.partitionKey).sort()).toEqual([TENANT_A, TENANT_B]);
});

test("an e-mail grant of an agency with no tenant links only the person in the partnership's tenant, whoever reports the address first", async () => {
  const s = bot.app.services;
  const shared = "shared.inbox@agency-y.example";
  const inA = newTeamsUser({ tenantId: TENANT_A, name: "Ash In-A", email: shared });
  const inB = newTeamsUser({ tenantId: TENANT_B, name: "Bo In-B", email: shared });
  for (const u of [inA, inB]) bot.addToRoster(u);
  await s.repos.agencies.create({ agencyId: "yonder", name: "Yonder Trust", sector: "voluntary", partnerships: ["Westmere"], createdAt: "", createdBy: "" });
  await s.access.grant({ role: "lead", agencyId: "yonder", agencyName: "Yonder Trust", holder: { kind: "email", email: shared }, name: "Ash", email: shared, by: "test" });
  // Tenant B (another organisation, allowed to use the bot) reports the address first.
  await bot.say(inB, "hi");
  await bot.say(inA, "hi");
  expect((await s.people.withEmail(shared)).length).toBe(2);
  // The grant is held by Ash in tenant A (the partnership's home tenant, first in ALLOWED_TENANT_IDS), and by nobody else.
  const holders = (await s.repos.grants.forAgency("yonder")).map((g) => g.holder);
  expect(holders).toEqual([`p:${TENANT_A}:${inA.aadObjectId}`]);
  expect(cardText((await bot.say(inA, "audit")).card)).toContain("Yonder Trust");
  expect(cardText((await bot.say(inB, "audit")).card)).not.toContain("Yonder Trust");
});

test("an agency pinned to its tenant is linked only to someone signing in from that tenant", async () => {
  const s = bot.app.services;
  const address = "dsl@zephyr-school.example";
  const impostor = newTeamsUser({ tenantId: TENANT_B, name: "Ima Postor", email: address });
  const realLead = newTeamsUser({ tenantId: TENANT_A, name: "Rae Real-Lead", email: address });
  for (const u of [impostor, realLead]) bot.addToRoster(u);
  await s.repos.agencies.create({ agencyId: "zephyr", name: "Zephyr School", sector: "education", partnerships: ["Westmere"], tenantId: TENANT_A, createdAt: "", createdBy: "" });
  await s.access.grant({ role: "lead", agencyId: "zephyr", agencyName: "Zephyr School", holder: { kind: "email", email: address }, name: "Rae", email: address, by: "test" });

  // Tenant B reports the address first: nothing is linked to them.
  await bot.say(impostor, "hi");
  expect(cardText((await bot.say(impostor, "audit")).card)).not.toContain("Zephyr School");
  // The lead from the agency's own tenant then links, although the address is now reported twice.
  await bot.say(realLead, "hi");
  expect(cardText((await bot.say(realLead, "audit")).card)).toContain("Zephyr School");
  expect(cardText((await bot.say(impostor, "audit")).card)).not.toContain("Zephyr School");
});
