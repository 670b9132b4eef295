import { z } from "zod/v4";
import { DEADLINE_VERBS } from "../deadlines/verbs";
import type { ChoiceView, MessageView, NoticeView } from "../cards/views";
import { md, text } from "../cards/text";
import type { Actor } from "../people/actor";
import { actorKey } from "../people/actor";
import type { Cycle } from "../storage/cyclesRepo";
import { isPreconditionFailed } from "../storage/errors";
import { inSteps, UserFacingError } from "../errors";
import { daysLeftText, formatDate, formatDay } from "../time";
import { DEFAULT_TEMPLATE } from "../section11/templateCatalog";
import { act, covers, knownPartnerships, plural, requireAdmin, today, type AdminDeps } from "./common";
import { mapPool } from "./pool";
import { cleanLine, deadlineField, FIELD_LIMITS, idForName, partnershipsField, textField } from "./validation";
import { ADMIN_VERBS } from "./verbs";
import type { CycleFormView, CycleListView } from "./views";
import type { Redraw } from "../routes";
import { DEFAULT_REMINDER_DAYS } from "../storage/cyclesRepo";
import { parseReminderDays } from "../deadlines/rules";

/** Card payloads are untrusted: each field arrives as a string (numbers are read as text) or is treated as empty. */
export const field = z.unknown().transform((v) => (typeof v === "string" ? v : typeof v === "number" && Number.isFinite(v) ? String(v) : ""));
export const cycleInput = z.object({ name: field, deadline: field, partnerships: field, templateId: field, reminderDays: field, carryFrom: field });
/** The carry-forward choice that means "start empty" (a choice's value cannot be empty). */
export const NO_CARRY = "none";
export const cycleRef = z.object({ cycleId: z.string().min(1).max(120) });

export type CreateCycleResult = { view: "cycleForm"; data: CycleFormView } | { view: "message"; data: MessageView; redraw?: Redraw[] };

/** Carry forward, supplied by the next-cycle feature (src/cycles): closes the previous cycle, carries what fits in the answer's time, and says how far it got. */
export type CarryStarter = (actor: Actor, cycle: Cycle) => Promise<{ view: MessageView; redraw?: Redraw[] }>;

/** Opening, listing, closing and reopening Section 11 cycles. */
export class CycleAdmin {
  /** Other features' work when a cycle opens or reopens (deadline reminders are planned): idempotent. */
  readonly hooks: { opened: Array<(cycleId: string) => Promise<unknown>>; carry?: CarryStarter } = { opened: [] };

  constructor(private readonly deps: AdminDeps) {}

  private async templateChoices(): Promise<ChoiceView[]> {
    // The distinguishing part first, so a narrow drop-down does not cut it off.
    return (await this.deps.catalog.list()).map((t) =>
      t.builtIn
        ? { title: `${t.name} (built in, ${t.indicators} indicators)`, value: t.id }
        : { title: `${t.name} v${t.version} (${t.indicators} indicators)`, value: `${t.id}@${t.version}` },
    );
  }

  /** The cycles a new one can start from: the newest first, the default being the newest. */
  private async carryChoices(): Promise<{ title: string; value: string }[]> {
    const cycles = await this.deps.cycles.list();
    return [...cycles.map((c) => ({ title: `Carry forward from ${c.name}`.slice(0, 150), value: c.cycleId })), { title: "Start empty (no carry forward)", value: NO_CARRY }];
  }

  async form(actor: Actor, prefill: Partial<CycleFormView> = {}): Promise<CycleFormView> {
    await requireAdmin(this.deps, actor);
    const carryChoices = await this.carryChoices();
    return {
      reminderDays: DEFAULT_REMINDER_DAYS.join(", "),
      carryChoices,
      carryFrom: carryChoices[0]?.value ?? "",
      name: "",
      deadline: "",
      partnerships: (await knownPartnerships(this.deps)).join(", "),
      templateChoices: await this.templateChoices(),
      templateId: DEFAULT_TEMPLATE.id,
      problems: [],
      ...prefill,
    };
  }

  /** The built-in template by its id, or a partnership's own template stored in the catalog as `id@version`. */
  private async resolveTemplate(raw: string): Promise<{ id: string; version: number } | { problem: string }> {
    const v = cleanLine(raw);
    if (!v || v === DEFAULT_TEMPLATE.id) return { id: DEFAULT_TEMPLATE.id, version: DEFAULT_TEMPLATE.version };
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]{0,31})@(\d{1,6})$/.exec(v);
    if (m) {
      try {
        if (await this.deps.catalog.get(m[1], Number(m[2]))) return { id: m[1], version: Number(m[2]) };
      } catch {
        return { problem: `The template "${v.slice(0, 60)}" is stored but cannot be read: choose another one.` };
      }
    }
    return { problem: `The template "${v.slice(0, 60)}" is not available: choose one from the list.` };
  }

  async create(actor: Actor, input: z.infer<typeof cycleInput>): Promise<CreateCycleResult> {
    await requireAdmin(this.deps, actor);
    const agencies = await this.deps.agencies.list();
    const name = textField(input.name, "The cycle name", FIELD_LIMITS.cycleName);
    const deadline = deadlineField(input.deadline, today(this.deps));
    const partnerships = partnershipsField(input.partnerships, { separator: ",", max: FIELD_LIMITS.cyclePartnerships, known: await knownPartnerships(this.deps, agencies) });
    const template = await this.resolveTemplate(input.templateId);
    // Left blank (or not sent, as by a card from before the field existed): the usual D-14, D-7, D-1; "none" turns them off.
    const reminders = parseReminderDays(cleanLine(input.reminderDays) || DEFAULT_REMINDER_DAYS.join(", "));
    const carryChoices = await this.carryChoices();
    const carryTyped = cleanLine(input.carryFrom).slice(0, 120);
    const carryFrom = carryTyped === NO_CARRY ? "" : carryTyped;
    const carryProblem = carryFrom && !carryChoices.some((c) => c.value === carryFrom) ? ["The cycle to carry forward from is not one of the cycles: choose one from the list, or start empty."] : [];
    const problems = [...name.problems, ...deadline.problems, ...partnerships.problems, ...("problem" in template ? [template.problem] : []), ...reminders.problems, ...carryProblem];
    const templateChoices = await this.templateChoices();
    const form = (p: string[]): CreateCycleResult => ({
      view: "cycleForm",
      data: {
        name: name.shown,
        deadline: deadline.shown,
        partnerships: partnerships.problems.length ? partnerships.shown : partnerships.value.join(", "),
        templateChoices,
        templateId: "problem" in template ? DEFAULT_TEMPLATE.id : cleanLine(input.templateId) || DEFAULT_TEMPLATE.id,
        reminderDays: cleanLine(input.reminderDays).slice(0, 60),
        carryChoices,
        carryFrom: carryProblem.length ? NO_CARRY : carryTyped,
        problems: p.map(text),
      },
    });
    if (problems.length || "problem" in template) return form(problems);

    const cycle: Cycle = {
      cycleId: idForName(name.value, "cycle"),
      name: name.value,
      deadline: deadline.value,
      templateId: template.id,
      templateVersion: template.version,
      partnerships: partnerships.value,
      status: "open",
      createdAt: this.deps.now().toISOString(),
      createdBy: actor.name,
      reminderDays: reminders.days,
      carriedFrom: carryFrom,
    };
    if (!(await this.deps.cycles.create(cycle))) {
      const existing = await this.deps.cycles.get(cycle.cycleId);
      return form([`A cycle called "${existing?.name ?? name.value}" already exists${existing && existing.name !== name.value ? " (the names differ only in punctuation or case)" : ""}. Give this one another name, for example with its years.`]);
    }
    for (const h of this.hooks.opened) await h(cycle.cycleId);
    if (carryFrom && this.hooks.carry) {
      const carried = await this.hooks.carry(actor, cycle);
      return { view: "message", data: carried.view, redraw: carried.redraw };
    }
    const covered = agencies.filter((a) => covers(cycle, a));
    // Each return is created whole or not at all; an interrupted run is completed by opening the cycle's status or by the leads' first visit.
    await inSteps((step) => mapPool(covered, 6, (a) => step(() => this.deps.returnService.ensureReturn(cycle, a))));
    return {
      view: "message",
      data: {
        title: text(`${cycle.name} is open`),
        text: covered.length
          ? md`Returns were created for ${plural(covered.length, "agency", "agencies")} in ${cycle.partnerships.join(" and ")}. Their leads see the audit when they open the bot.`
          : md`No registered agency is in ${cycle.partnerships.join(" or ")} yet: register agencies and their returns are created straight away.`,
        color: "good",
        facts: [
          { title: text("Deadline"), value: text(`${formatDate(cycle.deadline)} (${daysLeftText(cycle.deadline, today(this.deps))})`) },
          { title: text("Partnerships"), value: text(cycle.partnerships.join(", ")) },
          { title: text("Template"), value: text(template.id === DEFAULT_TEMPLATE.id ? DEFAULT_TEMPLATE.name : `${template.id} version ${template.version}`) },
          { title: text("Returns created"), value: text(String(covered.length)) },
        ],
        actions: covered.length
          ? [act("Where every agency stands", ADMIN_VERBS.status, { cycleId: cycle.cycleId }, "positive"), act("Register an agency", ADMIN_VERBS.agencyForm), act("Admin menu", ADMIN_VERBS.menu)]
          : [act("Register an agency", ADMIN_VERBS.agencyForm, {}, "positive"), act("Admin menu", ADMIN_VERBS.menu)],
      },
    };
  }

  async list(actor: Actor, notice?: NoticeView): Promise<CycleListView> {
    await requireAdmin(this.deps, actor);
    const cycles = await this.deps.cycles.list();
    const t = today(this.deps);
    return {
      notice,
      cycles: cycles.map((c) => ({
        name: text(c.name),
        detail: text(`Deadline ${formatDate(c.deadline)}${c.status === "open" ? ` (${daysLeftText(c.deadline, t)})` : ""} · ${c.partnerships.join(", ")}`),
        statusLabel: text(c.status === "open" ? "Open" : `Closed${c.closedAt ? ` on ${formatDay(c.closedAt)}` : ""}${c.closedBy ? ` by ${c.closedBy}` : ""}: returns are read only`),
        color: c.status === "open" ? "good" : "default",
        actions: [
          act(`Status of ${c.name}`, ADMIN_VERBS.status, { cycleId: c.cycleId }),
          ...(c.status === "open" ? [act(`Deadline and reminders of ${c.name}`, DEADLINE_VERBS.form, { cycleId: c.cycleId })] : []),
          c.status === "open" ? act(`Close ${c.name}`, ADMIN_VERBS.closeCycle, { cycleId: c.cycleId }, "destructive") : act(`Reopen ${c.name}`, ADMIN_VERBS.reopenCycle, { cycleId: c.cycleId }),
        ],
      })),
      actions: [act("Open a cycle", ADMIN_VERBS.cycleForm, {}, cycles.length ? "default" : "positive"), act("Admin menu", ADMIN_VERBS.menu)],
    };
  }

  /**
   * Closes a cycle: its returns become read only, and sign-off requests still pending are
   * withdrawn (each with the same decision row a sign-off would write, so a sign-off racing the
   * close either lands first or is refused). Idempotent: closing again finishes what an
   * interrupted close left.
   */
  async close(actor: Actor, cycleId: string): Promise<{ view: CycleListView; withdrawn: Array<{ returnId: string; requestSeq: number }> }> {
    await requireAdmin(this.deps, actor);
    const found = await this.deps.cycles.getWithEtag(cycleId);
    if (!found) throw new UserFacingError("That cycle does not exist (any more).", "not_found");
    const withdrawn: Array<{ returnId: string; requestSeq: number }> = [];
    await inSteps(async (step) => {
      if (found.cycle.status !== "closed") {
        try {
          await step(() => this.deps.cycles.setStatus(cycleId, found.etag, { status: "closed", closedAt: this.deps.now().toISOString(), closedBy: actor.name }));
        } catch (e) {
          if (isPreconditionFailed(e)) throw new UserFacingError("Someone changed this cycle at the same moment: look at the list again.", "conflict");
          throw e;
        }
      }
      this.deps.cycleCache.clear();
      const pending = (await this.deps.returns.listHeaders(cycleId)).filter((h) => h.status === "awaiting_signoff");
      for (const h of pending) {
        const seq = await step(() => this.deps.returnService.withdrawPending(h, `the cycle ${found.cycle.name} was closed`, { name: actor.name, key: actorKey(actor) }));
        if (seq !== undefined) withdrawn.push({ returnId: h.partitionKey, requestSeq: seq });
      }
    });
    const notice = md`${found.cycle.name} is closed: its returns are read only${withdrawn.length ? `, and ${plural(withdrawn.length, "pending sign-off request")} ${withdrawn.length === 1 ? "was" : "were"} withdrawn` : ""}. You can reopen it.`;
    return { view: await this.list(actor, { text: notice, color: "good" }), withdrawn };
  }

  async reopen(actor: Actor, cycleId: string): Promise<CycleListView> {
    await requireAdmin(this.deps, actor);
    const found = await this.deps.cycles.getWithEtag(cycleId);
    if (!found) throw new UserFacingError("That cycle does not exist (any more).", "not_found");
    if (found.cycle.status === "closed") {
      try {
        await this.deps.cycles.setStatus(cycleId, found.etag, { status: "open", closedAt: "", closedBy: "" });
      } catch (e) {
        if (isPreconditionFailed(e)) throw new UserFacingError("Someone changed this cycle at the same moment: look at the list again.", "conflict");
        throw e;
      }
    }
    this.deps.cycleCache.clear();
    for (const h of this.hooks.opened) await h(cycleId);
    return this.list(actor, { text: md`${found.cycle.name} is open again: leads can change their returns and ask for sign-off.`, color: "good" });
  }
}

