import { z } from "zod/v4";
import type { ChoiceView } from "../cards/views";
import { md, text } from "../cards/text";
import type { Actor } from "../people/actor";
import { SECTOR_LABELS, SECTORS, type Agency } from "../storage/agenciesRepo";
import { inSteps } from "../errors";
import { act, ensureReturns, knownPartnerships, requireAdmin, type AdminDeps } from "./common";
import { field } from "./cycles";
import { FIELD_LIMITS, idForName, partnershipsField, sectorField, tenantField, textField } from "./validation";
import { ADMIN_VERBS } from "./verbs";
import type { AgencyFormView } from "./views";

export const agencyInput = z.object({ name: field, sector: field, partnerships: field, tenantId: field });

/** Registering agencies one by one (the CSV import does many: see importAgencies.ts). */
export class AgencyAdmin {
  constructor(private readonly deps: AdminDeps) {}

  private sectorChoices(): ChoiceView[] {
    return SECTORS.map((s) => ({ title: SECTOR_LABELS[s], value: s }));
  }

  private actions(registered?: string) {
    return [
      act("Register agency", ADMIN_VERBS.createAgency, {}, registered ? "default" : "positive"),
      ...(registered ? [{ ...act("Add its lead now", ADMIN_VERBS.assignForm, { agencyId: registered }, "positive"), inputs: "none" as const }] : []),
      { ...act("Back to admin", ADMIN_VERBS.menu), inputs: "none" as const },
    ];
  }

  async form(actor: Actor, prefill: Partial<AgencyFormView> = {}): Promise<AgencyFormView> {
    await requireAdmin(this.deps, actor);
    const known = await knownPartnerships(this.deps);
    return { name: "", sector: "", sectorChoices: this.sectorChoices(), partnerships: known.length === 1 ? known[0] : "", tenantId: "", problems: [], actions: this.actions(), ...prefill };
  }

  async create(actor: Actor, input: z.infer<typeof agencyInput>): Promise<AgencyFormView> {
    await requireAdmin(this.deps, actor);
    const name = textField(input.name, "The agency name", FIELD_LIMITS.agencyName);
    const sector = sectorField(input.sector);
    const partnerships = partnershipsField(input.partnerships, { separator: ",", max: FIELD_LIMITS.agencyPartnerships, known: await knownPartnerships(this.deps) });
    const tenant = tenantField(input.tenantId);
    const problems = [...name.problems, ...sector.problems, ...partnerships.problems, ...tenant.problems];
    const form = (p: string[]): AgencyFormView => ({
      name: name.shown,
      sector: sector.shown,
      sectorChoices: this.sectorChoices(),
      partnerships: partnerships.problems.length ? partnerships.shown : partnerships.value.join(", "),
      tenantId: tenant.shown,
      problems: p.map(text),
      notice: { text: md`Not registered yet: please fix what is listed below.`, color: "attention" },
      actions: this.actions(),
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
    // The agency row first, then its returns. Registering the same agency again finds it and
    // completes its returns, so an interruption part-way is finished by pressing again.
    const { created, cycles } = await inSteps(async (step) => {
      const made = await step(() => this.deps.agencies.create(agency));
      const existing = made ? agency : await this.deps.agencies.get(agency.agencyId);
      return { created: made, cycles: existing ? await step(() => ensureReturns(this.deps, existing)) : [] };
    });
    if (!created) {
      const existing = await this.deps.agencies.get(agency.agencyId);
      const same = !existing || existing.name === agency.name;
      return form([`"${existing?.name ?? agency.name}" is already registered${same ? "" : " (the names differ only in punctuation, case or after the 60th character)"}. To add its people, use "Add a lead or senior officer".`]);
    }
    const where = `${SECTOR_LABELS[agency.sector]}; ${agency.partnerships.join(", ")}`;
    return {
      name: "",
      sector: "",
      sectorChoices: this.sectorChoices(),
      partnerships: agency.partnerships.join(", "),
      tenantId: "",
      problems: [],
      notice: {
        text: md`Registered ${agency.name} (${where}).${cycles.length ? ` Its return for ${cycles.map((c) => c.name).join(" and ")} is ready.` : " No open cycle covers it yet."} Add its lead now, or register another agency below.`,
        color: "good",
      },
      actions: this.actions(agency.agencyId),
    };
  }
}
