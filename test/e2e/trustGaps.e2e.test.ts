import { startBot, type BotUnderTest } from "../support/botUnderTest";
import { actionOf, actionsOf, plain, textOf } from "../support/cardTools";
import { postActivity } from "../support/http";
import { answerIndicator } from "../support/section11";
import { invokeAction, newTeamsUser, personalConversationId, teamMessage, TEST_TENANT_ID, type TeamsUser } from "../support/teamsActivity";
import { DEFAULT_TEMPLATE } from "../../src/section11/templateCatalog";

/**
 * Where cards and messages go: a person's proactive messages go to their personal chat only, and
 * anything about a return, a sign-off or administration is answered only in personal chat.
 */
const TEAM = "19:executive-team@thread.tacv2";
const CHANNEL = "19:executive-general@thread.tacv2";
const AGENCY = "Kestrel Community Health";
const admin = newTeamsUser({ name: "Bea Admin", email: "bea@partnership.example" });
const lead = newTeamsUser({ name: "Lee Lead", email: "lee@kestrel.example" });
const officer = newTeamsUser({ name: "Olu Officer", email: "olu@kestrel.example" });
const all = DEFAULT_TEMPLATE.standards.flatMap((s) => s.indicators.map((i) => i.id));

let bot: BotUnderTest;
let returnId: string;

const answer = (id: string) => (id.startsWith("9.") ? { rating: "na", naReason: "We commission nothing." } : { rating: "fully", evidence: `Evidence for ${id}` });

async function setUp(b: BotUnderTest) {
  const s = b.app.services;
  await s.repos.cycles.create({ cycleId: "c1", name: "Section 11 audit 2026-28", deadline: "2027-03-31", templateId: DEFAULT_TEMPLATE.id, templateVersion: DEFAULT_TEMPLATE.version, partnerships: ["Westmere"], status: "open", createdAt: "2026-11-01T00:00:00Z", createdBy: "t" });
  await s.repos.agencies.create({ agencyId: "kestrel", name: AGENCY, sector: "health", partnerships: ["Westmere"], createdAt: "", createdBy: "" });
  for (const [u, role] of [[lead, "lead"], [officer, "officer"]] as const) {
    await s.access.grant({ role, agencyId: "kestrel", agencyName: AGENCY, holder: { kind: "email", email: u.email! }, name: u.name, email: u.email!, by: "test" });
  }
  for (const u of [admin, lead, officer]) b.addToRoster(u);
  return s.returnService.ensureReturn((await s.repos.cycles.get("c1"))!, (await s.repos.agencies.get("kestrel"))!);
}

beforeAll(async () => {
  bot = await startBot({ ADMIN_AAD_OBJECT_IDS: `${TEST_TENANT_ID}:${admin.aadObjectId}` });
  returnId = await setUp(bot);
});
afterAll(async () => bot?.stop());

const inChannel = (u: TeamsUser, text: string) => postActivity(bot.url, teamMessage(u, TEAM, CHANNEL, text, { teamName: "Safeguarding Executive", channelName: "General" }));
const channelActivities = () => bot.connector.activities.filter((a) => a.conversationId.startsWith(CHANNEL));

describe("where cards and messages go", () => {
  test("a lead typing audit in a channel is pointed to personal chat, and nothing about the agency is posted there", async () => {
    await bot.say(lead, "hi");
    const before = channelActivities().length;
    expect((await inChannel(lead, "audit")).status).toBe(200);
    const replies = await bot.connector.waitForCount(before + 1, (a) => a.conversationId.startsWith(CHANNEL));
    const card = replies[replies.length - 1].body.attachments[0].content;
    expect(plain(textOf(card))).toContain("That works in your personal chat with me");
    // A button that opens the personal chat with the bot.
    expect(JSON.stringify(card)).toContain("https://teams.microsoft.com/l/chat/0/0?users=");
    for (const a of channelActivities()) {
      const json = JSON.stringify(a.body);
      expect(json).not.toContain(AGENCY);
      expect(json).not.toContain("Section 11 audit 2026-28");
    }
  });

  test("help in a channel lists only what works there", async () => {
    const before = channelActivities().length;
    await inChannel(admin, "help");
    const replies = await bot.connector.waitForCount(before + 1, (a) => a.conversationId.startsWith(CHANNEL));
    const card = replies[replies.length - 1].body.attachments[0].content;
    const commands = actionsOf(card).filter((a) => a.verb === "cmd").map((a) => a.data.command);
    expect(commands).toContain("help");
    for (const personalOnly of ["audit", "continue", "review", "signoffs", "admin", "status", "whoami"]) expect(commands).not.toContain(personalOnly);
  });

  test("admin, status and whoami in a channel show nothing of the partnership", async () => {
    for (const command of ["admin", "status", "whoami"]) {
      const before = channelActivities().length;
      await inChannel(admin, command);
      const replies = await bot.connector.waitForCount(before + 1, (a) => a.conversationId.startsWith(CHANNEL));
      expect(plain(textOf(replies[replies.length - 1].body.attachments[0].content))).toContain("personal chat");
    }
  });

  test("a card action pressed in a channel answers the presser alone and shows no return", async () => {
    // teamsActivity's invoke is personal by default: make it a channel invoke.
    const channelInvoke = invokeAction(lead, "s11.overview", { returnId }, { conversationId: `${CHANNEL};messageid=2`, channelData: { team: { id: TEAM }, channel: { id: CHANNEL } } });
    channelInvoke.conversation = { ...channelInvoke.conversation, conversationType: "channel", isGroup: true };
    const res = await postActivity(bot.url, channelInvoke);
    expect(res.status).toBe(200);
    expect(res.body.type).toBe("application/vnd.microsoft.activity.message");
    expect(res.body.value).toContain("personal chat");
    expect(JSON.stringify(res.body)).not.toContain(AGENCY);
  });

  test("an officer who once spoke in a channel still gets the sign-off request in a personal chat, never in the channel", async () => {
    // Olu's only conversation with the bot so far is in the executive channel.
    const before = channelActivities().length;
    await inChannel(officer, "whoami");
    await bot.connector.waitForCount(before + 1, (a) => a.conversationId.startsWith(CHANNEL));
    expect(await bot.app.services.delivery.conversations.personal({ tenantId: officer.tenantId, aadObjectId: officer.aadObjectId })).toBeUndefined();

    for (const id of all) await answerIndicator(bot, lead, returnId, id, answer(id));
    const channelBefore = channelActivities().length;
    const created = bot.connector.createdConversations.length;
    const sent = await bot.invoke(lead, "s11.requestSignoff", { returnId });
    expect(plain(textOf(sent.card))).toContain("Sent for sign-off to Olu Officer");
    // A 1:1 chat was opened for Olu with their tenant and AAD object id, and the card went there.
    const conv = await bot.connector.waitForConversation((c) => bot.connector.createdConversations.indexOf(c) >= created);
    expect(conv.body.isGroup).toBe(false);
    expect(conv.body.members).toEqual([expect.objectContaining({ id: officer.aadObjectId })]);
    expect(conv.body.channelData).toEqual({ tenant: { id: officer.tenantId } });
    const card = await bot.connector.waitFor((a) => a.conversationId === conv.id && Boolean(a.body?.attachments));
    expect(plain(textOf(card.body.attachments[0].content))).toContain(AGENCY);
    expect(channelActivities().length).toBe(channelBefore);
  });

  test("a personal chat is remembered from personal turns only, and used from then on", async () => {
    await bot.say(officer, "hi");
    const ref = await bot.app.services.delivery.conversations.personal({ tenantId: officer.tenantId, aadObjectId: officer.aadObjectId });
    expect(ref?.conversationId).toBe(personalConversationId(officer));
  });
});

describe("a message that fails after the card has answered", () => {
  test("delivery slower than the card's budget, then refused: the lead is told later in their own chat", async () => {
    const b = await startBot({ ADMIN_AAD_OBJECT_IDS: `${TEST_TENANT_ID}:${admin.aadObjectId}` });
    try {
      const id = await setUp(b);
      // Ola is a senior officer the bot knows by identity only: no chat, no e-mail to fall back on.
      const ola = newTeamsUser({ name: "Ola Unreachable" });
      await b.app.services.access.grant({ role: "officer", agencyId: "kestrel", agencyName: AGENCY, holder: { kind: "person", principal: { tenantId: ola.tenantId, aadObjectId: ola.aadObjectId } }, name: ola.name, email: "", by: "test" });
      await b.app.services.access.revoke("officer", "kestrel", { kind: "email", email: officer.email! });
      await b.say(lead, "hi");
      for (const i of all) await answerIndicator(b, lead, id, i, answer(i));
      // Opening a chat with Ola is slow, then Teams refuses the message (they blocked the app).
      b.connector.setLatency(3_500);
      b.connector.failConversation(`a:new-${b.connector.createdConversations.length + 1}`, 403);
      const started = Date.now();
      const sent = await b.invoke(lead, "s11.requestSignoff", { returnId: id });
      expect(Date.now() - started).toBeLessThan(4_500);
      expect(plain(textOf(sent.card))).toContain("slow to deliver");
      b.connector.setLatency(0);
      const told = await b.connector.waitFor((a) => a.conversationId === personalConversationId(lead) && plain(textOf(a.body?.attachments?.[0]?.content ?? {})).includes("A message was not delivered"), 15_000);
      expect(plain(textOf(told.body.attachments[0].content))).toContain("Ola Unreachable");
    } finally {
      await b.stop();
    }
  }, 30_000);
});
