import { z } from "zod/v4";
import { md, NO_TEXT, text } from "../cards/text";
import type { MessageView, NoticeView } from "../cards/views";
import { UserFacingError } from "../errors";
import type { Actor } from "../people/actor";
import { ROLE_LABELS } from "../people/roles";
import { emailField, textField } from "../admin/validation";
import type { TrainingDeps } from "./deps";
import { NOT_TRAINER } from "./officers";
import { COURSE_KIND_LABELS } from "./types";
import { formatSessionTime } from "./ukTime";
import { act, asText, nav, plural } from "./ui";
import { TRAINING_VERBS } from "./verbs";
import type { TrainerFormView, TrainingHomeView } from "./views";

const field = z.unknown().transform(asText);
export const trainerInput = z.object({ email: field, personName: field });

/** The training officer's starting point, and how someone becomes one. */
export class TrainingHome {
  constructor(private readonly d: TrainingDeps) {}

  async view(actor: Actor, notice?: NoticeView): Promise<TrainingHomeView | MessageView> {
    const roles = await this.d.access.rolesOf(actor);
    if (!roles.trainer) {
      const local = this.d.config.localMode && roles.admin;
      return {
        title: text("Training evaluations"),
        text: local ? md`Local mode: make yourself a training officer to try courses, sessions and evaluations.` : text(NOT_TRAINER),
        color: local ? "default" : "warning",
        facts: [],
        actions: local ? [act("Make me a training officer", TRAINING_VERBS.becomeOfficer, {}, "positive")] : [],
      };
    }
    const [courses, sessions] = await Promise.all([this.d.repo.listCourses(), this.d.repo.listSessions()]);
    const now = this.d.now().getTime();
    const recent = sessions.filter((s) => Date.parse(s.startsAt) > now - 30 * 86_400_000).sort((a, b) => a.startsAt.localeCompare(b.startsAt));
    const shownSessions = recent.slice(0, 10);
    const shownCourses = [...courses].sort((a, b) => a.title.localeCompare(b.title)).slice(0, 12);
    const more = recent.length - shownSessions.length + courses.length - shownCourses.length;
    return {
      intro: courses.length ? md`Your courses and their sessions. Open a session to add delegates, close it (which sends the evaluation), and see who has answered.` : md`Start with a course: its title, kind and learning outcomes. Then add its sessions and their delegates.`,
      notice,
      courses: shownCourses.map((c) => ({
        title: text(c.title),
        detail: text(`${COURSE_KIND_LABELS[c.kind]} · ${plural(sessions.filter((s) => s.courseId === c.courseId).length, "session")}`),
        open: act(`Open ${c.title}`.slice(0, 120), TRAINING_VERBS.course, { courseId: c.courseId }),
      })),
      upcoming: shownSessions.map((s) => ({
        title: text(`${s.courseTitle}`),
        detail: text(`${formatSessionTime(s.startsAt)} · ${s.state === "closed" ? "closed" : "open"}`),
        open: act(`Open the session of ${formatSessionTime(s.startsAt)}`, TRAINING_VERBS.session, { sessionId: s.sessionId }),
      })),
      moreText: more > 0 ? text(`${plural(more, "older item")} not shown: open a course to see all its sessions.`) : NO_TEXT,
      actions: [
        act("Create a course", TRAINING_VERBS.courseForm, {}, courses.length ? "default" : "positive"),
        // A delegate's data rights (UK GDPR), asked for through the business unit as the privacy note says.
        act("What we hold about someone", TRAINING_VERBS.rightsForm, { mode: "access" }),
        act("Erase someone's data", TRAINING_VERBS.rightsForm, { mode: "erase" }),
      ],
    };
  }

  /** Local mode only: the playground user becomes a training officer (like "make me lead" for the audit). */
  async becomeOfficer(actor: Actor): Promise<TrainingHomeView | MessageView> {
    if (!this.d.config.localMode || !(await this.d.access.isAdmin(actor))) throw new UserFacingError("This shortcut only works when the bot runs locally. Ask your partnership's admin to add you as a training officer.", "denied");
    const me = await this.d.people.get(actor.principal);
    await this.d.access.grant({ role: "trainer", agencyId: "*", agencyName: "Partnership", holder: { kind: "person", principal: actor.principal }, name: actor.name, email: me?.email ?? "", upn: me?.upn, by: actor.name });
    return this.view(actor, { text: md`You are now a training officer.`, color: "good" });
  }

  private formActions() {
    return [act("Add as training officer", TRAINING_VERBS.officerAdd, {}, "positive"), nav("Back to admin", "admin.menu")];
  }

  async officerForm(actor: Actor, notice?: NoticeView): Promise<TrainerFormView> {
    if (!(await this.d.access.isAdmin(actor))) throw new UserFacingError("Only the partnership's admins can add training officers.", "denied");
    return { email: "", personName: "", problems: [], notice, facts: [], actions: this.formActions() };
  }

  /**
   * The admin grants the role by e-mail, partnership-wide, with the same linking rules as every
   * grant (AccessService): straight to the person if exactly one person from the partnership's own
   * tenant has told the bot that address, otherwise to the address until they first open the bot.
   */
  async addOfficer(actor: Actor, input: z.infer<typeof trainerInput>): Promise<TrainerFormView> {
    if (!(await this.d.access.isAdmin(actor))) throw new UserFacingError("Only the partnership's admins can add training officers.", "denied");
    const email = emailField(input.email, "The e-mail address");
    const name = textField(input.personName, "The name", { max: 120 });
    const problems = [...email.problems, ...name.problems];
    if (problems.length) return { email: email.shown, personName: name.shown, problems: problems.map(text), notice: { text: md`Nobody was added yet: please fix what is listed below.`, color: "attention" }, facts: [], actions: this.formActions() };
    const candidates = [];
    for (const p of await this.d.people.withEmail(email.value)) if (await this.d.access.mayLinkByEmail(p, "*")) candidates.push(p);
    const principal = candidates.length === 1 ? candidates[0] : undefined;
    const who = name.value || email.value;
    if (principal) {
      const person = await this.d.people.get(principal);
      await this.d.access.grant({ role: "trainer", agencyId: "*", agencyName: "Partnership", holder: { kind: "person", principal }, name: name.value || person?.name || email.value, email: email.value, upn: person?.upn, by: actor.name });
      return { email: "", personName: "", problems: [], notice: { text: md`${who} is now a ${ROLE_LABELS.trainer.toLowerCase()}: they can type "training" now.`, color: "good" }, facts: [{ title: text("Linked to"), value: text(person?.name || who) }, { title: text("Tenant"), value: text(principal.tenantId) }], actions: this.formActions() };
    }
    await this.d.access.grant({ role: "trainer", agencyId: "*", agencyName: "Partnership", holder: { kind: "email", email: email.value }, name: name.value, email: email.value, by: actor.name });
    return { email: "", personName: "", problems: [], notice: { text: md`${who} will be a ${ROLE_LABELS.trainer.toLowerCase()} when they first open the bot with that e-mail address, from the partnership's own organisation.`, color: "good" }, facts: [{ title: text("Waiting for"), value: text(email.value) }], actions: this.formActions() };
  }
}
