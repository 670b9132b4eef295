import { startBot, type BotUnderTest } from "../support/botUnderTest";
import { actionOf, actionsOf, inputsOf, plain, textOf } from "../support/cardTools";
import { answerIndicator } from "../support/section11";
import { fileConsentInvoke, newTeamsUser, personalConversationId, TEST_TENANT_ID, type TeamsUser } from "../support/teamsActivity";
import { DEFAULT_TEMPLATE } from "../../src/section11/templateCatalog";
import { returnPartition } from "../../src/storage/returnsRepo";
import { addDays, ukDate } from "../../src/time";
import { ChallengesRepo } from "../../src/storage/challengesRepo";
import { deleteAgency } from "../../src/admin/agencyData";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createServer } from "node:http";
import { postActivity } from "../support/http";

/**
 * Challenge panels end to end through /api/messages: the admin creates panels (suggested by
 * sector); a member reads their panel's submitted returns (ratings side by side, changes since
 * first submission, open actions) and is refused any other return or panel; a challenge
 * (comment, moderated rating, agreed action) reaches the agency's lead in their chat and the
 * lead's answer comes back to the member, the conversation kept with who and when. Bad input:
 * ids of another agency, panel or cycle; oversized text; markdown in names. The admin changes and
 * deletes a panel (members lose access at once, the conversations stay with the returns).
 */
const admin = newTeamsUser({ name: "Bea Admin", email: "bea@partnership.example" });
const lead = newTeamsUser({ name: "Lee Lead", email: "lee@plover.example" });
const officer = newTeamsUser({ name: "Olu Officer", email: "olu@plover.example" });
const curlewLead = newTeamsUser({ name: "Cara Curlew-Lead", email: "cara@curlew.example" });
const curlewOfficer = newTeamsUser({ name: "Col Curlew-Officer", email: "col@curlew.example" });
const member = newTeamsUser({ name: "Dr Amira Khan", email: "amira@icb.example" });
const member2 = newTeamsUser({ name: "Pat Police", email: "pat@police.example" });
const stranger = newTeamsUser({ name: "Sly Stranger", email: "sly@nowhere.example" });
/** A second lead of the same agency whom Teams cannot reach (the app blocked): told by e-mail. */
const blockedLead = newTeamsUser({ name: "Lou Second-Lead", email: "lou@plover.example" });

let bot: BotUnderTest;
const plover = returnPartition("c1", "plover");
const curlew = returnPartition("c1", "curlew");
const all = DEFAULT_TEMPLATE.standards.flatMap((s) => s.indicators.map((i) => i.id));
const text = (r: { card?: unknown; text?: string }) => plain(r.card ? textOf(r.card) : r.text ?? "");
/** Every input of a card, in the order it shows, with its settings. */
const inputList = (card: unknown): Array<Record<string, unknown>> => {
  const out: Array<Record<string, unknown>> = [];
  const walk = (n: unknown) => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === "object") {
      const o = n as Record<string, unknown>;
      if (typeof o.type === "string" && o.type.startsWith("Input.")) out.push(o);
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return out;
};
/** Where in the card (as shown, top to bottom) an input or a button comes. */
const placeOf = (card: unknown, needle: string) => JSON.stringify(card).indexOf(needle);
let panelA = "";
let panelB = "";
const cardsTo = (u: TeamsUser, includes: string) => bot.connector.activities.filter((a) => a.operation === "send" && a.conversationId === personalConversationId(u) && plain(textOf(a.body?.attachments?.[0]?.content ?? {})).includes(includes));

async function submit(l: TeamsUser, o: TeamsUser, returnId: string) {
  for (const id of all) await answerIndicator(bot, l, returnId, id, id === "2.1" ? { rating: "partially", evidence: "Policy **draft** only", actionText: "Approve the policy", actionOwner: "Board", actionDue: addDays(ukDate(new Date()), 40) } : id.startsWith("9.") ? { rating: "na", naReason: "We commission nothing." } : { rating: "fully", evidence: `Evidence for ${id}` });
  expect(text(await bot.invoke(l, "s11.requestSignoff", { returnId }))).toContain("Sent for sign-off");
  expect(text(await bot.invoke(o, "s11.approve", { returnId }))).toContain("Signed off and submitted");
}

beforeAll(async () => {
  bot = await startBot({ ADMIN_AAD_OBJECT_IDS: `${TEST_TENANT_ID}:${admin.aadObjectId}` });
  const s = bot.app.services;
  await s.repos.cycles.create({ cycleId: "c1", name: "Section 11 audit 2026-28", deadline: "2099-03-31", templateId: DEFAULT_TEMPLATE.id, templateVersion: DEFAULT_TEMPLATE.version, partnerships: ["Westmere"], status: "open", createdAt: "2026-11-01T00:00:00Z", createdBy: "t" });
  await s.repos.agencies.create({ agencyId: "plover", name: "Plover Academy Trust", sector: "education", partnerships: ["Westmere"], createdAt: "", createdBy: "" });
  await s.repos.agencies.create({ agencyId: "wren", name: "Wren **Primary** School", sector: "early_years", partnerships: ["Westmere"], createdAt: "", createdBy: "" });
  await s.repos.agencies.create({ agencyId: "curlew", name: "Curlew Children's Centre", sector: "voluntary", partnerships: ["Westmere"], createdAt: "", createdBy: "" });
  for (const u of [admin, lead, officer, curlewLead, curlewOfficer, member, member2, stranger, blockedLead]) bot.addToRoster(u);
  for (const [u, agencyId, role] of [[lead, "plover", "lead"], [officer, "plover", "officer"], [curlewLead, "curlew", "lead"], [curlewOfficer, "curlew", "officer"]] as const) await bot.invoke(admin, "admin.assign", { agencyId, role, email: u.email, personName: u.name });
  await bot.invoke(admin, "admin.assign", { agencyId: "plover", role: "lead", email: blockedLead.email, personName: blockedLead.name });
  for (const u of [admin, lead, officer, curlewLead, curlewOfficer, member, member2, blockedLead]) await bot.say(u, "hi");
  bot.connector.failConversation(personalConversationId(blockedLead), 403, "MessageWritesBlocked");
  await bot.say(lead, "audit");
  await bot.say(curlewLead, "audit");
  await submit(lead, officer, plover);
  await submit(curlewLead, curlewOfficer, curlew);
  // Changed since the first submission: 1.1 fully -> partially.
  await answerIndicator(bot, lead, plover, "1.1", { rating: "partially", evidence: "Lead left in October", actionText: "Appoint a new lead", actionOwner: "CEO", actionDue: addDays(ukDate(new Date()), 30) });
}, 180_000);
afterAll(async () => bot?.stop());

describe("the admin creates panels", () => {
  test("suggests a sector's agencies, refuses bad input with a reason each, keeps what was typed", async () => {
    const form = await bot.invoke(admin, "panel.form", {});
    expect(text(form)).toContain("Create a challenge panel");
    const suggested = await bot.invoke(admin, "panel.suggest", { ...inputsOf(form.card), sector: "education", members: member.email });
    const ids = String(inputsOf(suggested.card).agencyIds).split(",");
    expect(ids.sort()).toEqual(["plover", "wren"]); // early years reports with education; the voluntary centre is not suggested
    expect(inputsOf(suggested.card).members).toBe(member.email);

    const bad = await bot.invoke(admin, "panel.create", { name: "x".repeat(300), date: "2027-02-30", cycleId: "no-such-cycle", members: `${member.email}\n${stranger.email}\nnot-an-email`, agencyIds: "plover,ghost", sector: "" });
    const t = text(bad);
    expect(t).toContain("Not created");
    expect(t).toContain("the limit is 120");
    expect(t).toContain("Choose the date the panel meets");
    expect(t).toContain("Choose one of the cycles listed");
    expect(t).toContain("not registered in this cycle's partnerships");
    expect(t).toContain("Not an e-mail address: not-an-email");
    // Someone who has not talked to the bot yet is no problem: they would wait on their address (test/e2e/panelMembers.e2e.test.ts).
    expect(t).not.toContain(stranger.email);
    expect(String(inputsOf(bad.card).members)).toContain(stranger.email);
    expect(await bot.app.services.panels["d"].panels.list()).toEqual([]);
    // Only admins.
    expect(text(await bot.invoke(lead, "panel.create", { name: "Mine", date: "2027-02-10", cycleId: "c1", members: lead.email, agencyIds: "plover" }))).toContain("Only the partnership's admins");
  });

  test("the form on a phone: sector suggestion first, a compact agency picker with the choice in words, a placeholder for the e-mails, nothing typed lost", async () => {
    const form = await bot.invoke(admin, "panel.form", {});
    const ins = inputList(form.card);
    const byId = Object.fromEntries(ins.map((i) => [i.id, i]));
    // The sector suggestion (and its button) comes before the agency list it fills in.
    expect(placeOf(form.card, '"id":"sector"')).toBeLessThan(placeOf(form.card, '"verb":"panel.suggest"'));
    expect(placeOf(form.card, '"verb":"panel.suggest"')).toBeLessThan(placeOf(form.card, '"id":"agencyIds"'));
    expect(byId.agencyIds).toMatchObject({ isMultiSelect: true, style: "compact" });
    expect(byId.sector).toMatchObject({ style: "compact" });
    expect(String(byId.members.placeholder)).toContain("name@agency.org, one per line");
    // Suggesting on an empty form must not be stopped by the client's required-field check: the bot says what is missing when creating.
    expect(ins.filter((i) => i.isRequired && i.id !== "cycleId").map((i) => i.id)).toEqual([]);
    expect(text(form)).toContain("None chosen yet");

    const suggested = await bot.invoke(admin, "panel.suggest", { ...inputsOf(form.card), sector: "education", date: "2027-03-01", members: `${member.email}\nnew.person@agency.org` });
    expect(text(suggested)).toMatch(/2 of \d+ chosen: Plover Academy Trust; Wren/);
    expect(inputsOf(suggested.card)).toMatchObject({ date: "2027-03-01", members: `${member.email}\nnew.person@agency.org`, sector: "education" });
    // No sector chosen: said, and everything typed comes back.
    const typed = { name: "My **panel**", date: "2027-03-02", cycleId: "c1", members: "a@agency.org\nb@agency.org", agencyIds: "plover,curlew", sector: "" };
    const none = await bot.invoke(admin, "panel.suggest", typed);
    expect(text(none)).toContain("Choose a sector");
    expect(inputsOf(none.card)).toMatchObject(typed);
    expect(text(none)).toMatch(/2 of \d+ chosen: Curlew/);
    // Creating with problems keeps it all too.
    const bad = await bot.invoke(admin, "panel.create", { ...typed, date: "not a date" });
    expect(text(bad)).toContain("Not created");
    expect(inputsOf(bad.card)).toMatchObject({ ...typed, date: "not a date" });
    expect(await bot.app.services.panels["d"].panels.list()).toEqual([]);
  });

  test("creates two panels; markdown in a name shows as typed", async () => {
    const a = await bot.invoke(admin, "panel.create", { name: "Education **panel** [x](http://evil.example)", date: "2027-02-10", cycleId: "c1", members: member.email, agencyIds: "plover,wren" });
    expect(text(a)).toContain("Panel created");
    expect(textOf(a.card)).not.toContain("[x](http");
    const b = await bot.invoke(admin, "panel.create", { name: "Voluntary panel", date: "2027-02-11", cycleId: "c1", members: member2.email, agencyIds: "curlew" });
    expect(text(b)).toContain("Panel created");
    const panels = await bot.app.services.panels["d"].panels.list();
    panelA = panels.find((p) => p.name.startsWith("Education"))!.panelId;
    panelB = panels.find((p) => p.name === "Voluntary panel")!.panelId;
    expect(panelA).toMatch(/^pn-/);
  });
});

test("every panel verb refuses someone with no right to it, with nothing shown", async () => {
  await bot.say(stranger, "hi");
  const calls: Array<[string, Record<string, unknown>]> = [
    ["panel.form", {}],
    ["panel.suggest", { sector: "education", cycleId: "c1" }],
    ["panel.create", { name: "Mine", date: "2027-02-10", cycleId: "c1", members: stranger.email, agencyIds: "plover" }],
    ["panel.view", { panelId: panelA }],
    ["panel.agency", { panelId: panelA, returnId: plover }],
    ["panel.indicator", { panelId: panelA, returnId: plover, indicatorId: "2.1" }],
    ["panel.challenge", { panelId: panelA, returnId: plover, indicatorId: "2.1", comment: "x" }],
    ["panel.lead", { returnId: plover, indicatorId: "2.1" }],
    ["panel.answer", { returnId: plover, indicatorId: "2.1", kind: "reply", reply: "x" }],
  ];
  for (const [verb, data] of calls) {
    const r = await bot.invoke(stranger, verb, data);
    expect(r.status).toBe(200);
    expect(text(r)).toMatch(/Only the partnership's admins|You are not a member of that panel|You don't have access/);
    expect(text(r)).not.toContain("Plover Academy Trust");
  }
  // An admin suggesting an unknown sector is told to choose one.
  expect(text(await bot.invoke(admin, "panel.suggest", { sector: "<script>", cycleId: "c1" }))).toContain("Choose a sector");
});

describe("a panel member", () => {
  test("sees their panel only, its submitted returns, and an agency's ratings side by side with changes and open actions", async () => {
    const home = await bot.say(member, "panels");
    expect(plain(home.text)).toContain("Education");
    expect(plain(home.text)).not.toContain("Voluntary panel");
    const view = await bot.invoke(member, "panel.view", { panelId: panelA });
    expect(text(view)).toContain("Plover Academy Trust");
    expect(text(view)).toMatch(/1 indicator changed since first submission/);
    expect(text(view)).toContain("Wren **Primary** School: Not submitted yet");
    expect(textOf(view.card)).toContain("Wren \\*\\*Primary\\*\\* School");
    const open = actionOf(view.card, "panel.agency");
    const card = await bot.invoke(member, open.verb, open.data);
    const t = text(card);
    expect(t).toContain("1. Senior leadership");
    expect(t).toMatch(/Self: Partially met · First submission: Fully met · Moderated: -/);
    expect(t).toContain("1.1 Fully met → Partially met");
    expect(t).toMatch(/2 open: 1\.1 due .*; 2\.1 due|2 open: 2\.1 due .*; 1\.1 due/);
    // Read only: nothing on the card changes the return.
    expect(actionsOf(card.card).map((a) => a.verb).filter((v) => v.startsWith("s11."))).toEqual([]);
  });

  test("is refused another agency's return, another panel, another cycle and an unsubmitted return", async () => {
    expect(text(await bot.invoke(member, "panel.agency", { panelId: panelA, returnId: curlew }))).toContain("not one your panel reviews");
    expect(text(await bot.invoke(member, "panel.indicator", { panelId: panelA, returnId: curlew, indicatorId: "2.1" }))).toContain("not one your panel reviews");
    expect(text(await bot.invoke(member, "panel.challenge", { panelId: panelA, returnId: curlew, indicatorId: "2.1", comment: "x" }))).toContain("not one your panel reviews");
    expect(text(await bot.invoke(member, "panel.view", { panelId: panelB }))).toContain("You are not a member of that panel");
    expect(text(await bot.invoke(member, "panel.agency", { panelId: panelB, returnId: curlew }))).toContain("You are not a member of that panel");
    expect(text(await bot.invoke(member, "panel.agency", { panelId: panelA, returnId: returnPartition("c0", "plover") }))).toContain("not one your panel reviews");
    expect(text(await bot.invoke(member, "panel.agency", { panelId: panelA, returnId: returnPartition("c1", "wren") }))).toContain("has not submitted");
    // The section 11 return itself is not theirs either.
    expect(text(await bot.invoke(member, "s11.overview", { returnId: plover }))).toContain("You don't have access");
    // Ids that are not ids.
    for (const data of [{ panelId: "pn-../../x", returnId: plover }, { panelId: panelA, returnId: "x".repeat(400) }, { panelId: panelA, returnId: plover, indicatorId: "1.1'or'1" }]) {
      expect(text(await bot.invoke(member, "panel.indicator", data))).toContain("That button's data was not valid");
    }
    expect(text(await bot.invoke(stranger, "panel.view", { panelId: panelA }))).toContain("You are not a member of that panel");
  });
});

describe("a challenge and its answer", () => {
  let challengeCard: any;

  test("oversized and incomplete challenges are refused with what was typed kept", async () => {
    const card = await bot.invoke(member, "panel.indicator", { panelId: panelA, returnId: plover, indicatorId: "2.1" });
    expect(text(card)).toContain("Policy **draft** only");
    const send = actionOf(card.card, "panel.challenge");
    const long = await bot.invoke(member, send.verb, { ...send.data, comment: "y".repeat(2500), moderatedRating: "not" });
    expect(text(long)).toContain("the limit is 2,000");
    expect(String(inputsOf(long.card).comment)).toHaveLength(2000);
    const half = await bot.invoke(member, send.verb, { ...send.data, comment: "Is it approved?", actionText: "Approve it" });
    expect(text(half)).toContain("Name who owns the action");
    expect(text(half)).toContain("due date");
    const wrongRating = await bot.invoke(member, send.verb, { ...send.data, comment: "Hm", moderatedRating: "excellent" });
    expect(text(wrongRating)).toContain("Choose one of the moderated ratings listed");
    expect((await new ChallengesRepo(bot.app.store).loadIndicator(plover, "2.1"))!.thread).toEqual([]);
    challengeCard = card.card;
  });

  test("reaches the lead in their chat with the moderated rating beside theirs; the lead's answer comes back to the member", async () => {
    const send = actionOf(challengeCard, "panel.challenge");
    const due = addDays(ukDate(new Date()), 60);
    const sent = await bot.invoke(member, send.verb, { ...send.data, comment: "The policy is a **draft**: how do staff know it?", moderatedRating: "not", actionText: "Publish the approved policy to all staff", actionOwner: "Head teacher", actionDue: due });
    expect(text(sent)).toMatch(/Sent to (Lee Lead, Lou Second-Lead|Lou Second-Lead, Lee Lead)/);
    const got = await bot.connector.waitFor((a) => a.operation === "send" && a.conversationId === personalConversationId(lead) && plain(textOf(a.body?.attachments?.[0]?.content ?? {})).includes("challenged this indicator"), 20_000);
    const card = got.body.attachments[0].content;
    const t = plain(textOf(card));
    expect(t).toContain("Self-rating: Partially met");
    expect(t).toMatch(/Moderated: Not met \(Dr Amira Khan/);
    expect(t).toContain("Publish the approved policy to all staff");
    expect(t).toMatch(/Dr Amira Khan \(panel\), .*challenged, moderated rating Not met: The policy is a \*\*draft\*\*/);
    expect(textOf(card)).toContain("\\*\\*draft\\*\\*");
    // The lead Teams cannot reach gets an e-mail that says only where to look: no return content.
    const outboxDir = join(bot.app.services.config.DATA_DIR, "outbox");
    let mail = "";
    for (let i = 0; i < 100 && !mail; i++) {
      mail = existsSync(outboxDir) ? readdirSync(outboxDir).map((f) => readFileSync(join(outboxDir, f), "utf8")).find((m) => m.includes(blockedLead.email!) && m.includes("challenge panel")) ?? "" : "";
      if (!mail) await new Promise((r) => setTimeout(r, 200));
    }
    expect(mail).toContain("Subject: A challenge panel has commented on your Section 11 return");
    const body = mail.split(/--=_alt[^\r\n]*/).map((part) => part.split(/\r?\n\r?\n/).slice(1).join("").replace(/\s+/g, "")).filter(Boolean).map((b64) => Buffer.from(b64, "base64").toString("utf8")).join("\n");
    expect(body).toContain('type "panels"');
    expect(body).not.toContain("draft");
    expect(body).not.toContain("Publish the approved policy");
    // Not to anyone else: the other agency's lead and the other panel get nothing.
    expect(cardsTo(curlewLead, "challenged")).toEqual([]);
    expect(cardsTo(member2, "challenge")).toEqual([]);

    expect(plain((await bot.say(lead, "panels")).text)).toMatch(/Plover Academy Trust · 2\.1: Waiting for your answer/);
    // The lead replies from the card.
    const reply = actionOf(card, "panel.answer", (a) => a.data.kind === "reply");
    const answered = await bot.invoke(lead, reply.verb, { ...reply.data, reply: "It was approved on 1 December; minutes attached to 2.2." });
    expect(text(answered)).toContain("Sent to the panel");
    const back = await bot.connector.waitFor((a) => a.operation === "send" && a.conversationId === personalConversationId(member) && plain(textOf(a.body?.attachments?.[0]?.content ?? {})).includes("answered the panel's challenge"), 20_000);
    const bt = plain(textOf(back.body.attachments[0].content));
    expect(bt).toMatch(/Lee Lead \(agency\), .*replied: It was approved on 1 December/);
    expect(bt.indexOf("Dr Amira Khan (panel)")).toBeLessThan(bt.indexOf("Lee Lead (agency)"));

    // Kept: the conversation with who and when, the moderated rating beside the agency's own, the panel's action as an action.
    const state = (await new ChallengesRepo(bot.app.store).loadIndicator(plover, "2.1"))!;
    expect(state.thread.map((x) => [x.role, x.kind, x.by])).toEqual([["panel", "challenge", "Dr Amira Khan"], ["lead", "reply", "Lee Lead"]]);
    expect(state.thread.every((x) => !Number.isNaN(Date.parse(x.at)))).toBe(true);
    expect(state.answer!.rating).toBe("partially");
    expect(state.moderated!.rating).toBe("not");
    expect(state.summary!.moderated!.get("2.1")).toBe("not");
    expect(state.panelActions).toEqual([expect.objectContaining({ text: "Publish the approved policy to all staff", owner: "Head teacher", due, status: "open" })]);
    // The lead finds the challenge again by typing "panels".
    const mine = await bot.say(lead, "panels");
    expect(plain(mine.text)).toMatch(/Plover Academy Trust · 2\.1: Answered: 2 messages/);
    expect(plain((await bot.say(curlewLead, "panels")).text)).toContain("No challenge panel for you");
    const actions = await bot.say(lead, "actions");
    expect(plain(actions.text)).toContain("indicator 2.1 (panel): Open, due");
    // The return itself shows the moderated rating and the first submission beside the agency's own rating.
    const std2 = await bot.invoke(lead, "s11.standard", { returnId: plover, standard: 1, from: "review" });
    expect(text(std2)).toContain("Partially met · moderated by the panel: Not met");
    const std1 = await bot.invoke(officer, "s11.standard", { returnId: plover, standard: 0, from: "review" });
    expect(text(std1)).toContain("Partially met · first submission: Fully met");
    // The whole return's review card too, from the summary row: the panel's rating beside the agency's own, and the change since first submission.
    const review = text(await bot.invoke(lead, "s11.review", { returnId: plover }));
    expect(review).toContain("A challenge panel gave a moderated rating to 1 indicator");
    expect(review).toContain("1 indicator changed rating since the first submission");
    expect(review).toContain("Changed or moderated: 1.1 Partially met, first submission Fully met");
    expect(review).toContain("Changed or moderated: 2.1 Partially met, panel Not met");
    expect(text(await bot.invoke(officer, "s11.review", { returnId: curlew }))).toContain("You don't have access");
    // The overview, where a lead starts, says so too and points to the review.
    const overview = text(await bot.invoke(lead, "s11.overview", { returnId: plover }));
    expect(overview).toContain("A challenge panel gave a moderated rating to 1 indicator: shown beside yours under each standard of the review");
    expect(overview).toContain("1 indicator changed rating since the first submission");
    // The panel's card for the agency shows the moderated rating beside the self-rating.
    const agency = await bot.invoke(member, "panel.agency", { panelId: panelA, returnId: plover });
    expect(text(agency)).toMatch(/2\. Clear statement.*Self: Partially met · First submission: Partially met · Moderated: Partially met \(1 indicator\)/);
    expect(JSON.stringify(agency.card)).toContain("2.1 Self: Partially met · Moderated: Not met");
  }, 60_000);

  test("the lead accepts; only leads of that agency answer; a stale moderated rating is not overwritten", async () => {
    const accept = await bot.invoke(lead, "panel.answer", { returnId: plover, indicatorId: "2.1", kind: "accepted", reply: "" });
    expect(text(accept)).toContain("Sent to the panel");
    expect(text(accept)).toMatch(/Lee Lead \(agency\), .*accepted the challenge/);
    expect(text(await bot.invoke(curlewLead, "panel.answer", { returnId: plover, indicatorId: "2.1", kind: "reply", reply: "hijack" }))).toContain("You don't have access");
    expect(text(await bot.invoke(curlewLead, "panel.lead", { returnId: plover, indicatorId: "2.1" }))).toContain("You don't have access");
    expect(text(await bot.invoke(officer, "panel.answer", { returnId: plover, indicatorId: "2.1", kind: "reply", reply: "x" }))).toContain("Only your agency's safeguarding lead");
    expect(text(await bot.invoke(lead, "panel.answer", { returnId: plover, indicatorId: "2.1", kind: "reply", reply: "z".repeat(2100) }))).toContain("the limit is 2,000");
    // A card drawn before the rating was set carries the old ETag: the newer rating is shown, not overwritten.
    const stale = await bot.invoke(member, "panel.challenge", { ...actionOf(challengeCard, "panel.challenge").data, comment: "Fully met after all?", moderatedRating: "fully" });
    expect(text(stale)).toContain("The moderated rating changed since this card was drawn");
    expect((await new ChallengesRepo(bot.app.store).loadIndicator(plover, "2.1"))!.moderated!.rating).toBe("not");
    // The admin reads, but is not a member: no challenge.
    const adminView = await bot.invoke(admin, "panel.indicator", { panelId: panelA, returnId: plover, indicatorId: "2.1" });
    expect(text(adminView)).toContain("read only");
    expect(text(await bot.invoke(admin, "panel.challenge", { panelId: panelA, returnId: plover, indicatorId: "2.1", comment: "x" }))).toContain("You are not a member of that panel");
  }, 30_000);
});

describe("the panel's own export for its minutes", () => {
  test("members get the CSV of their agencies' self, first and moderated ratings and agreed actions through file consent, formula-safe; nobody else does", async () => {
    // A second challenge whose action and owner a spreadsheet would run as formulas.
    const card = await bot.invoke(member, "panel.indicator", { panelId: panelA, returnId: plover, indicatorId: "3.1" });
    const send = actionOf(card.card, "panel.challenge");
    const due = addDays(ukDate(new Date()), 90);
    expect(text(await bot.invoke(member, send.verb, { ...send.data, comment: "How is this checked?", moderatedRating: "partially", actionText: '=HYPERLINK("http://evil.example","x")', actionOwner: "@Head teacher", actionDue: due }))).toContain("Sent to");

    const uploads: Array<{ url: string; body: Buffer }> = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        uploads.push({ url: req.url ?? "", body: Buffer.concat(chunks) });
        res.writeHead(201);
        res.end("{}");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    try {
      const uploadUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/upload`;
      const page = await bot.invoke(member, "panel.view", { panelId: panelA });
      const seq = Math.max(0, ...bot.connector.activities.map((a) => a.seq));
      const exported = await bot.invoke(member, "panel.export", actionOf(page.card, "panel.export").data);
      expect(text(exported)).toContain("accept the file card below");
      const consent = await bot.connector.waitFor((a) => a.seq > seq && a.conversationId === personalConversationId(member) && a.body?.attachments?.[0]?.contentType === "application/vnd.microsoft.teams.card.file.consent", 20_000);
      const att = consent.body.attachments[0];
      expect(att.name).toMatch(/^panel-Education_panel_x_http_evil_example-\d{4}-\d{2}-\d{2}\.csv$/);
      // Someone else cannot take the file with the same card.
      await postActivity(bot.url, fileConsentInvoke(stranger, "accept", att.content.acceptContext, { contentUrl: "x", name: "x", uploadUrl, fileType: "csv", uniqueId: "u0" }, { serviceUrl: bot.connector.serviceUrl }));
      const res = await postActivity(bot.url, fileConsentInvoke(member, "accept", att.content.acceptContext, { contentUrl: "https://onedrive.example/p.csv", name: att.name, uploadUrl, fileType: "csv", uniqueId: "u1" }, { serviceUrl: bot.connector.serviceUrl }));
      expect(res.status).toBe(200);
      await bot.connector.waitFor((a) => a.conversationId === personalConversationId(member) && a.body?.attachments?.[0]?.contentType === "application/vnd.microsoft.teams.card.file.info", 20_000);
      expect(uploads.filter((u) => u.url === "/upload")).toHaveLength(1);
      const csv = uploads[0].body.toString("utf8");
      const lines = csv.replace(/^\ufeff/, "").split("\r\n");
      expect(lines[0]).toBe("agency,sector,standard,indicator,return,self_rating,first_submission_rating,moderated_rating,moderated_by,moderated_on,agreed_action,action_owner,action_due,action_status,agreed_at");
      // Self vs moderated, the first submission beside them, and the action agreed at this panel.
      expect(lines.find((l) => l.includes(",2.1,"))).toMatch(/^Plover Academy Trust,education,2\. .*,2\.1,submitted \d{4}-\d{2}-\d{2},partially met,partially met,not met,Dr Amira Khan,\d{4}-\d{2}-\d{2},Publish the approved policy to all staff,Head teacher,\d{4}-\d{2}-\d{2},open,this panel$/);
      expect(lines.find((l) => l.includes(",1.1,"))).toMatch(/,1\.1,submitted [^,]+,partially met,fully met,,,,,,,,$/);
      // Formula-safe: cells a spreadsheet would run start with an apostrophe.
      expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")",'@Head teacher,${due},open,this panel`);
      // The agency not yet submitted is listed as such; no other agency's return is in the file.
      expect(lines.some((l) => l.startsWith("Wren **Primary** School,early_years,,,not submitted"))).toBe(true);
      expect(csv).not.toContain("Curlew");
      expect(lines.filter((l) => l.startsWith("Plover Academy Trust,")).length).toBe(all.length);
    } finally {
      await new Promise((r) => server.close(r));
    }
    // Nobody outside the panel.
    expect(text(await bot.invoke(member2, "panel.export", { panelId: panelA }))).toContain("You are not a member of that panel");
    expect(text(await bot.invoke(stranger, "panel.export", { panelId: panelA }))).toContain("You are not a member of that panel");
    expect(text(await bot.invoke(lead, "panel.export", { panelId: panelA }))).toContain("You are not a member of that panel");
  }, 60_000);
});

describe("the admin changes a panel", () => {
  test("bad input is refused and kept; a change made meanwhile is not overwritten; a removed member loses access at once", async () => {
    const form = await bot.invoke(admin, "panel.edit", { panelId: panelA });
    const fields = inputsOf(form.card);
    expect(fields.members).toBe(member.email);
    expect(String(fields.agencyIds).split(",").sort()).toEqual(["plover", "wren"]);
    const save = actionOf(form.card, "panel.save");
    const empty = await bot.invoke(admin, save.verb, { ...save.data, ...fields, name: "  " });
    expect(text(empty)).toContain("Not saved");
    expect(text(empty)).toContain("Give the panel a name");
    // Another admin's change lands first: this card's save is refused, not silently applied over it.
    const other = actionOf((await bot.invoke(admin, "panel.edit", { panelId: panelA })).card, "panel.save");
    expect(text(await bot.invoke(admin, other.verb, { ...other.data, ...fields, name: "Education panel (renamed)" }))).toContain("Saved");
    expect(text(await bot.invoke(admin, save.verb, { ...save.data, ...fields, name: "Stale name" }))).toContain("Someone else changed this panel meanwhile");
    // A payload that forges the version ("*", none at all) is stale too, never an unconditional write.
    for (const etag of ["*", undefined]) expect(text(await bot.invoke(admin, save.verb, { ...save.data, etag, ...fields, name: "Forged name" }))).toContain("Someone else changed this panel meanwhile");
    // Replace the member: the old one is refused at once, the new one reads the panel.
    const fresh = actionOf((await bot.invoke(admin, "panel.edit", { panelId: panelA })).card, "panel.save");
    expect(text(await bot.invoke(admin, fresh.verb, { ...fresh.data, ...fields, name: "Education panel (renamed)", members: member2.email }))).toContain("Saved");
    expect(text(await bot.invoke(member, "panel.view", { panelId: panelA }))).toContain("You are not a member of that panel");
    expect(text(await bot.invoke(member, "panel.indicator", { panelId: panelA, returnId: plover, indicatorId: "2.1" }))).toContain("You are not a member of that panel");
    expect(text(await bot.invoke(member2, "panel.view", { panelId: panelA }))).toContain("Plover Academy Trust");
    // Only admins.
    expect(text(await bot.invoke(member2, "panel.edit", { panelId: panelA }))).toContain("Only the partnership's admins");
    expect(text(await bot.invoke(member2, "panel.save", { panelId: panelA, ...fields }))).toContain("Only the partnership's admins");
  }, 30_000);
  test("Suggest by sector on the change form stays the change form (same panel, same version read), keeping what was typed", async () => {
    const form = await bot.invoke(admin, "panel.edit", { panelId: panelA });
    const save = actionOf(form.card, "panel.save");
    const suggest = actionOf(form.card, "panel.suggest");
    expect(suggest.data).toEqual({ panelId: panelA, etag: save.data.etag });
    const fields = { ...inputsOf(form.card), name: "Renamed while suggesting", members: `${member2.email}\nsomeone@agency.org` };
    const suggested = await bot.invoke(admin, suggest.verb, { ...suggest.data, ...fields, sector: "voluntary" });
    expect(text(suggested)).toContain("Change ");
    expect(text(suggested)).toContain("then save the changes");
    expect(actionsOf(suggested.card).some((a) => a.verb === "panel.create")).toBe(false);
    expect(actionOf(suggested.card, "panel.save").data).toEqual(save.data);
    expect(inputsOf(suggested.card)).toMatchObject({ name: "Renamed while suggesting", members: `${member2.email}\nsomeone@agency.org`, agencyIds: "curlew" });
    // No sector: said, the change form again with everything typed.
    const none = await bot.invoke(admin, suggest.verb, { ...suggest.data, ...fields, sector: "" });
    expect(text(none)).toContain("Choose a sector");
    expect(actionOf(none.card, "panel.save").data).toEqual(save.data);
    expect(inputsOf(none.card)).toMatchObject({ name: "Renamed while suggesting", members: `${member2.email}\nsomeone@agency.org` });
    // A made-up panel id is refused; a stranger gets nothing.
    expect(text(await bot.invoke(admin, "panel.suggest", { panelId: "../x", sector: "voluntary" }))).toContain("That panel does not exist");
    expect(text(await bot.invoke(stranger, "panel.suggest", { panelId: panelA, sector: "voluntary" }))).toContain("Only the partnership's admins");
    // Nothing was saved by suggesting.
    expect((await bot.app.services.panels["d"].panels.list()).find((p) => p.panelId === panelA)!.name).toBe("Education panel (renamed)");
  }, 30_000);
});

describe("the admin deletes a panel; an agency removed from the partnership", () => {
  test("a removed agency shows as removed, not as a bare id, and is left out of the panel's form", async () => {
    await deleteAgency({ store: bot.app.store }, "wren", { confirm: "wren" });
    const page = text(await bot.invoke(member2, "panel.view", { panelId: panelA }));
    expect(page).toContain("Removed agency: Removed from the partnership (it was wren): nothing to review.");
    expect(page).not.toMatch(/(^|\n)wren:/);
    expect(page).toContain("Plover Academy Trust");
    const form = await bot.invoke(admin, "panel.edit", { panelId: panelA });
    expect(inputsOf(form.card).agencyIds).toBe("plover");
    expect(text(form)).toContain("1 of this panel's agencies was removed from the partnership");
  }, 30_000);

  test("asks to confirm; a change since is not deleted over; members lose access at once; the challenges stay with the return and the lead", async () => {
    expect(text(await bot.invoke(member2, "panel.deleteAsk", { panelId: panelA }))).toContain("Only the partnership's admins");
    expect(text(await bot.invoke(member2, "panel.delete", { panelId: panelA, etag: "x" }))).toContain("Only the partnership's admins");
    const home = await bot.say(admin, "panels");
    const del = actionOf(home.card, "panel.deleteAsk", (a) => a.data.panelId === panelA);
    const ask = await bot.invoke(admin, del.verb, del.data);
    expect(text(ask)).toContain("lose access to its agencies' returns at once");
    expect(text(ask)).toContain("stay in each return's history");
    const yes = actionOf(ask.card, "panel.delete");
    // Renamed after the question was asked: the confirmation is refused, nothing deleted.
    const edit = await bot.invoke(admin, "panel.edit", { panelId: panelA });
    const save = actionOf(edit.card, "panel.save");
    expect(text(await bot.invoke(admin, save.verb, { ...save.data, ...inputsOf(edit.card), name: "Education panel (final)" }))).toContain("Saved");
    expect(text(await bot.invoke(admin, yes.verb, yes.data))).toContain("Nothing was deleted");
    expect(text(await bot.invoke(member2, "panel.view", { panelId: panelA }))).toContain("Plover Academy Trust");

    const again = await bot.invoke(admin, "panel.deleteAsk", { panelId: panelA });
    const confirm = actionOf(again.card, "panel.delete");
    const before = bot.connector.activities.length;
    expect(text(await bot.invoke(admin, confirm.verb, confirm.data))).toContain("Deleted Education panel (final)");
    // Members lose their rights at once, and nothing of the panel is left in its table.
    expect(text(await bot.invoke(member2, "panel.view", { panelId: panelA }))).toContain("You are not a member of that panel");
    expect(text(await bot.invoke(member2, "panel.agency", { panelId: panelA, returnId: plover }))).toContain("You are not a member of that panel");
    expect(text(await bot.invoke(member2, "panel.challenge", { panelId: panelA, returnId: plover, indicatorId: "2.1", comment: "x" }))).toContain("You are not a member of that panel");
    const mine = plain((await bot.say(member2, "panels")).text);
    expect(mine).toContain("Voluntary panel");
    expect(mine).not.toContain("Education panel");
    const rows: string[] = [];
    for await (const e of bot.app.store.table("Panels").listEntities()) rows.push(`${e.partitionKey}/${e.rowKey}`);
    expect(rows.filter((r) => r.endsWith(`/${panelA}`))).toEqual([]);
    expect(text(await bot.invoke(admin, confirm.verb, confirm.data))).toContain("already deleted");

    // The conversation stays in the return: the lead still finds, reads and answers it; nobody of the deleted panel is told.
    const thread = (await new ChallengesRepo(bot.app.store).loadIndicator(plover, "2.1"))!.thread;
    expect(thread.map((x) => x.kind)).toEqual(["challenge", "reply", "accepted"]);
    expect(plain((await bot.say(lead, "panels")).text)).toContain("Plover Academy Trust · 2.1");
    const leadCard = text(await bot.invoke(lead, "panel.lead", { returnId: plover, indicatorId: "2.1" }));
    expect(leadCard).toMatch(/Dr Amira Khan \(panel\), .*challenged, moderated rating Not met/);
    const answered = text(await bot.invoke(lead, "panel.answer", { returnId: plover, indicatorId: "2.1", kind: "reply", reply: "Policy published on 3 December." }));
    expect(answered).toContain("The panel that challenged this indicator has been deleted, so nobody was told");
    expect(answered).toContain("Policy published on 3 December.");
    await new Promise((r) => setTimeout(r, 1500));
    expect(bot.connector.activities.slice(before).filter((a) => a.operation === "send" && [member, member2].some((u) => a.conversationId === personalConversationId(u)))).toEqual([]);
  }, 60_000);
});
