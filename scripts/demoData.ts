import type { Config } from "../src/config";
import { composeServices, type Services } from "../src/compose";
import type { Logger } from "../src/log";
import type { Actor } from "../src/people/actor";
import type { Agency, Sector } from "../src/storage/agenciesRepo";
import type { Cycle } from "../src/storage/cyclesRepo";
import { holderKey } from "../src/storage/grantsRepo";
import type { Principal } from "../src/storage/principal";
import type { TableStore } from "../src/storage/tableStore";
import { answerDigest, answerOf, columnsOf, type Answer, type Rating } from "../src/section11/answer";
import type { TemplateIndex } from "../src/section11/template";
import { DEFAULT_TEMPLATE } from "../src/section11/templateCatalog";
import { mapPool } from "../src/admin/pool";
import { idForName } from "../src/admin/validation";
import { createHash } from "node:crypto";

/**
 * A whole demo partnership, made through the same services the bot uses (answers saved, sent for
 * sign-off, signed off or sent back, updated), so every card, status line and export works on it:
 * one cycle over two invented partnerships (Westmere, Eastshire), 57 relevant agencies shaped like
 * the seed partnership's (see docs domain figures), and returns in every state. Of the 40 agencies
 * that have submitted, 31 (77.5%) fully met the majority of indicators at first submission, the
 * seed partnership's headline; three of the weaker ones improved in an update after the panels.
 * Each agency's services run on a clock of their own, set back to when each step "happened".
 *
 * Idempotent and resumable: ids are slugs of the names, the plan for each agency is
 * deterministic (seeded by its id), and each step looks at what is stored before acting, so a
 * second run changes nothing and a run cut short carries on where it stopped. Not product code.
 */

export type DemoState = "not_started" | "draft" | "sent_back" | "awaiting_signoff" | "submitted" | "updated" | "resubmitted";

/** What loading demo data needs: where to write, and the bot's configuration (for its rules). */
export interface DemoDeps {
  config: Config;
  store: TableStore;
  log: Logger;
  now: () => Date;
}

export interface PlaygroundUser {
  tenantId: string;
  aadObjectId: string;
  name: string;
  email: string;
}

export interface DemoOptions {
  playgroundUser?: PlaygroundUser;
  /** Called after each agency is done. */
  onProgress?: (done: number, total: number, agencyName: string) => void | Promise<void>;
  /** Agencies handled at once (default 6). */
  concurrency?: number;
}

export interface DemoSummary {
  cycleId: string;
  cycleName: string;
  cycleCreated: boolean;
  agenciesCreated: number;
  agenciesExisting: number;
  /** Planned state per demo agency (the 57, not the playground one). */
  states: Record<DemoState, number>;
  answersWritten: number;
  headerChanges: number;
  grantsWritten: number;
  playground?: { agencyId: string; agencyName: string; returnId: string };
  elapsedMs: number;
}

/** Named for the years it runs, like a real cycle: "Demo: Section 11 audit 2026-28". */
export const demoCycleName = (now: Date) => `Demo: Section 11 audit ${now.getUTCFullYear()}-${String((now.getUTCFullYear() + 2) % 100).padStart(2, "0")}`;
export const DEMO_PARTNERSHIPS = ["Westmere", "Eastshire"] as const;
export const PLAYGROUND_AGENCY_NAME = "Demo: Westmere Community Health";

type P = "W" | "E" | "WE";
/** [name, sector, partnerships, state, weak at first submission] */
type Row = [string, Sector, P, DemoState, boolean?];

/** Invented names throughout; "weak" agencies fully met at most 45% of indicators at first submission. */
export const DEMO_AGENCIES: readonly Row[] = [
  // The three statutory safeguarding partners.
  ["Westmere Borough Council", "local_authority", "W", "submitted"],
  ["Eastshire County Council", "local_authority", "E", "submitted"],
  ["Westmere and Eastshire Constabulary", "police", "WE", "resubmitted"],
  ["Westmere and Eastshire Integrated Care Board", "health", "WE", "submitted"],
  // Health.
  ["Westmere Hospitals NHS Foundation Trust", "health", "W", "updated", true],
  ["Eastshire Acute Hospitals NHS Trust", "health", "E", "submitted"],
  ["Westmere and Eastshire Mental Health NHS Trust", "health", "WE", "resubmitted", true],
  ["Eastshire Community Health Services", "health", "E", "awaiting_signoff"],
  ["Southvale Ambulance Service NHS Trust", "health", "WE", "submitted"],
  ["Westmere GP Federation", "health", "W", "draft"],
  ["Eastshire Primary Care Alliance", "health", "E", "not_started"],
  ["Larkspur Children's Hospice", "health", "WE", "submitted"],
  // Local authority services.
  ["Westmere Public Health Service", "local_authority", "W", "submitted"],
  ["Westmere Early Help Service", "local_authority", "W", "submitted"],
  ["Eastshire Youth Service", "local_authority", "E", "submitted"],
  // Probation, youth justice and the family court adviser.
  ["Probation Service, Westmere and Eastshire", "justice", "WE", "submitted"],
  ["Westmere Youth Justice Service", "justice", "W", "submitted"],
  ["Eastshire Youth Justice Service", "justice", "E", "sent_back"],
  ["Family Court Advisory Service (Southern Region)", "justice", "WE", "submitted"],
  // Secure estate.
  ["Longmoor Young Offender Institution", "secure_estate", "E", "submitted", true],
  ["Kestrel Rise Secure School", "secure_estate", "E", "awaiting_signoff"],
  // Fire and transport police.
  ["Westmere and Eastshire Fire and Rescue Service", "fire", "WE", "submitted"],
  ["National Rail Police, Southern Division", "police", "WE", "updated"],
  // Voluntary and community.
  ["National Society for Children's Safety", "voluntary", "WE", "submitted"],
  ["Westmere Young Carers", "voluntary", "W", "submitted"],
  ["Eastshire Family Action Network", "voluntary", "E", "submitted", true],
  ["Harbourlight Domestic Abuse Service", "voluntary", "WE", "resubmitted"],
  ["Brightpath Youth Counselling", "voluntary", "W", "draft"],
  ["Westmere Food and Family Bank", "voluntary", "W", "not_started"],
  // Housing.
  ["Westmere Homes Housing Association", "housing", "W", "submitted"],
  ["Eastshire Housing Partnership", "housing", "E", "submitted", true],
  ["Foxglove Supported Lodgings", "housing", "WE", "awaiting_signoff"],
  // Children's homes.
  ["Brightwater Children's Homes Ltd", "other", "WE", "submitted"],
  ["Oakridge House Children's Home", "other", "E", "draft"],
  ["Willowmere Residential Care", "other", "W", "submitted", true],
  // Schools and colleges.
  ["Westmere Academy Trust", "education", "W", "submitted"],
  ["Eastshire Learning Partnership", "education", "E", "submitted"],
  ["Kingfisher Primary School", "education", "W", "submitted"],
  ["St Aldhelm's Church of England Primary School", "education", "W", "sent_back"],
  ["Bramblewood High School", "education", "W", "submitted"],
  ["Silverbirch Special School", "education", "E", "submitted"],
  ["Westmere College", "education", "W", "submitted"],
  ["Eastshire Sixth Form College", "education", "E", "updated", true],
  ["Ashcombe Vale Independent School", "education", "E", "submitted"],
  ["Westmere Pupil Referral Unit", "education", "W", "awaiting_signoff"],
  ["Heron Lane Infant School", "education", "E", "draft"],
  // Early years.
  ["Little Acorns Nursery Group", "early_years", "WE", "submitted"],
  ["Westmere Childminding Network", "early_years", "W", "not_started"],
  // Sports clubs.
  ["Westmere Rovers Junior Football Club", "voluntary", "W", "submitted", true],
  ["Eastshire Amateur Swimming Club", "voluntary", "E", "draft"],
  ["Riverside Gymnastics Academy", "voluntary", "W", "submitted"],
  // Faith groups.
  ["Diocese of Westmere and Eastshire", "voluntary", "WE", "submitted"],
  ["Eastshire Interfaith Forum", "voluntary", "E", "not_started"],
  ["New Hope Community Church", "voluntary", "W", "draft"],
  // Other.
  ["Westmere Leisure Trust", "other", "W", "submitted", true],
  ["Westmere Libraries and Culture Trust", "other", "W", "awaiting_signoff"],
  ["Eastshire Children's Centres", "early_years", "E", "submitted"],
];

const partnershipsOf = (p: P) => (p === "WE" ? [...DEMO_PARTNERSHIPS] : p === "W" ? [DEMO_PARTNERSHIPS[0]] : [DEMO_PARTNERSHIPS[1]]);

// ----- deterministic randomness -----

function seedOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function rng(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] };
}
type Rng = ReturnType<typeof rng>;

// ----- invented people and words -----

const FIRST = ["Priya", "Tom", "Aisha", "Gareth", "Mei", "Olusegun", "Hannah", "Declan", "Zofia", "Imran", "Ruth", "Kwame", "Sinead", "Marcus", "Leila", "Owen", "Chloe", "Tariq", "Bethan", "Ravi"];
const LAST = ["Shah", "Whitfield", "Okafor", "Pryce", "Chen", "Adeyemi", "Marsh", "Byrne", "Nowak", "Hussain", "Ellery", "Mensah", "Quinn", "Holloway", "Haddad", "Morgan", "Fairbairn", "Malik", "Rees", "Patel"];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "September", "October", "November"];

const FULLY_EVIDENCE = [
  "Named board-level lead with a role description; the board received the annual safeguarding report in {month}.",
  "Policy reviewed and re-approved in {month}; a staff survey found {pct}% could name the safeguarding lead.",
  "Training matrix shows {pct}% of staff in date for the level their role needs; checked in supervision.",
  "Audit of {n} case files in {month} found the child's voice and lived experience recorded in every one.",
  "Escalation policy on the intranet and in induction; {n} escalations logged this year, all resolved.",
  "Single central record audited each quarter; the last audit in {month} found no gaps in DBS checks.",
  "Information-sharing protocol signed with the partnership; decisions to share are recorded on the case file.",
  "Whistleblowing procedure known by staff (survey {pct}%); two concerns raised and followed up this year.",
  "Attends the partnership board and two sub groups; attendance {pct}% over the last year.",
  "Children's panel met {n} times; the changes it asked for are published on our website.",
];
const PARTIAL_EVIDENCE = [
  "Policy in place but last reviewed more than three years ago; a review is booked.",
  "Most staff trained, but only {pct}% of part-time and bank staff are in date.",
  "We ask children for feedback, but cannot yet show a change made because of it.",
  "LADO referrals are made, but a spot check found some managers unsure when to consult the LADO.",
  "Contracts mention safeguarding, but we do not yet check that providers comply with Section 11.",
  "Supervision happens, but safeguarding is not a standing item in every team.",
];
const NOT_EVIDENCE = [
  "No written procedure yet; staff rely on the parent organisation's guidance.",
  "Not in place: identified in our own audit in {month}.",
];
const ACTIONS = [
  "Review and reissue the policy, and brief every manager at the next team meeting.",
  "Add LADO awareness to induction and run a briefing for all managers.",
  "Add Section 11 compliance to every new contract and check it at contract review.",
  "Bring bank and part-time staff training up to date and report progress to the board.",
  "Set up a young people's reference group and record the changes made from its advice.",
  "Make safeguarding a standing item in team supervision and audit it in six months.",
  "Write the procedure, consult staff and publish it on the intranet.",
];
const OWNERS = ["Head of Safeguarding", "Designated Safeguarding Lead", "HR Manager", "Named Nurse for Safeguarding", "Contracts Manager", "Operations Director", "Training Coordinator", "Chair of Trustees"];
const NA_COMMISSIONING = "We do not commission or grant-fund any services for children.";
const NA_OTHER = "We have no staff in this role; our parent organisation covers it and is assessed separately.";
const SENT_BACK_COMMENTS = [
  "Standard 6: please add how managers learn about the LADO, and a date for the action.",
  "Evidence for 5.3 quotes last year's figures: please update before I sign.",
];

function fill(template: string, r: Rng): string {
  return template.replace("{month}", r.pick(MONTHS)).replace("{pct}", String(r.int(72, 98))).replace("{n}", String(r.int(3, 24)));
}

interface DemoPerson {
  name: string;
  email: string;
}

function peopleOf(agencyId: string): { lead: DemoPerson; officer: DemoPerson } {
  const r = rng(seedOf(`people:${agencyId}`));
  const domain = `${agencyId.slice(0, 40).replace(/-+$/, "")}.example`;
  const person = (): DemoPerson => {
    const first = r.pick(FIRST);
    const last = r.pick(LAST);
    return { name: `${first} ${last}`, email: `${first}.${last}@${domain}`.toLowerCase() };
  };
  const lead = person();
  let officer = person();
  while (officer.email === lead.email) officer = person();
  return { lead, officer };
}

// ----- the plan for one return -----

interface Plan {
  /** Answers in template order; undefined = left unanswered. */
  answers: Map<string, Answer>;
  /** For updated/resubmitted: the answers changed after the first submission. */
  updates: Map<string, Answer>;
}

const DAY = 86_400_000;

function planAnswers(index: TemplateIndex, agencyId: string, sector: Sector, state: DemoState, weak: boolean, now: Date): Plan {
  const r = rng(seedOf(`answers:${agencyId}`));
  const ids = index.ordered.map((ref) => ref.indicator.id);
  const due = () => new Date(now.getTime() + r.int(30, 180) * DAY).toISOString().slice(0, 10);
  const answer = (rating: Rating, indicatorId: string): Answer => {
    if (rating === "na") return { rating, evidence: "", naReason: indicatorId.startsWith("9.") ? NA_COMMISSIONING : NA_OTHER, actionText: "", actionOwner: "", actionDue: "" };
    const bank = rating === "fully" ? FULLY_EVIDENCE : rating === "partially" ? PARTIAL_EVIDENCE : NOT_EVIDENCE;
    const base: Answer = { rating, evidence: fill(r.pick(bank), r), naReason: "", actionText: "", actionOwner: "", actionDue: "" };
    return rating === "fully" ? base : { ...base, actionText: r.pick(ACTIONS), actionOwner: r.pick(OWNERS), actionDue: due() };
  };

  // How many of each rating; commissioning (standard 9) and allegations/LADO (standard 6) are
  // where the seed partnership found most room for improvement, so weaker ratings go there first.
  const total = ids.length;
  const smallOrg = sector === "voluntary" || sector === "other" || sector === "early_years";
  let na: number, not: number, partially: number;
  if (weak) {
    const fully = r.int(Math.floor(total * 0.33), Math.floor(total * 0.45));
    not = r.int(2, 5);
    na = r.int(0, 1);
    partially = total - fully - not - na;
  } else {
    na = smallOrg ? r.int(1, 3) : r.int(0, 1);
    not = r.int(0, 1);
    partially = r.int(3, 8);
  }
  const order = ids
    .map((id) => ({ id, score: r.next() - (id.startsWith("6.") || id.startsWith("9.") ? 0.45 : 0) }))
    .sort((a, b) => a.score - b.score)
    .map((x) => x.id);
  const naFirst = [...ids.filter((id) => id.startsWith("9.")), ...order.slice().reverse()];
  const ratings = new Map<string, Rating>();
  for (const id of naFirst) if ([...ratings.values()].filter((x) => x === "na").length < na && !ratings.has(id)) ratings.set(id, "na");
  for (const id of order) {
    if (ratings.has(id)) continue;
    const counts = { not: 0, partially: 0 };
    for (const v of ratings.values()) if (v === "not" || v === "partially") counts[v]++;
    ratings.set(id, counts.not < not ? "not" : counts.partially < partially ? "partially" : "fully");
  }

  const answers = new Map<string, Answer>();
  const updates = new Map<string, Answer>();
  if (state === "not_started") return { answers, updates };
  if (state === "draft") {
    const k = r.int(6, Math.floor(total * 0.7));
    ids.slice(0, k).forEach((id, i) => {
      const a = answer(ratings.get(id)!, id);
      // The last one saved mid-way: a rating without its evidence yet.
      answers.set(id, i === k - 1 && a.rating !== "na" ? { ...a, evidence: "", actionText: "", actionOwner: "", actionDue: "" } : a);
    });
    return { answers, updates };
  }
  for (const id of ids) answers.set(id, answer(ratings.get(id)!, id));
  if (state === "updated" || state === "resubmitted") {
    // After the panels: actions completed, partially met indicators now fully met. Weak
    // agencies improve across the board; others on a few indicators.
    const improvable = ids.filter((id) => ratings.get(id) === "partially");
    const count = weak ? improvable.length : Math.min(improvable.length, r.int(2, 4));
    for (const id of improvable.slice(0, count)) {
      updates.set(id, { rating: "fully", evidence: `Action completed: ${answers.get(id)!.actionText.replace(/\.$/, "").toLowerCase()}. Checked at the panel.`, naReason: "", actionText: "", actionOwner: "", actionDue: "" });
    }
  }
  return { answers, updates };
}

// ----- applying a plan through the services -----

interface Counters {
  answersWritten: number;
  headerChanges: number;
  grantsWritten: number;
}

/** The demo staff of an agency sign in from one invented tenant; ids are derived from their e-mail. */
const DEMO_TENANT = "00000000-0000-4000-8000-0000000de300";
function principalOf(p: DemoPerson): Principal {
  const h = createHash("sha256").update(p.email).digest("hex");
  return { tenantId: DEMO_TENANT, aadObjectId: `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}` };
}
const actorOf = (p: DemoPerson): Actor => ({ principal: principalOf(p), name: p.name });

/** Services whose clock the caller moves: each step is dated when it "happened". */
function servicesAt(deps: DemoDeps): { s: Services; at: (ms: number) => void } {
  let t = deps.now().getTime();
  const s = composeServices(deps.config, deps.store, deps.log, () => new Date(t));
  return { s, at: (ms) => (t = ms) };
}

/** Saves each wanted answer through the service, as the lead would, one every 37 minutes. */
async function saveAnswers(s: Services, at: (ms: number) => void, pk: string, wanted: Map<string, Answer>, who: Actor, startMs: number, onlyIfUnanswered: boolean, c: Counters): Promise<void> {
  let i = 0;
  for (const [indicatorId, answer] of wanted) {
    const stored = await s.repos.returns.getAnswer(pk, indicatorId);
    if (!stored) continue;
    const current = answerOf(stored);
    if (onlyIfUnanswered ? stored.updatedAt !== "" : answerDigest(current) === answerDigest(answer)) continue;
    at(startMs + i++ * 37 * 60_000);
    await s.returnService.save(who, { returnId: pk, indicatorId, etag: stored.etag, answerDigest: answerDigest(current), storedDue: stored.actionDue, then: "stay", ...columnsOf(answer) });
    c.answersWritten++;
  }
}

async function ensurePeople(s: Services, agency: Agency, people: { lead: DemoPerson; officer: DemoPerson }, c: Counters): Promise<void> {
  const existing = new Set((await s.repos.grants.forAgency(agency.agencyId)).map((g) => `${g.role}|${g.holder}`));
  for (const role of ["lead", "officer"] as const) {
    const p = people[role];
    const principal = principalOf(p);
    if (existing.has(`${role}|${holderKey({ kind: "person", principal })}`)) continue;
    await s.repos.people.upsert({ ...principal, name: p.name, email: p.email, upn: p.email, conversation: "", firstSeenAt: agency.createdAt });
    await s.access.grant({ role, agencyId: agency.agencyId, agencyName: agency.name, holder: { kind: "person", principal }, name: p.name, email: p.email, upn: p.email, by: "demo data" });
    c.grantsWritten++;
  }
}

async function applyState(deps: DemoDeps, cycle: Cycle, agency: Agency, index: TemplateIndex, state: DemoState, weak: boolean, c: Counters): Promise<string> {
  const { s, at } = servicesAt(deps);
  const now = deps.now();
  const t = (daysAgo: number, hours = 0) => now.getTime() - daysAgo * DAY + hours * 3_600_000;
  const seed = seedOf(agency.agencyId);
  const jitter = seed % 48; // hours, so agencies do not all act at the same moment
  const submitDay = 20 + (seed % 15); // first submissions spread over two weeks
  const askDay = 1 + (seed % 6);
  const people = peopleOf(agency.agencyId);
  const lead = actorOf(people.lead);
  const officer = actorOf(people.officer);
  await ensurePeople(s, agency, people, c);
  at(t(58));
  const pk = await s.returnService.ensureReturn(cycle, agency);
  if (state === "not_started") return pk;
  const plan = planAnswers(index, agency.agencyId, agency.sector, state, weak, now);
  const header = async () => (await s.repos.returns.load(pk))!.header;

  // Answers are saved over about a day, well before the sign-off request that follows them.
  const answersStart = state === "draft" ? t(6, -jitter / 4) : state === "sent_back" || state === "awaiting_signoff" ? t(16, jitter / 4) : t(submitDay + 4);
  await saveAnswers(s, at, pk, plan.answers, lead, answersStart, true, c);
  if (state === "draft") return pk;
  let h = await header();

  if (state === "awaiting_signoff") {
    if (h.status === "draft" && !h.signoffRequestedAt) {
      at(t(askDay, jitter / 4));
      await s.returnService.requestSignoff(lead, pk, people.officer.email);
      c.headerChanges++;
    }
    return pk;
  }
  if (state === "sent_back") {
    if (!h.sentBackAt) {
      if (h.status !== "awaiting_signoff") {
        at(t(12, jitter / 4));
        await s.returnService.requestSignoff(lead, pk);
      }
      at(t(11, jitter / 4));
      await s.returnService.sendBack(officer, pk, SENT_BACK_COMMENTS[seed % SENT_BACK_COMMENTS.length]);
      c.headerChanges += 2;
    }
    return pk;
  }

  // submitted, updated, resubmitted: the first submission, signed off by the senior officer.
  if (h.submissionCount === 0) {
    if (h.status !== "awaiting_signoff") {
      at(t(submitDay + 1, jitter / 2));
      await s.returnService.requestSignoff(lead, pk);
    }
    at(t(submitDay, jitter / 2));
    await s.returnService.approve(officer, pk);
    c.headerChanges += 2;
    h = await header();
    if (h.status !== "submitted") throw new Error(`demo: ${agency.name} was not submitted`);
  }
  if (state === "submitted") return pk;

  // After the panels: the lead updates the answers...
  await saveAnswers(s, at, pk, plan.updates, lead, t(6, jitter / 4), false, c);
  if (state === "updated") return pk;
  // ...and the senior officer signs the update off.
  h = await header();
  if (h.submissionCount === 1) {
    if (h.status !== "awaiting_signoff") {
      at(t(5, jitter / 4));
      await s.returnService.requestSignoff(lead, pk);
    }
    at(t(4, jitter / 4));
    await s.returnService.approve(officer, pk);
    c.headerChanges += 2;
  }
  return pk;
}

async function ensureAgency(s: Services, name: string, sector: Sector, partnerships: string[], createdAt: string): Promise<{ agency: Agency; created: boolean }> {
  const agency: Agency = { agencyId: idForName(name), name, sector, partnerships, createdAt, createdBy: "demo data" };
  if (await s.repos.agencies.create(agency)) return { agency, created: true };
  return { agency: (await s.repos.agencies.get(agency.agencyId)) ?? agency, created: false };
}

async function setUpPlayground(deps: DemoDeps, cycle: Cycle, index: TemplateIndex, user: PlaygroundUser, c: Counters, createdAt: string): Promise<{ agency: Agency; created: boolean; returnId: string }> {
  const { s, at } = servicesAt(deps);
  const principal: Principal = { tenantId: user.tenantId, aadObjectId: user.aadObjectId };
  // Remember the person only if the bot has not met them yet: an upsert would blank the
  // conversation reference the bot stored on first contact.
  if (!(await s.repos.people.get(principal))) {
    await s.repos.people.upsert({ ...principal, name: user.name, email: user.email, upn: user.email, conversation: "", firstSeenAt: createdAt });
  }
  const { agency, created } = await ensureAgency(s, PLAYGROUND_AGENCY_NAME, "health", [DEMO_PARTNERSHIPS[0]], createdAt);
  const pk = await s.returnService.ensureReturn(cycle, agency);
  const held = new Set((await s.repos.grants.forHolder(holderKey({ kind: "person", principal }))).map((g) => `${g.role}|${g.agencyId}`));
  for (const [role, agencyId] of [["admin", "*"], ["lead", agency.agencyId], ["officer", agency.agencyId]] as const) {
    if (held.has(`${role}|${agencyId}`)) continue;
    await s.access.grant({ role, agencyId, agencyName: role === "admin" ? "" : agency.name, holder: { kind: "person", principal }, name: user.name, email: user.email, upn: user.email, by: "demo data" });
    c.grantsWritten++;
  }
  // A draft with a few answers in standard 1, saved by the playground user, so "continue" resumes.
  const s1 = index.template.standards[0].indicators.map((i) => i.id);
  const wanted = new Map<string, Answer>();
  const blank: Answer = { evidence: "", naReason: "", actionText: "", actionOwner: "", actionDue: "" };
  s1.slice(0, 3).forEach((id, i) => wanted.set(id, { ...blank, rating: "fully", evidence: fill(FULLY_EVIDENCE[i], rng(seedOf(id))) }));
  if (s1[3]) wanted.set(s1[3], { ...blank, rating: "partially", evidence: PARTIAL_EVIDENCE[0], actionText: ACTIONS[0], actionOwner: OWNERS[0], actionDue: new Date(deps.now().getTime() + 90 * DAY).toISOString().slice(0, 10) });
  if (s1[4]) wanted.set(s1[4], { ...blank, rating: "partially" });
  await saveAnswers(s, at, pk, wanted, { principal, name: user.name }, deps.now().getTime() - 2 * DAY, true, c);
  return { agency, created, returnId: pk };
}

export async function loadDemoData(deps: DemoDeps, opts: DemoOptions = {}): Promise<DemoSummary> {
  const started = Date.now();
  const now = deps.now();
  const createdAt = new Date(now.getTime() - 60 * DAY).toISOString();
  const c: Counters = { answersWritten: 0, headerChanges: 0, grantsWritten: 0 };
  const { s } = servicesAt(deps);

  const name = demoCycleName(now);
  const wantedCycle: Cycle = {
    cycleId: idForName(name, "cycle"),
    name,
    deadline: new Date(now.getTime() + 6 * 7 * DAY).toISOString().slice(0, 10),
    templateId: DEFAULT_TEMPLATE.id,
    templateVersion: DEFAULT_TEMPLATE.version,
    partnerships: [...DEMO_PARTNERSHIPS],
    status: "open",
    createdAt,
    createdBy: "demo data",
  };
  const cycleCreated = await s.repos.cycles.create(wantedCycle);
  const cycle = cycleCreated ? wantedCycle : ((await s.repos.cycles.get(wantedCycle.cycleId)) ?? wantedCycle);
  const index = await s.catalog.get(cycle.templateId, cycle.templateVersion);
  if (!index) throw new Error(`Template ${cycle.templateId} v${cycle.templateVersion} is missing`);

  const states = { not_started: 0, draft: 0, sent_back: 0, awaiting_signoff: 0, submitted: 0, updated: 0, resubmitted: 0 } as Record<DemoState, number>;
  let agenciesCreated = 0;
  let agenciesExisting = 0;
  let done = 0;
  const total = DEMO_AGENCIES.length + (opts.playgroundUser ? 1 : 0);

  let playground: DemoSummary["playground"];
  if (opts.playgroundUser) {
    const p = await setUpPlayground(deps, cycle, index, opts.playgroundUser, c, createdAt);
    if (p.created) agenciesCreated++;
    else agenciesExisting++;
    playground = { agencyId: p.agency.agencyId, agencyName: p.agency.name, returnId: p.returnId };
    await opts.onProgress?.(++done, total, p.agency.name);
  }

  await mapPool(DEMO_AGENCIES, opts.concurrency ?? 6, async ([agencyName, sector, p, state, weak]) => {
    const { agency, created } = await ensureAgency(s, agencyName, sector, partnershipsOf(p), createdAt);
    if (created) agenciesCreated++;
    else agenciesExisting++;
    await applyState(deps, cycle, agency, index, state, !!weak, c);
    states[state]++;
    await opts.onProgress?.(++done, total, agencyName);
  });

  return { cycleId: cycle.cycleId, cycleName: cycle.name, cycleCreated, agenciesCreated, agenciesExisting, states, ...c, playground, elapsedMs: Date.now() - started };
}
