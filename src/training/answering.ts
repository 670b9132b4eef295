import { UserFacingError } from "../errors";
import type { Actor } from "../people/actor";
import { normaliseEmail } from "../storage/peopleRepo";
import { samePrincipal } from "../storage/principal";
import { isPreconditionFailed } from "../storage/errors";
import type { TrainingDeps } from "./deps";
import type { LinkCheck } from "./keys";
import { checkAnswers, valuesOf, type Answers, type Checked } from "./questions";
import { answeredAt, sentAt, type Course, type Delegate, type EvaluationKind, type Session } from "./types";

/** One delegate's evaluation, as it stands: what they are asked and what they answered before. */
export interface EvaluationContext {
  session: Session;
  course: Course;
  delegate: Delegate;
  kind: EvaluationKind;
  /** When their link (and the evaluation) stops accepting answers. */
  expires: Date;
  /** Their earlier answer, for changing it; only ever shown to them. */
  existing?: Answers;
}

export type Saved = Extract<Checked, { ok: false }> | { ok: true; values: Record<string, string>; first: boolean };

export const NOT_YOURS = "This evaluation was sent to someone else. If you were on this course, look for your own in your chat with me or in your e-mail.";

/**
 * Answering an evaluation, in Teams or through the personal link: the same checks, the same
 * storage. Who may answer is decided here, never by the card or the form: in Teams, the person
 * pressing must be the delegate (same tenant and object id, or the one person who told the bot this
 * e-mail address); on the web, the signed link names the delegate and the evaluation.
 */
export class EvaluationAnswering {
  /**
   * Courses never change once created, and what answering reads of a session (its times, and when
   * the evaluation was sent) never changes once sent: both are kept for a minute, so an answer
   * costs a read of the delegate, the answer's write and its mark as counted, its share of the
   * session tally's read and write (shared by the answers arriving together) and the completion
   * record, whichever instance takes it.
   */
  private readonly courses = new Map<string, { course: Course; until: number }>();
  private readonly sentSessions = new Map<string, { session: Session; until: number }>();

  constructor(private readonly d: TrainingDeps) {}

  private async session(sessionId: string, kind: EvaluationKind): Promise<Session | undefined> {
    const hit = this.sentSessions.get(`${sessionId}|${kind}`);
    if (hit && hit.until > Date.now()) return hit.session;
    const s = await this.d.repo.getSession(sessionId);
    if (s && sentAt(s, kind)) this.remember(this.sentSessions, `${sessionId}|${kind}`, { session: s });
    return s;
  }

  private async course(courseId: string): Promise<Course | undefined> {
    const hit = this.courses.get(courseId);
    if (hit && hit.until > Date.now()) return hit.course;
    const c = await this.d.repo.getCourse(courseId);
    if (c) this.remember(this.courses, courseId, { course: c });
    return c;
  }

  private remember<T>(cache: Map<string, T & { until: number }>, k: string, v: T): void {
    if (cache.size > 500) cache.clear();
    cache.set(k, { ...v, until: Date.now() + 60_000 });
  }

  /** The end of an evaluation: its first send plus the link lifetime. */
  expiry(session: Session, kind: EvaluationKind): Date | undefined {
    const at = sentAt(session, kind);
    return at ? new Date(Date.parse(at) + this.d.config.EVALUATION_LINK_DAYS * 86_400_000) : undefined;
  }

  /** The delegate's personal link, or undefined before the evaluation is sent. */
  link(session: Session, kind: EvaluationKind, delegateId: string): string | undefined {
    const expires = this.expiry(session, kind);
    if (!expires) return undefined;
    return `${this.d.config.publicBaseUrl}/evaluate/${this.d.keys.sign({ sessionId: session.sessionId, kind, delegateId, expires: Math.floor(expires.getTime() / 1000) })}`;
  }

  /**
   * Loads an evaluation; undefined when the session, course or delegate is gone or it was never
   * sent. With `existing: false` the earlier answer is not read (a save replaces it anyway).
   */
  async load(sessionId: string, kind: EvaluationKind, delegateId: string, opts: { existing?: boolean } = {}): Promise<EvaluationContext | undefined> {
    const [session, delegate] = await Promise.all([this.session(sessionId, kind), this.d.repo.getDelegate(sessionId, delegateId)]);
    if (!session || !delegate) return undefined;
    const expires = this.expiry(session, kind);
    const course = await this.course(session.courseId);
    if (!course || !expires) return undefined;
    const existing = opts.existing === false ? undefined : await this.d.answers.get(sessionId, kind, this.d.keys.pseudonym(delegateId, course.courseId));
    return { session, course, delegate, kind, expires, existing: existing?.answers };
  }

  /** For a card action: the evaluation, if the person pressing is its delegate. */
  async forActor(actor: Actor, sessionId: string, kind: EvaluationKind, delegateId: string, opts: { existing?: boolean } = {}): Promise<EvaluationContext> {
    const ctx = await this.load(sessionId, kind, delegateId, opts);
    if (!ctx) throw new UserFacingError("This evaluation is no longer available. If you think it should be, tell the training officer.", "not_found");
    if (!(await this.isDelegate(actor, ctx.delegate))) throw new UserFacingError(NOT_YOURS, "denied");
    return ctx;
  }

  async isDelegate(actor: Actor, delegate: Delegate): Promise<boolean> {
    if (delegate.tenantId && delegate.aadObjectId) return samePrincipal(actor.principal, { tenantId: delegate.tenantId, aadObjectId: delegate.aadObjectId });
    if (!delegate.email) return false;
    // Matched by e-mail only when that address leads to this one person (as the sender decided).
    const holder = await this.d.people.findByEmail(delegate.email);
    return !!holder && samePrincipal(holder, actor.principal) && normaliseEmail((await this.d.people.get(actor.principal))?.email ?? "") === normaliseEmail(delegate.email);
  }

  /** For a web request: the evaluation the signed link names, or why not. */
  async forLink(check: LinkCheck, opts: { existing?: boolean } = {}): Promise<{ ok: true; ctx: EvaluationContext } | { ok: false; why: "malformed" | "forged" | "expired" | "gone"; expiredAt?: Date }> {
    if (!check.ok) return check;
    const ctx = await this.load(check.claims.sessionId, check.claims.kind, check.claims.delegateId, opts);
    if (!ctx) return { ok: false, why: "gone" };
    return { ok: true, ctx };
  }

  /** Whether the evaluation still takes answers, and why not. */
  closedReason(ctx: EvaluationContext): string | undefined {
    if (ctx.expires.getTime() <= this.d.now().getTime()) return "This evaluation has closed: thank you all the same.";
    if (!ctx.delegate.attended) return "You are not listed as having attended this session, so there is no evaluation for you. If you did attend, tell the training officer.";
    return undefined;
  }

  /**
   * Saves an answer: checked like every answer, stored under the pseudonym (replacing any earlier
   * answer), then the completion record marked. In that order: a failure in between leaves an
   * answer and a delegate who may be reminded, never a delegate marked done without an answer.
   */
  async save(ctx: EvaluationContext, raw: Record<string, unknown>): Promise<Saved> {
    const closed = this.closedReason(ctx);
    if (closed) throw new UserFacingError(closed, "state");
    const checked = checkAnswers(ctx.kind, ctx.course.outcomes, raw);
    if (!checked.ok) return checked;
    const { first } = await this.d.answers.put(ctx.session.sessionId, this.d.keys.pseudonym(ctx.delegate.delegateId, ctx.course.courseId), checked.answers);
    const field = ctx.kind === "end" ? "endAnsweredAt" : "followAnsweredAt";
    const at = this.d.now().toISOString();
    if (!answeredAt(ctx.delegate, ctx.kind)) {
      // On the ETag just read; if the row changed meanwhile, read it again and decide again.
      try {
        await this.d.repo.updateDelegate(ctx.session.sessionId, ctx.delegate.delegateId, { [field]: at }, ctx.delegate.etag);
      } catch (e) {
        if (!isPreconditionFailed(e)) throw e;
        await this.d.repo.changeDelegate(ctx.session.sessionId, ctx.delegate.delegateId, (x) => (answeredAt(x, ctx.kind) ? undefined : { [field]: at }));
      }
    }
    ctx.existing = checked.answers;
    return { ok: true, values: checked.values, first };
  }

  valuesOf(ctx: EvaluationContext): Record<string, string> {
    return valuesOf(ctx.existing);
  }
}
