import fc from "fast-check";
import { odata } from "@azure/data-tables";
import { startBot, type BotUnderTest } from "../support/botUnderTest";
import { actionOf, actionsOf, inputsOf, plain, textOf } from "../support/cardTools";
import { postActivity } from "../support/http";
import { answerIndicator } from "../support/section11";
import { createCourse, createSession, makeTrainer } from "../support/training";
import { invokeAction, newMessageId, newTeamsUser, teamMessage, TEST_TENANT_ID, toConnectorMember, type TeamsUser } from "../support/teamsActivity";
import { CARD_SIZE_LIMIT } from "../../src/cards/renderCard";
import { DEFAULT_TEMPLATE } from "../../src/section11/templateCatalog";
import { returnPartition } from "../../src/storage/returnsRepo";
import type { TableName } from "../../src/storage/tableStore";
import { addDays, ukDate } from "../../src/time";

/**
 * Hostile Action.Execute payloads against every card verb of the newer features (actions, admin,
 * cycles, deadlines, digest, panels, training): what an attacker or an old card can send. The
 * partnership has real state (an admin, an open and a closed cycle, three agencies with submitted
 * returns and open actions, two panels, a challenge, a training course with sessions and delegates,
 * a channel registered for digests), and each role (admin, lead, panel member, training officer, a
 * stranger from another tenant) presses every verb with fast-check payloads: ids of other agencies,
 * panels, cycles and sessions, text of 0-5,000 characters (and 100,000), numbers, null, arrays,
 * objects, markdown and links, '*' and malformed ETags, impossible dates, in personal chat, a group
 * chat and a channel. Each press must answer 200 with a card or a message under Teams' 28 KB, the
 * bot must log no "unexpected failure" (the generic "Something went wrong on our side"), nothing of
 * the other agency may reach someone without rights, and no stored row of another agency or panel
 * may change; typed markdown never renders as a link or bold. The presses start from the payloads
 * the cards really carry (harvested from the cards each role was shown) with one or two fields
 * swapped, so they get past the schemas into the handlers; then again with old cards (the cycle
 * closed, the panel deleted, the session closed). The verb list and each verb's fields come from the
 * composed route table, so a verb added later is fuzzed without editing this file. What the fuzz
 * found is kept below as plain regressions. FUZZ_SEED=<n> replays a run; FUZZ_RUNS scales it.
 */

const OTHER_TENANT = "00000000-0000-4000-8000-0000000b0b0b";
const TEAM = "19:exec-team@thread.tacv2";
const CHANNEL = "19:exec-channel@thread.tacv2";
const GROUP_CHAT = "19:meeting_fuzz@thread.v2";

const admin = newTeamsUser({ name: "Bea Admin", email: "bea@partnership.example" });
const lead = newTeamsUser({ name: "Lee Lead", email: "lee@plover.example" });
const officer = newTeamsUser({ name: "Olu Officer", email: "olu@plover.example" });
const curlewLead = newTeamsUser({ name: "Zed Secretlead", email: "zed.secretlead@curlew.example" });
const curlewOfficer = newTeamsUser({ name: "Col Curlew-Officer", email: "col@curlew.example" });
const member = newTeamsUser({ name: "Dr Amira Khan", email: "amira@icb.example" });
const curlewMember = newTeamsUser({ name: "Pat Police", email: "pat@police.example" });
const trainer = newTeamsUser({ name: "Tara Trainer", email: "tara@partnership.example" });
const stranger = newTeamsUser({ name: "Sly Stranger", email: "sly@elsewhere.example", tenantId: OTHER_TENANT });

/** What only the curlew agency's people, its panel and the admin may ever read. */
const CURLEW_SECRETS = ["CURLEW-SECRET-EVIDENCE", "CURLEW-SECRET-ACTION", curlewLead.email!, "Secretlead"];
/** The delegates and managers on the training officer's sessions: only the officer reads them. */
const TRAINING_SECRETS = ["web@southdown.example", "Web Delegate", "mona@southdown.example", "Mona Manager"];
/** What someone from another organisation with no role may never read. */
const PARTNERSHIP_NAMES = ["Plover", "Curlew", "Wren", "Neglect", "Lee Lead", "Amira", ...CURLEW_SECRETS, ...TRAINING_SECRETS];

const plover = returnPartition("c1", "plover");
const curlew = returnPartition("c1", "curlew");
const all = DEFAULT_TEMPLATE.standards.flatMap((s) => s.indicators.map((i) => i.id));
const cardText = (card: unknown) => plain(textOf(card ?? {}));

let bot: BotUnderTest;
const ids = {
  panelA: "",
  panelB: "",
  courseId: "",
  sessionOpen: "",
  sessionClosed: "",
  delegates: [] as string[],
  actions: [] as Array<{ returnId: string; actionId: string }>,
  etags: [] as string[],
};

async function submit(l: TeamsUser, o: TeamsUser, returnId: string, marker: string) {
  const due = addDays(ukDate(new Date()), 40);
  for (const id of all) {
    const fields = id === "2.1" ? { rating: "partially", evidence: `${marker}-EVIDENCE`, actionText: `${marker}-ACTION`, actionOwner: "Board", actionDue: due } : id.startsWith("9.") ? { rating: "na", naReason: "We commission nothing." } : { rating: "fully", evidence: `${marker}-EVIDENCE ${id}` };
    await answerIndicator(bot, l, returnId, id, fields);
  }
  expect(cardText((await bot.invoke(l, "s11.requestSignoff", { returnId })).card)).toContain("Sent for sign-off");
  expect(cardText((await bot.invoke(o, "s11.approve", { returnId })).card)).toContain("Signed off and submitted");
}

type Place = "personal" | "groupChat" | "channel";

/** An Action.Execute as Teams sends it from a card in personal chat, a group (meeting) chat or the registered channel. */
function invokeIn(user: TeamsUser, verb: string, data: Record<string, unknown>, place: Place) {
  if (place === "personal") return invokeAction(user, verb, data);
  const a = invokeAction(user, verb, data, { conversationId: place === "channel" ? `${CHANNEL};messageid=${newMessageId()}` : GROUP_CHAT });
  if (place === "groupChat") {
    a.conversation = { ...a.conversation, conversationType: "groupChat", isGroup: true };
  } else {
    a.conversation = { ...a.conversation, conversationType: "channel", isGroup: true };
    a.channelData = { ...a.channelData, teamsTeamId: TEAM, teamsChannelId: CHANNEL, team: { id: TEAM, name: "Safeguarding Executive" }, channel: { id: CHANNEL, name: "Executive board" } };
  }
  return a;
}

/** Every row of the tables and partitions that belong to the other agency, its panel, or nobody's role but the admin's, by table and key. */
async function othersRows(opts: { training?: boolean } = {}): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const add = async (table: TableName, keep: (e: { partitionKey: string; rowKey: string }) => boolean = () => true, filter?: string) => {
    for await (const e of bot.app.store.table(table).listEntities<{ partitionKey: string; rowKey: string; v?: unknown }>({ queryOptions: filter ? { filter } : {} })) {
      // A reader backfills a return's summary row (the same cells again, marked with their version "v"): derived, not a change.
      if (e.rowKey === "summary") for (const k of ["v", "etag", "timestamp"] as const) delete (e as Record<string, unknown>)[k];
      // Sorted, so a row rewritten with the same values in another order is the same row.
      if (keep(e)) out.set(`${table} ${e.partitionKey} ${e.rowKey}`, JSON.stringify(Object.fromEntries(Object.entries(e).sort(([a], [b]) => a.localeCompare(b)))));
    }
  };
  await add("Returns", undefined, odata`PartitionKey eq ${curlew}`);
  await add("Panels", (e) => e.rowKey === ids.panelB || e.partitionKey === "panel");
  for (const t of ["Agencies", "Grants", "Cycles", "Settings"] as const) await add(t);
  // The channels registered for digests (the digests posted are a cache anyone in the channel fills).
  await add("Digests", undefined, odata`PartitionKey eq 'reg'`);
  if (opts.training) await add("Training");
  return out;
}

/** The rows added, removed or changed between two snapshots, named by table and key. */
function changedRows(before: Map<string, string>, after: Map<string, string>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((k) => before.get(k) !== after.get(k)).map((k) => {
    if (!before.has(k) || !after.has(k)) return `${k}: ${!before.has(k) ? "added" : "removed"}`;
    const [b, a] = [JSON.parse(before.get(k)!), JSON.parse(after.get(k)!)] as Array<Record<string, unknown>>;
    return `${k}: changed ${Object.keys(a).filter((f) => f !== "etag" && f !== "timestamp" && JSON.stringify(a[f]) !== JSON.stringify(b[f])).map((f) => `${f} ${JSON.stringify(b[f])?.slice(0, 80)} -> ${JSON.stringify(a[f])?.slice(0, 80)}`).join("; ")}`;
  });
}

/** What the cards people were shown carry back (their data and their inputs' values), by verb: the fuzz starts from these. */
const corpus = new Map<string, Array<Record<string, unknown>>>();
function harvest(card: unknown) {
  if (!card) return;
  const inputs = inputsOf(card);
  for (const a of actionsOf(card)) {
    if (!a.verb) continue;
    const list = corpus.get(a.verb) ?? [];
    if (list.length < 12) list.push({ ...inputs, ...a.data });
    corpus.set(a.verb, list);
  }
}

beforeAll(async () => {
  bot = await startBot({ ADMIN_AAD_OBJECT_IDS: `${TEST_TENANT_ID}:${admin.aadObjectId}`, ALLOWED_TENANT_IDS: `${TEST_TENANT_ID},${OTHER_TENANT}` }, { captureLogs: true });
  const s = bot.app.services;
  await s.repos.cycles.create({ cycleId: "c0", name: "Section 11 audit 2024-26", deadline: "2026-03-31", templateId: DEFAULT_TEMPLATE.id, templateVersion: DEFAULT_TEMPLATE.version, partnerships: ["Westmere"], status: "closed", createdAt: "2024-11-01T00:00:00Z", createdBy: "t" });
  await s.repos.cycles.create({ cycleId: "c1", name: "Section 11 audit 2026-28", deadline: "2099-03-31", templateId: DEFAULT_TEMPLATE.id, templateVersion: DEFAULT_TEMPLATE.version, partnerships: ["Westmere"], status: "open", createdAt: "2026-11-01T00:00:00Z", createdBy: "t" });
  await s.repos.agencies.create({ agencyId: "plover", name: "Plover Academy Trust", sector: "education", partnerships: ["Westmere"], createdAt: "", createdBy: "" });
  await s.repos.agencies.create({ agencyId: "wren", name: "Wren **Primary** School", sector: "early_years", partnerships: ["Westmere"], createdAt: "", createdBy: "" });
  await s.repos.agencies.create({ agencyId: "curlew", name: "Curlew Children's Centre", sector: "voluntary", partnerships: ["Westmere"], createdAt: "", createdBy: "" });
  const people = [admin, lead, officer, curlewLead, curlewOfficer, member, curlewMember, trainer, stranger];
  bot.connector.setMembers(people.map((u) => toConnectorMember(u)));
  // The channel's and the meeting chat's own rosters: the stranger is in neither.
  bot.connector.setConversationMembers(CHANNEL, [admin, member, trainer, lead].map((u) => toConnectorMember(u)));
  bot.connector.setConversationMembers(GROUP_CHAT, [trainer, lead, member, officer].map((u) => toConnectorMember(u)));
  for (const [u, agencyId, role] of [[lead, "plover", "lead"], [officer, "plover", "officer"], [curlewLead, "curlew", "lead"], [curlewOfficer, "curlew", "officer"]] as const) await bot.invoke(admin, "admin.assign", { agencyId, role, email: u.email, personName: u.name });
  for (const u of people) await bot.say(u, "hi");
  await bot.say(lead, "audit");
  await bot.say(curlewLead, "audit");
  await submit(lead, officer, plover, "PLOVER");
  await submit(curlewLead, curlewOfficer, curlew, "CURLEW-SECRET");

  // Two panels: the member's (plover, wren) and another (curlew) the member must never reach.
  const date = addDays(ukDate(new Date()), 20);
  for (const [name, agencyIds, who] of [["Education panel", "plover,wren", member], ["Voluntary panel", "curlew", curlewMember]] as const) {
    const r = await bot.invoke(admin, "panel.create", { name, date, cycleId: "c1", members: who.email, agencyIds, sector: "" });
    expect(cardText(r.card)).not.toContain("Not created");
  }
  const panels = await s.panels["d"].panels.list();
  ids.panelA = panels.find((p) => p.name === "Education panel")!.panelId;
  ids.panelB = panels.find((p) => p.name === "Voluntary panel")!.panelId;
  // A challenge with a moderated rating, so the member's and the lead's cards have a conversation and a version.
  const ind = await bot.invoke(member, "panel.indicator", { panelId: ids.panelA, returnId: plover, indicatorId: "1.1" });
  const send = actionOf(ind.card, "panel.challenge");
  expect(cardText((await bot.invoke(member, send.verb, { ...send.data, comment: "Where is the policy?", moderatedRating: "partially" })).card)).toContain("Sent to");
  ids.etags.push(String(actionOf((await bot.invoke(member, "panel.indicator", { panelId: ids.panelA, returnId: plover, indicatorId: "1.1" })).card, "panel.challenge").data.modEtag));
  ids.etags.push(String(actionOf((await bot.invoke(admin, "panel.edit", { panelId: ids.panelA })).card, "panel.save").data.etag));

  // The actions of both returns (the lead's, and the other agency's).
  for (const u of [lead, curlewLead]) ids.actions.push(actionOf((await bot.say(u, "actions")).card, "act.closeForm").data as { returnId: string; actionId: string });

  // Training: a course, an open session with delegates (the lead among them, reached in Teams), a closed one.
  await makeTrainer(bot, admin, trainer);
  ids.courseId = (await createCourse(bot, trainer, { title: "Neglect: recognising and responding" })).courseId;
  ids.sessionOpen = (await createSession(bot, trainer, ids.courseId, new Date(Date.now() + 3 * 86_400_000))).sessionId;
  ids.sessionClosed = (await createSession(bot, trainer, ids.courseId, new Date(Date.now() + 3_600_000))).sessionId;
  for (const sessionId of [ids.sessionOpen, ids.sessionClosed]) {
    for (const d of [{ name: lead.name, email: lead.email! }, { name: "Web Delegate", email: "web@southdown.example" }]) {
      expect(cardText((await bot.invoke(trainer, "training.delegate.add", { sessionId, ...d, agency: "Southdown", managerName: "Mona Manager", managerEmail: "mona@southdown.example" })).card)).toContain("is booked");
    }
  }
  await bot.invoke(trainer, "training.session.close", { sessionId: ids.sessionClosed });
  for (const sessionId of [ids.sessionOpen, ids.sessionClosed]) ids.delegates.push(...(await s.training.deps.repo.listDelegates(sessionId)).map((d) => d.delegateId));

  // The Executive's channel, registered by the admin from inside it.
  const saved = await postActivity(bot.url, invokeIn(admin, "digest.save", { partnerships: "Westmere", frequency: "weekly", weekday: "1", monthDay: "1", time: "09:00", sections: "returns,standards,attention,training" }, "channel"));
  expect(plain(textOf(saved.body?.value))).toContain("Registered");

  // The cards each role reads, from which the fuzz takes real payloads (including ids the presser has no right to).
  const views: Array<[TeamsUser, string, Record<string, unknown>]> = [
    [admin, "admin.menu", {}], [admin, "admin.cycles", {}], [admin, "admin.cycle.form", {}], [admin, "admin.agency.form", {}], [admin, "admin.agency.people", { agencyId: "curlew" }], [admin, "admin.agency.people", { agencyId: "plover" }], [admin, "admin.assign.form", { agencyId: "plover" }],
    [admin, "admin.status", {}], [admin, "admin.settings", {}], [admin, "admin.deadline.form", { cycleId: "c1" }], [admin, "act.admin", {}], [admin, "digest.channels", {}], [admin, "digest.settings", { teamId: TEAM, channelId: CHANNEL }],
    [admin, "panel.home", {}], [admin, "panel.form", {}], [admin, "panel.edit", { panelId: ids.panelA }], [admin, "panel.edit", { panelId: ids.panelB }], [admin, "panel.deleteAsk", { panelId: ids.panelB }], [admin, "s11.compare", { agencyId: "curlew" }],
    [member, "panel.home", {}], [member, "panel.view", { panelId: ids.panelA }], [member, "panel.agency", { panelId: ids.panelA, returnId: plover }], [member, "panel.indicator", { panelId: ids.panelA, returnId: plover, indicatorId: "1.1" }],
    [curlewMember, "panel.indicator", { panelId: ids.panelB, returnId: curlew, indicatorId: "2.1" }],
    [lead, "panel.home", {}], [lead, "panel.lead", { returnId: plover, indicatorId: "1.1" }], [lead, "act.mine", {}], [lead, "act.closeForm", ids.actions[0]], [curlewLead, "act.closeForm", ids.actions[1]], [lead, "s11.compare", {}], [lead, "training.home", {}],
    [trainer, "training.home", {}], [trainer, "training.course", { courseId: ids.courseId }], [trainer, "training.session", { sessionId: ids.sessionOpen }], [trainer, "training.session", { sessionId: ids.sessionClosed }], [trainer, "training.delegates", { sessionId: ids.sessionClosed }],
    [trainer, "training.attendance", { sessionId: ids.sessionOpen }], [trainer, "training.results", { scope: "course", id: ids.courseId }], [trainer, "training.export", { scope: "session", id: ids.sessionClosed, what: "menu" }], [trainer, "training.course.form", {}], [trainer, "training.session.form", { courseId: ids.courseId }], [trainer, "training.delegate.form", { sessionId: ids.sessionOpen }],
  ];
  for (const [u, verb, data] of views) harvest((await bot.invoke(u, verb, data)).card);
  for (const [u, typed] of [[admin, "deadlines"], [admin, "digest"], [lead, "audit"], [lead, "actions"], [curlewLead, "actions"], [member, "panels"], [trainer, "training"]] as const) harvest((await bot.say(u, typed)).card);
  // The lead's evaluation card, as it arrived in their chat.
  // The digest typed in the channel, with its drill-downs.
  await postActivity(bot.url, teamMessage(admin, TEAM, CHANNEL, "digest"));
  for (const a of bot.connector.activities) harvest(a.body?.attachments?.[0]?.content);
  // What no card in this set-up shows: the buttons of other chats and of later moments, as their cards carry them.
  const leadDelegate = (await s.training.deps.repo.listDelegates(ids.sessionClosed)).find((d) => d.email === lead.email)!.delegateId;
  const channel = { teamId: TEAM, channelId: CHANNEL };
  for (const [verb, data] of [
    ["training.evaluation.open", { sessionId: ids.sessionClosed, kind: "end", delegateId: leadDelegate }],
    ["training.roster.add", { sessionId: ids.sessionOpen }],
    ["training.officer.add", { email: "new.officer@partnership.example", personName: "New Officer" }],
    ["digest.standard", { ...channel, standard: "1", sector: "", agency: "", agencyId: "" }],
    ["digest.sector", { ...channel, standard: "", sector: "education", agency: "", agencyId: "" }],
    ["digest.agency", { ...channel, standard: "", sector: "", agency: "Plover", agencyId: "plover" }],
    ["digest.export", channel],
    ["digest.resume", channel],
    ["digest.exportFile", { grant: "AAAAAAAAAAAAAAAAAAAAAA", format: "xlsx", ...channel }],
    ["admin.cycle.carry", { cycleId: "c1" }],
  ] as const) corpus.set(verb, [...(corpus.get(verb) ?? []), data]);
  if (process.env.FUZZ_DEBUG) console.log(`corpus: ${[...corpus.keys()].sort().join(" ")}\nwithout: ${bot.app.routes.verbNames().filter((v) => !corpus.has(v)).join(" ")}`);
}, 180_000);
afterAll(async () => {
  if (process.env.FUZZ_DEBUG) console.log(`logged: ${JSON.stringify([...new Set(bot.logs.map((l) => `${l.level} ${l.msg} ${l.where ?? ""} ${l.err ?? ""} ${l.status ?? ""}`))])}`);
  await bot?.stop();
});

// ---------------------------------------------------------------------------------------------
// What a payload's fields may hold

const LONG = "x".repeat(100_000);
const ETAGS = ["*", "", "W/\"\"", "W/\"x\"", "\"datetime'2026-01-01'\"", "W/\"datetime'2099-99-99T00%3A00%3A00Z'\"", `W/"${"a".repeat(300)}"`, "W/\"datetime'1970-01-01T00%3A00%3A00.0000000Z'\""];
const DATES = ["2027-02-30", "2027-13-01", "0000-00-00", "1970-01-01", "9999-12-31", "2026-12-25", "tomorrow", "31/12/2027", "2027-02-28T25:61"];
const MARKDOWN = ["[Click me](https://evil.example)", "**urgent** <script>alert(1)</script>", "=HYPERLINK(\"https://evil.example\",\"Open\")", "x' or PartitionKey ne '", "../../etc/passwd", "{{$root.secret}}", "${constructor}", "\u202Eevil", "a|b|c"];

/** Real ids of everything in the partnership, so payloads point at other agencies' and panels' things. */
function knownIds(): string[] {
  return [
    "c0", "c1", "c9", "plover", "curlew", "wren", "ghost", plover, curlew, returnPartition("c0", "plover"), returnPartition("c1", "ghost"), `${curlew}|x`,
    ids.panelA, ids.panelB, "pn-0000000000", ids.courseId, "c-0000000000", ids.sessionOpen, ids.sessionClosed, "s-0000000000", ...ids.delegates, "d-0000000000",
    ...ids.actions.map((a) => a.actionId), "1.1", "2.1", "99.9", TEAM, CHANNEL, "19:other@thread.tacv2", "lead", "officer", "end", "follow", "menu", "answers", "links", "session", "course",
    `${TEST_TENANT_ID}:${curlewLead.aadObjectId}`, `${OTHER_TENANT}:${stranger.aadObjectId}`, curlewLead.email!, `email:${curlewLead.email}`,
  ];
}

function valueArb(): fc.Arbitrary<unknown> {
  const scalar = (long: boolean) => fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...knownIds()) },
    { weight: 2, arbitrary: fc.constantFrom(...ETAGS) },
    { weight: 2, arbitrary: fc.constantFrom(...DATES) },
    { weight: 2, arbitrary: fc.constantFrom(...MARKDOWN) },
    { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ minLength: 200, maxLength: 5000 }) },
    { weight: long ? 1 : 0, arbitrary: fc.constant(LONG) },
    { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 1e21, 2 ** 53)) },
    { weight: 1, arbitrary: fc.constantFrom(null, true, false) },
  );
  return fc.oneof(
    { weight: 8, arbitrary: scalar(true) },
    { weight: 1, arbitrary: fc.array(scalar(false), { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.dictionary(fc.constantFrom("id", "__proto__", "constructor", "toString", "etag"), scalar(false), { maxKeys: 2 }) },
  );
}

/** The fields a verb reads, from its zod schema (an object's shape), plus what an evaluation answer carries. */
function fieldsOf(verb: string): string[] {
  const input = bot.app.routes.verb(verb)!.input as unknown as { shape?: Record<string, unknown> };
  const keys = Object.keys(input.shape ?? {});
  return verb === "training.evaluation.answer" ? [...keys, "overall", "outcome1", "confidenceBefore", "confidenceAfter", "comment", "consentQuote", "practiceChanged", "jointWorking"] : keys;
}

/** The verbs under test: every verb of the newer features (Section 11's own are fuzzed in hostileInput), and the comparison. */
const FEATURE_PREFIXES = ["act.", "admin.", "digest.", "panel.", "training."];
const verbsUnderTest = () => bot.app.routes.verbNames().filter((v) => FEATURE_PREFIXES.some((p) => v.startsWith(p)) || v === "s11.compare");

const DROP = Symbol("drop");
/** A press: a verb, where, and its data: a payload a real card carried (or nothing), with fields swapped for hostile values, dropped or added. */
const pressArb = (verbs: string[]) =>
  fc.constantFrom(...verbs).chain((verb) => {
    const seen = corpus.get(verb) ?? [];
    const fields = [...new Set([...fieldsOf(verb), ...seen.flatMap((d) => Object.keys(d))])];
    const base = seen.length ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...seen) }, { weight: 1, arbitrary: fc.constant({} as Record<string, unknown>) }) : fc.constant({} as Record<string, unknown>);
    const mutation = fc.oneof({ weight: 5, arbitrary: valueArb() }, { weight: 1, arbitrary: fc.constant(DROP) });
    return fc.record({
      verb: fc.constant(verb),
      place: fc.oneof({ weight: 6, arbitrary: fc.constant<Place>("personal") }, { weight: 1, arbitrary: fc.constant<Place>("groupChat") }, { weight: 1, arbitrary: fc.constant<Place>("channel") }),
      // Mostly one or two fields changed, so the press gets past the schema into the handler; sometimes all of them.
      data: fc.tuple(base, fc.oneof({ weight: 4, arbitrary: fc.array(fc.tuple(fields.length ? fc.constantFrom(...fields) : fc.constant("x"), mutation), { minLength: 1, maxLength: 2 }) }, { weight: 1, arbitrary: fc.tuple(...fields.map((k) => fc.tuple(fc.constant(k), mutation))) })).map(([b, changes]) => {
        const out: Record<string, unknown> = { ...b };
        let longs = 0;
        for (const [k, v] of changes) {
          if (v === DROP) delete out[k];
          // One 100,000-character field a press: more is over the 256 KB a request may carry (answered 413, as Teams never sends).
          else out[k] = v === LONG && longs++ ? "x" : v;
        }
        return out;
      }),
    });
  });

interface Finding {
  /** FUZZ_SEED=<seed> replays the presses (the state they met depends on the roles fuzzed before). */
  seed: number;
  role: string;
  verb: string;
  place: Place;
  why: string;
  data: string;
}

const brief = (data: unknown) => JSON.stringify(data, (_k, v) => (typeof v === "string" && v.length > 60 ? `${v.slice(0, 40)}…(${v.length} chars)` : v));

/** Presses one verb as one person and returns what is wrong with the answer, if anything. */
async function press(role: string, user: TeamsUser, verb: string, place: Place, data: Record<string, unknown>, secrets: string[]): Promise<string[]> {
  const logged = bot.logs.length;
  const res = await postActivity(bot.url, invokeIn(user, verb, data, place));
  const problems: string[] = [];
  if (res.status !== 200) problems.push(`HTTP ${res.status}`);
  const body = res.body as { type?: string; value?: unknown } | undefined;
  const isCard = body?.type === "application/vnd.microsoft.card.adaptive" && (body.value as { type?: string })?.type === "AdaptiveCard";
  const isMessage = body?.type === "application/vnd.microsoft.activity.message" && typeof body.value === "string";
  if (!isCard && !isMessage) problems.push(`no card or message: ${brief(body).slice(0, 200)}`);
  const bytes = Buffer.byteLength(JSON.stringify(body?.value ?? ""));
  if (bytes >= CARD_SIZE_LIMIT) problems.push(`${bytes} bytes`);
  const shown = isCard ? cardText(body!.value) : String(body?.value ?? "");
  // What the presser typed themselves may come back to them (a form keeps what was typed).
  const sent = JSON.stringify(data);
  for (const s of secrets) if (!sent.includes(s) && (shown.includes(s) || JSON.stringify(body?.value ?? "").includes(s))) problems.push(`shows "${s}" to the ${role}`);
  for (const line of bot.logs.slice(logged)) {
    if (line.msg === "unexpected failure" || line.msg === "operation stopped part-way" || line.msg === "storage unavailable") problems.push(`logged "${line.msg}" (${brief({ err: line.err, code: line.code, status: line.status, at: line.at })})`);
  }
  if (shown.includes("Something went wrong on our side")) problems.push("answered 'Something went wrong on our side'");
  // Typed markdown shows as typed: never a link or bold where Teams renders markdown (text blocks and facts).
  if (isCard && /(?<!\\)\]\(https:\/\/evil|(?<!\\)\*\*urgent/.test(textOf(body!.value))) problems.push("renders typed markdown (a link or bold)");
  if (process.env.FUZZ_DEBUG) console.log(`${role} ${verb} ${place} -> ${shown.split("\n")[0].slice(0, 80)} | ${brief(data).slice(0, 200)}`);
  return problems;
}

/**
 * Presses `numRuns` generated payloads as one person. The property never fails: every finding is
 * collected and the test fails once with all of them, rather than stopping at the first and
 * shrinking it through HTTP against a bot whose state the earlier presses changed.
 */
async function fuzzAs(role: string, user: TeamsUser, secrets: string[], numRuns: number): Promise<Finding[]> {
  const findings: Finding[] = [];
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
  await fc.assert(
    fc.asyncProperty(pressArb(verbsUnderTest()), async ({ verb, place, data }) => {
      for (const why of await press(role, user, verb, place, data, secrets)) findings.push({ seed, role, verb, place, why, data: brief(data).slice(0, 400) });
    }),
    { numRuns, seed },
  );
  return findings;
}

const RUNS = Number(process.env.FUZZ_RUNS ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * RUNS));

// ---------------------------------------------------------------------------------------------
// Regressions: what the fuzz found, kept as plain cases

/** Presses and returns what the person read, failing on any answer from the generic failure paths. */
async function pressed(user: TeamsUser, verb: string, data: Record<string, unknown>): Promise<string> {
  const problems = await press("regression", user, verb, "personal", data, []);
  expect({ verb, data, problems }).toEqual({ verb, data, problems: [] });
  const res = await bot.invoke(user, verb, data);
  return cardText(res.card);
}

test("an id that Table Storage cannot hold as a key (/ \\ # ?, control characters) is 'not found', never 'the audit store did not answer'", async () => {
  for (const cycleId of ["31/12/2027", "W/\"\"", "a#b", "why?", "tab\there", "back\\slash"]) {
    expect(await pressed(admin, "admin.cycle.close", { cycleId })).not.toContain("did not answer");
    expect(await pressed(admin, "admin.cycle.reopen", { cycleId })).not.toContain("did not answer");
    expect(await pressed(admin, "admin.cycle.carry", { cycleId })).toContain("does not exist");
    expect(await pressed(admin, "admin.deadline.form", { cycleId })).toContain("does not exist");
    expect(await pressed(admin, "admin.deadline.extend", { cycleId, agencyId: "*", deadline: "2099-04-30", reminderDays: "14" })).toContain("does not exist");
  }
  expect(await pressed(admin, "s11.compare", { agencyId: "../../etc/passwd" })).not.toContain("did not answer");
  expect(await pressed(lead, "s11.compare", { agencyId: "x#y", cycleId: "c/1" })).not.toContain("did not answer");
});

test("a challenge whose card version is not a version (a number, an object, '*') is refused as stale with the challenge kept, never as broken data", async () => {
  const send = actionOf((await bot.invoke(member, "panel.indicator", { panelId: ids.panelA, returnId: plover, indicatorId: "1.2" })).card, "panel.challenge");
  for (const modEtag of [42, { etag: "W/\"x\"" }, ["W/\"x\""], "*", "W/\"x\"", `W/"${"a".repeat(300)}"`]) {
    const typed = `Where is the evidence? (${JSON.stringify(modEtag).slice(0, 20)})`;
    const r = await bot.invoke(member, send.verb, { ...send.data, modEtag, comment: typed, moderatedRating: "not" });
    expect(cardText(r.card)).toContain("changed since this card was drawn");
    expect(inputsOf(r.card).comment).toBe(typed);
  }
  expect((await bot.app.services.panels["d"].challenges.loadIndicator(plover, "1.2"))?.moderated).toBeUndefined();
  // The card as drawn still sends the challenge.
  expect(cardText((await bot.invoke(member, send.verb, { ...send.data, comment: "Where is the evidence?", moderatedRating: "not" })).card)).toContain("Sent to");
});

test("'Suggest by sector' on the change form keeps the version first drawn: a payload without one cannot save over another admin's change", async () => {
  const date = addDays(ukDate(new Date()), 30);
  const fields = { date, cycleId: "c1", members: member.email, agencyIds: "wren", sector: "" };
  await bot.invoke(admin, "panel.create", { ...fields, name: "Regression panel" });
  const panelId = (await bot.app.services.panels["d"].panels.list()).find((p) => p.name === "Regression panel")!.panelId;
  const stale = actionOf((await bot.invoke(admin, "panel.edit", { panelId })).card, "panel.save");
  const other = actionOf((await bot.invoke(admin, "panel.edit", { panelId })).card, "panel.save");
  expect(cardText((await bot.invoke(admin, other.verb, { ...other.data, ...fields, name: "Renamed by a colleague" })).card)).toContain("Saved");
  for (const etag of ["", undefined, 7, "*"]) {
    const suggested = await bot.invoke(admin, "panel.suggest", { ...stale.data, etag, ...fields, name: "Stale name", sector: "education" });
    const save = actionOf(suggested.card, "panel.save");
    expect(cardText((await bot.invoke(admin, save.verb, { ...save.data, ...inputsOf(suggested.card) })).card)).toContain("Someone else changed this panel meanwhile");
  }
  expect((await bot.app.services.panels["d"].panels.get(panelId))?.name).toBe("Renamed by a colleague");
});

test("a panel's create form pressed twice at once (a double click, a resent card) creates one panel", async () => {
  const form = await bot.invoke(admin, "panel.form", {});
  const create = actionOf(form.card, "panel.create");
  const fields = { name: "Double-clicked panel", date: addDays(ukDate(new Date()), 20), cycleId: "c1", members: member.email, agencyIds: "wren", sector: "" };
  const answers = await Promise.all([bot.invoke(admin, create.verb, { ...create.data, ...fields }), bot.invoke(admin, create.verb, { ...create.data, ...fields })]);
  const again = await bot.invoke(admin, create.verb, { ...create.data, ...fields, members: `${member.email}\n${curlewMember.email}` });
  expect(answers.map((a) => cardText(a.card)).join(" ")).toContain("Panel created");
  expect(cardText(again.card)).toContain("already created");
  const made = (await bot.app.services.panels["d"].panels.list()).filter((p) => p.name === fields.name);
  expect(made.map((p) => p.members.map((m) => m.email))).toEqual([[member.email]]);
  // A form drawn again is a new panel.
  const other = actionOf((await bot.invoke(admin, "panel.form", {})).card, "panel.create");
  expect(cardText((await bot.invoke(admin, other.verb, { ...other.data, ...fields })).card)).toContain("Panel created");
  for (const id of (await bot.app.services.panels["d"].panels.list()).filter((p) => p.name === fields.name).map((p) => p.panelId)) {
    const yes = actionOf((await bot.invoke(admin, "panel.deleteAsk", { panelId: id })).card, "panel.delete");
    await bot.invoke(admin, yes.verb, yes.data);
  }
});

test("a challenge and the lead's answer pressed twice at once are recorded and sent once", async () => {
  const challenges = bot.app.services.panels["d"].challenges;
  const send = actionOf((await bot.invoke(member, "panel.indicator", { panelId: ids.panelA, returnId: plover, indicatorId: "4.1" })).card, "panel.challenge");
  const sent = await Promise.all([0, 1].map(() => bot.invoke(member, send.verb, { ...send.data, comment: "Who checks this?", moderatedRating: "" })));
  expect(sent.map((r) => cardText(r.card)).join(" ")).toMatch(/Sent to[\s\S]*Already sent|Already sent[\s\S]*Sent to/);
  expect((await challenges.loadIndicator(plover, "4.1"))?.thread.map((t) => t.kind)).toEqual(["challenge"]);
  const reply = actionOf((await bot.invoke(lead, "panel.lead", { returnId: plover, indicatorId: "4.1" })).card, "panel.answer", (a) => a.data.kind === "reply");
  const answered = await Promise.all([0, 1].map(() => bot.invoke(lead, reply.verb, { ...reply.data, reply: "Our deputy head, every term." })));
  expect(answered.map((r) => cardText(r.card)).join(" ")).toContain("Already sent");
  expect((await challenges.loadIndicator(plover, "4.1"))?.thread.map((t) => t.kind)).toEqual(["challenge", "reply"]);
  // The next card drawn sends again.
  const next = actionOf((await bot.invoke(lead, "panel.lead", { returnId: plover, indicatorId: "4.1" })).card, "panel.answer", (a) => a.data.kind === "accepted");
  expect(cardText((await bot.invoke(lead, next.verb, next.data)).card)).toContain("Sent to the panel");
  expect((await challenges.loadIndicator(plover, "4.1"))?.thread.map((t) => t.kind)).toEqual(["challenge", "reply", "accepted"]);
});

test("an invoke whose data is not an object, whose verb is not a verb or whose action is not an Action.Execute gets an answer", async () => {
  const raw = async (value: unknown) => {
    const a = invokeAction(lead, "x", {});
    a.value = value;
    const logged = bot.logs.length;
    const res = await postActivity(bot.url, a);
    expect({ value, status: res.status, type: res.body?.type, logged: bot.logs.slice(logged).map((l) => l.msg) }).toEqual({ value, status: 200, type: expect.stringMatching(/card\.adaptive|activity\.message/), logged: [] });
    return res.body?.value;
  };
  const execute = (verb: unknown, data: unknown) => ({ action: { type: "Action.Execute", verb, data }, trigger: "manual" });
  for (const verb of verbsUnderTest()) for (const data of [null, "text", [1, 2], 42]) await raw(execute(verb, data));
  for (const verb of ["", "__proto__", "constructor", "toString", 42, null, { verb: "panel.home" }]) expect(cardText(await raw(execute(verb, {})))).toContain("not available");
  // An array is not a verb, even one that reads as one when turned into a string.
  expect(cardText(await raw(execute(["panel.home"], {})))).toContain("not available");
  for (const action of [{ verb: "panel.home", data: {} }, { type: "Action.Submit", verb: "panel.home", data: {} }, { type: 7, verb: "panel.home" }, null, "panel.home", []]) await raw({ action, trigger: "manual" });
  for (const value of [null, "panel.home", [], {}]) await raw(value);
});

describe.each([
  // role, who, what they may never read, runs, whether the training rows are someone else's (the lead answers their own evaluation)
  ["stranger from another tenant", () => stranger, PARTNERSHIP_NAMES, 450, true],
  ["training officer", () => trainer, CURLEW_SECRETS, 600, false],
  ["panel member", () => member, [...CURLEW_SECRETS, ...TRAINING_SECRETS], 600, true],
  ["lead", () => lead, [...CURLEW_SECRETS, ...TRAINING_SECRETS], 600, false],
] as const)("as the %s", (role, who, secrets, n, training) => {
  test("every verb answers with a card, fails nothing on our side, shows and changes nothing of another agency or panel", async () => {
    const before = await othersRows({ training });
    const findings = await fuzzAs(role, who(), [...secrets], runs(n));
    expect(findings).toEqual([]);
    expect(changedRows(before, await othersRows({ training }))).toEqual([]);
  }, 120_000);
});

test("as the admin, every verb answers with a card and fails nothing on our side", async () => {
  const findings = await fuzzAs("admin", admin, [], runs(750));
  expect(findings).toEqual([]);
}, 120_000);


describe("old cards: after the cycle closed, the member's panel was deleted and a session closed", () => {
  beforeAll(async () => {
    await bot.invoke(admin, "admin.cycle.close", { cycleId: "c1" });
    const ask = await bot.invoke(admin, "panel.deleteAsk", { panelId: ids.panelA });
    const yes = actionsOf(ask.card).find((a) => a.verb === "panel.delete");
    if (yes) await bot.invoke(admin, yes.verb, yes.data);
    await bot.invoke(trainer, "training.session.close", { sessionId: ids.sessionOpen });
  });

  test.each([
    ["training officer", () => trainer, CURLEW_SECRETS, 300],
    ["panel member", () => member, [...CURLEW_SECRETS, ...TRAINING_SECRETS], 300],
    ["lead", () => lead, [...CURLEW_SECRETS, ...TRAINING_SECRETS], 300],
  ] as const)("as the %s, every verb of the cards they were shown still answers with a card and fails nothing on our side", async (role, who, secrets, n) => {
    const findings = await fuzzAs(role, who(), [...secrets], runs(n));
    expect(findings).toEqual([]);
  }, 120_000);
});
