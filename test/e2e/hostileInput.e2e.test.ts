import fc from "fast-check";
import { startBot, type BotUnderTest } from "../support/botUnderTest";
import { openWithRating } from "../support/section11";
import { actionOf, actionsOf, inputsOf, plain, textOf } from "../support/cardTools";
import { postActivity } from "../support/http";
import { invokeAction, newTeamsUser, TEST_TENANT_ID, type TeamsUser } from "../support/teamsActivity";
import { startAzurite } from "../support/azurite";
import { DEFAULT_TEMPLATE } from "../../src/section11/templateCatalog";
import { CARD_SIZE_LIMIT } from "../../src/cards/renderCard";

/** What an attacker, a buggy client or an unlucky moment can send; each gets a clear answer and nothing breaks. */

let bot: BotUnderTest;
let returnId: string;
const lead = newTeamsUser({ name: "[Click me](https://evil.example) **Boss** <script>", email: "lead@hostile.example" });
const officer = newTeamsUser({ name: "Olu O'Brien-\"Quotes\"", email: "olu@hostile.example" });

async function setUp(b: BotUnderTest, agencyName = "O'Brien's \"Trust\" & Sons — ✨ 🏥") {
  const s = b.app.services;
  await s.repos.cycles.create({ cycleId: "c1", name: "Cycle 'one'", deadline: "2027-03-01", templateId: DEFAULT_TEMPLATE.id, templateVersion: DEFAULT_TEMPLATE.version, partnerships: ["Westmere"], status: "open", createdAt: "2026-11-01T00:00:00Z", createdBy: "t" });
  await s.repos.agencies.create({ agencyId: "obriens-trust", name: agencyName, sector: "voluntary", partnerships: ["Westmere"], createdAt: "", createdBy: "" });
  for (const [u, role] of [[lead, "lead"], [officer, "officer"]] as const) {
    await s.access.grant({ role, agencyId: "obriens-trust", agencyName, holder: { kind: "person", principal: { tenantId: u.tenantId.toLowerCase(), aadObjectId: u.aadObjectId.toLowerCase() } }, name: u.name, email: u.email!, by: "test" });
  }
  b.addToRoster(lead);
  b.addToRoster(officer);
  await b.say(officer, "hi");
  const overview = await b.say(lead, "audit");
  return actionOf(overview.card, "s11.step").data.returnId;
}

beforeAll(async () => {
  bot = await startBot();
  returnId = await setUp(bot);
});
afterAll(async () => bot?.stop());

test("quote characters that could break an OData filter are stored and read back exactly", async () => {
  const r = await bot.say(lead, "audit");
  expect(plain(r.text)).toContain("O'Brien's \"Trust\" & Sons — ✨ 🏥");
  const injected = await bot.invoke(lead, "s11.step", { returnId: returnId.replace("obriens-trust", "x' or PartitionKey ne '"), indicatorId: "1.1" });
  expect(plain(textOf(injected.card))).toContain("don't have access");
});

test("a forged version in a save ('*', garbage, none) never overwrites a newer answer and keeps what was typed", async () => {
  const step = await openWithRating(bot, lead, returnId, "3.1", "fully");
  const drawn = actionOf(step.card, "s11.save").data;
  // A colleague saves first (as from another card), so the lead's card is stale.
  const repos = bot.app.services.repos;
  const row = (await repos.returns.getAnswer(returnId, "3.1"))!;
  await repos.returns.saveAnswer(returnId, "3.1", row.etag, { ...row, rating: "partially", evidence: "The officer's newer answer" }, { name: "A colleague", key: "k" }, new Date().toISOString());
  for (const etag of ["*", "not-an-etag", "", undefined]) {
    const r = await bot.invoke(lead, "s11.save", { ...drawn, etag, answerDigest: "", then: "stay", rating: "not", evidence: `Forged over with etag ${JSON.stringify(etag)}` });
    const shown = plain(textOf(r.card));
    expect(shown).toContain("changed this answer while you were editing");
    expect(shown).toContain(`Forged over with etag ${JSON.stringify(etag)}`);
    expect(shown).not.toContain("Something went wrong");
  }
  const stored = await bot.app.services.repos.returns.getAnswer(returnId, "3.1");
  expect(stored?.evidence).toBe("The officer's newer answer");
});

test("unicode, emoji and right-to-left evidence survive a save exactly", async () => {
  const step = await openWithRating(bot, lead, returnId, "1.1", "fully");
  const evidence = "Zoë 👩🏽‍⚕️ Ōtsuka — مرحبا — \"quoted\" 'single' `tick` ${notAnExpression} {{mustache}}\nsecond line";
  await bot.invoke(lead, "s11.save", { ...actionOf(step.card, "s11.save").data, then: "stay", rating: "fully", evidence });
  const again = await bot.invoke(lead, "s11.step", { returnId, indicatorId: "1.1" });
  expect(inputsOf(again.card).evidence).toBe(evidence);
});

test("markdown and links in a person's name reach other users as plain text", async () => {
  for (const id of DEFAULT_TEMPLATE.standards.flatMap((s) => s.indicators.map((i) => i.id))) {
    const step = await openWithRating(bot, lead, returnId, id, "na");
    await bot.invoke(lead, "s11.save", { ...actionOf(step.card, "s11.save").data, then: "stay", rating: "na", naReason: "Not relevant to us" });
  }
  const before = Math.max(0, ...bot.connector.activities.map((a) => a.seq));
  await bot.invoke(lead, "s11.requestSignoff", { returnId });
  const toOfficer = await bot.connector.waitFor((a) => a.seq > before && Boolean(a.body?.attachments));
  const raw = JSON.stringify(toOfficer.body.attachments[0].content);
  expect(raw).not.toContain("[Click me](https://evil.example)");
  expect(raw).not.toContain("**Boss**");
  expect(plain(textOf(toOfficer.body.attachments[0].content))).toContain("[Click me](https://evil.example) **Boss**");
});

test("malformed JSON, an oversized body and an activity without a type are refused without crashing", async () => {
  const malformed = await fetch(`${bot.url}/api/messages`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{\"type\": \"message\", " });
  expect(malformed.status).toBe(400);
  const big = await fetch(`${bot.url}/api/messages`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ type: "message", text: "x".repeat(400_000) }) });
  expect(big.status).toBe(413);
  const typeless = await postActivity(bot.url, { text: "hi" });
  expect(typeless.status).toBeGreaterThanOrEqual(400);
  expect(typeless.status).toBeLessThan(500);
  const health = await fetch(`${bot.url}/api/health`);
  expect(health.status).toBe(200);
});

test("fuzzed card payloads always get a card back, never a server error, and never touch another return", async () => {
  const value = fc.oneof(fc.string({ maxLength: 300 }), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 20 }), { maxKeys: 3 }));
  const payload = fc.record(
    {
      returnId: fc.oneof(fc.constant(returnId), fc.constant("c1|someone-else"), fc.string({ maxLength: 60 }), value),
      indicatorId: fc.oneof(fc.constantFrom("1.1", "5.5", "10.4", "99", ""), value),
      etag: fc.oneof(fc.constant("*"), fc.string({ maxLength: 40 }), value),
      then: fc.oneof(fc.constantFrom("next", "back", "overview", "review", "stay", "sideways"), value),
      rating: fc.oneof(fc.constantFrom("fully", "partially", "not", "na", "excellent"), value),
      evidence: fc.oneof(fc.string({ maxLength: 5000 }), value),
      actionDue: fc.oneof(fc.constantFrom("2027-02-30", "2030-01-01", "tomorrow", "0000-00-00"), value),
    },
    { requiredKeys: [] },
  );
  const verb = fc.constantFrom("s11.save", "s11.step", "s11.review", "s11.overview", "s11.approve", "s11.sendBack", "s11.requestSignoff", "admin.assign", "nope");
  await fc.assert(
    fc.asyncProperty(verb, payload, async (v, data) => {
      const res = await bot.invoke(lead, v, data as Record<string, unknown>);
      expect(res.status).toBe(200);
      expect(res.card?.type).toBe("AdaptiveCard");
      expect(Buffer.byteLength(JSON.stringify(res.card))).toBeLessThan(CARD_SIZE_LIMIT);
    }),
    { numRuns: 120 },
  );
  // Nobody else's return was created or touched.
  const headers = await bot.app.services.repos.returns.listHeaders("c1");
  expect(headers.map((h) => h.agencyId)).toEqual(["obriens-trust"]);
});

test("a message with a value from an old card and plain text both get answers", async () => {
  const r = await bot.submit(lead, { verb: "cmd", command: "whoami" });
  expect(plain(r.text)).toContain("Safeguarding lead");
  const unknownSubmit = await bot.submit(lead, { verb: "legacy.thing", x: 1 });
  expect(plain(unknownSubmit.text)).toContain("not available");
  const gibberish = await bot.say(lead, "what is the meaning of life");
  expect(plain(gibberish.text)).toContain("didn't recognise");
  expect(actionsOf(gibberish.card).map((a) => a.data.command)).toContain("audit");
});

test("when storage stops answering, a save says so and keeps what was typed, with a retry that carries it", async () => {
  const azurite = await startAzurite();
  const own = await startBot({ TABLES_CONNECTION_STRING: azurite.connectionString });
  try {
    const id = await setUp(own, "Fragile Trust");
    const step = await openWithRating(own, lead, id, "1.2", "partially");
    const save = actionOf(step.card, "s11.save", (a) => a.title === "Save and next");
    await azurite.stop();
    const r = await own.invoke(lead, "s11.save", { ...save.data, rating: "partially", evidence: "Typed on the train 🚆", actionText: "Brief managers", actionOwner: "Head of HR", actionDue: "2027-05-01" });
    expect(r.status).toBe(200);
    const text = plain(textOf(r.card));
    expect(text).toContain("Not saved");
    expect(text).toContain("Typed on the train 🚆");
    const retry = actionOf(r.card, "s11.save");
    expect(retry.data.evidence).toBe("Typed on the train 🚆");
    expect(retry.data.actionDue).toBe("2027-05-01");
    const health = await fetch(`${own.url}/api/health`);
    expect(health.status).toBe(503);
  } finally {
    await own.stop();
    await azurite.stop();
  }
});

test("a throttled Bot Connector still delivers the sign-off request; a slow one does not hold up the card; an unreachable officer is named", async () => {
  const azurite = await startAzurite();
  const own = await startBot({ TABLES_CONNECTION_STRING: azurite.connectionString });
  const officer2 = newTeamsUser({ name: "Ola Never-Opened-The-App", email: "ola@hostile.example" });
  try {
    const id = await setUp(own, "Throttled Trust");
    const answerAllAgain = async (reason: string) => {
      for (const ind of DEFAULT_TEMPLATE.standards.flatMap((st) => st.indicators.map((i) => i.id))) {
        const step = await openWithRating(own, lead, id, ind, "na");
        await own.invoke(lead, "s11.save", { ...actionOf(step.card, "s11.save").data, then: "stay", rating: "na", naReason: reason });
      }
    };
    await answerAllAgain("Not relevant to us");
    const officerChat = `a:personal-${officer.tenantId}-${officer.aadObjectId}`;
    const cardsToOfficer = () => own.connector.sentTo(officerChat).filter((a) => a.body?.attachments).length;
    const base = cardsToOfficer(); // the welcome card from their "hi"

    // Throttled once: botbuilder honours Retry-After and the request still arrives.
    own.connector.failNext(1, 429, { "Retry-After": "1" });
    const sent = await own.invoke(lead, "s11.requestSignoff", { returnId: id });
    expect(plain(textOf(sent.card))).toContain("Sent for sign-off to");
    expect(plain(textOf(sent.card))).not.toContain("could not reach");
    expect(own.connector.rejected.length).toBe(1);
    // After the 429 the outbox waits out Retry-After and sends once: the officer gets exactly one card.
    await own.connector.waitFor(() => cardsToOfficer() === base + 1, 10_000);

    // Slow: the card answers within Teams' limit for card actions, the message still arrives.
    await answerAllAgain("Changed once");
    own.connector.setLatency(3_500);
    const started = Date.now();
    const slow = await own.invoke(lead, "s11.requestSignoff", { returnId: id });
    expect(Date.now() - started).toBeLessThan(4_500);
    expect(plain(textOf(slow.card))).toContain("slow to deliver");
    own.connector.setLatency(0);
    await own.connector.waitFor(() => cardsToOfficer() === base + 2, 10_000);

    // Unreachable: a second senior officer who never opened the app, and Teams refuses the chat.
    await own.app.services.access.grant({ role: "officer", agencyId: "obriens-trust", agencyName: "Throttled Trust", holder: { kind: "person", principal: { tenantId: officer2.tenantId.toLowerCase(), aadObjectId: officer2.aadObjectId.toLowerCase() } }, name: officer2.name, email: officer2.email!, by: "test" });
    await answerAllAgain("Changed twice");
    own.connector.failNext(1, 403, {}, { appliesTo: "createConversation" });
    const again = await own.invoke(lead, "s11.requestSignoff", { returnId: id });
    expect(plain(textOf(again.card))).toContain("could not reach Ola Never-Opened-The-App");
    await own.connector.waitFor(() => cardsToOfficer() === base + 3, 10_000);
    expect(cardsToOfficer()).toBe(base + 3);
  } finally {
    await own.stop();
    await azurite.stop();
  }
}, 60_000);
