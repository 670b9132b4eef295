import { z } from "zod/v4";
import type {
  ActionView,
  AdminMenuView,
  AgencyFormView,
  AssignFormView,
  ChoiceView,
  CycleFormView,
  ImportReportView,
  MessageView,
  NoticeView,
  StatusRowView,
  StatusView,
} from "../cards/views";
import type { Config } from "../config";
import type { AccessService } from "../people/accessService";
import type { Actor } from "../people/actor";
import { SECTOR_LABELS, SECTORS, type Agency, type AgenciesRepo, type Sector } from "../storage/agenciesRepo";
import type { Cycle, CyclesRepo } from "../storage/cyclesRepo";
import { ROLE_LABELS, type GrantsRepo } from "../storage/grantsRepo";
import type { PeopleRepo } from "../storage/peopleRepo";
import type { ReturnHeader, ReturnsRepo, StoredAnswer } from "../storage/returnsRepo";
import { formatDate, isComplete } from "../section11/answer";
import { UserFacingError } from "../section11/errors";
import type { ReturnService } from "../section11/returnService";
import { daysLeftText, displayStatus, STATUS_COLORS, STATUS_LABELS, type DisplayStatus } from "../section11/status";
import { DEFAULT_TEMPLATE, type TemplateCatalog } from "../section11/templateCatalog";
import { parseTemplate } from "../section11/template";
import { CSV_COLUMNS_TEXT, parseAgencyCsv, type CsvAgencyRow } from "./csvImport";
import { mapPool } from "./pool";
import {
  AGENCY_ID,
  cleanLine,
  deadlineField,
  emailField,
  FIELD_LIMITS,
  idForName,
  partnershipsField,
  sectorField,
  tenantField,
  textField,
} from "./validation";
import { ADMIN_VERBS, COMMAND_VERB } from "./verbs";

export interface AdminDeps {
  config: Pick<Config, "localMode">;
  agencies: AgenciesRepo;
  cycles: CyclesRepo;
  grants: GrantsRepo;
  people: PeopleRepo;
  returns: ReturnsRepo;
  catalog: TemplateCatalog;
  access: AccessService;
  returnService: ReturnService;
  now: () => Date;
}

export type AdminMenu = AdminMenuView;

export type CreateCycleResult = { view: "cycleForm"; data: CycleFormView } | { view: "message"; data: MessageView };

export type ImportRowOutcome =
  | { line: number; agencyName: string; result: "registered" | "people_added"; detail: string }
  | { line: number; agencyName: string; result: "rejected" | "failed"; detail: string };

export const DENIED = "Only the partnership's admins can do this. If you should be one, ask your partnership's business manager to add you.";
export const IMPORT_HINT = `Send a .csv file in this chat to register agencies and their leads in bulk. Columns: ${CSV_COLUMNS_TEXT}.`;
const ASSIGN_CHOICES_SHOWN = 200;
const STATUS_ROWS_SHOWN = 25;
const IMPORT_REJECTIONS_SHOWN = 20;

/**
 * Card payloads are untrusted: each field arrives as a string (numbers are read as text) or is
 * treated as empty; anything else in the payload is ignored.
 */
const field = z.unknown().transform((v) => (typeof v === "string" ? v : typeof v === "number" && Number.isFinite(v) ? String(v) : ""));
const cycleInput = z.object({ name: field, deadline: field, partnerships: field, templateId: field });
const agencyInput = z.object({ name: field, sector: field, partnerships: field, tenantId: field });
const assignInput = z.object({ agencyId: field, role: field, email: field, personName: field });
function readInput<T>(schema: z.ZodType<T>, raw: unknown): T {
  const r = schema.safeParse(raw && typeof raw === "object" && !Array.isArray(raw) ? raw : {});
  return r.success ? r.data : schema.parse({});
}

const act = (title: string, verb: string, data: Record<string, string> = {}, style: ActionView["style"] = "default"): ActionView => ({ title, verb, data, style });
const plural = (count: number, one: string, many = `${one}s`) => `${count.toLocaleString("en-GB")} ${count === 1 ? one : many}`;

/**
 * The partnership business manager's work in chat: open a cycle, register agencies, name their
 * leads and senior officers (one by one or from a CSV file), and see where every agency stands.
 * Every method first checks that the actor is a partnership admin, on stored grants or the
 * configured admin list, never on anything a card sent.
 */
export class AdminService {
  constructor(private readonly deps: AdminDeps) {}

  private today() {
    return this.deps.now().toISOString().slice(0, 10);
  }

  private async requireAdmin(actor: Actor): Promise<void> {
    if (!(await this.deps.access.rolesOf(actor)).admin) throw new UserFacingError(DENIED, "denied");
  }

  /** The current cycle: the newest open one. */
  private async currentCycle(): Promise<{ cycle?: Cycle; others: number }> {
    const open = await this.deps.cycles.listOpen();
    return { cycle: open[0], others: Math.max(0, open.length - 1) };
  }

  private static covers(cycle: Cycle, agency: Pick<Agency, "partnerships">): boolean {
    return cycle.partnerships.some((p) => agency.partnerships.includes(p));
  }

  private async knownPartnerships(agencies?: Agency[]): Promise<string[]> {
    const names = new Map<string, string>();
    for (const c of await this.deps.cycles.list()) for (const p of c.partnerships) names.set(p.toLowerCase(), p);
    for (const a of agencies ?? (await this.deps.agencies.list())) for (const p of a.partnerships) if (!names.has(p.toLowerCase())) names.set(p.toLowerCase(), p);
    return [...names.values()];
  }

  /** Creates the agency's return in every open cycle that covers it (idempotent). */
  private async ensureReturns(agency: Agency): Promise<Cycle[]> {
    const cycles = (await this.deps.cycles.listOpen()).filter((c) => AdminService.covers(c, agency));
    for (const c of cycles) await this.deps.returnService.ensureReturn(c, agency);
    return cycles;
  }

  /**
   * Grants a role at an agency to an e-mail address: straight to the person when someone with
   * that address has already talked to the bot, else to the address until they do.
   */
  private async grantByEmail(actor: Actor, agency: Agency, role: "lead" | "officer", email: string, personName: string): Promise<{ linked: boolean; who: string }> {
    // An agency pinned to its tenant is only ever linked to someone in that tenant.
    const candidates = (await this.deps.people.withEmail(email)).filter((p) => !agency.tenantId || p.tenantId.toLowerCase() === agency.tenantId.toLowerCase());
    const principal = candidates.length === 1 ? candidates[0] : undefined;
    if (principal) {
      const person = await this.deps.people.get(principal);
      const name = personName || person?.name || email;
      await this.deps.access.grant({ role, agencyId: agency.agencyId, agencyName: agency.name, holder: { kind: "person", principal }, name, email, by: actor.name });
      return { linked: true, who: name };
    }
    await this.deps.access.grant({ role, agencyId: agency.agencyId, agencyName: agency.name, holder: { kind: "email", email }, name: personName, email, by: actor.name });
    return { linked: false, who: personName ? `${personName} (${email})` : email };
  }

  // ----- menu -----

  async menu(actor: Actor, notice?: NoticeView): Promise<AdminMenu> {
    await this.requireAdmin(actor);
    const [{ cycle, others }, agencies] = await Promise.all([this.currentCycle(), this.deps.agencies.list()]);
    let cycleSummary: string;
    if (cycle) {
      const headers = await this.deps.returns.listHeaders(cycle.cycleId);
      const submitted = headers.filter((h) => h.status === "submitted").length;
      const covered = agencies.filter((a) => AdminService.covers(cycle, a)).length;
      cycleSummary = [
        `${cycle.name}: deadline ${formatDate(cycle.deadline)} (${daysLeftText(cycle.deadline, this.today())})`,
        `${plural(agencies.length, "agency", "agencies")} registered${covered !== agencies.length ? ` (${covered} in this cycle)` : ""}`,
        `${submitted} of ${plural(Math.max(covered, headers.length), "return")} submitted`,
        ...(others ? [`${plural(others, "other open cycle")}`] : []),
      ].join(" · ");
    } else {
      cycleSummary = `No cycle is open. ${plural(agencies.length, "agency", "agencies")} registered. Open a cycle to start the audit.`;
    }
    const actions = [
      act("Open a cycle", ADMIN_VERBS.cycleForm, {}, cycle ? "default" : "positive"),
      act("Register an agency", ADMIN_VERBS.agencyForm),
      act("Add a lead or senior officer", ADMIN_VERBS.assignForm),
      act("Where every agency stands", ADMIN_VERBS.status, {}, cycle ? "positive" : "default"),
    ];
    // Local mode: one click to try the lead's and senior officer's side in the playground.
    if (this.deps.config.localMode && agencies.length) actions.push(act("Make me lead and senior officer of a demo agency", ADMIN_VERBS.assignSelf));
    return { cycleSummary, notice, actions, importHint: IMPORT_HINT };
  }

  // ----- cycles -----

  private async templateChoices(): Promise<ChoiceView[]> {
    return (await this.deps.catalog.list()).map((t) =>
      t.builtIn
        ? { title: `${t.name} · built in, ${t.standards} standards, ${t.indicators} indicators`, value: t.id }
        : { title: `${t.name} · ${t.id} version ${t.version}, ${t.standards} standards, ${t.indicators} indicators`, value: `${t.id}@${t.version}` },
    );
  }

  /**
   * A partnership's own Section 11 template (or the education audit), sent as a .json file or
   * loaded with `npm run load-template`. Stored as the next version of its id; cycles already
   * running keep the version they started with.
   */
  async loadTemplate(actor: Actor, jsonText: string): Promise<MessageView> {
    await this.requireAdmin(actor);
    let json: unknown;
    try {
      json = JSON.parse(jsonText);
    } catch (e) {
      return { title: "That file is not valid JSON", text: `${(e as Error).message.slice(0, 200)}. Check the file against docs/templates.md and send it again.`, color: "attention", facts: [], actions: [] };
    }
    const parsed = parseTemplate(json);
    if (!parsed.ok) {
      const shown = parsed.problems.slice(0, 10);
      return { title: "The template was not loaded", text: `Fix these and send it again:\n\n${shown.map((p) => `- ${p}`).join("\n")}${parsed.problems.length > shown.length ? `\n\nand ${parsed.problems.length - shown.length} more` : ""}`, color: "attention", facts: [], actions: [] };
    }
    try {
      const { id, version } = await this.deps.catalog.add(parsed.template, actor.name);
      const indicators = parsed.template.standards.reduce((n, st) => n + st.indicators.length, 0);
      return {
        title: "Template loaded",
        text: `"${parsed.template.name}" is stored as ${id} version ${version}. Choose it when you open a cycle; cycles already running keep their template.`,
        color: "good",
        facts: [{ title: "Standards", value: String(parsed.template.standards.length) }, { title: "Indicators", value: String(indicators) }],
        actions: [{ title: "Open a cycle with it", verb: ADMIN_VERBS.cycleForm, data: {} }],
      };
    } catch (e) {
      return { title: "The template was not loaded", text: (e as Error).message, color: "attention", facts: [], actions: [] };
    }
  }

  async cycleForm(actor: Actor, prefill: Partial<CycleFormView> = {}): Promise<CycleFormView> {
    await this.requireAdmin(actor);
    return {
      name: "",
      deadline: "",
      partnerships: (await this.knownPartnerships()).join(", "),
      templateChoices: await this.templateChoices(),
      templateId: DEFAULT_TEMPLATE.id,
      problems: [],
      ...prefill,
    };
  }

  /**
   * The built-in template by its id, or a partnership's own template stored in the catalog as
   * `id@version` (a value a card can only carry if a future form lists it).
   */
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

  async createCycle(actor: Actor, raw: Record<string, unknown>): Promise<CreateCycleResult> {
    await this.requireAdmin(actor);
    const input = readInput(cycleInput, raw);
    const agencies = await this.deps.agencies.list();
    const name = textField(input.name, "The cycle name", FIELD_LIMITS.cycleName);
    const deadline = deadlineField(input.deadline, this.today());
    const partnerships = partnershipsField(input.partnerships, { separator: ",", max: FIELD_LIMITS.cyclePartnerships, known: await this.knownPartnerships(agencies) });
    const template = await this.resolveTemplate(input.templateId);
    const problems = [...name.problems, ...deadline.problems, ...partnerships.problems, ...("problem" in template ? [template.problem] : [])];
    const templateChoices = await this.templateChoices();
    const form = (p: string[]): CreateCycleResult => ({
      view: "cycleForm",
      data: {
        name: name.shown,
        deadline: deadline.shown,
        partnerships: partnerships.problems.length ? partnerships.shown : partnerships.value.join(", "),
        templateChoices,
        templateId: "problem" in template ? DEFAULT_TEMPLATE.id : cleanLine(input.templateId) || DEFAULT_TEMPLATE.id,
        problems: p,
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
    };
    if (!(await this.deps.cycles.create(cycle))) {
      const existing = await this.deps.cycles.get(cycle.cycleId);
      return form([`A cycle called "${existing?.name ?? name.value}" already exists${existing && existing.name !== name.value ? " (the names differ only in punctuation or case)" : ""}. Give this one another name, for example with its years.`]);
    }
    const covered = agencies.filter((a) => AdminService.covers(cycle, a));
    await mapPool(covered, 6, (a) => this.deps.returnService.ensureReturn(cycle, a));
    return {
      view: "message",
      data: {
        title: `${cycle.name} is open`,
        text: covered.length
          ? `Returns were created for ${plural(covered.length, "agency", "agencies")} in ${cycle.partnerships.join(" and ")}. Their leads see the audit when they open the bot.`
          : `No registered agency is in ${cycle.partnerships.join(" or ")} yet: register agencies and their returns are created straight away.`,
        color: "good",
        facts: [
          { title: "Deadline", value: `${formatDate(cycle.deadline)} (${daysLeftText(cycle.deadline, this.today())})` },
          { title: "Partnerships", value: cycle.partnerships.join(", ") },
          { title: "Template", value: template.id === DEFAULT_TEMPLATE.id ? DEFAULT_TEMPLATE.name : `${template.id} version ${template.version}` },
          { title: "Returns created", value: String(covered.length) },
        ],
        actions: [act("Where every agency stands", ADMIN_VERBS.status, {}, "positive"), act("Register an agency", ADMIN_VERBS.agencyForm), act("Admin menu", ADMIN_VERBS.menu)],
      },
    };
  }

  // ----- agencies -----

  private sectorChoices(): ChoiceView[] {
    return SECTORS.map((s) => ({ title: SECTOR_LABELS[s], value: s }));
  }

  async agencyForm(actor: Actor, prefill: Partial<AgencyFormView> = {}): Promise<AgencyFormView> {
    await this.requireAdmin(actor);
    const known = await this.knownPartnerships();
    return { name: "", sector: "", sectorChoices: this.sectorChoices(), partnerships: known.length === 1 ? known[0] : "", tenantId: "", problems: [], ...prefill };
  }

  async createAgency(actor: Actor, raw: Record<string, unknown>): Promise<AgencyFormView> {
    await this.requireAdmin(actor);
    const input = readInput(agencyInput, raw);
    const name = textField(input.name, "The agency name", FIELD_LIMITS.agencyName);
    const sector = sectorField(input.sector);
    const partnerships = partnershipsField(input.partnerships, { separator: ",", max: FIELD_LIMITS.agencyPartnerships, known: await this.knownPartnerships() });
    const tenant = tenantField(input.tenantId);
    const problems = [...name.problems, ...sector.problems, ...partnerships.problems, ...tenant.problems];
    const form = (p: string[]): AgencyFormView => ({
      name: name.shown,
      sector: sector.shown,
      sectorChoices: this.sectorChoices(),
      partnerships: partnerships.problems.length ? partnerships.shown : partnerships.value.join(", "),
      tenantId: tenant.shown,
      problems: p,
      notice: { text: "Not registered yet: please fix what is marked below.", color: "attention" },
    });
    if (problems.length || !sector.value) return form(problems);

    const agency: Agency = {
      agencyId: idForName(name.value),
      name: name.value,
      sector: sector.value,
      partnerships: partnerships.value,
      tenantId: tenant.value,
      createdAt: this.deps.now().toISOString(),
      createdBy: actor.name,
    };
    if (!(await this.deps.agencies.create(agency))) {
      const existing = await this.deps.agencies.get(agency.agencyId);
      const same = !existing || existing.name === agency.name;
      return form([`"${existing?.name ?? agency.name}" is already registered${same ? "" : " (the names differ only in punctuation, case or after the 60th character)"}. To add its people, use "Add a lead or senior officer".`]);
    }
    const cycles = await this.ensureReturns(agency);
    const where = `${SECTOR_LABELS[agency.sector]}; ${agency.partnerships.join(", ")}`;
    return {
      name: "",
      sector: "",
      sectorChoices: this.sectorChoices(),
      partnerships: agency.partnerships.join(", "),
      tenantId: "",
      problems: [],
      notice: {
        text: `Registered ${agency.name} (${where}).${cycles.length ? ` Its return for ${cycles.map((c) => c.name).join(" and ")} is ready.` : " No open cycle covers it yet."} Add its lead next, or register another agency below.`,
        color: "good",
      },
    };
  }

  // ----- people -----

  private roleChoices(): ChoiceView[] {
    return [
      { title: ROLE_LABELS.lead, value: "lead" },
      { title: ROLE_LABELS.officer, value: "officer" },
    ];
  }

  private async agencyChoices(): Promise<{ choices: ChoiceView[]; more: number }> {
    const all = await this.deps.agencies.list();
    return { choices: all.slice(0, ASSIGN_CHOICES_SHOWN).map((a) => ({ title: a.name, value: a.agencyId })), more: Math.max(0, all.length - ASSIGN_CHOICES_SHOWN) };
  }

  async assignForm(actor: Actor, prefill: Partial<AssignFormView> = {}): Promise<AssignFormView> {
    await this.requireAdmin(actor);
    const { choices, more } = await this.agencyChoices();
    return {
      agencyChoices: choices,
      agencyId: "",
      role: "lead",
      roleChoices: this.roleChoices(),
      email: "",
      personName: "",
      problems: [],
      notice: !choices.length
        ? { text: "No agency is registered yet: register one first.", color: "warning" }
        : more
          ? { text: `The list shows the first ${ASSIGN_CHOICES_SHOWN} agencies; import a CSV file to add people to the others.`, color: "default" }
          : undefined,
      ...prefill,
    };
  }

  async assign(actor: Actor, raw: Record<string, unknown>): Promise<AssignFormView> {
    await this.requireAdmin(actor);
    const input = readInput(assignInput, raw);
    const problems: string[] = [];
    const agencyId = cleanLine(input.agencyId);
    let agency: Agency | undefined;
    if (!agencyId) problems.push("Choose the agency.");
    else if (!AGENCY_ID.test(agencyId) || !(agency = await this.deps.agencies.get(agencyId))) problems.push("That agency is not registered: choose one from the list.");
    const role = input.role === "lead" || input.role === "officer" ? input.role : undefined;
    if (!role) problems.push("Choose the role: safeguarding lead or senior officer.");
    const email = emailField(input.email, "The e-mail address");
    const personName = textField(input.personName, "The name", { max: FIELD_LIMITS.personName });
    problems.push(...email.problems, ...personName.problems);
    const { choices } = await this.agencyChoices();
    const base = { agencyChoices: choices, roleChoices: this.roleChoices() };
    if (problems.length || !agency || !role) {
      return {
        ...base,
        agencyId: agency ? agency.agencyId : "",
        role: role ?? "lead",
        email: email.shown,
        personName: personName.shown,
        problems,
        notice: { text: "Nobody was added yet: please fix what is marked below.", color: "attention" },
      };
    }
    await this.ensureReturns(agency);
    const r = await this.grantByEmail(actor, agency, role, email.value, personName.value);
    const roleText = ROLE_LABELS[role].toLowerCase();
    return {
      ...base,
      agencyId: agency.agencyId,
      // Most agencies need both: offer the other role next.
      role: role === "lead" ? "officer" : "lead",
      email: "",
      personName: "",
      problems: [],
      notice: r.linked
        ? { text: `${r.who} is now ${roleText} for ${agency.name}: they can start now.`, color: "good" }
        : { text: `${r.who} will be ${roleText} for ${agency.name}: they will get access when they first open the bot with that e-mail address.`, color: "good" },
    };
  }

  /**
   * Local mode only: makes the actor lead and senior officer of the first registered agency in
   * alphabetical order (AgenciesRepo.list order), so one person can try both sides of the audit
   * in the playground. With the demo data loaded that is usually not the playground user's own
   * "Demo: ..." agency, which is fine: any agency shows the flow.
   */
  async assignSelf(actor: Actor): Promise<MessageView> {
    await this.requireAdmin(actor);
    if (!this.deps.config.localMode) throw new UserFacingError("This shortcut is only available when the bot runs locally. Ask an admin to add you with \"Add a lead or senior officer\".", "denied");
    const [agency] = await this.deps.agencies.list();
    if (!agency) {
      return { title: "No agency yet", text: "Register an agency first (or run `npm run demo-data` for a whole demo partnership), then try again.", color: "warning", facts: [], actions: [act("Register an agency", ADMIN_VERBS.agencyForm, {}, "positive")] };
    }
    const cycles = await this.ensureReturns(agency);
    const email = (await this.deps.people.get(actor.principal))?.email ?? "";
    for (const role of ["lead", "officer"] as const) {
      await this.deps.access.grant({ role, agencyId: agency.agencyId, agencyName: agency.name, holder: { kind: "person", principal: actor.principal }, name: actor.name, email, by: actor.name });
    }
    return {
      title: `You are lead and senior officer of ${agency.name}`,
      text: cycles.length
        ? "Open the audit to answer as the safeguarding lead, send it for sign-off, then sign it off yourself as the senior officer."
        : "No open cycle covers this agency yet: open a cycle for its partnership to start its audit.",
      color: "good",
      facts: [
        { title: "Agency", value: agency.name },
        { title: "Roles", value: `${ROLE_LABELS.lead}, ${ROLE_LABELS.officer}` },
        ...(cycles.length ? [{ title: "Cycle", value: cycles.map((c) => c.name).join(", ") }] : []),
      ],
      actions: [{ title: "Open the audit", verb: COMMAND_VERB, data: { command: "audit" }, kind: "submit", style: "positive" }],
    };
  }

  // ----- status -----

  async status(actor: Actor): Promise<StatusView> {
    await this.requireAdmin(actor);
    const { cycle } = await this.currentCycle();
    const backToMenu = act("Admin menu", ADMIN_VERBS.menu);
    if (!cycle) {
      return { cycleName: "No open cycle", deadlineText: "", countsText: "Open a cycle to see where every agency stands.", rows: [], moreText: "", actions: [act("Open a cycle", ADMIN_VERBS.cycleForm, {}, "positive"), backToMenu] };
    }
    const today = this.today();
    const [agencies, headers, answers, index] = await Promise.all([
      this.deps.agencies.list(),
      this.deps.returns.listHeaders(cycle.cycleId),
      this.deps.returns.listAnswers(cycle.cycleId),
      this.deps.catalog.get(cycle.templateId, cycle.templateVersion),
    ]);
    const total = index?.size ?? 0;
    const past = cycle.deadline < today;
    const byAgency = new Map<string, { name: string; sector: string; header?: ReturnHeader & { partitionKey: string } }>();
    for (const a of agencies) if (AdminService.covers(cycle, a)) byAgency.set(a.agencyId, { name: a.name, sector: a.sector });
    for (const h of headers) {
      const a = byAgency.get(h.agencyId);
      byAgency.set(h.agencyId, { name: a?.name ?? h.agencyName, sector: a?.sector ?? h.sector, header: h });
    }
    // What needs the business manager's attention first.
    const rank: Record<DisplayStatus, number> = { not_started: 0, sent_back: 1, changed_after_request: 2, draft: 3, awaiting_signoff: 4, updated: 5, submitted: 6 };
    const counts: Record<DisplayStatus, number> = { not_started: 0, sent_back: 0, changed_after_request: 0, draft: 0, awaiting_signoff: 0, updated: 0, submitted: 0 };
    const rows = [...byAgency.values()].map((e) => {
      const list: StoredAnswer[] = e.header ? answers.get(e.header.partitionKey) ?? [] : [];
      const status: DisplayStatus = e.header ? displayStatus(e.header, list) : "not_started";
      const answered = list.filter((a) => index?.get(a.indicatorId) && isComplete(a)).length;
      const overdue = past && status !== "submitted" && status !== "updated";
      counts[status]++;
      const h = e.header;
      const date = (iso?: string) => (iso ? formatDate(iso.slice(0, 10)) : "");
      // The label says what happened; the date says when.
      const when =
        status === "submitted" ? ` · ${date(h?.lastSubmittedAt)}`
        : status === "updated" ? ` · submitted ${date(h?.lastSubmittedAt)}`
        : status === "awaiting_signoff" || status === "changed_after_request" ? ` · asked ${date(h?.signoffRequestedAt)}`
        : status === "sent_back" ? ` · ${date(h?.sentBackAt)}`
        : "";
      const view: StatusRowView = {
        agencyName: e.name,
        sectorLabel: SECTOR_LABELS[e.sector as Sector] ?? SECTOR_LABELS.other,
        statusLabel: overdue ? `${STATUS_LABELS[status]} (overdue)` : STATUS_LABELS[status],
        color: overdue ? "attention" : STATUS_COLORS[status],
        progressText: `${answered}/${total} answered${when}`,
      };
      return { view, key: [overdue ? 0 : 1, rank[status]] as const, name: e.name };
    });
    rows.sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.name.localeCompare(b.name));
    const submitted = counts.submitted + counts.updated;
    const overdue = past ? rows.length - submitted : 0;
    const countsText = [
      `${plural(rows.length, "agency", "agencies")}: ${submitted} submitted${counts.updated ? ` (${counts.updated} updated since)` : ""}`,
      `${counts.awaiting_signoff + counts.changed_after_request} awaiting sign-off${counts.changed_after_request ? ` (${counts.changed_after_request} changed since it was asked)` : ""}`,
      `${counts.draft + counts.sent_back} in draft${counts.sent_back ? ` (${counts.sent_back} sent back)` : ""}`,
      `${counts.not_started} not started`,
    ].join(", ") + (overdue ? `; ${overdue} overdue` : "");
    return {
      cycleName: cycle.name,
      deadlineText: `Deadline ${formatDate(cycle.deadline)} (${daysLeftText(cycle.deadline, today)})`,
      countsText,
      rows: rows.slice(0, STATUS_ROWS_SHOWN).map((r) => r.view),
      moreText: rows.length > STATUS_ROWS_SHOWN ? `and ${rows.length - STATUS_ROWS_SHOWN} more` : "",
      actions: [act("Refresh", ADMIN_VERBS.status), backToMenu],
    };
  }

  // ----- CSV import -----

  async importCsv(actor: Actor, csvText: string, onProgress?: (done: number, total: number) => Promise<void>): Promise<ImportReportView> {
    return (await this.importCsvDetailed(actor, csvText, onProgress)).report;
  }

  /**
   * The import with one outcome per row, for the command line. Rows are applied one by one, so
   * a storage failure part-way leaves earlier rows done; running the same file again is safe
   * (registered agencies are recognised, grants are upserts). `onProgress` is called after
   * every row; callers throttle what they show.
   */
  async importCsvDetailed(actor: Actor, csvText: string, onProgress?: (done: number, total: number) => Promise<void>): Promise<{ report: ImportReportView; rows: ImportRowOutcome[] }> {
    await this.requireAdmin(actor);
    const agencies = await this.deps.agencies.list();
    const parsed = parseAgencyCsv(typeof csvText === "string" ? csvText : "", {
      existingAgencyIds: new Set(agencies.map((a) => a.agencyId)),
      knownPartnerships: await this.knownPartnerships(agencies),
    });
    if (!parsed.ok) {
      return { report: { title: "Nothing was imported", summaryText: parsed.error, color: "attention", rejected: [], moreText: "" }, rows: [] };
    }
    const outcomes: ImportRowOutcome[] = [];
    let done = 0;
    let registered = 0;
    let updated = 0;
    let people = 0;
    let waiting = 0;
    for (const r of parsed.rows) {
      if (!r.ok) outcomes.push({ line: r.line, agencyName: r.agencyName, result: "rejected", detail: r.reason });
      else {
        try {
          const o = await this.importRow(actor, r.row);
          outcomes.push(o.outcome);
          if (o.outcome.result === "registered") registered++;
          else updated++;
          people += o.people;
          waiting += o.waiting;
        } catch (e) {
          outcomes.push({ line: r.line, agencyName: r.row.agencyName, result: "failed", detail: `Not saved: the audit store did not answer (${String((e as Error)?.message ?? e).slice(0, 80)}). Send the file again: rows already done are recognised.` });
        }
      }
      done++;
      if (onProgress) await onProgress(done, parsed.rows.length);
    }
    const bad = outcomes.filter((o) => o.result === "rejected" || o.result === "failed");
    const summary = [
      `${plural(parsed.rows.length, "row")}: ${plural(registered, "agency", "agencies")} registered`,
      `${updated} already registered (people added)`,
      `${plural(people, "lead or officer", "leads and officers")} added${waiting ? ` (${waiting} ${waiting === 1 ? "gets" : "get"} access when they first open the bot)` : ""}`,
    ].join(", ") + (bad.length ? `; ${plural(bad.length, "row")} not imported.` : ".");
    return {
      report: {
        title: bad.length === parsed.rows.length ? "Nothing was imported" : bad.length ? "Import finished with problems" : "Import finished",
        summaryText: summary,
        color: bad.length === parsed.rows.length ? "attention" : bad.length ? "warning" : "good",
        rejected: bad.slice(0, IMPORT_REJECTIONS_SHOWN).map((o) => ({ line: `Line ${o.line}${o.agencyName ? ` (${o.agencyName.slice(0, 60)})` : ""}`, reason: o.detail })),
        moreText: bad.length > IMPORT_REJECTIONS_SHOWN ? `and ${bad.length - IMPORT_REJECTIONS_SHOWN} more rows not imported` : "",
      },
      rows: outcomes,
    };
  }

  private async importRow(actor: Actor, row: CsvAgencyRow): Promise<{ outcome: ImportRowOutcome; people: number; waiting: number }> {
    let agency = row.existing ? await this.deps.agencies.get(row.agencyId) : undefined;
    let created = false;
    if (!agency) {
      if (!row.sector || !row.partnerships.length) throw new Error("the agency was removed while importing");
      const fresh: Agency = { agencyId: row.agencyId, name: row.agencyName, sector: row.sector, partnerships: row.partnerships, tenantId: row.tenantId, createdAt: this.deps.now().toISOString(), createdBy: actor.name };
      created = await this.deps.agencies.create(fresh);
      agency = created ? fresh : await this.deps.agencies.get(row.agencyId);
      if (!agency) throw new Error("the agency could not be read back");
    }
    const cycles = await this.ensureReturns(agency);
    const details: string[] = [];
    let people = 0;
    let waiting = 0;
    for (const role of ["lead", "officer"] as const) {
      const p = row[role];
      if (!p) continue;
      const r = await this.grantByEmail(actor, agency, role, p.email, p.name);
      people++;
      if (!r.linked) waiting++;
      details.push(`${role === "lead" ? "lead" : "senior officer"} ${p.email}${r.linked ? "" : " (waits for first contact)"}`);
    }
    const base = created ? `registered${cycles.length ? ", return ready" : ""}` : "already registered";
    return {
      outcome: { line: row.line, agencyName: agency.name, result: created ? "registered" : "people_added", detail: [base, ...details].join("; ") },
      people,
      waiting,
    };
  }
}
