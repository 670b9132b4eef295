import { z } from "zod/v4";
import type { ChoiceView, NoticeView } from "../cards/views";
import { md, text } from "../cards/text";
import type { Actor } from "../people/actor";
import { SECTOR_LABELS, SECTORS, type Sector } from "../storage/agenciesRepo";
import type { Cycle } from "../storage/cyclesRepo";
import { holderPrincipal } from "../storage/grantsRepo";
import type { ReturnHeader, StoredAnswer } from "../storage/returnsRepo";
import { daysLeftText, formatDate, formatDay } from "../time";
import { answerOf, isComplete } from "../section11/answer";
import { displayStatus, STATUS_COLORS, STATUS_LABELS, type DisplayStatus } from "../section11/status";
import { toCsv } from "../export/csv";
import { actionsOfReturn } from "../actions/model";
import { act, covers, plural, requireAdmin, today, type AdminDeps } from "./common";
import { ADMIN_VERBS } from "./verbs";
import type { StatusRowView, StatusView } from "./views";

export const STATE_FILTERS = {
  all: "Every agency",
  not_submitted: "Not submitted yet",
  overdue: "Past the deadline without a submission",
  not_started: "Not started",
  in_progress: "In progress (draft or sent back)",
  awaiting_signoff: "Awaiting sign-off",
  submitted: "Submitted",
} as const;
type StateFilter = keyof typeof STATE_FILTERS;

const opt = (max: number) => z.unknown().transform((v) => (typeof v === "string" ? v.slice(0, max) : typeof v === "number" ? String(v) : ""));
export const statusInput = z.object({ cycleId: opt(120), state: opt(40), sector: opt(40), partnership: opt(60), page: opt(6) });
export type StatusInput = z.infer<typeof statusInput>;

const PAGE_SIZE = 15;

export interface StatusRow {
  agencyId: string;
  agencyName: string;
  sector: Sector;
  partnerships: string[];
  status: DisplayStatus;
  overdue: boolean;
  answered: number;
  total: number;
  lastActivity: string;
  leads: Array<{ name: string; email: string; linked: boolean }>;
  officers: Array<{ name: string; email: string; linked: boolean }>;
  openActions: number;
  overdueActions: number;
  header?: ReturnHeader & { partitionKey: string };
}

/** Where every agency stands in a cycle: for chasing, and for the annual report. */
export class StatusAdmin {
  constructor(private readonly deps: AdminDeps) {}

  /** The cycle asked for, else the newest open one, else the newest. */
  private async chooseCycle(cycleId: string): Promise<{ cycle?: Cycle; all: Cycle[] }> {
    const all = await this.deps.cycles.list();
    return { cycle: all.find((c) => c.cycleId === cycleId) ?? all.find((c) => c.status === "open") ?? all[0], all };
  }

  /** Every agency of the cycle with its state, sorted by what needs the business manager first. */
  async rows(cycle: Cycle): Promise<StatusRow[]> {
    const t = today(this.deps);
    const [agencies, headers, answers, index, own, actionState] = await Promise.all([
      this.deps.agencies.list(),
      this.deps.returns.listHeaders(cycle.cycleId),
      this.deps.returns.listAnswers(cycle.cycleId),
      this.deps.catalog.get(cycle.templateId, cycle.templateVersion),
      this.deps.ownDeadlines ? this.deps.ownDeadlines(cycle.cycleId) : Promise.resolve(new Map<string, string>()),
      this.deps.actions?.forCycle(cycle.cycleId),
    ]);
    // Open actions as docs/actions.md counts them (closed ones out, panel ones in), where the actions' rows are wired.
    const openByReturn = new Map((actionState ?? []).map((r) => [r.partitionKey, actionsOfReturn(r, index, t).filter((a) => a.status !== "done")]));
    const total = index?.size ?? 0;
    // An agency's own later deadline (an extension for it alone) decides whether it is past.
    const pastFor = (agencyId: string) => { const d = own.get(agencyId); return (d && d > cycle.deadline ? d : cycle.deadline) < t; };
    const byAgency = new Map<string, { name: string; sector: Sector; partnerships: string[]; header?: ReturnHeader & { partitionKey: string } }>();
    for (const a of agencies) if (covers(cycle, a)) byAgency.set(a.agencyId, { name: a.name, sector: a.sector, partnerships: a.partnerships });
    for (const h of headers) {
      const a = byAgency.get(h.agencyId);
      byAgency.set(h.agencyId, { name: a?.name ?? h.agencyName, sector: a?.sector ?? ((SECTORS as readonly string[]).includes(h.sector) ? (h.sector as Sector) : "other"), partnerships: a?.partnerships ?? [], header: h });
    }
    const rows = await Promise.all(
      [...byAgency.entries()].map(async ([agencyId, e]) => {
        const list: StoredAnswer[] = e.header ? answers.get(e.header.partitionKey) ?? [] : [];
        const status: DisplayStatus = e.header ? displayStatus(e.header, list) : "not_started";
        const submitted = status === "submitted" || status === "updated";
        const answered = list.filter((a) => index?.get(a.indicatorId) && isComplete(answerOf(a))).length;
        const open = e.header ? openByReturn.get(e.header.partitionKey) : undefined;
        const actions = open ? open.map((a) => ({ actionDue: a.due })) : list.map(answerOf).filter((a) => (a.rating === "partially" || a.rating === "not") && a.actionDue);
        const grants = await this.deps.grants.forAgency(agencyId);
        const people = (role: "lead" | "officer") => grants.filter((g) => g.role === role).map((g) => ({ name: g.personName, email: g.email, linked: !!holderPrincipal(g.holder) }));
        const times = [...list.map((a) => a.updatedAt), e.header?.signoffRequestedAt ?? "", e.header?.lastSubmittedAt ?? "", e.header?.sentBackAt ?? ""].filter(Boolean).sort();
        return {
          agencyId,
          agencyName: e.name,
          sector: e.sector,
          partnerships: e.partnerships,
          status,
          overdue: pastFor(agencyId) && !submitted,
          answered,
          total,
          lastActivity: times[times.length - 1] ?? "",
          leads: people("lead"),
          officers: people("officer"),
          openActions: actions.length,
          overdueActions: actions.filter((a) => a.actionDue < t).length,
          header: e.header,
        } satisfies StatusRow;
      }),
    );
    const rank: Record<DisplayStatus, number> = { not_started: 0, sent_back: 1, changed_after_request: 2, draft: 3, awaiting_signoff: 4, updated: 5, submitted: 6 };
    return rows.sort((a, b) => Number(b.overdue) - Number(a.overdue) || rank[a.status] - rank[b.status] || a.agencyName.localeCompare(b.agencyName));
  }

  private static matches(r: StatusRow, state: StateFilter): boolean {
    const submitted = r.status === "submitted" || r.status === "updated";
    switch (state) {
      case "not_submitted": return !submitted;
      case "overdue": return r.overdue;
      case "not_started": return r.status === "not_started";
      case "in_progress": return r.status === "draft" || r.status === "sent_back" || r.status === "changed_after_request";
      case "awaiting_signoff": return r.status === "awaiting_signoff";
      case "submitted": return submitted;
      default: return true;
    }
  }

  private static chase(r: StatusRow): string {
    const lead = r.leads[0];
    const who = lead ? `Lead: ${lead.name || lead.email}${lead.email && lead.name ? ` (${lead.email})` : ""}${lead.linked ? "" : ", has not opened the bot yet"}` : "No lead registered";
    const officer = r.officers.length ? (r.officers.some((o) => o.linked) ? "" : ` · Senior officer registered but not reachable yet (${r.officers[0].email}): ask them to open the bot`) : " · No senior officer registered";
    const last = r.lastActivity ? ` · last activity ${formatDay(r.lastActivity)}` : " · no activity yet";
    const actions = r.openActions ? ` · ${plural(r.openActions, "open action")}${r.overdueActions ? `, ${r.overdueActions} overdue` : ""}` : "";
    return `${who}${officer}${last}${actions}`;
  }

  async view(actor: Actor, input: Partial<StatusInput> = {}, notice?: NoticeView): Promise<StatusView> {
    await requireAdmin(this.deps, actor);
    const { cycle, all } = await this.chooseCycle(input.cycleId ?? "");
    const menu = act("Admin menu", ADMIN_VERBS.menu);
    const empty = { cycleId: "", cycleChoices: [], state: "all", stateChoices: [], sector: "all", sectorChoices: [], partnership: "all", partnershipChoices: [], pager: [], rows: [], pageText: text(""), actionsText: text(""), filterText: text("") };
    if (!cycle) {
      return { ...empty, cycleName: text("No cycle yet"), deadlineText: text(""), countsText: text("Open a cycle to see where every agency stands."), notice, actions: [act("Open a cycle", ADMIN_VERBS.cycleForm, {}, "positive"), menu] };
    }
    const state: StateFilter = input.state && input.state in STATE_FILTERS ? (input.state as StateFilter) : "all";
    // "all" (or anything unknown) is no filter: a choice needs a value to be offered at all.
    const sector = (SECTORS as readonly string[]).includes(input.sector ?? "") ? (input.sector as Sector) : "";
    const partnership = cycle.partnerships.includes(input.partnership ?? "") ? input.partnership! : "";
    const all_rows = await this.rows(cycle);
    const rows = all_rows.filter((r) => StatusAdmin.matches(r, state) && (!sector || r.sector === sector) && (!partnership || r.partnerships.includes(partnership)));
    const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
    const page = Math.min(pages - 1, Math.max(0, Number.parseInt(input.page ?? "0", 10) || 0));
    const counts = { submitted: 0, updated: 0, awaiting: 0, changed: 0, draft: 0, sentBack: 0, notStarted: 0 };
    for (const r of all_rows) {
      if (r.status === "submitted") counts.submitted++;
      else if (r.status === "updated") counts.updated++;
      else if (r.status === "awaiting_signoff") counts.awaiting++;
      else if (r.status === "changed_after_request") counts.changed++;
      else if (r.status === "draft") counts.draft++;
      else if (r.status === "sent_back") counts.sentBack++;
      else counts.notStarted++;
    }
    const overdue = all_rows.filter((r) => r.overdue).length;
    const openActions = all_rows.reduce((n, r) => n + r.openActions, 0);
    const overdueActions = all_rows.reduce((n, r) => n + r.overdueActions, 0);
    const filters = { cycleId: cycle.cycleId, state, sector: sector || "all", partnership: partnership || "all" };
    const t = today(this.deps);
    const rowView = (r: StatusRow): StatusRowView => {
      const label = STATUS_LABELS[r.status];
      return {
        agencyName: text(r.agencyName),
        sectorLabel: text(`${SECTOR_LABELS[r.sector]}${r.partnerships.length ? ` · ${r.partnerships.join(", ")}` : ""}`),
        // The words carry the state; colour only backs them up.
        statusLabel: text(r.overdue ? `${label} (overdue)` : label),
        color: r.overdue ? "attention" : STATUS_COLORS[r.status],
        progressText: text(`${r.answered}/${r.total} answered`),
        chaseText: text(StatusAdmin.chase(r)),
        open: act(`Open ${r.agencyName}`, ADMIN_VERBS.agencyPeople, { agencyId: r.agencyId, cycleId: cycle.cycleId }),
      };
    };
    const sectorChoices: ChoiceView[] = [{ title: "All sectors", value: "all" }, ...SECTORS.map((s) => ({ title: SECTOR_LABELS[s], value: s }))];
    return {
      cycleName: text(`${cycle.name}${cycle.status === "closed" ? " (closed)" : ""}`),
      deadlineText: md`Deadline ${formatDate(cycle.deadline)} (${daysLeftText(cycle.deadline, t)})`,
      countsText: text(
        [
          `${plural(all_rows.length, "agency", "agencies")}: ${counts.submitted + counts.updated} submitted${counts.updated ? ` (${counts.updated} updated since)` : ""}`,
          `${counts.awaiting + counts.changed} awaiting sign-off${counts.changed ? ` (${counts.changed} changed since it was asked)` : ""}`,
          `${counts.draft + counts.sentBack} in draft${counts.sentBack ? ` (${counts.sentBack} sent back)` : ""}`,
          `${counts.notStarted} not started`,
        ].join(", ") + (overdue ? `; ${overdue} past the deadline without a submission` : ""),
      ),
      actionsText: text(openActions ? `Actions agreed in the returns: ${openActions} open, ${overdueActions} past their due date.` : "No actions recorded yet."),
      filterText: text(`Showing ${STATE_FILTERS[state].toLowerCase()}${sector ? `, ${SECTOR_LABELS[sector]}` : ""}${partnership ? `, ${partnership}` : ""}: ${plural(rows.length, "agency", "agencies")}.`),
      notice,
      rows: rows.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE).map(rowView),
      pageText: text(rows.length > PAGE_SIZE ? `Page ${page + 1} of ${pages}` : ""),
      cycleId: cycle.cycleId,
      cycleChoices: all.map((c) => ({ title: `${c.name}${c.status === "closed" ? " (closed)" : ""}`, value: c.cycleId })),
      state,
      stateChoices: Object.entries(STATE_FILTERS).map(([value, title]) => ({ title, value })),
      sector: sector || "all",
      sectorChoices,
      partnership: partnership || "all",
      partnershipChoices: [{ title: "All partnerships", value: "all" }, ...cycle.partnerships.map((p) => ({ title: p, value: p }))],
      pager: [
        ...(page > 0 ? [act("Previous page", ADMIN_VERBS.status, { ...filters, page: String(page - 1) })] : []),
        ...(page < pages - 1 ? [act("Next page", ADMIN_VERBS.status, { ...filters, page: String(page + 1) })] : []),
      ],
      actions: [act("Show", ADMIN_VERBS.status, {}, "positive"), act("Export as CSV", ADMIN_VERBS.statusExport, { cycleId: cycle.cycleId }), act("Cycles", ADMIN_VERBS.cycles), menu],
    };
  }

  /** The whole status of a cycle as CSV, for the annual report. */
  async exportCsv(actor: Actor, cycleId: string): Promise<{ name: string; csv: string; cycle: Cycle; rows: number }> {
    await requireAdmin(this.deps, actor);
    const { cycle } = await this.chooseCycle(cycleId);
    if (!cycle) throw new Error("no cycle");
    const rows = await this.rows(cycle);
    const csv = toCsv(
      ["agency", "sector", "partnerships", "status", "past_deadline", "answered", "indicators", "last_activity", "lead", "lead_email", "senior_officer", "officer_email", "open_actions", "overdue_actions", "first_submitted", "last_submitted", "signed_off_by"],
      rows.map((r) => [
        r.agencyName,
        SECTOR_LABELS[r.sector],
        r.partnerships.join("; "),
        STATUS_LABELS[r.status],
        r.overdue ? "yes" : "no",
        r.answered,
        r.total,
        r.lastActivity ? r.lastActivity.slice(0, 10) : "",
        r.leads.map((l) => l.name).join("; "),
        r.leads.map((l) => l.email).join("; "),
        r.officers.map((l) => l.name).join("; "),
        r.officers.map((l) => l.email).join("; "),
        r.openActions,
        r.overdueActions,
        r.header?.firstSubmittedAt?.slice(0, 10) ?? "",
        r.header?.lastSubmittedAt?.slice(0, 10) ?? "",
        r.header?.signedOffBy ?? "",
      ]),
    );
    const safeName = cycle.name.replace(/[^A-Za-z0-9 ._-]+/g, "").trim().replace(/\s+/g, "-").slice(0, 60) || "cycle";
    return { name: `section11-status-${safeName}-${today(this.deps)}.csv`, csv, cycle, rows: rows.length };
  }
}
