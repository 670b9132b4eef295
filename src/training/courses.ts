import { z } from "zod/v4";
import { isOneOf } from "../oneOf";
import { md, text } from "../cards/text";
import type { NoticeView } from "../cards/views";
import { UserFacingError } from "../errors";
import type { Actor } from "../people/actor";
import { cleanLine } from "../admin/validation";
import type { TrainingDeps } from "./deps";
import { durationInput, formatDuration, parseDuration } from "./duration";
import { requireTrainer } from "./officers";
import { OUTCOME_LIMIT } from "./questions";
import { parseCoursePartnerships, scopeText } from "./coursePartnerships";
import { COURSE_KIND_LABELS, COURSE_KINDS, type Course } from "./types";
import { formatSessionTime } from "./ukTime";
import { act, asText, nav, newFormId, plural } from "./ui";
import { TRAINING_VERBS } from "./verbs";
import type { CourseFormView, CourseView } from "./views";

const field = z.unknown().transform(asText);
export const courseInput = z.object({ formId: z.string().regex(/^[a-z0-9]{10}$/), title: field, kind: field, outcomes: field, followUpWeeks: field, reminderAfter: field, escalationAfter: field, partnerships: field.optional() });
export type CourseInput = z.infer<typeof courseInput>;

const LIMITS = { title: 200, outcome: 300 } as const;

/** Courses: what is taught (title, kind, learning outcomes) and how its evaluations are chased. */
export class CoursePages {
  constructor(private readonly d: TrainingDeps) {}

  private kindChoices() {
    return COURSE_KINDS.map((k) => ({ title: COURSE_KIND_LABELS[k], value: k }));
  }

  /** The partnerships a course may belong to, sorted; the form offers them only when there is a choice. */
  private async partnershipChoices() {
    const known = [...(await this.d.partnerships())].sort((a, b) => a.localeCompare(b));
    return { known, choices: known.length > 1 ? known.map((p) => ({ title: p, value: p })) : [] };
  }

  private formActions(formId: string) {
    return [act("Create the course", TRAINING_VERBS.courseCreate, { formId }, "positive"), nav("Back to training", TRAINING_VERBS.home)];
  }

  async form(actor: Actor): Promise<CourseFormView> {
    await requireTrainer(this.d.access, actor);
    const formId = newFormId();
    return {
      formId,
      title: "",
      kind: "core",
      kindChoices: this.kindChoices(),
      outcomes: "",
      followUpWeeks: String(this.d.config.TRAINING_FOLLOW_UP_WEEKS),
      reminderAfter: durationInput(this.d.config.TRAINING_REMINDER_AFTER),
      escalationAfter: durationInput(this.d.config.TRAINING_ESCALATION_AFTER),
      partnershipChoices: (await this.partnershipChoices()).choices,
      partnerships: "",
      problems: [],
      actions: this.formActions(formId),
    };
  }

  /** Creates the course, or gives the form back with what was typed and every problem. */
  async create(actor: Actor, input: CourseInput): Promise<{ created: true; view: CourseView } | { created: false; view: CourseFormView }> {
    await requireTrainer(this.d.access, actor);
    const problems: string[] = [];
    const title = cleanLine(input.title);
    if (!title) problems.push("Give the course a title.");
    else if (title.length > LIMITS.title) problems.push(`The title is ${title.length.toLocaleString("en-GB")} characters; the limit is ${LIMITS.title}.`);
    const kind = isOneOf(COURSE_KINDS, input.kind) ? input.kind : undefined;
    if (!kind) problems.push("Choose the kind of course.");
    const outcomes = input.outcomes.split(/\r\n|\r|\n/).map(cleanLine).filter(Boolean);
    if (!outcomes.length) problems.push("Give at least one learning outcome, one per line.");
    if (outcomes.length > OUTCOME_LIMIT) problems.push(`Give at most ${OUTCOME_LIMIT} learning outcomes (you gave ${outcomes.length}): the evaluation asks about each one.`);
    const long = outcomes.find((o) => o.length > LIMITS.outcome);
    if (long) problems.push(`A learning outcome is ${long.length.toLocaleString("en-GB")} characters; the limit is ${LIMITS.outcome}.`);
    const weeks = /^\s*\d{1,2}\s*$/.test(input.followUpWeeks) ? Number(input.followUpWeeks) : NaN;
    if (!(weeks >= 1 && weeks <= 52)) problems.push("The follow-up delay must be a whole number of weeks from 1 to 52.");
    const reminder = parseDuration(input.reminderAfter);
    if (!reminder) problems.push('The reminder delay must be a delay such as "3 days", "12 hours" or "10 minutes".');
    const escalation = parseDuration(input.escalationAfter);
    if (!escalation) problems.push('The escalation delay must be a delay such as "7 days", "12 hours" or "10 minutes".');
    const { known, choices } = await this.partnershipChoices();
    const scope = parseCoursePartnerships(known, input.partnerships ?? "");
    problems.push(...scope.problems);
    if (problems.length || !kind || !reminder || !escalation || !scope.value) {
      return {
        created: false,
        view: {
          formId: input.formId,
          title: input.title.slice(0, 300),
          kind: kind ?? "core",
          kindChoices: this.kindChoices(),
          outcomes: input.outcomes.slice(0, 4000),
          followUpWeeks: input.followUpWeeks.slice(0, 10),
          reminderAfter: input.reminderAfter.slice(0, 40),
          escalationAfter: input.escalationAfter.slice(0, 40),
          partnershipChoices: choices,
          // As sent, so every choice made stays chosen (an unknown name simply shows unchosen).
          partnerships: (input.partnerships ?? "").slice(0, 2000),
          problems: problems.map(text),
          notice: { text: md`The course was not created yet: please fix what is listed below.`, color: "attention" },
          actions: this.formActions(input.formId),
        },
      };
    }
    const course: Course = { courseId: `c-${input.formId}`, title, kind, outcomes, followUpWeeks: weeks, reminderMinutes: reminder, escalationMinutes: escalation, partnerships: scope.value, createdAt: this.d.now().toISOString(), createdBy: actor.name };
    const fresh = await this.d.repo.createCourse(course);
    return { created: true, view: await this.view(actor, course.courseId, { text: fresh ? md`Course created. Add its sessions next.` : md`This course was already created (the form was sent twice).`, color: "good" }) };
  }

  async get(courseId: string): Promise<Course> {
    const c = await this.d.repo.getCourse(courseId);
    if (!c) throw new UserFacingError("That course no longer exists.", "not_found");
    return c;
  }

  async view(actor: Actor, courseId: string, notice?: NoticeView): Promise<CourseView> {
    await requireTrainer(this.d.access, actor);
    const course = await this.get(courseId);
    const sessions = (await this.d.repo.listSessions()).filter((s) => s.courseId === courseId).sort((a, b) => a.startsAt.localeCompare(b.startsAt));
    return {
      title: text(course.title),
      facts: [
        { title: text("Kind"), value: text(COURSE_KIND_LABELS[course.kind]) },
        { title: text("Partnerships"), value: text(scopeText(course.partnerships ?? [])) },
        { title: text("Follow-up"), value: text(`${plural(course.followUpWeeks, "week")} after the session`) },
        { title: text("Reminder"), value: text(`after ${formatDuration(course.reminderMinutes)} without an answer`) },
        { title: text("Manager told"), value: text(`after a further ${formatDuration(course.escalationMinutes)}`) },
        { title: text("Sessions"), value: text(String(sessions.length)) },
      ],
      outcomes: course.outcomes.map((o, i) => text(`${i + 1}. ${o}`)),
      notice,
      sessions: sessions.slice(-20).map((s) => ({
        title: text(formatSessionTime(s.startsAt)),
        detail: text([s.state === "closed" ? "Closed" : "Open", s.venue, s.trainer].filter(Boolean).join(" · ")),
        open: act(`Open the session of ${formatSessionTime(s.startsAt)}`, TRAINING_VERBS.session, { sessionId: s.sessionId }),
      })),
      actions: [
        act("Add a session", TRAINING_VERBS.sessionForm, { courseId }, sessions.length ? "default" : "positive"),
        ...(sessions.some((s) => s.endSentAt) ? [act("Results for the whole course", TRAINING_VERBS.results, { scope: "course", id: courseId })] : []),
        nav("Back to training", TRAINING_VERBS.home),
      ],
    };
  }
}
