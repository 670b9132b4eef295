import type { Services } from "../../src/compose";
import type { Actor } from "../../src/people/actor";
import { mapPool } from "../../src/admin/pool";
import { trainingParts } from "../../src/training/parts";
import type { DelegateInput } from "../../src/training/types";
import type { SeedPlan } from "./digestSeed";

/**
 * The seed plan's training year (29 sessions, 450 delegates, 302 end-of-session answers, follow-up
 * answers and a few quotes) stored through the real training services: courses and sessions
 * created by a training officer, delegates booked, every answer saved the way a delegate's card or
 * web form saves it, each on a clock set to when it happened. The evaluations are recorded as sent
 * without sending anything (the seeding services get a scheduler that schedules nothing), so the
 * bot under test has no rounds to run for them.
 */
const DAY = 86_400_000;
export const seedOfficer: Actor = { principal: { tenantId: "00000000-0000-0000-0000-000000000000", aadObjectId: "00000000-0000-0000-0000-0000000007a2" }, name: "Seed training officer" };

export const delegateEmail = (session: number, i: number) => `delegate.${session}.${i}@seed-agency.example`;

export interface StoredTraining {
  /** Planned session id -> stored session id. */
  sessionIds: Map<string, string>;
  courseIds: Map<string, string>;
}

export async function storeTraining(s: Services, plan: SeedPlan, realNow: Date): Promise<StoredTraining> {
  const base = s.training.deps;
  if (!(await s.access.rolesOf(seedOfficer)).trainer) await s.access.grant({ role: "trainer", agencyId: "*", agencyName: "Partnership", holder: { kind: "person", principal: seedOfficer.principal }, name: seedOfficer.name, email: "", by: "seed" });
  const at = (t: number) => trainingParts({ ...base, scheduler: { schedule: async () => undefined }, now: () => new Date(t) });
  const yearAgo = realNow.getTime() - 400 * DAY;
  const courseIds = new Map<string, string>();
  for (const title of [...new Set(plan.sessions.map((x) => x.course))]) {
    const parts = at(yearAgo);
    const form = await parts.courses.form(seedOfficer);
    await parts.courses.create(seedOfficer, { formId: form.formId, title, kind: "core", outcomes: "Recognise the signs\nKnow how to refer", followUpWeeks: "8", reminderAfter: "3 days", escalationAfter: "7 days" });
    courseIds.set(title, `c-${form.formId}`);
  }
  const sessionIds = new Map<string, string>();
  const byPlanned = new Map(plan.sessions.map((x, i) => [x.sessionId, i]));
  await mapPool(plan.sessions, 4, async (planned, index) => {
    const start = Date.parse(`${planned.date}T09:30:00Z`);
    const parts = at(start - 21 * DAY);
    const form = await parts.sessions.form(seedOfficer, courseIds.get(planned.course)!);
    // 09:30 UK time on the planned day.
    await parts.sessions.create(seedOfficer, { formId: form.formId, courseId: courseIds.get(planned.course)!, date: planned.date, time: "09:30", duration: "60", mode: "virtual", venue: "Microsoft Teams meeting", trainer: "Seed Trainer" });
    const sessionId = `s-${form.formId}`;
    sessionIds.set(planned.sessionId, sessionId);
    let session = await parts.sessions.get(sessionId);
    const inputs: DelegateInput[] = Array.from({ length: planned.delegates }, (_, i) => ({ name: `Seed Delegate ${index}.${i}`, email: delegateEmail(index, i), agency: "Seed Agency", managerName: "", managerEmail: "" }));
    await parts.delegates.addMany(seedOfficer, session, inputs, "csv");
    const end = Date.parse(session.startsAt) + session.durationMinutes * 60_000;
    session = (await at(end).rounds.close(sessionId))!;
    const endSentAt = end + 5 * 60_000;
    // The follow-up went out eight weeks on, or just now for the most recent sessions.
    const followSentAt = Math.max(endSentAt + 60_000, Math.min(end + 56 * DAY, realNow.getTime() - 3_600_000));
    await base.repo.updateSession(sessionId, { endSentAt: new Date(endSentAt).toISOString(), followSentAt: new Date(followSentAt).toISOString() }, session.etag);
  });
  // Each planned answer is one delegate's: the n-th answer of a session is its n-th delegate's.
  const seen = new Map<string, number>();
  const answers = plan.evaluations.map((e) => {
    const n = seen.get(e.sessionId) ?? 0;
    seen.set(e.sessionId, n + 1);
    return { e, session: byPlanned.get(e.sessionId)!, delegate: n };
  });
  await mapPool(answers, 6, async ({ e, session, delegate }) => {
    const sessionId = sessionIds.get(e.sessionId)!;
    const delegateId = base.keys.delegateId({ email: delegateEmail(session, delegate) });
    const stored = await base.repo.getSession(sessionId);
    const endParts = at(Date.parse(stored!.endSentAt!) + 3_600_000);
    const ctx = await endParts.answering.load(sessionId, "end", delegateId);
    if (!ctx) throw new Error(`no evaluation for ${sessionId} ${delegate}`);
    const saved = await endParts.answering.save(ctx, {
      overall: String(e.rating),
      outcome1: "yes",
      outcome2: "partly",
      confidenceBefore: String(e.confidenceBefore),
      confidenceAfter: String(e.confidenceAfter),
      trainer: "5",
      materials: "4",
      doDifferently: e.quote?.text ?? "I will share what I learnt with my team.",
      comment: "",
      consentQuote: e.quote?.consent ? "yes" : "no",
    });
    if (!saved.ok) throw new Error(`answer refused: ${JSON.stringify(saved.problems)}`);
    if (e.followUp?.answered) {
      const followParts = at(Date.parse(stored!.followSentAt!) + 60_000);
      const f = await followParts.answering.load(sessionId, "follow", delegateId);
      if (!f) throw new Error(`no follow-up for ${sessionId} ${delegate}`);
      const ok = await followParts.answering.save(f, { practiceChanged: e.followUp.changedPractice ? "yes" : "no", practiceExample: e.followUp.changedPractice ? "I escalated a drifting plan." : "", jointWorking: "yes", confidenceNow: String(e.followUp.confidence ?? 3), barriers: "", consentQuote: "no" });
      if (!ok.ok) throw new Error(`follow-up refused: ${JSON.stringify(ok.problems)}`);
    }
  });
  return { sessionIds, courseIds };
}
