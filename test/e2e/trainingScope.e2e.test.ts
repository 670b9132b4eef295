import { startBot, type BotUnderTest } from "../support/botUnderTest";
import { actionOf, plain, textOf } from "../support/cardTools";
import { postActivity } from "../support/http";
import { invokeAction, newMessageId, newTeamsUser, TEST_TENANT_ID, type TeamsUser } from "../support/teamsActivity";
import { createCourse, createSession, makeTrainer } from "../support/training";
import type { Agency } from "../../src/storage/agenciesRepo";

/**
 * A course belongs to one or more partnerships, or to all (a joint course), chosen on the course
 * form through /api/messages; each of its sessions carries that, and a channel's digest counts only
 * its partnerships' sessions and the joint ones. The form offers the choice only when the bot serves
 * more than one partnership, refuses an unknown one by name and keeps everything typed.
 */
const TEAM = "19:scope-team@thread.tacv2";
const admin = newTeamsUser({ name: "Bea Business-Manager", email: "bea@partnership.example" });
const officer = newTeamsUser({ name: "Tara Trainer", email: "tara.trainer@partnership.example" });
let bot: BotUnderTest;

const agency = (agencyId: string, partnerships: string[]): Agency => ({ agencyId, name: `Agency ${agencyId}`, sector: "education", partnerships, createdAt: "", createdBy: "test" });

/** The input of that id on a card, with its choices. */
function inputOf(card: unknown, id: string): { value?: string; choices?: Array<{ title: string; value: string }>; isMultiSelect?: boolean } | undefined {
  let found: any;
  const visit = (n: any) => {
    if (Array.isArray(n)) n.forEach(visit);
    else if (n && typeof n === "object") {
      if (typeof n.type === "string" && n.type.startsWith("Input.") && n.id === id) found = n;
      Object.values(n).forEach(visit);
    }
  };
  visit(card);
  return found;
}

function channelInvoke(user: TeamsUser, channelId: string, verb: string, data: Record<string, unknown> = {}) {
  const a = invokeAction(user, verb, data, { conversationId: `${channelId};messageid=${newMessageId()}`, serviceUrl: bot.connector.serviceUrl });
  a.conversation = { ...a.conversation, conversationType: "channel", isGroup: true };
  a.channelData = { ...a.channelData, teamsTeamId: TEAM, teamsChannelId: channelId, team: { id: TEAM }, channel: { id: channelId } };
  return a;
}

async function digestIn(channelId: string, partnerships: string): Promise<string> {
  const saved = await postActivity(bot.url, channelInvoke(admin, channelId, "digest.save", { partnerships, frequency: "weekly", weekday: "1", monthDay: "1", time: "09:00", sections: "training" }));
  expect(plain(textOf(saved.body.value))).toContain("Registered");
  const view = await postActivity(bot.url, channelInvoke(admin, channelId, "digest.view"));
  expect(view.status).toBe(200);
  return plain(textOf(view.body.value));
}

/** A session that started half an hour ago (today, so in every period; not ended, so nothing is sent), with `n` delegates booked. */
async function sessionWith(courseId: string, n: number): Promise<void> {
  const { sessionId } = await createSession(bot, officer, courseId, new Date(Date.now() - 30 * 60_000));
  for (let i = 0; i < n; i++) {
    const r = await bot.invoke(officer, "training.delegate.add", { sessionId, name: `Delegate ${courseId} ${i}`, email: `d${i}.${courseId}@agency.example`, agency: "Agency", managerName: "", managerEmail: "" });
    expect(r.card).toBeDefined();
  }
}

beforeAll(async () => {
  bot = await startBot({ ADMIN_AAD_OBJECT_IDS: `${TEST_TENANT_ID}:${admin.aadObjectId}` });
  for (const u of [admin, officer]) bot.addToRoster(u);
  await bot.say(admin, "hi");
  await makeTrainer(bot, admin, officer);
}, 60_000);

afterAll(async () => bot?.stop());

test("with one partnership served, the course form asks nothing about partnerships", async () => {
  await bot.app.services.repos.agencies.create(agency("westmere-school", ["Westmere"]));
  const form = await bot.invoke(officer, "training.course.form", {});
  expect(inputOf(form.card, "partnerships")).toBeUndefined();
  expect(plain(textOf(form.card))).not.toContain("Partnerships");
});

test("with two, the form offers each (first spelling kept) as a compact multi-select, empty for a joint course", async () => {
  await bot.app.services.repos.agencies.create(agency("eastshire-police", ["Eastshire"]));
  await bot.app.services.repos.agencies.create(agency("westmere-trust", ["EASTSHIRE", "westmere"]));
  const form = await bot.invoke(officer, "training.course.form", {});
  const input = inputOf(form.card, "partnerships")!;
  expect(input).toMatchObject({ isMultiSelect: true, style: "compact", value: "" });
  expect(input.choices).toEqual([
    { title: "Eastshire", value: "Eastshire" },
    { title: "Westmere", value: "Westmere" },
  ]);
});

test("an unknown partnership and 100,000 characters are refused by name, and everything typed is kept", async () => {
  const form = await bot.invoke(officer, "training.course.form", {});
  const create = actionOf(form.card, "training.course.create");
  const typed = { title: "T".repeat(100_000), kind: "core", outcomes: "Recognise neglect\nKnow how to refer", followUpWeeks: "8", reminderAfter: "3 days", escalationAfter: "7 days", partnerships: `Westmere,Northvale,${"P".repeat(100_000)}` };
  const r = await bot.invoke(officer, create.verb, { ...create.data, ...typed });
  const shown = plain(textOf(r.card));
  expect(shown).toContain("The course was not created yet");
  expect(shown).toContain('"Northvale" is not a partnership this bot serves (known: Eastshire, Westmere).');
  expect(shown).toContain("A partnership name is 100,000 characters; the limit is 200.");
  expect(shown).toContain("The title is 100,000 characters; the limit is 200.");
  // What was typed comes back (as far as each input holds), the choices made still chosen.
  expect(inputOf(r.card, "partnerships")!.value).toBe(typed.partnerships.slice(0, 2000));
  expect(inputOf(r.card, "outcomes")!.value).toBe(typed.outcomes);
  expect(inputOf(r.card, "title")!.value).toBe("T".repeat(300));
  expect(inputOf(r.card, "reminderAfter")!.value).toBe("3 days");
  expect(await bot.app.services.training.deps.repo.listCourses()).toHaveLength(0);
});

test("a Westmere-only channel's digest counts Westmere's and joint sessions only; a channel of both counts all", async () => {
  const westmere = await createCourse(bot, officer, { title: "Westmere neglect tool", partnerships: "westmere" });
  expect(plain(textOf(westmere.card))).toMatch(/Partnerships: Westmere/);
  const eastshire = await createCourse(bot, officer, { title: "Eastshire exploitation", partnerships: "Eastshire" });
  expect(plain(textOf(eastshire.card))).toMatch(/Partnerships: Eastshire/);
  const joint = await createCourse(bot, officer, { title: "Joint LADO awareness" });
  expect(plain(textOf(joint.card))).toMatch(/Partnerships: All partnerships \(joint\)/);

  await sessionWith(westmere.courseId, 1);
  await sessionWith(eastshire.courseId, 2);
  await sessionWith(joint.courseId, 4);

  const west = await digestIn("19:scope-westmere@thread.tacv2", "Westmere");
  expect(west).toMatch(/Year to date \(from [^)]+\): 2 sessions, 5 delegates, evaluations answered by 0 of 5 \(0%\)\./);
  expect(west).toMatch(/Since [^:]+: 2 sessions, 5 delegates/);
  const east = await digestIn("19:scope-eastshire@thread.tacv2", "Eastshire");
  expect(east).toMatch(/Year to date \(from [^)]+\): 2 sessions, 6 delegates/);
  const both = await digestIn("19:scope-both@thread.tacv2", "Westmere,Eastshire");
  expect(both).toMatch(/Year to date \(from [^)]+\): 3 sessions, 7 delegates/);
});
