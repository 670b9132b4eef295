import AdmZip from "adm-zip";
import { parse } from "csv-parse/sync";
import { startApp, type RunningApp } from "../../src/app";
import { startBot, type BotUnderTest } from "../support/botUnderTest";
import { actionOf, plain, textOf } from "../support/cardTools";
import { postActivity } from "../support/http";
import { eventually } from "../support/deliveryStack";
import { validateCard } from "../support/cardRenderer";
import { invokeAction, newMessageId, newTeamsUser, personalConversationId, teamMessage, toConnectorMember, type TeamsUser } from "../support/teamsActivity";
import { INDICATORS, seedPartnership, seedPlan, type SeedPlan } from "../support/digestSeed";
import { delegateEmail, storeTraining, type StoredTraining } from "../support/trainingSeed";
import { makeTrainer, postEvaluation } from "../support/training";
import defaultTemplate from "../../src/section11/templates/default.json";
import { addDays, daysBetween, ukDate } from "../../src/time";

/**
 * The Executive's digest end to end: a channel registered by an admin in the channel, digests
 * posted there on schedule through /api/messages, the outbox and the Bot Connector stand-in, every
 * figure checked against a computation written here from the seed plan (not the app's code),
 * drill-downs answered only to members of the (private) channel, the export reaching the
 * requester's 1:1 chat and uploaded on "Allow", two instances and a restart posting exactly once.
 * The training year is stored through the real training services and read back by the digest
 * from storage (per-session tallies), checked against the plan and against the officer's Results card.
 */

const TEAM = "19:exec-team@thread.tacv2";
const CHANNEL = "19:exec-private@thread.tacv2";
const OTHER_TENANT = "00000000-0000-4000-8000-0000000b0b0b";

const admin = newTeamsUser({ name: "Ada Admin" });
const exec1 = newTeamsUser({ name: "Esme Executive" });
const exec2 = newTeamsUser({ name: "Eli Executive" });
const teamOnly = newTeamsUser({ name: "Tom Teamonly" });
const outsider = newTeamsUser({ name: "Olu Outsider", tenantId: OTHER_TENANT });

let shift = 0;
const now = () => new Date(Date.now() + shift);
let bot: BotUnderTest;
let plan: SeedPlan;
let stored: StoredTraining;
const officer = newTeamsUser({ name: "Tia Trainingofficer" });
const others: RunningApp[] = [];

// ---------------------------------------------------------------------------------------------
// The independent computation: the rules as docs/digest.md states them, applied to the plan.

type Ratings = Map<string, { rating: string; due: string }>;
const STANDARDS = (defaultTemplate as { standards: Array<{ id: string; title: string; indicators: Array<{ id: string }> }> }).standards;
const applicable = (r: string) => r === "fully" || r === "partially" || r === "not";
function meetsMost(m: Ratings): boolean {
  const rs = INDICATORS.map((i) => m.get(i.id)!.rating).filter(applicable);
  return rs.length > 0 && rs.filter((r) => r === "fully").length * 2 > rs.length;
}
function standardOf(m: Ratings, ids: string[]): string | undefined {
  const rs = ids.map((id) => m.get(id)!.rating).filter(applicable);
  if (!rs.length) return undefined;
  if (rs.every((r) => r === "fully")) return "fully";
  return rs.filter((r) => r === "not").length * 2 > rs.length ? "not" : "partially";
}
const GROUP: Record<string, string> = { health: "Health", police: "Police and justice", justice: "Police and justice", education: "Education", early_years: "Education", local_authority: "Local authority", voluntary: "Voluntary", secure_estate: "Secure estate" };
const daysBefore = (day: string, n: number) => addDays(day, -n);
const yearStartOf = (day: string) => `${Number(day.slice(0, 4)) - (Number(day.slice(5, 7)) >= 4 ? 0 : 1)}-04-01`;
const pctOf = (a: number, b: number) => (b ? Math.round((100 * a) / b) : 0);

function expected(p: SeedPlan) {
  const submitted = p.agencies.filter((a) => a.state === "submitted");
  const first = submitted.filter((a) => meetsMost(a.first!)).length;
  const nowCount = submitted.filter((a) => meetsMost(a.latest!)).length;
  const standards = STANDARDS.map((s) => {
    const c = { fully: 0, partially: 0, not: 0 };
    for (const a of submitted) {
      const r = standardOf(a.latest!, s.indicators.map((i) => i.id));
      if (r) c[r as keyof typeof c]++;
    }
    return { id: s.id, title: s.title, ...c, green: pctOf(c.fully, c.fully + c.partially + c.not) };
  });
  const actions = submitted.flatMap((a) => [...a.latest!.values()].filter((x) => applicable(x.rating) && x.rating !== "fully" && x.due));
  const late = p.agencies.filter((a) => a.state !== "submitted");
  const sectors = new Map<string, { agencies: number; submitted: number; overdue: number }>();
  for (const a of p.agencies) {
    const g = GROUP[a.agency.sector] ?? "Other";
    const s = sectors.get(g) ?? { agencies: 0, submitted: 0, overdue: 0 };
    s.agencies++;
    if (a.state === "submitted") s.submitted++;
    else s.overdue++;
    sectors.set(g, s);
  }
  const training = trainingExpected(p, p.sessions.map((x) => x.sessionId));
  return {
    agencies: p.agencies.length,
    submitted: submitted.length,
    awaiting: p.agencies.filter((a) => a.state === "awaiting_signoff").length,
    inProgress: p.agencies.filter((a) => a.state === "in_progress").length,
    notStarted: p.agencies.filter((a) => a.state === "not_started").length,
    changed: p.agencies.filter((a) => a.changedAfter).length,
    first: { count: first, of: submitted.length, pct: pctOf(first, submitted.length) },
    now: { count: nowCount, of: submitted.length, pct: pctOf(nowCount, submitted.length) },
    standards,
    overall: { fully: standards.reduce((n, s) => n + s.fully, 0), partially: standards.reduce((n, s) => n + s.partially, 0), not: standards.reduce((n, s) => n + s.not, 0) },
    openActions: actions.length,
    overdueActions: actions.filter((x) => x.due < p.today).length,
    lateAgencies: late.length,
    sectors,
    training,
  };
}

const round1 = (x: number) => Math.round(10 * x) / 10;
const plural = (k: number, one: string) => `${k} ${k === 1 ? one : `${one}s`}`;

/**
 * Training as the plan has it, for the planned sessions given: every delegate attended; an
 * evaluation counts once (the plan has one per person); `changes` replaces planned ratings and
 * adds answers, as the test's own re-answers do.
 */
function trainingExpected(p: SeedPlan, sessionIds: string[], changes: { ratings?: Map<number, number>; added?: Array<{ sessionId: string; rating: number }> } = {}) {
  const chosen = new Set(sessionIds);
  const sessions = p.sessions.filter((x) => chosen.has(x.sessionId));
  const evals = p.evaluations.map((e, i) => ({ ...e, rating: changes.ratings?.get(i) ?? e.rating })).filter((e) => chosen.has(e.sessionId));
  const added = (changes.added ?? []).filter((a) => chosen.has(a.sessionId));
  const delegates = sessions.reduce((n, x) => n + x.delegates, 0);
  const answered = evals.length + added.length;
  const ratingSum = evals.reduce((n, e) => n + e.rating, 0) + added.reduce((n, a) => n + a.rating, 0);
  const follows = evals.filter((e) => e.followUp?.answered);
  const line = `${plural(sessions.length, "session")}, ${plural(delegates, "delegate")}, evaluations answered by ${answered} of ${delegates} (${pctOf(answered, delegates)}%)${answered >= 5 ? `, average rating ${round1(ratingSum / answered)} out of 5` : ""}.`;
  return {
    sessions: sessions.length,
    delegates,
    answered,
    rate: pctOf(answered, delegates),
    rating: round1(ratingSum / answered),
    line,
    // The answers changed or added by the test are end-of-session answers with confidence 2 before and 4 after.
    before: round1((evals.reduce((n, e) => n + e.confidenceBefore, 0) + 2 * added.length) / answered),
    after: round1((evals.reduce((n, e) => n + e.confidenceAfter, 0) + 4 * added.length) / answered),
    followAnswered: follows.length,
    followConfidence: round1(follows.reduce((n, e) => n + (e.followUp!.confidence ?? 0), 0) / follows.length),
    impact: Math.round((100 * follows.filter((e) => e.followUp!.changedPractice).length) / follows.length),
  };
}

// ---------------------------------------------------------------------------------------------
// Teams-shaped traffic in the private channel

function channelInvoke(user: TeamsUser, verb: string, data: Record<string, unknown> = {}, serviceUrl?: string) {
  const a = invokeAction(user, verb, data, { conversationId: `${CHANNEL};messageid=${newMessageId()}`, ...(serviceUrl ? { serviceUrl } : {}) });
  a.conversation = { ...a.conversation, conversationType: "channel", isGroup: true };
  a.channelData = { ...a.channelData, teamsTeamId: TEAM, teamsChannelId: CHANNEL, team: { id: TEAM }, channel: { id: CHANNEL, name: "Executive (private)" } };
  return a;
}

async function invokeIn(url: string, activity: unknown): Promise<{ card: any; text: string }> {
  const res = await postActivity(url, activity);
  expect(res.status).toBe(200);
  const card = res.body?.type === "application/vnd.microsoft.card.adaptive" ? res.body.value : undefined;
  return { card, text: card ? plain(textOf(card)) : String(res.body?.value ?? "") };
}

/** Every text of a card a person reads, markdown escapes removed, including facts and table cells. */
const cardText = (card: unknown) => plain(textOf(card));
const scheduledPosts = () => bot.connector.activities.filter((a) => a.conversationId === CHANNEL && a.operation === "send");

beforeAll(async () => {
  bot = await startBot({ ADMIN_AAD_OBJECT_IDS: `${admin.tenantId}:${admin.aadObjectId}` }, { now });
  bot.connector.setMembers([admin, exec1, exec2, teamOnly].map((u) => toConnectorMember(u)));
  // The private channel's own roster: the team's members are not all in it.
  bot.connector.setConversationMembers(CHANNEL, [admin, exec1, exec2].map((u) => toConnectorMember(u)));
  plan = seedPlan(now());
  await seedPartnership(bot.app.services, bot.app.store, plan, { withoutSummary: [0, 3, 8, 13, 50, 52, 55] });
  stored = await storeTraining(bot.app.services, plan, now());
}, 180_000);

afterAll(async () => {
  for (const o of others) await o.close();
  await bot.stop();
});

describe("registering a channel", () => {
  it("an admin registers the private channel from inside it; the admin sees it from personal chat", async () => {
    await postActivity(bot.url, teamMessage(admin, TEAM, CHANNEL, "digest settings"));
    const form = bot.connector.activities.filter((a) => a.conversationId.startsWith(`${CHANNEL};`)).pop()!.body.attachments[0].content;
    expect(cardText(form)).toContain("Register this channel for Section 11 digests");

    const saved = await invokeIn(bot.url, channelInvoke(admin, "digest.save", { partnerships: "Westmere,Eastshire", frequency: "weekly", weekday: "1", monthDay: "1", time: "09:00", sections: "returns,standards,attention,training" }));
    expect(saved.text).toContain("Registered: digests go out Mondays at 09:00 (UK time)");
    const ref = await bot.app.services.delivery.conversations.channel({ teamId: TEAM, channelId: CHANNEL });
    expect(ref).toMatchObject({ conversationId: CHANNEL, teamId: TEAM, serviceUrl: bot.connector.serviceUrl });
    const job = await bot.app.services.delivery.scheduler.get(`digest.run|${TEAM}|${CHANNEL}`);
    expect(new Date(job!.dueAt).getTime()).toBeGreaterThan(now().getTime());
    expect(new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London", weekday: "long", hour: "2-digit", minute: "2-digit" }).format(new Date(job!.dueAt))).toBe("Monday 09:00");

    const list = await bot.say(admin, "digest");
    expect(plain(list.text)).toContain("Westmere, Eastshire · Mondays at 09:00 (UK)");
    expect(actionOf(list.card, "digest.postNow").data).toEqual({ teamId: TEAM, channelId: CHANNEL });

    // Someone who is not an admin cannot change it.
    const refused = await invokeIn(bot.url, channelInvoke(exec1, "digest.pause"));
    expect(refused.text).toContain("Only the partnership's admins");
  });
});

describe("the digest posted on schedule", () => {
  let card: any;
  let text: string;

  it("goes to the channel once for its period, even with a second instance running the schedule", async () => {
    // A second bot process: it composes from the same storage, with nothing handed to it.
    others.push(await startApp({ ...bot.app.services.config, PORT: 0 }, { now }));
    const job = await bot.app.services.delivery.scheduler.get(`digest.run|${TEAM}|${CHANNEL}`);
    shift += new Date(job!.dueAt).getTime() - now().getTime() + 500;
    await eventually(() => scheduledPosts().length >= 1, 15_000, "the scheduled digest");
    await new Promise((r) => setTimeout(r, 1_500));
    expect(scheduledPosts()).toHaveLength(1);
    card = scheduledPosts()[0].body.attachments[0].content;
    text = cardText(card);
  });

  it("its tables have no column left empty in every row (a blank column reads as 'none')", () => {
    const tables: any[] = [];
    const visit = (n: any) => {
      if (Array.isArray(n)) n.forEach(visit);
      else if (n && typeof n === "object") {
        if (n.type === "Table") tables.push(n);
        Object.values(n).forEach(visit);
      }
    };
    visit(card);
    expect(tables.length).toBeGreaterThanOrEqual(2);
    const cell = (c: any) => String(c.items?.[0]?.text ?? "").trim();
    for (const t of tables) {
      const [header, ...rows] = t.rows;
      expect(rows.length).toBeGreaterThan(0);
      const empty = header.cells.map(cell).filter((_: string, i: number) => rows.every((r: any) => cell(r.cells[i]) === ""));
      expect(empty).toEqual([]);
    }
  });

  it("shows every figure as computed independently from the seed data", () => {
    const e = expected(plan);
    expect(e.first.pct).toBe(77); // the seed partnership's headline
    expect(text).toContain(`${e.first.pct}% of agencies fully met most of their applicable indicators at first submission (${e.first.count} of ${e.first.of}); ${e.now.pct}% do now (${e.now.count} of ${e.now.of}).`);
    expect(e.now.pct).toBeGreaterThan(e.first.pct);
    expect(text).toContain(`${e.submitted} of ${e.agencies} agencies submitted, ${e.awaiting} awaiting sign-off, ${e.inProgress} in progress, ${e.notStarted} not started; deadline`);
    expect(text).toContain(`${daysBetween(plan.cycle.deadline, ukDate(now()))} days ago. ${e.lateAgencies} agencies past the deadline without a submission. ${e.changed} submitted return changed since, not yet signed off again.`);
    // Per standard: the stacked bars' fallback holds the same numbers as the chart.
    const bars = JSON.stringify(card).match(/"type":"Chart\.HorizontalBar\.Stacked".*?"fallback"/s)![0];
    for (const s of e.standards) {
      expect(text).toContain(`${s.fully} fully, ${s.partially} partially, ${s.not} not met (${s.green}% fully)`);
      expect(bars).toContain(`"value":${s.fully},"color":"good"`);
    }
    expect(text).toContain(`Agencies fully meeting each standard: ${e.standards.map((s) => `${s.id} ${s.green}%`).join(", ")}.`);
    expect(text).toContain(`Fully met: ${e.overall.fully}\nPartially met: ${e.overall.partially}\nNot met: ${e.overall.not}`);
    for (const [label, s] of e.sectors) expect(text).toContain(`${label}\n${s.agencies}\n${s.submitted}\n${s.overdue}`);
    expect(text).toContain(`${e.overdueActions} actions past the due date and not closed (of ${e.openActions} open); ${e.lateAgencies} agencies past the deadline without a submission.`);
    const t = e.training;
    expect([t.sessions, t.delegates, t.answered]).toEqual([29, 450, 302]); // the seed partnership's year
    expect(text).toContain(`Year to date (from ${new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" }).format(new Date(`${yearStartOf(plan.today)}T00:00:00Z`))}): ${t.line}`);
    expect(text).toContain(`${t.sessions} sessions, ${t.delegates} delegates, evaluations answered by ${t.answered} of ${t.delegates} (${t.rate}%), average rating ${t.rating} out of 5.`);
    // Since the previous digest (the first digest: the last 30 days), by the sessions' own dates.
    const since = trainingExpected(plan, plan.sessions.filter((x) => x.date >= daysBefore(ukDate(now()), 30)).map((x) => x.sessionId));
    expect(since.sessions).toBeGreaterThan(0);
    expect(text).toMatch(new RegExp(`Since [^:]+: ${since.line.replace(/[.()]/g, "\\$&")}`));
    expect(JSON.stringify(card)).toContain(`"type":"Chart.Gauge","title":"Evaluation response rate, year to date","showTitle":true,"value":${t.rate}`);
    expect(text).toContain(`Response rate: ${t.rate}% (${t.answered} of ${t.delegates})`);
    expect(text).toContain(`Confidence (out of 5): before ${t.before}, after ${t.after}, at follow-up ${t.followConfidence}`);
    expect(text).toContain(`Follow-up: ${t.followAnswered} of ${t.delegates} answered; ${t.impact}% say their practice changed`);
    // Quotes: consented ones only, from the newest sessions (sessions 28, 25 and 20 of the plan).
    expect(text).toContain("I will use this knowledge when escalating cases (57).");
    expect(text).toContain("I will use this knowledge when escalating cases (257).");
    expect(text).not.toContain("(7)."); // a quote without consent
    expect(text).not.toContain("I will share what I learnt with my team."); // said without consent by everyone else
    expect(text).toContain("How a standard is rated:");
  });

  it("parses in Microsoft's renderer with only chart warnings (each chart has a fallback) and stays under 28 KB", () => {
    const charts = [...JSON.stringify(card).matchAll(/"type":"(Chart\.[A-Za-z.]+)"/g)].map((m) => m[1]);
    expect(charts.sort()).toEqual(["Chart.Donut", "Chart.Gauge", "Chart.HorizontalBar.Stacked"]);
    expect(validateCard(card).filter((e) => !(/UnknownElementType/.test(e) && charts.some((c) => e.includes(c))))).toEqual([]);
    expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThan(28 * 1024);
  });

  it("carries no evidence, no action text and no people's names", () => {
    const json = JSON.stringify(card);
    for (const banned of ["Evidence of agency", "Action 1.", "Owner Person", "Seed Lead", "Seed Officer", admin.name, "Not a service we run", "Seed Delegate", "seed-agency.example", "Seed training officer"]) expect(json).not.toContain(banned);
  });
});

describe("training figures from the stored answers", () => {
  // The newest planned session (30 delegates): delegate 0 answered (planned answer 28); delegate 29 did not.
  const last = () => plan.sessions[plan.sessions.length - 1];
  const linkFor = async (delegate: number) => {
    const s = bot.app.services.training;
    const session = await s.sessions.get(stored.sessionIds.get(last().sessionId)!);
    return s.answering.link(session, "end", s.deps.keys.delegateId({ email: delegateEmail(plan.sessions.length - 1, delegate) }))!;
  };
  const answer = (overall: string) => ({ overall, outcome1: "yes", outcome2: "yes", confidenceBefore: "2", confidenceAfter: "4", trainer: "4", materials: "4", doDifferently: "Something I will keep to myself.", comment: "", consentQuote: "no" });

  it("an answer changed on the web page (answered twice) and a new answer given twice count once each; the next digest shows it", async () => {
    expect(plan.evaluations[28].sessionId).toBe(last().sessionId);
    for (const [delegate, overall] of [[0, "1"], [0, "2"], [29, "5"], [29, "3"]] as const) {
      const r = await postEvaluation(await linkFor(delegate), answer(overall));
      expect([200, 303]).toContain(r.status);
    }
    const e = trainingExpected(plan, plan.sessions.map((x) => x.sessionId), { ratings: new Map([[28, 2]]), added: [{ sessionId: last().sessionId, rating: 3 }] });
    expect(e.answered).toBe(303);
    // The digest as it stands now, asked for in the channel by a member (composed afresh, not stored).
    const view = await invokeIn(bot.url, channelInvoke(exec1, "digest.view"));
    expect(view.text).toContain(e.line);
    expect(view.text).toContain(`Response rate: ${e.rate}% (303 of 450)`);
    expect(view.text).toContain(`Confidence (out of 5): before ${e.before}, after ${e.after}`);
  });

  it("agrees with the training Results card the officer sees for the same course", async () => {
    bot.addToRoster(officer);
    await makeTrainer(bot, admin, officer);
    const course = last().course;
    const courseId = stored.courseIds.get(course)!;
    const results = plain(textOf((await bot.invoke(officer, "training.results", { scope: "course", id: courseId })).card));
    const ofCourse = plan.sessions.filter((x) => x.course === course).map((x) => x.sessionId);
    const e = trainingExpected(plan, ofCourse, { ratings: new Map([[28, 2]]), added: [{ sessionId: last().sessionId, rating: 3 }] });
    expect(results).toContain(`Attended: ${e.delegates}`);
    expect(results).toContain(`End of session: answered: ${e.answered} of ${e.delegates} (${e.rate}%)`);
    const overall = Number(/Overall: (\d\.\d)/.exec(results)![1]);
    expect(overall).toBeCloseTo(e.rating, 5);
    const digest = (await invokeIn(bot.url, channelInvoke(exec1, "digest.view"))).text;
    const row = new RegExp(`${course}: (\\d+) sessions, (\\d+) delegates, rated ([\\d.]+)`).exec(digest)!;
    expect(row).not.toBeNull();
    expect([Number(row[1]), Number(row[2]), Number(row[3])]).toEqual([ofCourse.length, e.delegates, overall]);
    // The officer's card names who is outstanding; the channel's never does.
    expect(digest).not.toContain("Seed Delegate");
  });
});

describe("drill-down", () => {
  it("answers a member of the private channel, to them alone, with agencies named", async () => {
    const before = bot.connector.activities.length;
    const e = expected(plan);
    const r = await invokeIn(bot.url, channelInvoke(exec1, "digest.standard", { standard: "0", sector: "health", agency: "" }));
    expect(r.text).toContain(`Standard S1: ${STANDARDS[0].title}`);
    expect(r.text).toContain(`Fully met now: ${e.standards[0].fully} (${e.standards[0].green}%)`);
    const byAgency = await invokeIn(bot.url, channelInvoke(exec2, "digest.agency", { agency: "Seed Agency 03" }));
    expect(byAgency.text).toContain("Seed Agency 03");
    expect(byAgency.text).toContain("Fully meets most indicators: yes now; no at first submission");
    expect(byAgency.text).toContain("(first submission: partially met)");
    expect(byAgency.text).not.toContain("Action 1."); // no action text, no evidence
    const sector = await invokeIn(bot.url, channelInvoke(exec1, "digest.sector", { sector: "health" }));
    expect(sector.text).toContain(`Agencies: ${e.sectors.get("Health")!.agencies}`);
    // The answers went back in the invoke responses only: nothing was posted anywhere.
    expect(bot.connector.activities.length).toBe(before);
  });

  it("refuses a member of the team who is not in the private channel, and a user of another tenant, showing nothing", async () => {
    for (const who of [teamOnly, outsider]) {
      const r = await invokeIn(bot.url, channelInvoke(who, "digest.standard", { standard: "0" }));
      expect(r.text).toContain("Only members of this channel can look closer at its digest.");
      expect(r.text).not.toMatch(/Seed Agency|\d+%|fully met/);
    }
  });

});

describe("export", () => {
  async function fetchFile(format: string, grant: string): Promise<Buffer> {
    const seqBefore = bot.connector.activities.at(-1)?.seq ?? 0;
    const res = await postActivity(bot.url, invokeAction(exec1, "digest.exportFile", { grant, format }));
    expect(res.status).toBe(200);
    const consent = await bot.connector.waitFor((a) => a.seq > seqBefore && a.conversationId === personalConversationId(exec1) && a.body?.attachments?.[0]?.contentType === "application/vnd.microsoft.teams.card.file.consent" && a.body.attachments[0].name.includes(format === "xlsx" ? ".xlsx" : `-${format}.csv`));
    const att = consent.body.attachments[0];
    const uploadsBefore = bot.connector.uploads.length;
    const sentBefore = bot.connector.sentTo(personalConversationId(exec1)).length;
    const accepted = await postActivity(bot.url, {
      ...invokeAction(exec1, "x"),
      name: "fileConsent/invoke",
      value: { type: "fileUpload", action: "accept", context: att.content.acceptContext, uploadInfo: { name: att.name, uploadUrl: `${bot.connector.serviceUrl}upload/${encodeURIComponent(att.name)}`, contentUrl: `https://contoso.sharepoint.com/personal/${att.name}`, uniqueId: "u-1", fileType: format === "xlsx" ? "xlsx" : "csv" } },
    });
    expect(accepted.status).toBe(200);
    if (bot.connector.uploads.length === uploadsBefore) {
      // Say what the bot answered instead of only "timed out" (a flake once hid here).
      const said = bot.connector.sentTo(personalConversationId(exec1)).slice(sentBefore).map((a) => JSON.stringify(a.body).slice(0, 300));
      throw new Error(`no upload; the bot said: ${said.join(" | ") || "nothing"}`);
    }
    return bot.connector.uploads[bot.connector.uploads.length - 1].bytes;
  }

  it("answers 'sent to you privately' in the channel and offers CSV and XLSX in the requester's 1:1 chat that parse back to the same figures", async () => {
    const r = await invokeIn(bot.url, channelInvoke(exec1, "digest.export"));
    expect(r.text).toContain("Sent to you privately");
    const created = await bot.connector.waitForConversation((c) => c.body?.members?.[0]?.id === exec1.aadObjectId);
    const ready = await bot.connector.waitFor((a) => a.conversationId === created.id);
    const button = actionOf(ready.body.attachments[0].content, "digest.exportFile", (a) => a.data.format === "figures");
    const grant = button.data.grant;
    expect(grant).toMatch(/^[A-Za-z0-9_-]{16,40}$/);
    // Nothing of the export went to the channel.
    expect(bot.connector.activities.filter((a) => a.conversationId.startsWith(CHANNEL) && JSON.stringify(a.body).includes("file.consent"))).toEqual([]);

    const e = expected(plan);
    const csv = (await fetchFile("figures", grant)).toString("utf8").replace(/^\ufeff/, "");
    const figures = new Map((parse(csv, { from_line: 2 }) as string[][]).map(([k, v]) => [k, v]));
    expect(figures.get("fully_meet_most_first_submission_pct")).toBe(String(e.first.pct));
    expect(figures.get("fully_meet_most_now_count")).toBe(String(e.now.count));
    expect(figures.get("returns_submitted")).toBe(String(e.submitted));
    expect(figures.get("overdue_actions")).toBe(String(e.overdueActions));
    expect(figures.get("standard_ratings_not")).toBe(String(e.overall.not));

    const xlsx = new AdmZip(await fetchFile("xlsx", grant));
    const shared = [...xlsx.readAsText("xl/sharedStrings.xml").matchAll(/<t[^>]*>([^<]*)<\/t>/g)].map((m) => m[1]);
    const sheet1 = xlsx.readAsText("xl/worksheets/sheet1.xml");
    const cells = [...sheet1.matchAll(/<c r="([A-Z]+)(\d+)"(?: t="(\w+)")?[^>]*>(?:<v>([^<]*)<\/v>|<is><t[^>]*>([^<]*)<\/t><\/is>)<\/c>/g)].map((m) => ({ col: m[1], row: Number(m[2]), value: m[3] === "s" ? shared[Number(m[4])] : (m[4] ?? m[5]) }));
    const rows = new Map<number, Record<string, string>>();
    for (const c of cells) rows.set(c.row, { ...(rows.get(c.row) ?? {}), [c.col]: c.value });
    const fromSheet = new Map([...rows.values()].map((r) => [r.A, r.B]));
    for (const k of ["fully_meet_most_first_submission_pct", "fully_meet_most_now_count", "returns_submitted", "overdue_actions", "standard_ratings_not"]) expect(fromSheet.get(k)).toBe(figures.get(k));
    expect(xlsx.readAsText("xl/workbook.xml")).toContain('name="Actions"');
  });

  it("never hands the file to someone else holding the grant", async () => {
    const res = await postActivity(bot.url, invokeAction(exec2, "digest.exportFile", { grant: "A".repeat(24), format: "figures" }));
    expect(plain(textOf(res.body.value))).toContain("That export has expired");
  });
});

describe("schedule and delivery", () => {
  it("a restart mid-delivery neither loses nor repeats the next digest, which says what changed", async () => {
    const job = await bot.app.services.delivery.scheduler.get(`digest.run|${TEAM}|${CHANNEL}`);
    bot.connector.failNext(1, 500);
    shift += new Date(job!.dueAt).getTime() - now().getTime() + 500;
    await eventually(() => bot.connector.rejected.some((r) => r.status === 500), 15_000, "the failed first attempt");
    // Both instances stop (the first send failed, its retry is due in a second or two)...
    await others.pop()!.close();
    await bot.app.close();
    expect(scheduledPosts()).toHaveLength(1);
    // ...and a fresh one takes over.
    const fresh = await startApp({ ...bot.app.services.config, PORT: 0 }, { now });
    others.push(fresh);
    await eventually(() => scheduledPosts().length >= 2, 20_000, "the second digest");
    await new Promise((r) => setTimeout(r, 1_500));
    expect(scheduledPosts()).toHaveLength(2);
    const second = cardText(scheduledPosts()[1].body.attachments[0].content);
    expect(second).toMatch(/Since the last digest \(.+\): 0 more returns submitted; fully meeting most indicators \d+% → \d+% \(0 points\)/);
    expect(JSON.stringify(scheduledPosts()[1].body)).toContain('"type":"Chart.Line"');
  });

  it("a digest that cannot be delivered is reported to the admin who registered the channel", async () => {
    const fresh = others[0];
    const job = await fresh.services.delivery.scheduler.get(`digest.run|${TEAM}|${CHANNEL}`);
    bot.connector.failConversation(CHANNEL, 403);
    shift += new Date(job!.dueAt).getTime() - now().getTime() + 500;
    const notice = await bot.connector.waitFor((a) => JSON.stringify(a.body ?? {}).includes("A message was not delivered"), 20_000);
    const created = bot.connector.createdConversations.find((c) => c.id === notice.conversationId);
    expect(notice.conversationId === personalConversationId(admin) || created?.body?.members?.[0]?.id === admin.aadObjectId).toBe(true);
    bot.connector.clearFailures();
  });
});

describe("the channel's address", () => {
  it("is refreshed from the channel's later activity, and an admin's 'post one now' goes there", async () => {
    const fresh = others[0];
    const moved = bot.connector.serviceUrl.replace("127.0.0.1", "localhost");
    await invokeIn(fresh.url, channelInvoke(exec1, "digest.sector", { sector: "education" }, moved));
    expect((await fresh.services.delivery.conversations.channel({ teamId: TEAM, channelId: CHANNEL }))!.serviceUrl).toBe(moved);
    const before = scheduledPosts().length;
    const list = await postActivity(fresh.url, invokeAction(admin, "digest.postNow", { teamId: TEAM, channelId: CHANNEL }));
    expect(plain(textOf(list.body.value))).toContain("Posted to the channel.");
    expect(scheduledPosts()).toHaveLength(before + 1);
    expect(String(scheduledPosts()[before].headers.host)).toMatch(/^localhost:/);
  });
});
