import { Cron } from "croner";
import { z } from "zod/v4";
import { md, NO_TEXT, text, type Shown } from "../cards/text";
import { messageReply, reply, type Reply } from "../cards/reply";
import { fitText } from "../cards/fit";
import type { ActionView, FactView, NoticeView } from "../cards/views";
import { NO_ACCESS, UserFacingError } from "../errors";
import { toCsv } from "../export/csv";
import type { Actor } from "../people/actor";
import { actorKey } from "../people/actor";
import type { AccessService } from "../people/accessService";
import type { Outbox } from "../delivery/outbox";
import type { Scheduler, JobResult } from "../schedule/scheduler";
import type { ActionsRepo, ReturnActions } from "../storage/actionsRepo";
import { ACTION_ID } from "../storage/actionsRepo";
import type { Cycle, CyclesRepo } from "../storage/cyclesRepo";
import type { PeopleRepo } from "../storage/peopleRepo";
import { isConflict, isPreconditionFailed, isBatchConflict } from "../storage/errors";
import { splitKey } from "../storage/keys";
import { principalKey } from "../storage/principal";
import type { ReturnService } from "../section11/returnService";
import type { TemplateCatalog } from "../section11/templateCatalog";
import type { TemplateIndex } from "../section11/template";
import type { MessageBuilder, OutgoingFile } from "../routes";
import { daysBetween, formatDate, formatDay, ukDate } from "../time";
import { ACTION_STATUS_LABELS, actionsOfReturn, byAgencyAndStandard, EVIDENCE_LIMIT, reminderBatchId, reminderDue, type ActionItem } from "./model";
import { ACTION_JOBS, ACTION_MESSAGES, ACTION_VERBS } from "./verbs";
import type { ActionCloseView } from "./views";

export const returnRef = z.string().min(3).max(300).refine((s) => splitKey(s).length === 2, "not a return id");
export const actionRef = z.object({ returnId: returnRef, actionId: z.string().max(100).regex(ACTION_ID) });
const evidenceField = z.unknown().transform((v) => (typeof v === "string" ? v : "")).optional();
export const closeInput = actionRef.extend({ evidence: evidenceField });
export const cycleRef = z.object({ cycleId: z.string().max(120).optional().catch(undefined) });
/** The admin's list: the cycle, the filters (checked against the cycle's own list) and the page. */
export const listInput = cycleRef.extend({
  agency: z.string().max(120).optional().catch(undefined),
  standard: z.string().max(4).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).optional().catch(undefined),
});
const reminderParams = z.object({ returnId: z.string(), actionId: z.string(), due: z.string(), point: z.enum(["before", "due"]) });

/** Reminders are looked for each morning at this time, UK time (and once when an instance starts for the first time). */
const SWEEP_PATTERN = "0 0 8 * * *";
const SWEEP_JOB_ID = "actions.sweep";
/** The admin's card lists this many actions a page; the export has them all. */
const LIST_LIMIT = 40;
/** The admin's list shows this many a page (with every agency and standard to choose from, it stays under Teams' card size with the longest texts). */
const PAGE_SIZE = 20;
/** The filters' "every agency" / "every standard" choice (a card drops a choice whose value is empty). */
const ALL = "*";

const clean = (s: string) => s.replace(/\r\n?/g, "\n").replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "").trim();

export interface ActionServiceDeps {
  actions: ActionsRepo;
  cycles: CyclesRepo;
  catalog: TemplateCatalog;
  access: AccessService;
  returnService: ReturnService;
  outbox: Pick<Outbox, "enqueue">;
  scheduler: Pick<Scheduler, "schedule">;
  people: PeopleRepo;
  /** A link that opens the app in Teams, for the e-mail fallback. */
  appLink: string;
  now: () => Date;
}

/**
 * Actions: what a lead must do, by when (docs/actions.md). The lead lists and closes their
 * agency's actions (closing asks what was done); the admin sees every open action, overdue first,
 * filtered by agency and standard a page at a time, and exports them all; a morning sweep sends each open action's reminders, once each.
 * Every press re-reads the return's access rows (tenant + object id) in the same query as the
 * actions; nothing in a card is trusted beyond being a pointer.
 */
export class ActionService {
  constructor(private readonly d: ActionServiceDeps) {}

  private today() {
    return ukDate(this.d.now());
  }

  private async index(h: { templateId: string; templateVersion: number }): Promise<TemplateIndex | undefined> {
    return this.d.catalog.get(h.templateId, h.templateVersion);
  }

  private rolesOn(r: ReturnActions, actor: Actor): string[] {
    const me = actorKey(actor);
    return r.access.find((a) => principalKey(a) === me)?.roles ?? [];
  }

  /** The return and its actions, if this person is its lead or senior officer (or an admin, read only). */
  private async load(actor: Actor, returnId: string): Promise<{ r: ReturnActions; items: ActionItem[]; lead: boolean; index?: TemplateIndex }> {
    const r = await this.d.actions.forReturn(returnId);
    const roles = r ? this.rolesOn(r, actor) : [];
    // Same answer for "no such return" and "not yours": an id from another card reveals nothing.
    if (!r || (!roles.length && !(await this.d.access.isAdmin(actor)))) throw new UserFacingError(NO_ACCESS, "denied");
    const index = await this.index(r.header);
    return { r, items: actionsOfReturn(r, index, this.today()), lead: roles.includes("lead"), index };
  }

  private line(a: ActionItem, maxBytes = 4000, ownerBytes = 200): FactView {
    const where = a.standardIndex >= 0 ? `Standard ${a.standardIndex + 1}, indicator ${a.indicatorId}` : `Indicator ${a.indicatorId}`;
    const due = a.status === "done" ? `done ${formatDay(a.closedAt)}` : `due ${formatDate(a.due)}${a.status === "overdue" ? ` (overdue by ${daysBetween(a.due, this.today())} days)` : ""}`;
    return { title: text(`${where}${a.source === "panel" ? " (panel)" : ""}`), value: md`${ACTION_STATUS_LABELS[a.status]}, ${due}: ${fitText(a.text || "(no text)", maxBytes).text}${a.owner ? ` (lead: ${fitText(a.owner, ownerBytes).text})` : ""}` };
  }

  /** `actions` for a lead or senior officer: their agency's actions in open cycles, the lead's with a button to close each. */
  async mine(actor: Actor, notice?: NoticeView): Promise<Reply> {
    const mine = (await this.d.returnService.returnsFor(actor)).filter((m) => m.roles.includes("lead") || m.roles.includes("officer"));
    const admin = await this.d.access.isAdmin(actor);
    if (!mine.length) {
      if (admin) return this.adminList(actor, {}, notice);
      return messageReply("No actions for you", "You are not registered as a safeguarding lead or senior officer of an agency in an open Section 11 cycle.", "warning");
    }
    const facts: FactView[] = [];
    const actions: ActionView[] = [];
    for (const m of mine) {
      const { items, lead } = await this.load(actor, m.returnId);
      const shown = items.filter((a) => a.status !== "done").concat(items.filter((a) => a.status === "done"));
      if (mine.length > 1) facts.push({ title: text(m.agencyName), value: text(m.cycle.name) });
      for (const a of shown.slice(0, LIST_LIMIT)) {
        facts.push(this.line(a));
        if (lead && a.status !== "done" && actions.length < 20) actions.push({ title: `Mark done: ${a.indicatorId}${a.source === "panel" ? " (panel)" : ""}, due ${formatDate(a.due)}`.slice(0, 80), verb: ACTION_VERBS.closeForm, data: { returnId: a.returnId, actionId: a.actionId } });
      }
      if (!items.length) facts.push({ title: text(m.agencyName), value: text("No actions: every answer rated partially or not met gets one, with an owner and a due date.") });
    }
    if (admin) actions.push({ title: "Every agency's open actions (admin)", verb: ACTION_VERBS.admin, data: {} });
    return messageReply(md`Your agency's actions`, notice?.text ?? md`Each action has an owner and a due date. Your agency's leads get a reminder in the week before the due date and on the day. Closing one asks what was done.`, notice?.color ?? "default", { facts: facts.slice(0, 60), actions });
  }

  /** The close card: the action, and what was done (required). */
  async closeForm(actor: Actor, returnId: string, actionId: string, extra: { evidence?: string; problem?: Shown; notice?: NoticeView } = {}): Promise<ActionCloseView> {
    const { items, lead, index } = await this.load(actor, returnId);
    const a = items.find((x) => x.actionId === actionId);
    if (!a) throw new UserFacingError("That action is not part of this return (its answer may have changed). Type actions to see the current list.", "not_found");
    return this.closeView(a, lead, index, extra);
  }

  private closeView(a: ActionItem, lead: boolean, index: TemplateIndex | undefined, extra: { evidence?: string; problem?: Shown; notice?: NoticeView }): ActionCloseView {
    const question = index?.get(a.indicatorId)?.indicator.text ?? "";
    const facts: FactView[] = [
      { title: text("Agency"), value: text(a.agencyName) },
      { title: text("Indicator"), value: text(`${a.indicatorId}${question ? `: ${question}` : ""}`) },
      { title: text("Action"), value: text(a.text || "(no text)") },
      { title: text("Owner"), value: text(a.owner || "(not named)") },
      { title: text("Due"), value: text(`${formatDate(a.due)} (${ACTION_STATUS_LABELS[a.status].toLowerCase()})`) },
      { title: text("From"), value: text(a.source === "panel" ? "A challenge panel" : "The agency's self-assessment") },
    ];
    if (a.status === "done") facts.push({ title: text("What was done"), value: text(a.evidence) }, { title: text("Closed"), value: text(`${formatDay(a.closedAt)} by ${a.closedBy}`) });
    const editable = lead && a.status !== "done";
    return {
      title: md`Action: indicator ${a.indicatorId}`,
      intro: editable ? md`Say what was done: it is kept as the evidence that the action is complete, with your name and the date.` : a.status === "done" ? md`This action is done.` : md`Only your agency's safeguarding lead can close this action.`,
      notice: extra.notice,
      facts,
      editable,
      evidence: extra.evidence ?? "",
      evidenceProblem: extra.problem ?? NO_TEXT,
      maxLength: EVIDENCE_LIMIT,
      actions: [
        ...(editable ? [{ title: "Mark as done", verb: ACTION_VERBS.close, data: { returnId: a.returnId, actionId: a.actionId }, style: "positive" as const }] : []),
        { title: "Back to the actions", verb: ACTION_VERBS.mine, data: {}, inputs: "none" as const },
      ],
    };
  }

  /**
   * Closes an action with what was done. Only a lead of the return; the write is one transaction
   * conditional on what was read (the action row's ETag, or its absence), so two presses close it once.
   */
  async close(actor: Actor, input: z.infer<typeof closeInput>): Promise<ActionCloseView> {
    const { r, items, lead, index } = await this.load(actor, input.returnId);
    const a = items.find((x) => x.actionId === input.actionId);
    if (!a) throw new UserFacingError("That action is not part of this return (its answer may have changed). Type actions to see the current list.", "not_found");
    if (!lead) return this.closeView(a, false, index, { notice: { text: md`Only your agency's safeguarding lead can close this action.`, color: "attention" } });
    if (a.status === "done") return this.closeView(a, true, index, { notice: { text: md`Already done: closed ${formatDay(a.closedAt)} by ${a.closedBy}.`, color: "good" } });
    const evidence = clean(input.evidence ?? "");
    const keep = evidence.slice(0, EVIDENCE_LIMIT);
    if (!evidence) return this.closeView(a, true, index, { problem: md`Say what was done: it is the evidence that the action is complete.`, notice: { text: md`Not closed: say what was done.`, color: "attention" } });
    if (evidence.length > EVIDENCE_LIMIT) {
      return this.closeView(a, true, index, { evidence: keep, problem: md`What was done is ${evidence.length.toLocaleString("en-GB")} characters; the limit is ${EVIDENCE_LIMIT.toLocaleString("en-GB")}. We kept the first ${EVIDENCE_LIMIT.toLocaleString("en-GB")}: shorten it and press again.`, notice: { text: md`Not closed: what was done is too long.`, color: "attention" } });
    }
    const at = this.d.now().toISOString();
    // A row read (a panel action, or a self action closed before for an older due date): update it on its ETag; none: create it.
    const existingEtag = a.row?.etag;
    try {
      await this.d.actions.close(r.partitionKey, { actionId: a.actionId, indicatorId: a.indicatorId, existingEtag, due: a.due, evidence, by: actor.name, byKey: actorKey(actor), at, source: a.source });
    } catch (e) {
      if (!isConflict(e) && !isPreconditionFailed(e) && !isBatchConflict(e)) throw e;
      // Someone closed it (or changed it) between our read and our write: show it as it is now.
      const again = await this.load(actor, input.returnId);
      const now = again.items.find((x) => x.actionId === input.actionId);
      if (!now) throw new UserFacingError("That action changed meanwhile. Type actions to see the current list.", "not_found");
      return this.closeView(now, again.lead, again.index, now.status === "done" ? { notice: { text: md`Already done: closed ${formatDay(now.closedAt)} by ${now.closedBy}.`, color: "good" } } : { evidence: keep, notice: { text: md`The action changed while you were closing it: check it and press again.`, color: "warning" } });
    }
    const done: ActionItem = { ...a, status: "done", evidence, closedAt: at, closedBy: actor.name };
    return this.closeView(done, true, index, { notice: { text: md`Marked as done. What was done is kept with your name and today's date.`, color: "good" } });
  }

  private async chooseCycle(cycleId?: string): Promise<{ cycle?: Cycle; cycles: Cycle[] }> {
    const cycles = (await this.d.cycles.list()).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    const cycle = cycleId ? cycles.find((c) => c.cycleId === cycleId) : cycles.find((c) => c.status === "open") ?? cycles[0];
    if (cycleId && !cycle) throw new UserFacingError("That cycle does not exist. Type actions to choose from the current ones.", "not_found");
    return { cycle, cycles };
  }

  private async allOf(cycle: Cycle): Promise<{ items: ActionItem[]; index?: TemplateIndex }> {
    const index = await this.index(cycle);
    const today = this.today();
    const items = (await this.d.actions.forCycle(cycle.cycleId)).flatMap((r) => actionsOfReturn(r, index, today));
    return { items: items.sort(byAgencyAndStandard(index)), index };
  }

  /**
   * The admin's view: every open action of a cycle, overdue first then by due date (what a business
   * manager chases before a panel), filtered by agency and standard, a page at a time. The filters
   * are only pointers: an agency or standard not in this cycle's list is ignored, never trusted.
   */
  async adminList(actor: Actor, input: z.infer<typeof listInput>, notice?: NoticeView): Promise<Reply> {
    if (!(await this.d.access.isAdmin(actor))) throw new UserFacingError("Only the partnership's admins can see every agency's actions.", "denied");
    const { cycle, cycles } = await this.chooseCycle(input.cycleId);
    if (!cycle) return messageReply("No cycle yet", "Open a Section 11 cycle first (type admin).", "warning");
    const { items, index } = await this.allOf(cycle);
    const open = items.filter((a) => a.status !== "done").sort(overdueFirst);
    const overdue = open.filter((a) => a.status === "overdue").length;
    const byAgency = new Map<string, { name: string; open: number; overdue: number }>();
    for (const a of open) {
      const n = byAgency.get(a.agencyId) ?? { name: a.agencyName, open: 0, overdue: 0 };
      n.open++;
      if (a.status === "overdue") n.overdue++;
      byAgency.set(a.agencyId, n);
    }
    const standards = index?.template.standards ?? [];
    const agency = input.agency && byAgency.has(input.agency) ? input.agency : "";
    const stdNo = Number(input.standard);
    const standard = Number.isInteger(stdNo) && stdNo >= 1 && stdNo <= standards.length ? String(stdNo) : "";
    const chosen = open.filter((a) => (!agency || a.agencyId === agency) && (!standard || a.standardIndex === stdNo - 1));
    const pages = Math.max(1, Math.ceil(chosen.length / PAGE_SIZE));
    const page = Math.min(Math.max(1, input.page ?? 1), pages);
    const slice = chosen.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    const facts: FactView[] = slice.map((a) => ({ title: text(`${fitText(a.agencyName, 100).text} · standard ${a.standardIndex >= 0 ? a.standardIndex + 1 : "?"}`), value: this.line(a, 160, 60).value }));
    const filtered = agency || standard ? ` matching the filters (${[agency ? byAgency.get(agency)!.name : "", standard ? `standard ${standard}` : ""].filter(Boolean).join(", ")})` : "";
    const shown = chosen.length
      ? text(`Showing ${(page - 1) * PAGE_SIZE + 1} to ${(page - 1) * PAGE_SIZE + slice.length} of ${chosen.length} open action${chosen.length === 1 ? "" : "s"}${filtered} (page ${page} of ${pages}). Overdue first, then by due date.`)
      : text(open.length ? `No open actions${filtered}.` : "No open actions.");
    const filters = { cycleId: cycle.cycleId, agency, standard };
    const others = cycles.filter((c) => c.cycleId !== cycle.cycleId).slice(0, 4);
    const agencyCount = byAgency.size;
    return reply("actionList", {
      title: md`Open actions: ${cycle.name}`,
      color: notice?.color ?? (overdue ? "warning" : "default"),
      intro: md`${open.length} open action${open.length === 1 ? "" : "s"} across ${agencyCount} agenc${agencyCount === 1 ? "y" : "ies"}, ${overdue} overdue (due date passed, UK dates), ${items.length - open.length} done. The export has every action.`,
      notice,
      agency: agency || ALL,
      agencyChoices: [{ title: "Every agency", value: ALL }, ...[...byAgency.entries()].sort((a, b) => a[1].name.localeCompare(b[1].name)).map(([value, n]) => ({ title: `${fitText(n.name, 100).text} (${n.open} open${n.overdue ? `, ${n.overdue} overdue` : ""})`, value }))],
      standard: standard || ALL,
      standardChoices: [{ title: "Every standard", value: ALL }, ...standards.map((st, i) => ({ title: fitText(`${i + 1}. ${st.title}`, 100).text, value: String(i + 1) }))],
      filterActions: [{ title: "Show", verb: ACTION_VERBS.admin, data: { cycleId: cycle.cycleId, page: "1" } }],
      shown,
      facts,
      pager: [
        ...(page > 1 ? [{ title: `Previous (page ${page - 1})`, verb: ACTION_VERBS.admin, data: { ...filters, page: String(page - 1) }, inputs: "none" as const }] : []),
        ...(page < pages ? [{ title: `Next (page ${page + 1})`, verb: ACTION_VERBS.admin, data: { ...filters, page: String(page + 1) }, inputs: "none" as const }] : []),
      ],
      actions: [
        { title: "Export every action (CSV)", verb: ACTION_VERBS.export, data: { cycleId: cycle.cycleId }, style: "positive", inputs: "none" },
        { title: "Send due reminders now", verb: ACTION_VERBS.sweepNow, data: {}, inputs: "none" },
        ...others.map((c) => ({ title: `Show ${c.name}`.slice(0, 80), verb: ACTION_VERBS.admin, data: { cycleId: c.cycleId }, inputs: "none" as const })),
      ],
    });
  }

  /** Every action of a cycle (open, overdue and done) as CSV, formula-safe, for the admin's own chat. */
  async exportCsv(actor: Actor, input: z.infer<typeof cycleRef>): Promise<{ file: OutgoingFile; cycle: Cycle; rows: number }> {
    if (!(await this.d.access.isAdmin(actor))) throw new UserFacingError("Only the partnership's admins can export every agency's actions.", "denied");
    const { cycle } = await this.chooseCycle(input.cycleId);
    if (!cycle) throw new UserFacingError("Open a Section 11 cycle first (type admin).", "not_found");
    const { items, index } = await this.allOf(cycle);
    const csv = toCsv(
      ["agency", "sector", "standard", "indicator", "source", "action", "owner", "due", "status", "what_was_done", "closed_on", "closed_by"],
      items.map((a) => [a.agencyName, a.sector, a.standardIndex >= 0 ? `${a.standardIndex + 1}. ${index?.template.standards[a.standardIndex]?.title ?? ""}` : "", a.indicatorId, a.source === "panel" ? "panel" : "self-assessment", a.text, a.owner, a.due, ACTION_STATUS_LABELS[a.status].toLowerCase(), a.evidence, a.closedAt ? ukDate(new Date(a.closedAt)) : "", a.closedBy]),
    );
    const name = `actions-${cycle.cycleId.replace(/[^A-Za-z0-9-]/g, "_").slice(0, 40)}-${this.today()}.csv`;
    return { file: { name, description: `Section 11 actions, ${cycle.name}`, contentType: "text/csv", content: csv }, cycle, rows: items.length };
  }

  /** The admin's "send due reminders now": brings the sweep forward (it still sends each reminder once). */
  async sweepNow(actor: Actor): Promise<Reply> {
    if (!(await this.d.access.isAdmin(actor))) throw new UserFacingError("Only the partnership's admins can do this.", "denied");
    await this.d.scheduler.schedule(SWEEP_JOB_ID, ACTION_JOBS.sweep, this.d.now(), {}, { ifEarlier: true });
    return this.adminList(actor, {}, { text: md`Due reminders are being sent now. Each reminder still goes once: ones already sent are not repeated.`, color: "good" });
  }

  /** Makes sure the morning sweep exists (every instance at start: the id is fixed, and it only ever comes forward). */
  async ensureSweep(): Promise<void> {
    await this.d.scheduler.schedule(SWEEP_JOB_ID, ACTION_JOBS.sweep, nextSweep(this.d.now()), {}, { ifEarlier: true });
  }

  /**
   * The morning sweep: for each open cycle, one query reads every return's access rows, actions
   * and answers; each open action whose reminder is due gets it enqueued to the return's leads,
   * in a batch named for the action, its due date and the point (before, on the day). Running it
   * twice, on two instances or after a restart, adds nothing: the outbox keeps one row per batch
   * and recipient. Whether the action is still open is checked again when each is sent.
   */
  async sweep(): Promise<JobResult> {
    const today = this.today();
    let enqueued = 0;
    // The leads' e-mail, for the outbox's fallback where Teams cannot reach them (read once per sweep, only for leads with a reminder due).
    const emails = new Map<string, Promise<string | undefined>>();
    const emailOf = (p: { tenantId: string; aadObjectId: string }) => {
      const k = principalKey(p);
      if (!emails.has(k)) emails.set(k, this.d.people.get(p).then((x) => x?.email || undefined));
      return emails.get(k)!;
    };
    for (const cycle of await this.d.cycles.listOpen()) {
      const index = await this.index(cycle);
      for (const r of await this.d.actions.forCycle(cycle.cycleId)) {
        const leads = r.access.filter((a) => a.roles.includes("lead"));
        if (!leads.length) continue;
        for (const a of actionsOfReturn(r, index, today)) {
          if (a.status === "done" && !a.row && r.carriedClosures?.has(a.actionId)) await this.adoptCarriedClosure(r.partitionKey, a);
          const point = reminderDue(a, today);
          if (!point) continue;
          const to = await Promise.all(leads.map(async (l) => ({ recipient: { kind: "person" as const, tenantId: l.tenantId, aadObjectId: l.aadObjectId, name: l.name.slice(0, 256), email: await emailOf(l) }, kind: ACTION_MESSAGES.reminder, params: { returnId: r.partitionKey, actionId: a.actionId, due: a.due, point } })));
          const res = await this.d.outbox.enqueue(reminderBatchId(r.partitionKey, a.actionId, a.due, point), to);
          enqueued += res.created;
        }
      }
    }
    void enqueued;
    return { rescheduleAt: nextSweep(this.d.now()) };
  }

  /**
   * An action closed in the cycle its answer was carried from is done here too; the sweep copies the
   * closure into this return (created, so a close here meanwhile wins) with its summary cell, so the
   * digest of the new cycle counts it done as the lists do.
   */
  private async adoptCarriedClosure(pk: string, a: ActionItem): Promise<void> {
    try {
      await this.d.actions.close(pk, { actionId: a.actionId, indicatorId: a.indicatorId, due: a.due, evidence: a.evidence, by: a.closedBy, byKey: "", at: a.closedAt, source: "self" });
    } catch (e) {
      if (!isConflict(e) && !isBatchConflict(e)) throw e;
    }
  }

  /** The reminder, drawn when it is sent: only to a lead of the return, only while the action is open with that due date. */
  readonly reminder: MessageBuilder = async (to, raw) => {
    const p = reminderParams.safeParse(raw);
    if (!p.success) return { skip: "malformed reminder" };
    // Reminders are enqueued for people only (the leads); an e-mail goes out as the fallback of a person's row.
    if (to.kind !== "person") return { skip: "reminders go to people" };
    const r = await this.d.actions.forReturn(p.data.returnId);
    if (!r || !this.rolesOn(r, to.actor).includes("lead")) return { skip: "no longer a lead of this return" };
    const index = await this.index(r.header);
    const a = actionsOfReturn(r, index, this.today()).find((x) => x.actionId === p.data.actionId);
    if (!a || a.status === "done") return { skip: "the action is done" };
    if (a.due !== p.data.due) return { skip: "the due date changed" };
    const days = daysBetween(this.today(), a.due);
    // The e-mail says only that an action is due and where to look: no return content leaves Teams.
    const email = {
      subject: days > 0 ? "A Section 11 action is due soon" : "A Section 11 action is due",
      text: `An action of your agency's Section 11 return ${days > 0 ? `is due on ${formatDate(a.due)}` : days === 0 ? "is due today" : `was due on ${formatDate(a.due)}`}.\n\nOpen Safeguarding Assurance in Microsoft Teams, signed in with this e-mail address, and type "actions": ${this.d.appLink}`,
      html: `<p>An action of your agency's Section 11 return ${days > 0 ? `is due on ${formatDate(a.due)}` : days === 0 ? "is due today" : `was due on ${formatDate(a.due)}`}.</p><p>Open <a href="${this.d.appLink.replace(/"/g, "&quot;")}">Safeguarding Assurance in Microsoft Teams</a>, signed in with this e-mail address, and type <b>actions</b>.</p>`,
    };
    const when = days > 1 ? `is due in ${days} days, on ${formatDate(a.due)}` : days === 1 ? `is due tomorrow, ${formatDate(a.due)}` : days === 0 ? `is due today, ${formatDate(a.due)}` : `was due on ${formatDate(a.due)}`;
    return {
      email,
      reply: messageReply(md`Action reminder: ${a.agencyName}`, md`An action of your agency's Section 11 return ${when}. When it is done, mark it done and say what was done.`, days <= 0 ? "attention" : "warning", {
        facts: [this.line(a)],
        actions: [
          { title: "Mark as done", verb: ACTION_VERBS.closeForm, data: { returnId: a.returnId, actionId: a.actionId }, style: "positive" },
          { title: "All my actions", verb: ACTION_VERBS.mine, data: {} },
        ],
      }),
    };
  };
}

/** Overdue first, then the earliest due date (none last), then agency and standard. */
const overdueFirst = (a: ActionItem, b: ActionItem) =>
  Number(b.status === "overdue") - Number(a.status === "overdue") || (a.due || "9999").localeCompare(b.due || "9999") || a.agencyName.localeCompare(b.agencyName) || a.standardIndex - b.standardIndex || a.actionId.localeCompare(b.actionId);

export function nextSweep(after: Date): Date {
  return new Cron(SWEEP_PATTERN, { timezone: "Europe/London", paused: true }).nextRun(after) ?? new Date(after.getTime() + 86_400_000);
}
