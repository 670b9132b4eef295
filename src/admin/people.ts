import { z } from "zod/v4";
import type { ChoiceView, FactView, MessageView, NoticeView } from "../cards/views";
import { md, text } from "../cards/text";
import type { Actor } from "../people/actor";
import { ROLE_LABELS } from "../people/roles";
import { inSteps, UserFacingError } from "../errors";
import type { Agency } from "../storage/agenciesRepo";
import { holderEmail, holderKey, holderPrincipal, type Grant } from "../storage/grantsRepo";
import { returnPartition } from "../storage/returnsRepo";
import { formatDay } from "../time";
import { act, ensureReturns, requireAdmin, type AdminDeps } from "./common";
import { field } from "./cycles";
import { AGENCY_ID, cleanLine, emailField, FIELD_LIMITS, textField } from "./validation";
import { ADMIN_VERBS, COMMAND_VERB } from "./verbs";
import type { AgencyPeopleView, AssignFormView } from "./views";

export const assignInput = z.object({ agencyId: field, role: field, email: field, personName: field, replaces: field });
export const agencyRef = z.object({ agencyId: z.string().regex(AGENCY_ID), cycleId: z.string().max(120).optional() });
export const removeInput = z.object({ agencyId: z.string().regex(AGENCY_ID), role: z.enum(["lead", "officer"]), holder: z.string().min(3).max(400) });

const ASSIGN_CHOICES_SHOWN = 200;

/** Who holds which role at an agency: adding, replacing and removing leads and senior officers. */
export class PeopleAdmin {
  constructor(private readonly deps: AdminDeps) {}

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

  private formActions(agencyId: string, replaces = "") {
    return [
      act(replaces ? "Add and replace" : "Add person", ADMIN_VERBS.assign, replaces ? { replaces } : {}, "positive"),
      ...(agencyId ? [{ ...act("Who holds which role here", ADMIN_VERBS.agencyPeople, { agencyId }), inputs: "none" as const }] : []),
      { ...act("Back to admin", ADMIN_VERBS.menu), inputs: "none" as const },
    ];
  }

  async form(actor: Actor, prefill: Partial<AssignFormView> = {}): Promise<AssignFormView> {
    await requireAdmin(this.deps, actor);
    const { choices, more } = await this.agencyChoices();
    const agencyId = prefill.agencyId ?? "";
    return {
      agencyChoices: choices,
      agencyId,
      role: "lead",
      roleChoices: this.roleChoices(),
      email: "",
      personName: "",
      replaces: "",
      problems: [],
      linkedFacts: [],
      notice: !choices.length
        ? { text: md`No agency is registered yet: register one first.`, color: "warning" }
        : more
          ? { text: md`The list shows the first ${ASSIGN_CHOICES_SHOWN} agencies; import a CSV file to add people to the others.`, color: "default" }
          : undefined,
      actions: this.formActions(agencyId),
      ...prefill,
    };
  }

  /** The form to replace someone: same agency and role, with who is being replaced. */
  async replaceForm(actor: Actor, input: z.infer<typeof removeInput>): Promise<AssignFormView> {
    await requireAdmin(this.deps, actor);
    const held = await this.findGrant(input.agencyId, input.role, input.holder);
    return this.form(actor, { agencyId: input.agencyId, role: input.role, replaces: input.holder, actions: this.formActions(input.agencyId, input.holder), replacing: md`Replacing ${held.personName || held.email || "this person"} as ${ROLE_LABELS[input.role].toLowerCase()}: they lose access once the new person is added.` });
  }

  private async findGrant(agencyId: string, role: "lead" | "officer", holder: string): Promise<Grant> {
    const held = (await this.deps.grants.forAgency(agencyId)).find((g) => g.role === role && g.holder === holder);
    if (!held) throw new UserFacingError("That person no longer holds this role (someone may have removed them already). Open the agency's people again.", "not_found");
    return held;
  }

  /**
   * Grants a role at an agency to an e-mail address: straight to the person when someone with that
   * address has already talked to the bot from the organisation that should hold it (the agency's
   * tenant, else the partnership's), else to the address until they do. An account elsewhere
   * with the same address is never linked, and the admin is told.
   */
  private async grantByEmail(actor: Actor, agency: Agency, role: "lead" | "officer", email: string, personName: string): Promise<{ linked: boolean; holder: string; who: string; facts: FactView[]; elsewhere: string[] }> {
    const reporting = await this.deps.people.withEmail(email);
    const allowed: typeof reporting = [];
    const elsewhere: string[] = [];
    for (const p of reporting) {
      if (await this.deps.access.mayLinkByEmail(p, agency.agencyId)) allowed.push(p);
      else {
        const person = await this.deps.people.get(p);
        elsewhere.push(`tenant ${p.tenantId}${person?.upn ? `, signed in as ${person.upn}` : ""}`);
      }
    }
    const principal = allowed.length === 1 ? allowed[0] : undefined;
    if (principal) {
      const person = await this.deps.people.get(principal);
      const name = personName || person?.name || email;
      await this.deps.access.grant({ role, agencyId: agency.agencyId, agencyName: agency.name, holder: { kind: "person", principal }, name, email, upn: person?.upn, by: actor.name });
      return {
        linked: true,
        holder: holderKey({ kind: "person", principal }),
        who: name,
        elsewhere,
        facts: [
          { title: text("Linked to"), value: text(person?.name || name) },
          { title: text("Tenant"), value: text(principal.tenantId) },
          { title: text("Signs in as"), value: text(person?.upn || person?.email || email) },
        ],
      };
    }
    await this.deps.access.grant({ role, agencyId: agency.agencyId, agencyName: agency.name, holder: { kind: "email", email }, name: personName, email, by: actor.name });
    const tenant = await this.deps.access.linkTenantFor(agency.agencyId);
    return {
      linked: false,
      holder: holderKey({ kind: "email", email }),
      who: personName ? `${personName} (${email})` : email,
      elsewhere,
      facts: [{ title: text("Waiting for"), value: text(`${email} to open the bot${tenant ? ` from tenant ${tenant}` : ""}`) }],
    };
  }

  async assign(actor: Actor, input: z.infer<typeof assignInput>): Promise<AssignFormView> {
    await requireAdmin(this.deps, actor);
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
    const replaces = input.replaces && agency && role ? input.replaces : "";
    const base = { agencyChoices: (await this.agencyChoices()).choices, roleChoices: this.roleChoices() };
    if (problems.length || !agency || !role) {
      return {
        ...base,
        agencyId: agency ? agency.agencyId : "",
        role: role ?? "lead",
        email: email.shown,
        personName: personName.shown,
        replaces: input.replaces,
        problems: problems.map(text),
        linkedFacts: [],
        notice: { text: md`Nobody was added yet: please fix what is listed below.`, color: "attention" },
        actions: this.formActions(agency?.agencyId ?? "", input.replaces),
      };
    }
    const replaced = replaces ? await this.findGrant(agency.agencyId, role, replaces) : undefined;
    const r = await inSteps(async (step) => {
      await step(() => ensureReturns(this.deps, agency!));
      const added = await step(() => this.grantByEmail(actor, agency!, role, email.value, personName.value));
      if (replaced && replaced.holder !== added.holder) await step(() => this.revokeGrant(replaced));
      return added;
    });
    const roleText = ROLE_LABELS[role].toLowerCase();
    const replacedText = replaced ? ` ${replaced.personName || replaced.email || "The person replaced"} no longer has this role.` : "";
    const elsewhereText = r.elsewhere.length ? ` An account in another organisation (${r.elsewhere.join("; ")}) also uses this address: it was not linked.` : "";
    const notice: NoticeView = r.linked
      ? { text: md`${r.who} is now ${roleText} for ${agency.name}: they can start now.${replacedText}${elsewhereText}`, color: r.elsewhere.length ? "warning" : "good" }
      : { text: md`${r.who} will be ${roleText} for ${agency.name}: they get access when they first open the bot with that e-mail address.${replacedText}${elsewhereText}`, color: r.elsewhere.length ? "warning" : "good" };
    return {
      ...base,
      agencyId: agency.agencyId,
      // Most agencies need both: offer the other role next.
      role: role === "lead" ? "officer" : "lead",
      email: "",
      personName: "",
      replaces: "",
      problems: [],
      linkedFacts: r.facts,
      notice,
      actions: this.formActions(agency.agencyId),
    };
  }

  private async revokeGrant(g: Grant): Promise<void> {
    const principal = holderPrincipal(g.holder);
    const email = holderEmail(g.holder);
    if (principal) await this.deps.access.revoke(g.role, g.agencyId, { kind: "person", principal });
    else if (email) await this.deps.access.revoke(g.role, g.agencyId, { kind: "email", email });
  }

  /** A leaver: their access ends at once on this instance, and within the cache window on others. */
  async remove(actor: Actor, input: z.infer<typeof removeInput>): Promise<AgencyPeopleView> {
    await requireAdmin(this.deps, actor);
    const held = await this.findGrant(input.agencyId, input.role, input.holder);
    await this.revokeGrant(held);
    return this.agencyPeople(actor, input.agencyId, { text: md`${held.personName || held.email || "The person"} is no longer ${ROLE_LABELS[input.role].toLowerCase()} for this agency. Their access has ended.`, color: "good" });
  }

  /** Who holds which role at one agency, with the tenant and sign-in of each linked person. */
  async agencyPeople(actor: Actor, agencyId: string, notice?: NoticeView, cycleId?: string): Promise<AgencyPeopleView> {
    await requireAdmin(this.deps, actor);
    const agency = await this.deps.agencies.get(agencyId);
    if (!agency) throw new UserFacingError("That agency is not registered (any more).", "not_found");
    const grants = (await this.deps.grants.forAgency(agencyId)).filter((g) => g.role === "lead" || g.role === "officer").sort((a, b) => a.role.localeCompare(b.role) || a.personName.localeCompare(b.personName));
    const cycles = (await this.deps.cycles.listOpen()).filter((c) => c.partnerships.some((p) => agency.partnerships.includes(p)));
    const cycle = cycles.find((c) => c.cycleId === cycleId) ?? cycles[0];
    return {
      agencyName: text(agency.name),
      agencyIdText: md`Agency id (for data exports): ${agency.agencyId}`,
      detail: text(`${agency.partnerships.join(", ")}${agency.tenantId ? ` · staff sign in from tenant ${agency.tenantId}` : " · no tenant given: people link from the partnership's tenant"}`),
      notice,
      people: grants.map((g) => {
        const principal = holderPrincipal(g.holder);
        const role = g.role as "lead" | "officer";
        const who = g.personName || g.email || "Someone";
        let detail: string;
        if (principal) detail = `Tenant ${principal.tenantId}${g.upn ? ` · signs in as ${g.upn}` : g.email ? ` · ${g.email}` : ""}`;
        else {
          detail = `Waiting for ${g.email} to open the bot`;
          try {
            const refused = g.refusedLink ? (JSON.parse(g.refusedLink) as { tenantId?: string; upn?: string; at?: string }) : undefined;
            if (refused?.tenantId) detail += `. On ${formatDay(refused.at)} someone signed in from another organisation (tenant ${refused.tenantId}${refused.upn ? `, as ${refused.upn}` : ""}) with this address: not linked.`;
          } catch {
            // an unreadable note is not shown
          }
        }
        return {
          name: text(who),
          role: text(ROLE_LABELS[role]),
          detail: text(`${detail}${g.grantedBy ? ` · added by ${g.grantedBy}${g.grantedAt ? ` on ${formatDay(g.grantedAt)}` : ""}` : ""}`),
          actions: [
            act(`Replace ${who}`, ADMIN_VERBS.assignForm, { agencyId, role, replaces: g.holder }),
            act(`Remove ${who}`, ADMIN_VERBS.removePerson, { agencyId, role, holder: g.holder }, "destructive"),
          ],
        };
      }),
      actions: [
        act("Add a lead or senior officer", ADMIN_VERBS.assignForm, { agencyId }, grants.length ? "default" : "positive"),
        ...(cycle ? [act(`Read its ${cycle.name} return`, "s11.overview", { returnId: returnPartition(cycle.cycleId, agencyId) })] : []),
        act("Admin menu", ADMIN_VERBS.menu),
      ],
    };
  }

  /**
   * Local mode only: makes the actor lead and senior officer of one agency, so one person can try
   * both sides of the audit in the playground: the demo data's own agency when it is loaded, else
   * the first registered agency.
   */
  async assignSelf(actor: Actor): Promise<MessageView> {
    await requireAdmin(this.deps, actor);
    if (!this.deps.config.localMode) throw new UserFacingError("This shortcut is only available when the bot runs locally. Ask an admin to add you with \"Add a lead or senior officer\".", "denied");
    const all = await this.deps.agencies.list();
    const agency = all.find((a) => a.name.startsWith("Demo: ")) ?? all[0];
    if (!agency) {
      return { title: text("No agency yet"), text: md`Register an agency first (or run npm run demo-data for a whole demo partnership), then try again.`, color: "warning", facts: [], actions: [act("Register an agency", ADMIN_VERBS.agencyForm, {}, "positive")] };
    }
    const cycles = await ensureReturns(this.deps, agency);
    const person = await this.deps.people.get(actor.principal);
    for (const role of ["lead", "officer"] as const) {
      await this.deps.access.grant({ role, agencyId: agency.agencyId, agencyName: agency.name, holder: { kind: "person", principal: actor.principal }, name: actor.name, email: person?.email ?? "", upn: person?.upn, by: actor.name });
    }
    return {
      title: text(`You are lead and senior officer of ${agency.name}`),
      text: cycles.length
        ? md`Open the audit to answer as the safeguarding lead, send it for sign-off, then sign it off yourself as the senior officer.`
        : md`No open cycle covers this agency yet: open a cycle for its partnership to start its audit.`,
      color: "good",
      facts: [
        { title: text("Agency"), value: text(agency.name) },
        { title: text("Roles"), value: text(`${ROLE_LABELS.lead}, ${ROLE_LABELS.officer}`) },
        ...(cycles.length ? [{ title: text("Cycle"), value: text(cycles.map((c) => c.name).join(", ")) }] : []),
      ],
      actions: [{ title: "Open the audit", verb: COMMAND_VERB, data: { command: "audit" }, kind: "submit", style: "positive" }],
    };
  }
}

