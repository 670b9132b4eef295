import { startBot, type BotUnderTest } from "../support/botUnderTest";
import { actionOf, plain, textOf } from "../support/cardTools";
import { postActivity } from "../support/http";
import type { DigestDeps } from "../../src/digest/channelAccess";
import { invokeAction, newMessageId, newTeamsUser, teamMessage, toConnectorMember, type TeamsUser } from "../support/teamsActivity";

/**
 * The digest's channel list and settings card (admin, personal chat) name each channel
 * "<team> › <channel>" as Teams last named them on the channel's own activity: shown as text
 * (markdown escaped), cut to a readable length, kept current on later activity by someone of the
 * channel's tenant only, and never shown to an admin of another tenant. No name known: the date.
 */
const TEAM = "19:names-team@thread.tacv2";
const CHANNEL = "19:names-exec@thread.tacv2";
const BARE_TEAM = "19:bare-team@thread.tacv2";
const BARE_CHANNEL = "19:bare-channel@thread.tacv2";
const OTHER_TENANT = "00000000-0000-4000-8000-0000000c0c0c";
const HOSTILE_CHANNEL = "Exec **board** [click](https://evil.example)";
const LONG_TEAM = `Safeguarding Executive ${"x".repeat(300)}`;

const admin = newTeamsUser({ name: "Ada Admin" });
const otherAdmin = newTeamsUser({ name: "Oli Otheradmin", tenantId: OTHER_TENANT });
const guest = newTeamsUser({ name: "Gus Guest", tenantId: OTHER_TENANT });
let bot: BotUnderTest;

const SETTINGS = { partnerships: "Westmere", frequency: "weekly", weekday: "1", monthDay: "1", time: "09:00", sections: "returns,standards" };

function channelInvoke(user: TeamsUser, teamId: string, channelId: string, verb: string, data: Record<string, unknown>, names: { team?: string; channel?: string }) {
  const a = invokeAction(user, verb, data, { conversationId: `${channelId};messageid=${newMessageId()}`, serviceUrl: bot.connector.serviceUrl });
  a.conversation = { ...a.conversation, conversationType: "channel", isGroup: true };
  a.channelData = { ...a.channelData, teamsTeamId: teamId, teamsChannelId: channelId, team: { id: teamId, ...(names.team ? { name: names.team } : {}) }, channel: { id: channelId, ...(names.channel ? { name: names.channel } : {}) } };
  return a;
}
// What is stored, read through the app's own repository (the service keeps its deps private).
const stored = async (teamId = TEAM, channelId = CHANNEL) => (await (bot.app.services.digest as unknown as { d: DigestDeps }).d.digests.getRegistration(teamId, channelId))!.reg;
const listFor = async (u: TeamsUser) => {
  const r = await bot.say(u, "digest");
  return { card: r.card, raw: textOf(r.card), text: plain(textOf(r.card)) };
};

beforeAll(async () => {
  bot = await startBot({ ALLOWED_TENANT_IDS: "*", ADMIN_AAD_OBJECT_IDS: `${admin.tenantId}:${admin.aadObjectId},${otherAdmin.tenantId}:${otherAdmin.aadObjectId}` });
  bot.connector.setMembers([admin, guest].map((u) => toConnectorMember(u)));
  await bot.app.services.repos.agencies.create({ agencyId: "plover", name: "Plover Academy Trust", sector: "education", partnerships: ["Westmere"], createdAt: "", createdBy: "" });
  for (const u of [admin, otherAdmin]) await bot.say(u, "hi");
  // One channel Teams names, one it does not (the fallback).
  const named = await postActivity(bot.url, channelInvoke(admin, TEAM, CHANNEL, "digest.save", SETTINGS, { team: LONG_TEAM, channel: HOSTILE_CHANNEL }));
  expect(plain(textOf(named.body.value))).toContain("Registered");
  const bare = await postActivity(bot.url, channelInvoke(admin, BARE_TEAM, BARE_CHANNEL, "digest.save", SETTINGS, {}));
  expect(plain(textOf(bare.body.value))).toContain("Registered");
}, 90_000);
afterAll(async () => bot?.stop());

test("registering stores the team's and channel's names from the activity, length-limited", async () => {
  const reg = await stored();
  expect(reg.channelName).toBe(HOSTILE_CHANNEL);
  expect(reg.teamName.length).toBe(256);
  expect(reg.teamName.startsWith("Safeguarding Executive x")).toBe(true);
  expect((await stored(BARE_TEAM, BARE_CHANNEL))).toMatchObject({ teamName: "", channelName: "" });
});

test("the admin's channel list heads each channel '<team> › <channel>', escaped and cut; the date when no name is known", async () => {
  const list = await listFor(admin);
  const shownTeam = `Safeguarding Executive ${"x".repeat(60 - "Safeguarding Executive ".length - 1)}…`;
  expect(list.text).toContain(`${shownTeam} › ${HOSTILE_CHANNEL}`);
  expect(list.text).not.toContain("x".repeat(61));
  // Markdown escaped: no link, no bold.
  expect(list.raw).not.toContain("[click](https://evil.example)");
  expect(list.raw).not.toContain("**board**");
  expect(list.text).toMatch(/Channel registered \d{1,2} \w{3} \d{4}/);
  expect(list.text.match(/Channel registered/g)).toHaveLength(1);
});

test("the settings card opened from the list names the channel", async () => {
  const list = await listFor(admin);
  const data = actionOf(list.card, "digest.settings", (a) => a.data.channelId === CHANNEL).data;
  const settings = await bot.invoke(admin, "digest.settings", data);
  expect(plain(textOf(settings.card))).toContain(`Digest settings for Safeguarding Executive`);
  expect(plain(textOf(settings.card))).toContain(`› ${HOSTILE_CHANNEL}`);
  const bare = await bot.invoke(admin, "digest.settings", { teamId: BARE_TEAM, channelId: BARE_CHANNEL });
  expect(plain(textOf(bare.card))).toContain("Digest settings for this channel");
});

test("a renamed channel's later activity refreshes the name; a guest of another tenant cannot rename it", async () => {
  await postActivity(bot.url, teamMessage(admin, TEAM, CHANNEL, "digest", { teamName: "Safeguarding Executive", channelName: "Executive board" }));
  await expect(stored()).resolves.toMatchObject({ teamName: "Safeguarding Executive", channelName: "Executive board" });
  // Someone of another organisation in a shared channel: the names their activity carries are not taken.
  await postActivity(bot.url, teamMessage(guest, TEAM, CHANNEL, "digest", { teamName: "Hijacked team", channelName: "Hijacked" }));
  await expect(stored()).resolves.toMatchObject({ teamName: "Safeguarding Executive", channelName: "Executive board" });
  expect((await listFor(admin)).text).toContain("Safeguarding Executive › Executive board");
  // A later activity without names keeps the stored ones.
  await postActivity(bot.url, teamMessage(admin, TEAM, CHANNEL, "digest"));
  await expect(stored()).resolves.toMatchObject({ teamName: "Safeguarding Executive", channelName: "Executive board" });
});

test("an admin of another tenant never sees the channel's names, in the list or on its settings card", async () => {
  const list = await listFor(otherAdmin);
  expect(list.text).toContain("channels registered");
  expect(list.text).not.toContain("Safeguarding Executive");
  expect(list.text).not.toContain("Executive board");
  expect(list.text.match(/Channel registered/g)).toHaveLength(2);
  const settings = await bot.invoke(otherAdmin, "digest.settings", { teamId: TEAM, channelId: CHANNEL });
  expect(plain(textOf(settings.card))).toContain("Digest settings for this channel");
  expect(plain(textOf(settings.card))).not.toContain("Executive board");
});
