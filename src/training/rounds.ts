import { z } from "zod/v4";
import { mapPool } from "../admin/pool";
import { isPreconditionFailed } from "../storage/errors";
import { normaliseEmail } from "../storage/peopleRepo";
import type { EnqueueItem, Recipient } from "../delivery/types";
import type { JobContext, JobResult } from "../schedule/scheduler";
import type { JobHandlers } from "../routes";
import type { TrainingDeps } from "./deps";
import { answeredAt, sentAt, sessionEnd, type Course, type Delegate, type EvaluationKind, type Session } from "./types";
import { batchId, jobId, TRAINING_JOBS, TRAINING_MESSAGES, type Round } from "./verbs";

const payloadSchema = z.object({ sessionId: z.string().regex(/^s-[a-z0-9]{10}$/), kind: z.enum(["end", "follow"]) });
const emailSchema = z.email().max(320);
const MINUTE = 60_000;

/**
 * The evaluation rounds of a session, as stored jobs every instance may run: the request when the
 * session closes (or when its end time passes) and the follow-up weeks later; one reminder R after
 * a delegate's request; one message to each manager R + E after it. Every step is idempotent: the
 * outbox holds at most one row per delegate (or manager) per round, checked by delegate id before
 * enqueuing, so a job that runs twice, or a button pressed while the job runs, sends nothing twice.
 * When each person is due is read from their own request row (its createdAt), so someone added
 * after the session closed gets their reminder R after their own request, not at once.
 */
export class EvaluationRounds {
  constructor(private readonly d: TrainingDeps) {}

  readonly jobs: JobHandlers = {
    [TRAINING_JOBS.send]: (ctx) => this.onJob(ctx, (s, k) => this.send(s, k)),
    [TRAINING_JOBS.remind]: (ctx) => this.onJob(ctx, (s, k) => this.remind(s, k)),
    [TRAINING_JOBS.escalate]: (ctx) => this.onJob(ctx, (s, k) => this.escalate(s, k)),
  };

  private async onJob(ctx: JobContext, run: (sessionId: string, kind: EvaluationKind) => Promise<JobResult>): Promise<JobResult> {
    const p = payloadSchema.safeParse(ctx.payload);
    if (!p.success) return undefined;
    return run(p.data.sessionId, p.data.kind);
  }

  /** When a session is created: its end-of-session evaluation goes out by itself once it has ended. */
  scheduleClose(session: Pick<Session, "sessionId" | "startsAt" | "durationMinutes">): Promise<void> {
    return this.d.scheduler.schedule(jobId(TRAINING_JOBS.send, session.sessionId, "end"), TRAINING_JOBS.send, sessionEnd(session), { sessionId: session.sessionId, kind: "end" }, { ifEarlier: true });
  }

  /** Brings a round's job forward to now, so it completes on any instance even if this one stops part-way. */
  sendSoon(sessionId: string, kind: EvaluationKind): Promise<void> {
    return this.d.scheduler.schedule(jobId(TRAINING_JOBS.send, sessionId, kind), TRAINING_JOBS.send, this.d.now(), { sessionId, kind }, { ifEarlier: true });
  }

  /** Closes a session that is still open (the officer's button, or its end time passing). */
  async close(sessionId: string): Promise<Session | undefined> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const s = await this.d.repo.getSession(sessionId);
      if (!s || s.state === "closed") return s;
      const closedAt = this.d.now().toISOString();
      try {
        const etag = await this.d.repo.updateSession(sessionId, { state: "closed", closedAt }, s.etag);
        return { ...s, state: "closed", closedAt, etag };
      } catch (e) {
        if (!isPreconditionFailed(e)) throw e;
      }
    }
    throw Object.assign(new Error("the session kept changing"), { statusCode: 503 });
  }

  /**
   * Sends the evaluation to every attendee who has not answered it and has not been sent it yet.
   * For "end" it closes the session first if it is open; "follow" waits for the session to close.
   */
  async send(sessionId: string, kind: EvaluationKind): Promise<JobResult> {
    let session = await this.d.repo.getSession(sessionId);
    if (!session) return undefined;
    if (kind === "end") session = await this.close(sessionId);
    if (!session || session.state !== "closed") return undefined;
    session = await this.markSent(session, kind);
    // An evaluation that has closed (its links expired) takes no new requests, reminders or escalations.
    if (this.closed(session, kind)) return undefined;
    const course = await this.d.repo.getCourse(session.courseId);
    if (!course) return undefined;
    const due = (await this.d.repo.listDelegates(sessionId)).filter((x) => x.attended && !answeredAt(x, kind));
    await this.enqueueFor(session, kind, "request", due);
    await this.scheduleFollowing(session, course, kind);
    return undefined;
  }

  /** One reminder to each delegate whose request went out at least R ago and who has not answered. */
  async remind(sessionId: string, kind: EvaluationKind): Promise<JobResult> {
    const ctx = await this.context(sessionId, kind);
    if (!ctx) return undefined;
    const { session, course, delegates, requested } = ctx;
    const after = course.reminderMinutes * MINUTE;
    const { due, next } = this.dueAfter(requested, after);
    await this.enqueueFor(session, kind, "reminder", due.map((id) => delegates.get(id)!).filter((x) => x && x.attended && !answeredAt(x, kind)));
    return next ? { rescheduleAt: next } : undefined;
  }

  /** One message to each manager whose staff have not answered R + E after their request. */
  async escalate(sessionId: string, kind: EvaluationKind): Promise<JobResult> {
    const ctx = await this.context(sessionId, kind);
    if (!ctx) return undefined;
    const { session, course, delegates, requested } = ctx;
    const after = (course.reminderMinutes + course.escalationMinutes) * MINUTE;
    const { due, next } = this.dueAfter(requested, after);
    const outstanding = due.map((id) => delegates.get(id)!).filter((x) => x && x.attended && !answeredAt(x, kind) && emailSchema.safeParse(x.managerEmail).success);
    const managers = new Map<string, Delegate>();
    for (const x of outstanding) if (!managers.has(normaliseEmail(x.managerEmail))) managers.set(normaliseEmail(x.managerEmail), x);
    const batch = batchId(sessionId, kind, "escalation");
    const told = new Set((await this.d.outbox.batchStatus(batch)).rows.map((r) => String(r.params.managerEmail ?? "")));
    const items: EnqueueItem[] = [];
    for (const [email, x] of managers) {
      if (told.has(email)) continue;
      const recipient = await this.recipientFor({ email, name: x.managerName || email });
      if (recipient) items.push({ recipient, kind: TRAINING_MESSAGES.escalation, params: { sessionId: session.sessionId, kind, managerEmail: email } });
    }
    await this.d.outbox.enqueue(batch, items);
    return next ? { rescheduleAt: next } : undefined;
  }

  private async context(sessionId: string, kind: EvaluationKind) {
    const session = await this.d.repo.getSession(sessionId);
    if (!session || !sentAt(session, kind) || this.closed(session, kind)) return undefined;
    const course = await this.d.repo.getCourse(session.courseId);
    if (!course) return undefined;
    const delegates = new Map((await this.d.repo.listDelegates(sessionId)).map((x) => [x.delegateId, x]));
    const rows = (await this.d.outbox.batchStatus(batchId(sessionId, kind, "request"))).rows;
    const requested = rows.map((r) => ({ delegateId: String(r.params.delegateId ?? ""), at: Date.parse(r.createdAt) })).filter((r) => r.delegateId && !Number.isNaN(r.at));
    return { session, course, delegates, requested };
  }

  private closed(session: Session, kind: EvaluationKind): boolean {
    return Date.parse(sentAt(session, kind)!) + this.d.config.EVALUATION_LINK_DAYS * 86_400_000 <= this.d.now().getTime();
  }

  /** Which requests are at least `after` old now, and when the next one will be. */
  private dueAfter(requested: Array<{ delegateId: string; at: number }>, after: number): { due: string[]; next?: Date } {
    const now = this.d.now().getTime();
    const due = requested.filter((r) => r.at + after <= now).map((r) => r.delegateId);
    const later = requested.filter((r) => r.at + after > now).map((r) => r.at + after);
    return { due, next: later.length ? new Date(Math.min(...later)) : undefined };
  }

  /** Records when a round was first sent (reminders, escalations and link expiry count from it). */
  private async markSent(session: Session, kind: EvaluationKind): Promise<Session> {
    let s: Session | undefined = session;
    for (let attempt = 0; attempt < 8 && s; attempt++) {
      if (sentAt(s, kind)) return s;
      const at = this.d.now().toISOString();
      const patch = kind === "end" ? { endSentAt: at } : { followSentAt: at };
      try {
        const etag = await this.d.repo.updateSession(s.sessionId, patch, s.etag);
        return { ...s, ...patch, etag };
      } catch (e) {
        if (!isPreconditionFailed(e)) throw e;
        s = await this.d.repo.getSession(session.sessionId);
      }
    }
    throw Object.assign(new Error("the session kept changing"), { statusCode: 503 });
  }

  /** The reminder and the escalation of this round, and (after the end-of-session round) the follow-up. */
  private async scheduleFollowing(session: Session, course: Course, kind: EvaluationKind): Promise<void> {
    const payload = { sessionId: session.sessionId, kind };
    const base = Date.parse(sentAt(session, kind)!);
    const s = this.d.scheduler;
    await s.schedule(jobId(TRAINING_JOBS.remind, session.sessionId, kind), TRAINING_JOBS.remind, new Date(base + course.reminderMinutes * MINUTE), payload, { ifEarlier: true });
    await s.schedule(jobId(TRAINING_JOBS.escalate, session.sessionId, kind), TRAINING_JOBS.escalate, new Date(base + (course.reminderMinutes + course.escalationMinutes) * MINUTE), payload, { ifEarlier: true });
    if (kind === "end") {
      const followAt = new Date(Date.parse(session.closedAt ?? sentAt(session, kind)!) + course.followUpWeeks * 7 * 1440 * MINUTE);
      await s.schedule(jobId(TRAINING_JOBS.send, session.sessionId, "follow"), TRAINING_JOBS.send, followAt, { sessionId: session.sessionId, kind: "follow" }, { ifEarlier: true });
    }
  }

  /** Enqueues a round's message for delegates not already in that round's batch. */
  private async enqueueFor(session: Session, kind: EvaluationKind, round: Exclude<Round, "escalation">, delegates: Delegate[]): Promise<void> {
    const batch = batchId(session.sessionId, kind, round);
    const have = new Set((await this.d.outbox.batchStatus(batch)).rows.map((r) => String(r.params.delegateId ?? "")));
    const todo = delegates.filter((x) => !have.has(x.delegateId));
    if (!todo.length) return;
    const recipients = await mapPool(todo, 8, (x) => this.recipientFor(x));
    const items: EnqueueItem[] = [];
    todo.forEach((x, i) => {
      const recipient = recipients[i];
      if (recipient) items.push({ recipient, kind: TRAINING_MESSAGES.request, params: { sessionId: session.sessionId, kind, delegateId: x.delegateId, reminder: round === "reminder" ? "yes" : "no" } });
    });
    for (let i = 0; i < items.length; i += 1000) await this.d.outbox.enqueue(batch, items.slice(i, i + 1000));
  }

  private tenantAllowed(tenantId: string): boolean {
    return this.d.config.anyTenant || this.d.config.ALLOWED_TENANT_IDS.includes(tenantId.toLowerCase());
  }

  /**
   * A person the bot can reach in Teams (their identity from a roster, or someone who has talked to
   * it with this e-mail address: exactly one such person) gets a card in their own 1:1 chat, with
   * e-mail as the fallback; everyone else an e-mail with their personal link.
   */
  async recipientFor(x: { email: string; name: string; tenantId?: string; aadObjectId?: string }): Promise<Recipient | undefined> {
    const email = emailSchema.safeParse(x.email).success ? x.email : undefined;
    const name = x.name.slice(0, 256);
    if (x.tenantId && x.aadObjectId && this.tenantAllowed(x.tenantId)) return { kind: "person", tenantId: x.tenantId, aadObjectId: x.aadObjectId, name, ...(email ? { email } : {}) };
    if (!email) return undefined;
    const known = await this.d.people.findByEmail(email);
    if (known && this.tenantAllowed(known.tenantId)) return { kind: "person", tenantId: known.tenantId, aadObjectId: known.aadObjectId, name, email };
    return { kind: "email", email, name };
  }
}
