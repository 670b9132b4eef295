import { z } from "zod/v4";
import { md, text } from "../cards/text";
import type { NoticeView } from "../cards/views";
import { inSteps, UserFacingError } from "../errors";
import type { Actor } from "../people/actor";
import { isConflict, isPreconditionFailed } from "../storage/errors";
import type { Cycle } from "../storage/cyclesRepo";
import { ADMIN_VERBS } from "../admin/verbs";
import { act, covers, plural, requireAdmin } from "../admin/common";
import { cleanLine, deadlineField } from "../admin/validation";
import { daysLeftText, formatDate, formatWhen, ukDate } from "../time";
import type { DeadlineDeps } from "./deps";
import { reminderJobId, type DeadlineReminders } from "./reminders";
import { daysLabel, daysText, parseReminderDays } from "./rules";
import { DEADLINE_VERBS } from "./verbs";
import type { DeadlineFormView } from "./views";

const bounded = (max: number) => z.unknown().transform((v) => (typeof v === "string" ? v.slice(0, max) : typeof v === "number" ? String(v) : ""));
/** Card data is untrusted: ids are pointers, checked against storage; text is bounded and cleaned. */
export const deadlineRef = z.object({ cycleId: z.string().min(1).max(120) });
export const extendInput = deadlineRef.extend({ agencyId: bounded(200), deadline: bounded(40), reminderDays: bounded(400) });
export const remindersInput = deadlineRef.extend({ reminderDays: bounded(400), agencyId: bounded(200), deadline: bounded(40) });
export const demoInput = deadlineRef.extend({ days: z.coerce.number().int().min(0).max(365) });

export const ALL_AGENCIES = "*";

/** The admin's side of deadlines: the form, extensions, reminder days, and local mode's "make time pass". */
export class DeadlineAdmin {
  constructor(
    private readonly d: DeadlineDeps,
    private readonly reminders: DeadlineReminders,
  ) {}

  private async cycleFor(actor: Actor, cycleId: string): Promise<{ cycle: Cycle; etag: string }> {
    await requireAdmin(this.d, actor);
    const found = await this.d.cycles.getWithEtag(cycleId);
    if (!found) throw new UserFacingError("That cycle does not exist (any more).", "not_found");
    return found;
  }

  async form(actor: Actor, cycleId: string, o: { notice?: NoticeView; problems?: string[]; field?: "deadline" | "reminderDays"; typed?: { agencyId: string; deadline: string; reminderDays: string } } = {}): Promise<DeadlineFormView> {
    const { cycle } = await this.cycleFor(actor, cycleId);
    // A cycle made outside the bot (demo data, a script) has no reminder job yet: plan it now.
    if (cycle.status === "open" && !(await this.d.scheduler.get(reminderJobId(cycleId)))) await this.reminders.replan(cycleId);
    const plans = await this.reminders.plan(cycle);
    const today = ukDate(this.d.now());
    const open = cycle.status === "open";
    const pending = plans.filter((p) => !p.submitted);
    const next = pending.map((p) => p.next).filter((x): x is Date => !!x).sort((a, b) => a.getTime() - b.getTime())[0];
    const own = plans.filter((p) => p.deadline.own).sort((a, b) => a.agencyName.localeCompare(b.agencyName));
    return {
      cycleId,
      title: md`Deadline and reminders: ${cycle.name}`,
      notice: o.notice ?? (open ? undefined : { text: md`This cycle is closed: reopen it to change its deadline.`, color: "warning" }),
      problems: (o.problems ?? []).map(text),
      // Repeated under the field, by the button pressed: the top of a long card may be off screen.
      deadlineProblems: o.field === "deadline" ? (o.problems ?? []).map(text) : [],
      reminderProblems: o.field === "reminderDays" ? (o.problems ?? []).map(text) : [],
      facts: [
        { title: text("Deadline"), value: text(`${formatDate(cycle.deadline)} (${daysLeftText(cycle.deadline, today)})`) },
        { title: text("Reminders"), value: text(`${daysText(cycle.reminderDays ?? [])} (at 09:00 UK time, to the leads of agencies that have not submitted)`) },
        { title: text("Not submitted"), value: text(`${pending.length} of ${plural(plans.length, "agency", "agencies")}`) },
        { title: text("Next reminder"), value: text(open && next ? formatWhen(next.toISOString()) : "none planned") },
      ],
      own: own.slice(0, 30).map((p) => ({ title: text(p.agencyName), value: text(`${formatDate(p.deadline.deadline)} (its own deadline)`) })),
      agencyChoices: [{ title: "Every agency in the cycle", value: ALL_AGENCIES }, ...plans.sort((a, b) => a.agencyName.localeCompare(b.agencyName)).map((p) => ({ title: p.agencyName.slice(0, 120), value: p.agencyId }))],
      agencyId: o.typed?.agencyId ?? ALL_AGENCIES,
      deadline: o.typed?.deadline ?? "",
      reminderDays: o.typed?.reminderDays ?? (cycle.reminderDays ?? []).join(", "),
      extendActions: open ? [act("Extend the deadline", DEADLINE_VERBS.extend, { cycleId }, "positive")] : [],
      reminderActions: open ? [act("Save the reminder days", DEADLINE_VERBS.reminders, { cycleId })] : [],
      // Local mode's way to make time pass: the round of reminders as if that day had come (the card says so above them).
      demoActions: this.d.config.localMode && open ? (cycle.reminderDays ?? []).map((n) => ({ ...act(`Send the ${daysLabel(n)} round now`, DEADLINE_VERBS.demo, { cycleId, days: String(n) }), inputs: "none" as const })) : [],
      actions: [
        { ...act("Back to the cycles", ADMIN_VERBS.cycles), inputs: "none" },
        { ...act("Admin menu", ADMIN_VERBS.menu), inputs: "none" },
      ],
    };
  }

  /**
   * Extends the deadline for every agency (the cycle's date, on its ETag) or for one (its own
   * date, in its return's partition). Every lead concerned is told; the reminder job is re-planned
   * for the new dates. Idempotent: pressing again with the same date re-sends nothing.
   */
  async extend(actor: Actor, input: z.infer<typeof extendInput>): Promise<DeadlineFormView> {
    const { cycle, etag } = await this.cycleFor(actor, input.cycleId);
    const typed = { agencyId: cleanLine(input.agencyId) || ALL_AGENCIES, deadline: cleanLine(input.deadline).slice(0, 10), reminderDays: cleanLine(input.reminderDays).slice(0, 200) };
    if (cycle.status !== "open") return this.form(actor, cycle.cycleId, { problems: ["This cycle is closed: reopen it before extending its deadline."], field: "deadline", typed });
    const date = deadlineField(input.deadline, ukDate(this.d.now()));
    if (date.problems.length) return this.form(actor, cycle.cycleId, { problems: date.problems, field: "deadline", typed });
    const now = this.d.now().toISOString();
    if (typed.agencyId === ALL_AGENCIES) {
      // Extended to this date before (not the date the cycle opened with): finish what that press started.
      if (date.value === cycle.deadline && cycle.deadlineSetAt && cycle.deadlineSetAt !== cycle.createdAt) return this.finishExtension(actor, cycle, undefined, date.value);
      if (date.value <= cycle.deadline) return this.form(actor, cycle.cycleId, { problems: [`The new deadline must be after the current one (${formatDate(cycle.deadline)}): an extension moves it later.`], field: "deadline", typed });
      const agencies = (await this.d.agencies.list()).filter((a) => covers(cycle, a));
      const headers = await this.d.returns.listHeaders(cycle.cycleId);
      const ids = [...new Set([...agencies.map((a) => a.agencyId), ...headers.map((h) => h.agencyId)])];
      const overrides = await this.d.overrides.listForCycle(cycle.cycleId);
      // Agencies whose own date is still later keep it: nobody's deadline moves earlier.
      const concerned = ids.filter((id) => !(overrides.get(id) && overrides.get(id)!.deadline >= date.value));
      const told = await inSteps(async (step) => {
        try {
          await step(() => this.d.cycles.setDeadline(cycle.cycleId, etag, { deadline: date.value, deadlineSetAt: now }));
        } catch (e) {
          if (isPreconditionFailed(e)) throw new UserFacingError("Someone changed this cycle at the same moment: open its deadline again.", "conflict");
          throw e;
        }
        this.d.cycleCache.clear();
        const previous = new Map(concerned.map((id) => [id, overrides.get(id) && overrides.get(id)!.deadline > cycle.deadline ? overrides.get(id)!.deadline : cycle.deadline]));
        const n = await step(() => this.reminders.enqueueExtension({ ...cycle, deadline: date.value }, concerned, date.value, previous, actor.name));
        await step(() => this.reminders.replan(cycle.cycleId));
        return n;
      });
      return this.form(actor, cycle.cycleId, { notice: { text: md`The deadline of ${cycle.name} is now ${formatDate(date.value)} for every agency${concerned.length < ids.length ? ` (${plural(ids.length - concerned.length, "agency keeps its", "agencies keep their")} own later date)` : ""}. ${plural(told, "message")} to ${plural(concerned.length, "agency's leads", "agencies' leads")} are on their way; reminders follow the new date.`, color: "good" } });
    }
    const agency = await this.d.agencies.get(typed.agencyId);
    const headers = agency ? undefined : await this.d.returns.listHeaders(cycle.cycleId);
    const name = agency?.name ?? headers?.find((h) => h.agencyId === typed.agencyId)?.agencyName;
    if (!name || (agency && !covers(cycle, agency))) return this.form(actor, cycle.cycleId, { problems: ["That agency is not part of this cycle: choose one from the list."], field: "deadline", typed: { ...typed, agencyId: ALL_AGENCIES } });
    const own = await this.d.overrides.get(cycle.cycleId, typed.agencyId);
    if (own && own.deadline === date.value) return this.finishExtension(actor, cycle, { agencyId: typed.agencyId, name }, date.value);
    const current = own && own.deadline > cycle.deadline ? own.deadline : cycle.deadline;
    if (date.value <= current) return this.form(actor, cycle.cycleId, { problems: [`The new deadline for ${name.slice(0, 120)} must be after its current one (${formatDate(current)}): an extension moves it later.`], field: "deadline", typed });
    await inSteps(async (step) => {
      try {
        await step(() => this.d.overrides.set({ cycleId: cycle.cycleId, agencyId: typed.agencyId, deadline: date.value, setAt: now, setBy: actor.name }, own?.etag));
      } catch (e) {
        if (isPreconditionFailed(e) || isConflict(e)) throw new UserFacingError("Someone changed this agency's deadline at the same moment: open the deadline again.", "conflict");
        throw e;
      }
      await step(() => this.reminders.enqueueExtension(cycle, [typed.agencyId], date.value, new Map([[typed.agencyId, current]]), actor.name));
      await step(() => this.reminders.replan(cycle.cycleId));
    });
    return this.form(actor, cycle.cycleId, { notice: { text: md`${name} now has until ${formatDate(date.value)} (was ${formatDate(current)}). Its leads are being told; its reminders follow the new date.`, color: "good" } });
  }

  /**
   * The same extension pressed again (after a failure part-way, or a double click): the date is
   * already set, so only the messages and the plan are made sure of; the outbox sends nobody a
   * second message.
   */
  private async finishExtension(actor: Actor, cycle: Cycle, one: { agencyId: string; name: string } | undefined, deadline: string): Promise<DeadlineFormView> {
    let ids: string[];
    if (one) ids = [one.agencyId];
    else {
      const [agencies, headers, overrides] = await Promise.all([this.d.agencies.list(), this.d.returns.listHeaders(cycle.cycleId), this.d.overrides.listForCycle(cycle.cycleId)]);
      ids = [...new Set([...agencies.filter((a) => covers(cycle, a)).map((a) => a.agencyId), ...headers.map((h) => h.agencyId)])].filter((id) => !(overrides.get(id) && overrides.get(id)!.deadline > deadline));
    }
    await this.reminders.enqueueExtension(cycle, ids, deadline, new Map(), actor.name);
    await this.reminders.replan(cycle.cycleId);
    const who = one ? one.name : "every agency";
    return this.form(actor, cycle.cycleId, { notice: { text: md`The deadline for ${who} is already ${formatDate(deadline)}; every lead concerned has been told (nobody twice).`, color: "good" } });
  }

  /** New reminder days for the cycle; the job is re-planned. */
  async setReminderDays(actor: Actor, input: z.infer<typeof remindersInput>): Promise<DeadlineFormView> {
    const { cycle, etag } = await this.cycleFor(actor, input.cycleId);
    const typed = { agencyId: cleanLine(input.agencyId) || ALL_AGENCIES, deadline: cleanLine(input.deadline).slice(0, 10), reminderDays: cleanLine(input.reminderDays).slice(0, 200) };
    const parsed = parseReminderDays(input.reminderDays);
    if (parsed.problems.length) return this.form(actor, cycle.cycleId, { problems: parsed.problems, field: "reminderDays", typed });
    try {
      await this.d.cycles.setDeadline(cycle.cycleId, etag, { reminderDays: parsed.days });
    } catch (e) {
      if (isPreconditionFailed(e)) throw new UserFacingError("Someone changed this cycle at the same moment: open its deadline again.", "conflict");
      throw e;
    }
    this.d.cycleCache.clear();
    await this.reminders.replan(cycle.cycleId);
    return this.form(actor, cycle.cycleId, { notice: { text: md`Reminders for ${cycle.name}: ${daysText(parsed.days)}.`, color: "good" } });
  }

  /** Local mode only: send the D-n round now, as if that day had come (the playground's way to make time pass). */
  async demo(actor: Actor, input: z.infer<typeof demoInput>): Promise<DeadlineFormView> {
    const { cycle } = await this.cycleFor(actor, input.cycleId);
    if (!this.d.config.localMode) throw new UserFacingError("That button works in local mode only.", "denied");
    if (cycle.status !== "open") return this.form(actor, cycle.cycleId, { problems: ["This cycle is closed: it sends no reminders."] });
    const n = await this.reminders.sendAsIf(cycle, input.days);
    return this.form(actor, cycle.cycleId, { notice: { text: md`${daysLabel(input.days)} reminders: ${plural(n, "new message")} queued (agencies that have submitted get none; pressing again sends nothing twice).`, color: "good" } });
  }
}
