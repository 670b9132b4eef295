import { z } from "zod/v4";
import { isOneOf } from "../oneOf";
import { md, text } from "../cards/text";
import type { FactView, NoticeView } from "../cards/views";
import { UserFacingError } from "../errors";
import { errorFields } from "../log";
import { isStorageOutage } from "../storage/errors";
import type { Actor } from "../people/actor";
import { cleanLine } from "../admin/validation";
import type { DeliveryRow } from "../delivery/types";
import type { TrainingDeps } from "./deps";
import { requireTrainer } from "./officers";
import { reachOf, rowsByDelegate, type ReachKind } from "./reach";
import type { EvaluationRounds } from "./rounds";
import { answeredAt, EVALUATION_KINDS, SESSION_MODE_LABELS, SESSION_MODES, sessionEnd, sentAt, type Course, type Delegate, type EvaluationKind, type Session } from "./types";
import { formatSessionDay, formatSessionTime, londonToUtc, sessionLength, utcToLondon } from "./ukTime";
import { act, asText, nav, newFormId, percent, plural } from "./ui";
import { batchId, TRAINING_VERBS } from "./verbs";
import type { AttendanceView, SessionFormView, SessionView } from "./views";

const field = z.unknown().transform(asText);
export const sessionInput = z.object({ formId: z.string().regex(/^[a-z0-9]{10}$/), courseId: z.string().regex(/^c-[a-z0-9]{10}$/), date: field, time: field, duration: field, mode: field, venue: field, trainer: field });
export const attendanceInput = z.object({ sessionId: z.string().regex(/^s-[a-z0-9]{10}$/), absent: field });

const ATTENDANCE_CHOICES = 250;
const QUEUED: NoticeView = { text: md`The store was slow, so the evaluation is queued: it goes out within a minute. Open the session again to see where each delegate stands.`, color: "warning" };

/** What a round's outbox rows say, counted from the rows themselves. */
export interface RoundCounts {
  rows: DeliveryRow[];
  byKind: Record<ReachKind, number>;
}

/** Sessions: when and where, who attended, closing them (which sends the evaluation), and where each stands. */
export class SessionPages {
  constructor(private readonly d: TrainingDeps, private readonly rounds: EvaluationRounds) {}

  private modeChoices() {
    return SESSION_MODES.map((m) => ({ title: SESSION_MODE_LABELS[m], value: m }));
  }

  async get(sessionId: string): Promise<Session> {
    const s = await this.d.repo.getSession(sessionId);
    if (!s) throw new UserFacingError("That session no longer exists.", "not_found");
    return s;
  }

  async course(courseId: string): Promise<Course> {
    const c = await this.d.repo.getCourse(courseId);
    if (!c) throw new UserFacingError("That course no longer exists.", "not_found");
    return c;
  }

  private formActions(formId: string, courseId: string) {
    return [act("Create the session", TRAINING_VERBS.sessionCreate, { formId, courseId }, "positive"), nav("Back to the course", TRAINING_VERBS.course, { courseId })];
  }

  async form(actor: Actor, courseId: string): Promise<SessionFormView> {
    await requireTrainer(this.d.access, actor);
    const course = await this.course(courseId);
    const formId = newFormId();
    return { formId, courseId, courseTitle: text(course.title), date: "", time: "09:30", duration: "120", mode: "in_person", modeChoices: this.modeChoices(), venue: "", trainer: "", problems: [], actions: this.formActions(formId, courseId) };
  }

  async create(actor: Actor, input: z.infer<typeof sessionInput>): Promise<{ created: true; view: SessionView } | { created: false; view: SessionFormView }> {
    await requireTrainer(this.d.access, actor);
    const course = await this.course(input.courseId);
    const problems: string[] = [];
    const date = cleanLine(input.date).slice(0, 10);
    const time = cleanLine(input.time).slice(0, 8);
    const startsAt = londonToUtc(date, time);
    if (!startsAt) problems.push("Choose the date and the start time (UK time).");
    const duration = /^\s*\d{1,4}\s*$/.test(input.duration) ? Number(input.duration) : NaN;
    if (!(duration >= 15 && duration <= 12 * 60)) problems.push("The length must be a number of minutes from 15 to 720.");
    const mode = isOneOf(SESSION_MODES, input.mode) ? input.mode : undefined;
    if (!mode) problems.push("Choose virtual or face to face.");
    const venue = cleanLine(input.venue);
    if (venue.length > 500) problems.push("The venue or link is over 500 characters.");
    const trainer = cleanLine(input.trainer);
    if (trainer.length > 200) problems.push("The trainer's name is over 200 characters.");
    if (problems.length || !startsAt || !mode) {
      return {
        created: false,
        view: { formId: input.formId, courseId: course.courseId, courseTitle: text(course.title), date, time, duration: input.duration.slice(0, 10), mode: mode ?? "in_person", modeChoices: this.modeChoices(), venue: input.venue.slice(0, 500), trainer: input.trainer.slice(0, 200), problems: problems.map(text), notice: { text: md`The session was not created yet: please fix what is listed below.`, color: "attention" }, actions: this.formActions(input.formId, course.courseId) },
      };
    }
    const session: Omit<Session, "etag"> = { sessionId: `s-${input.formId}`, courseId: course.courseId, courseTitle: course.title, partnerships: course.partnerships, startsAt: startsAt.toISOString(), durationMinutes: duration, mode, venue, trainer, state: "scheduled", createdAt: this.d.now().toISOString(), createdBy: actor.name };
    // The close job first: once the session exists, its evaluation is certain to go out when it ends.
    await this.rounds.scheduleClose(session);
    const fresh = await this.d.repo.createSession(session);
    return { created: true, view: await this.view(actor, session.sessionId, { text: fresh ? md`Session created. Add its delegates next.` : md`This session was already created (the form was sent twice).`, color: "good" }) };
  }

  /** Counts of a round from its outbox rows. */
  async round(sessionId: string, kind: EvaluationKind): Promise<RoundCounts> {
    const rows = (await this.d.outbox.batchStatus(batchId(sessionId, kind, "request"))).rows;
    const byKind: Record<ReachKind, number> = { teams: 0, email: 0, link: 0, sending: 0, failed: 0, skipped: 0, none: 0 };
    for (const r of rows) byKind[reachOf(r).kind]++;
    return { rows, byKind };
  }

  private roundFacts(label: string, kind: EvaluationKind, session: Session, course: Course, delegates: Delegate[], counts: RoundCounts): FactView[] {
    const attended = delegates.filter((x) => x.attended).length;
    const answered = delegates.filter((x) => x.attended && answeredAt(x, kind)).length;
    if (!sentAt(session, kind)) {
      const when = kind === "end" ? `when the session closes (by itself at ${formatSessionTime(sessionEnd(session).toISOString())})` : session.closedAt ? `on ${formatSessionDay(new Date(Date.parse(session.closedAt) + course.followUpWeeks * 7 * 86_400_000).toISOString())}` : `${plural(course.followUpWeeks, "week")} after the session closes`;
      return [{ title: text(label), value: text(`not sent yet: goes out ${when}`) }];
    }
    const b = counts.byKind;
    const reached = b.teams + b.email;
    const parts = [`${b.teams} in Teams`, `${b.email} by e-mail`, ...(b.link ? [`${b.link} links to hand out`] : []), ...(b.failed ? [`${b.failed} not reached`] : []), ...(b.sending ? [`${b.sending} still sending`] : []), ...(b.skipped ? [`${b.skipped} not sent (answered or absent first)`] : [])];
    return [
      { title: text(`${label}: reached`), value: text(`${reached} of ${counts.rows.length} (${parts.join(", ")})`) },
      { title: text(`${label}: answered`), value: text(`${answered} of ${attended} attended (${percent(answered, attended)})`) },
    ];
  }

  async view(actor: Actor, sessionId: string, notice?: NoticeView): Promise<SessionView> {
    await requireTrainer(this.d.access, actor);
    const session = await this.get(sessionId);
    const course = await this.course(session.courseId);
    const delegates = await this.d.repo.listDelegates(sessionId);
    const [end, follow] = await Promise.all(EVALUATION_KINDS.map((k) => this.round(sessionId, k)));
    const attended = delegates.filter((x) => x.attended).length;
    const closed = session.state === "closed";
    const id = { sessionId };
    const actions = closed
      ? [
          act("Delegates", TRAINING_VERBS.delegates, id, "positive"),
          act("Results", TRAINING_VERBS.results, { scope: "session", id: sessionId }),
          ...(!session.followSentAt ? [act("Send the follow-up now", TRAINING_VERBS.followUpNow, id)] : []),
          act("Downloads", TRAINING_VERBS.export, { scope: "session", id: sessionId, what: "menu", format: "csv" }),
          act("Add a delegate", TRAINING_VERBS.delegateForm, id),
          act("Who did not attend", TRAINING_VERBS.attendance, id),
        ]
      : [
          act("Add a delegate", TRAINING_VERBS.delegateForm, id, delegates.length ? "default" : "positive"),
          act("Add delegates from a CSV file", TRAINING_VERBS.csvTarget, id),
          act("Add a Teams chat's members", TRAINING_VERBS.rosterHelp, id),
          act("Add me as a delegate", TRAINING_VERBS.addMe, id),
          ...(this.d.config.localMode ? [act("Demo delegates (local mode)", TRAINING_VERBS.demoDelegates, id)] : []),
          ...(delegates.length ? [act("Delegates", TRAINING_VERBS.delegates, id), act("Who did not attend", TRAINING_VERBS.attendance, id)] : []),
          act("Close and send the evaluation", TRAINING_VERBS.close, id, delegates.length ? "positive" : "default"),
        ];
    return {
      title: text(`${course.title}: ${formatSessionDay(session.startsAt)}`),
      facts: [
        { title: text("When"), value: text(whenText(session.startsAt, session.durationMinutes)) },
        { title: text(SESSION_MODE_LABELS[session.mode]), value: text(session.venue || "venue to be confirmed") },
        ...(session.trainer ? [{ title: text("Trainer"), value: text(session.trainer) }] : []),
        { title: text("State"), value: text(closed ? `Closed ${session.closedAt ? formatSessionTime(session.closedAt) : ""}` : "Open") },
      ],
      notice,
      counts: [
        { title: text("Booked"), value: text(String(delegates.length)) },
        { title: text("Attended"), value: text(String(attended)) },
        ...this.roundFacts("End of session", "end", session, course, delegates, end),
        ...this.roundFacts("Follow-up", "follow", session, course, delegates, follow),
      ],
      hint: this.d.config.localMode && closed ? md`Local mode: e-mails are .eml files under .data/outbox/, and every personal link opens at ${this.d.config.publicBaseUrl}/evaluate/...` : undefined,
      actions: [...actions, nav("Back to the course", TRAINING_VERBS.course, { courseId: course.courseId })],
    };
  }

  /** The officer's button: closes the session and sends its evaluation to everyone who attended. */
  async close(actor: Actor, sessionId: string): Promise<SessionView> {
    await requireTrainer(this.d.access, actor);
    const before = await this.get(sessionId);
    const delegates = await this.d.repo.listDelegates(sessionId);
    if (before.state !== "closed" && !delegates.length) {
      return this.view(actor, sessionId, { text: md`Add the delegates first: nobody is booked on this session yet.`, color: "warning" });
    }
    // The job first (it completes the round on any instance if this one stops), then the round here.
    await this.rounds.sendSoon(sessionId, "end");
    if (!(await this.sendNowOrLater(sessionId, "end"))) return this.view(actor, sessionId, QUEUED);
    const note = before.state === "closed" ? md`This session was already closed; anyone who had not been sent the evaluation has been now.` : md`Session closed. The evaluation is on its way to ${plural(delegates.filter((x) => x.attended).length, "delegate")}; this card shows where each stands when you open it again.`;
    return this.view(actor, sessionId, { text: note, color: "good" });
  }

  /**
   * Runs a round here, once its job is stored. A storage failure part-way is not the person's
   * problem: the job finishes the round within a minute on any instance, and the card says so.
   */
  private async sendNowOrLater(sessionId: string, kind: EvaluationKind): Promise<boolean> {
    try {
      await this.rounds.send(sessionId, kind);
      return true;
    } catch (e) {
      if (!isStorageOutage(e)) throw e;
      this.d.log.warn(errorFields(e), "evaluation round left to its job");
      return false;
    }
  }

  async followUpNow(actor: Actor, sessionId: string): Promise<SessionView> {
    await requireTrainer(this.d.access, actor);
    const s = await this.get(sessionId);
    if (s.state !== "closed") return this.view(actor, sessionId, { text: md`Close the session first: the follow-up goes to those who attended.`, color: "warning" });
    await this.rounds.sendSoon(sessionId, "follow");
    if (!(await this.sendNowOrLater(sessionId, "follow"))) return this.view(actor, sessionId, QUEUED);
    return this.view(actor, sessionId, { text: md`The follow-up evaluation is on its way.`, color: "good" });
  }

  async attendance(actor: Actor, sessionId: string, notice?: NoticeView): Promise<AttendanceView> {
    await requireTrainer(this.d.access, actor);
    const session = await this.get(sessionId);
    const delegates = (await this.d.repo.listDelegates(sessionId)).sort((a, b) => a.name.localeCompare(b.name));
    const shown = delegates.slice(0, ATTENDANCE_CHOICES);
    return {
      sessionId,
      title: text(`${session.courseTitle}: ${formatSessionDay(session.startsAt)}`),
      absent: shown.filter((x) => !x.attended).map((x) => x.delegateId).join(","),
      delegateChoices: shown.map((x) => ({ title: `${x.name}${x.agency ? ` (${x.agency})` : ""}`.slice(0, 200), value: x.delegateId })),
      notice: notice ?? (delegates.length ? undefined : { text: md`Nobody is booked yet.`, color: "default" }),
      moreText: delegates.length > shown.length ? text(`The list shows the first ${shown.length} of ${delegates.length} delegates.`) : text(""),
      actions: [act("Save attendance", TRAINING_VERBS.attendanceSave, { sessionId }, "positive"), nav("Back to the session", TRAINING_VERBS.session, { sessionId })],
    };
  }

  /** Marks who did not attend; anyone marked as attended after the evaluation went out is sent it now. */
  async saveAttendance(actor: Actor, input: z.infer<typeof attendanceInput>): Promise<AttendanceView> {
    await requireTrainer(this.d.access, actor);
    const session = await this.get(input.sessionId);
    const absent = new Set(input.absent.split(",").map((s) => s.trim()).filter(Boolean));
    const delegates = (await this.d.repo.listDelegates(input.sessionId)).sort((a, b) => a.name.localeCompare(b.name)).slice(0, ATTENDANCE_CHOICES);
    let changed = 0;
    for (const x of delegates) {
      const attended = !absent.has(x.delegateId);
      if (x.attended === attended) continue;
      await this.d.repo.changeDelegate(input.sessionId, x.delegateId, (cur) => (cur.attended === attended ? undefined : { attended }));
      changed++;
    }
    for (const kind of EVALUATION_KINDS) if (sentAt(session, kind)) await this.rounds.send(input.sessionId, kind);
    return this.attendance(actor, input.sessionId, { text: changed ? md`Attendance saved (${plural(changed, "change")}).` : md`Nothing changed.`, color: "good" });
  }
}

/** "Tue, 9 Jun 2026, 13:30 to 19:30 (6 hours)": start, end and length in UK time. */
function whenText(startsAt: string, minutes: number): string {
  const start = Date.parse(startsAt);
  if (Number.isNaN(start)) return sessionLength(minutes);
  return `${formatSessionTime(startsAt)} to ${utcToLondon(new Date(start + minutes * 60_000).toISOString()).time} (${sessionLength(minutes)})`;
}
