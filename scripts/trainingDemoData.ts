import { createHash } from "node:crypto";
import { composeServices } from "../src/compose";
import type { Actor } from "../src/people/actor";
import { mapPool } from "../src/admin/pool";
import { DeliveriesRepo, type NewDeliveryRow } from "../src/storage/deliveriesRepo";
import { key } from "../src/storage/keys";
import { recipientKeyOf, type Recipient } from "../src/delivery/types";
import { trainingParts } from "../src/training/parts";
import type { CourseKind, Delegate, DelegateInput, EvaluationKind } from "../src/training/types";
import { batchId } from "../src/training/verbs";
import { utcToLondon } from "../src/training/ukTime";
import { DEMO_PARTNERSHIPS, type DemoDeps, type PlaygroundUser } from "./demoData";

/**
 * A year of the training programme shaped like the seed partnership's 2020-21 (see the domain
 * notes): 29 sessions and 450 delegates, 238 of them on one programme; about 60% answer the
 * end-of-session evaluation and 30% the follow-up; some agree to be quoted. Made through the
 * training services on clocks set back to when each step happened. The year ended long enough ago
 * that every evaluation has closed, so starting the bot afterwards sends nobody anything (its
 * jobs find closed evaluations and stop). The requests themselves are recorded as outbox rows
 * already sent (never dispatched), so the officer's views show how each delegate was reached.
 * Idempotent: ids come from names, plans from seeded randomness, and each step checks what is stored.
 */
const DAY = 86_400_000;
/** The demo year ends this long ago: past every follow-up (8 weeks) and the links' lifetime after it (60 days). */
const YEAR_ENDS_DAYS_AGO = 150;

interface CoursePlan {
  title: string;
  kind: CourseKind;
  /** Comma-separated, as the course form sends them; absent = a joint course. */
  partnerships?: string;
  outcomes: string[];
  sessions: number;
  delegates: number;
}

const COURSES: CoursePlan[] = [
  { title: "Demo: Basic child protection", kind: "core", outcomes: ["Recognise the four categories of abuse and the signs of each", "Know how to respond to a disclosure", "Know how to make a referral to children's social care"], sessions: 14, delegates: 238 },
  { title: "Demo: Intermediate child protection", kind: "core", outcomes: ["Understand the child protection process from referral to plan", "Contribute to a child protection conference"], sessions: 3, delegates: 42 },
  // Eastshire's own course: a Westmere-only channel's digest leaves its sessions out.
  { title: "Demo: Child sexual exploitation", kind: "core", partnerships: DEMO_PARTNERSHIPS[1], outcomes: ["Recognise the signs of child sexual exploitation", "Use the exploitation screening tool", "Know the partnership's exploitation pathway"], sessions: 2, delegates: 30 },
  { title: "Demo: Prevent and radicalisation (taster)", kind: "taster", outcomes: ["Understand the Prevent duty", "Know when and how to make a Prevent referral"], sessions: 2, delegates: 26 },
  { title: "Demo: Contextual safeguarding (taster)", kind: "taster", outcomes: ["Understand harm outside the home", "Map a young person's peer and place contexts"], sessions: 2, delegates: 22 },
  { title: "Demo: Neglect assessment tool", kind: "tool", outcomes: ["Recognise the five categories of neglect", "Use the neglect assessment tool with a family"], sessions: 3, delegates: 36 },
  { title: "Demo: Signs of Safety", kind: "tool", outcomes: ["Use the three columns in a case discussion", "Write a danger statement and safety goal"], sessions: 2, delegates: 26 },
  { title: "Demo: Threshold guidance launch", kind: "event", outcomes: ["Know the levels of need and what each calls for", "Know where to find the threshold guidance"], sessions: 1, delegates: 30 },
];

const AGENCIES = ["Westmere Council Children's Services", "Southdown Community Health NHS Trust", "South Coast Police", "Westmere Primary Schools Federation", "Eastshire College", "Westmere Youth Offending Team", "NSPCC South East", "Downland Secure School", "Westmere Early Years Network", "Eastshire Fire and Rescue Service"];
const FIRST = ["Priya", "Tom", "Aisha", "Gareth", "Mei", "Olusegun", "Hannah", "Declan", "Zofia", "Imran", "Ruth", "Kwame", "Sinead", "Marcus", "Leila", "Owen", "Chloe", "Tariq", "Bethan", "Ravi", "Grace", "Ewan", "Nadia", "Callum"];
const LAST = ["Shah", "Whitfield", "Okafor", "Pryce", "Chen", "Adeyemi", "Marsh", "Byrne", "Nowak", "Hussain", "Ellery", "Mensah", "Quinn", "Holloway", "Haddad", "Morgan", "Fairbairn", "Malik", "Rees", "Patel"];
const TRAINERS = ["Dr Helen Mayhew", "Jo Carter", "DS Amir Rahman", "Kate Lindqvist"];
const DIFFERENTLY = [
  "I am now aware of the five categories of neglect and will look for them at every home visit.",
  "I will use this knowledge when escalating cases.",
  "I will record the child's own words when they tell me something.",
  "I will check the threshold guidance before I make a referral.",
  "I will talk to the designated lead the same day rather than wait for supervision.",
  "I will use the screening tool when a young person goes missing.",
  "I will ask about the adults around a family, not only the parent I meet.",
];
const EXAMPLES = [
  "I used the neglect tool with a family and it helped them see what had to change.",
  "I escalated a case when the plan was drifting, and a strategy meeting was held within a week.",
  "I now share information with the school nurse before a review instead of after.",
  "I made a referral that I would not have made before the course, and it was accepted.",
  "Our team now maps a young person's places and friends in every exploitation screening.",
];

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

/** A form id (10 characters a-z0-9) from a name, so the same course or session is the same record on every run. */
const formIdOf = (name: string) => createHash("sha256").update(name).digest("hex").replace(/[^a-z0-9]/g, "").slice(0, 10);

export interface TrainingDemoSummary {
  courses: number;
  sessions: number;
  delegates: number;
  attended: number;
  answeredEnd: number;
  answeredFollow: number;
  elapsedMs: number;
}

export async function loadTrainingDemoData(deps: DemoDeps, opts: { playgroundUser?: PlaygroundUser; onProgress?: (done: number, total: number, what: string) => void } = {}): Promise<TrainingDemoSummary> {
  const started = Date.now();
  const s = composeServices(deps.config, deps.store, deps.log, deps.now);
  const officerPerson = opts.playgroundUser ?? { tenantId: "00000000-0000-0000-0000-000000000000", aadObjectId: "00000000-0000-0000-0000-0000000007a1", name: "Demo training officer", email: "" };
  const officer: Actor = { principal: { tenantId: officerPerson.tenantId.toLowerCase(), aadObjectId: officerPerson.aadObjectId.toLowerCase() }, name: officerPerson.name };
  if (!(await s.access.rolesOf(officer)).trainer) await s.access.grant({ role: "trainer", agencyId: "*", agencyName: "Partnership", holder: { kind: "person", principal: officer.principal }, name: officer.name, email: officerPerson.email, by: "npm run demo-data" });
  const deliveries = new DeliveriesRepo(deps.store);
  const at = (t: number) => trainingParts({ ...s.training.deps, now: () => new Date(t) });
  const yearEnd = deps.now().getTime() - YEAR_ENDS_DAYS_AGO * DAY;
  const yearStart = yearEnd - 365 * DAY;
  const summary = { courses: COURSES.length, sessions: 0, delegates: 0, attended: 0, answeredEnd: 0, answeredFollow: 0 };
  const total = COURSES.reduce((n, c) => n + c.sessions, 0);

  for (const [ci, plan] of COURSES.entries()) {
    const courseForm = formIdOf(`demo-course:${plan.title}`);
    const courseId = `c-${courseForm}`;
    const made = await at(yearStart - 30 * DAY).courses.create(officer, { formId: courseForm, title: plan.title, kind: plan.kind, partnerships: plan.partnerships, outcomes: plan.outcomes.join("\n"), followUpWeeks: "8", reminderAfter: "3 days", escalationAfter: "7 days" });
    if (!made.created) throw new Error(`The demo course "${plan.title}" was refused: ${made.view.problems.map((p) => p.value).join(" ")}`);
    for (let n = 0; n < plan.sessions; n++) {
      const r = rng(seedOf(`${plan.title}|${n}`));
      // Each course's sessions spread over the year (courses staggered), on weekdays at 09:30 or 13:30 (UK time).
      const day = new Date(yearStart + Math.floor(((n + (ci + 0.5) / COURSES.length) / plan.sessions) * 364) * DAY);
      while ([0, 6].includes(day.getUTCDay())) day.setTime(day.getTime() + DAY);
      const date = utcToLondon(day.toISOString()).date;
      const sessionForm = formIdOf(`demo-session:${plan.title}:${n}`);
      const sessionId = `s-${sessionForm}`;
      const duration = plan.kind === "taster" ? 120 : plan.kind === "event" ? 240 : 360;
      const before = day.getTime() - 21 * DAY;
      await at(before).sessions.create(officer, { formId: sessionForm, courseId, date, time: r.next() < 0.5 ? "09:30" : "13:30", duration: String(duration), mode: r.next() < 0.6 ? "virtual" : "in_person", venue: r.next() < 0.6 ? "Microsoft Teams meeting" : "Westmere Civic Centre, Room 2", trainer: r.pick(TRAINERS) });
      let session = await s.training.sessions.get(sessionId);
      const size = Math.floor(plan.delegates / plan.sessions) + (n < plan.delegates % plan.sessions ? 1 : 0);
      const inputs: DelegateInput[] = Array.from({ length: size }, (_, i) => {
        const first = r.pick(FIRST);
        const last = r.pick(LAST);
        const agency = r.pick(AGENCIES);
        const domain = `${agency.toLowerCase().replace(/[^a-z]+/g, "-").replace(/^-|-$/g, "").slice(0, 30)}.example`;
        const manager = `${r.pick(FIRST)} ${r.pick(LAST)}`;
        return { name: `${first} ${last}`, email: `${first}.${last}.${n}${i}@${domain}`.toLowerCase(), agency, managerName: manager, managerEmail: `${manager.toLowerCase().replace(/ /g, ".")}@${domain}` };
      });
      await at(before).delegates.addMany(officer, session, inputs, "demo");
      const delegates = await s.training.deps.repo.listDelegates(sessionId);
      // About one in twelve booked did not come.
      for (const d of delegates) if (rng(seedOf(`absent|${sessionId}|${d.delegateId}`)).next() < 0.08 && d.attended) await s.training.deps.repo.changeDelegate(sessionId, d.delegateId, () => ({ attended: false }));
      const end = Date.parse(session.startsAt) + session.durationMinutes * 60_000;
      session = (await at(end).rounds.close(sessionId)) ?? session;
      const endSentAt = new Date(end + 5 * 60_000).toISOString();
      const followSentAt = new Date(end + 8 * 7 * DAY).toISOString();
      if (!session.endSentAt) await s.training.deps.repo.updateSession(sessionId, { endSentAt, followSentAt }, session.etag);
      session = await s.training.sessions.get(sessionId);
      const attended = (await s.training.deps.repo.listDelegates(sessionId)).filter((d) => d.attended);
      await recordSent(deliveries, sessionId, "end", attended, session.endSentAt!);
      await recordSent(deliveries, sessionId, "follow", attended, session.followSentAt!);
      const counts = await answerFor(at, sessionId, attended, Date.parse(session.endSentAt!), Date.parse(session.followSentAt!));
      summary.sessions++;
      summary.delegates += delegates.length;
      summary.attended += attended.length;
      summary.answeredEnd += counts.end;
      summary.answeredFollow += counts.follow;
      opts.onProgress?.(summary.sessions, total, `${plan.title}, ${date}`);
    }
  }
  return { ...summary, elapsedMs: Date.now() - started };
}

/** The requests of a round as the outbox would have recorded them once sent (a third in Teams, the rest by e-mail). */
async function recordSent(deliveries: DeliveriesRepo, sessionId: string, kind: EvaluationKind, attended: Delegate[], sentAt: string): Promise<void> {
  const rows: NewDeliveryRow[] = attended.map((d) => {
    const teams = rng(seedOf(`teams|${d.delegateId}`)).next() < 0.3;
    const recipient: Recipient = { kind: "email", email: d.email, name: d.name };
    return { batchId: batchId(sessionId, kind, "request"), recipientKey: key(...recipientKeyOf(recipient)), recipient, kind: "training.request", params: { sessionId, kind, delegateId: d.delegateId, reminder: "no" }, state: "sent", channel: teams ? "teams" : "email", attempts: 1, failures: 0, throttled: 0, lastStatus: 200, notBefore: sentAt, sentAt, createdAt: sentAt, updatedAt: sentAt };
  });
  await deliveries.createMissing(rows);
}

/** About 60% answer at the end of the session (most within a day), about 30% at follow-up. */
async function answerFor(at: (t: number) => ReturnType<typeof trainingParts>, sessionId: string, attended: Delegate[], endSentAt: number, followSentAt: number): Promise<{ end: number; follow: number }> {
  const counts = { end: 0, follow: 0 };
  await mapPool(attended, 6, async (d) => {
    const r = rng(seedOf(`answers|${sessionId}|${d.delegateId}`));
    const answersEnd = r.next() < 0.6;
    const answersFollow = r.next() < (answersEnd ? 0.42 : 0.12);
    if (answersEnd) {
      const t = endSentAt + r.int(1, 72) * 3_600_000;
      const parts = at(t);
      const ctx = await parts.answering.load(sessionId, "end", d.delegateId);
      if (!ctx) return;
      const before = r.int(1, 3);
      const overall = r.next() < 0.55 ? 5 : r.next() < 0.8 ? 4 : 3;
      const raw: Record<string, string> = { overall: String(overall), confidenceBefore: String(before), confidenceAfter: String(Math.min(5, before + r.int(1, 2))), trainer: String(r.next() < 0.6 ? 5 : 4), materials: String(r.int(3, 5)), doDifferently: r.pick(DIFFERENTLY), comment: r.next() < 0.2 ? "More case studies from our own area, please." : "", consentQuote: r.next() < 0.5 ? "yes" : "no" };
      ctx.course.outcomes.forEach((_, i) => (raw[`outcome${i + 1}`] = r.next() < 0.75 ? "yes" : r.next() < 0.85 ? "partly" : "no"));
      const saved = await parts.answering.save(ctx, raw);
      if (saved.ok) counts.end++;
    }
    if (answersFollow) {
      const t = followSentAt + r.int(24, 24 * 20) * 3_600_000;
      const parts = at(t);
      const ctx = await parts.answering.load(sessionId, "follow", d.delegateId);
      if (!ctx) return;
      const changed = r.next() < 0.55 ? "yes" : r.next() < 0.7 ? "partly" : "no";
      const raw = { practiceChanged: changed, practiceExample: changed === "no" ? "" : r.pick(EXAMPLES), jointWorking: r.pick(["yes", "yes", "partly", "no", "na"]), confidenceNow: String(r.int(3, 5)), barriers: r.next() < 0.25 ? "Caseload pressure left little time to try it." : "", consentQuote: r.next() < 0.5 ? "yes" : "no" };
      const saved = await parts.answering.save(ctx, raw);
      if (saved.ok) counts.follow++;
    }
  });
  return counts;
}
