import { z } from "zod/v4";
import { md } from "../cards/text";
import { reply } from "../cards/reply";
import { verb, type FeatureRoutes } from "../routes";
import type { AdminDeps } from "./common";
import { AgencyAdmin, agencyInput } from "./agencies";
import { CycleAdmin, cycleInput, cycleRef } from "./cycles";
import { AgencyImport } from "./importAgencies";
import { AdminMenu } from "./menu";
import { agencyRef, assignInput, PeopleAdmin, removeInput } from "./people";
import { SettingsAdmin, settingsInput } from "./settings";
import { StatusAdmin, statusInput } from "./status";
import { TemplateAdmin } from "./templates";
import { ADMIN_VERBS } from "./verbs";
import { signoffCards } from "../section11/returnService";
import { AGENCY_ID } from "./validation";

export interface AdminParts {
  menu: AdminMenu;
  cycles: CycleAdmin;
  agencies: AgencyAdmin;
  people: PeopleAdmin;
  status: StatusAdmin;
  templates: TemplateAdmin;
  importer: AgencyImport;
  settings: SettingsAdmin;
}

export function adminParts(deps: AdminDeps, settings: SettingsAdmin): AdminParts {
  return {
    menu: new AdminMenu(deps),
    cycles: new CycleAdmin(deps),
    agencies: new AgencyAdmin(deps),
    people: new PeopleAdmin(deps),
    status: new StatusAdmin(deps),
    templates: new TemplateAdmin(deps),
    importer: new AgencyImport(deps),
    settings,
  };
}

const assignFormInput = z.object({ agencyId: z.string().regex(AGENCY_ID).optional().catch(undefined), role: z.enum(["lead", "officer"]).optional().catch(undefined), replaces: z.string().max(400).optional().catch(undefined) });

/** The partnership admin's verbs, commands and file imports: personal chat only (the default scope). */
export function adminRoutes(a: AdminParts): FeatureRoutes {
  return {
    commands: [
      { name: "admin", run: async (ctx) => reply("adminMenu", await a.menu.view(ctx.actor)) },
      { name: "status", run: async (ctx) => reply("status", await a.status.view(ctx.actor)) },
    ],
    verbs: [
      verb({ verb: ADMIN_VERBS.menu, input: z.object({}), run: async (ctx) => reply("adminMenu", await a.menu.view(ctx.actor)) }),
      verb({ verb: ADMIN_VERBS.cycleForm, input: z.object({}), run: async (ctx) => reply("cycleForm", await a.cycles.form(ctx.actor)) }),
      verb({
        verb: ADMIN_VERBS.createCycle,
        input: cycleInput,
        run: async (ctx, i) => {
          const r = await a.cycles.create(ctx.actor, i);
          return r.view === "cycleForm" ? reply("cycleForm", r.data) : { reply: reply("message", r.data), redraw: r.redraw };
        },
      }),
      verb({ verb: ADMIN_VERBS.cycles, input: z.object({}), run: async (ctx) => reply("cycleList", await a.cycles.list(ctx.actor)) }),
      verb({
        verb: ADMIN_VERBS.closeCycle,
        input: cycleRef,
        run: async (ctx, i) => {
          const r = await a.cycles.close(ctx.actor, i.cycleId);
          // The officers' sign-off cards of withdrawn requests are redrawn where they were delivered, and say so.
          return { reply: reply("cycleList", r.view), redraw: r.withdrawn.map((w) => signoffCards(w.returnId, w.requestSeq)) };
        },
      }),
      verb({ verb: ADMIN_VERBS.reopenCycle, input: cycleRef, run: async (ctx, i) => reply("cycleList", await a.cycles.reopen(ctx.actor, i.cycleId)) }),
      verb({ verb: ADMIN_VERBS.agencyForm, input: z.object({}), run: async (ctx) => reply("agencyForm", await a.agencies.form(ctx.actor)) }),
      verb({ verb: ADMIN_VERBS.createAgency, input: agencyInput, run: async (ctx, i) => reply("agencyForm", await a.agencies.create(ctx.actor, i)) }),
      verb({ verb: ADMIN_VERBS.agencyPeople, input: agencyRef, run: async (ctx, i) => reply("agencyPeople", await a.people.agencyPeople(ctx.actor, i.agencyId, undefined, i.cycleId)) }),
      verb({
        verb: ADMIN_VERBS.assignForm,
        input: assignFormInput,
        run: async (ctx, i) => {
          if (i.replaces && i.agencyId && i.role) return reply("assignForm", await a.people.replaceForm(ctx.actor, { agencyId: i.agencyId, role: i.role, holder: i.replaces }));
          return reply("assignForm", await a.people.form(ctx.actor, i.agencyId ? { agencyId: i.agencyId } : {}));
        },
      }),
      verb({ verb: ADMIN_VERBS.assign, input: assignInput, run: async (ctx, i) => reply("assignForm", await a.people.assign(ctx.actor, i)) }),
      verb({ verb: ADMIN_VERBS.removePerson, input: removeInput, run: async (ctx, i) => reply("agencyPeople", await a.people.remove(ctx.actor, i)) }),
      verb({ verb: ADMIN_VERBS.assignSelf, input: z.object({}), run: async (ctx) => reply("message", await a.people.assignSelf(ctx.actor)) }),
      verb({ verb: ADMIN_VERBS.status, input: statusInput, run: async (ctx, i) => reply("status", await a.status.view(ctx.actor, i)) }),
      verb({
        verb: ADMIN_VERBS.statusExport,
        input: z.object({ cycleId: z.string().max(120).catch("") }),
        run: async (ctx, i) => {
          const file = await a.status.exportCsv(ctx.actor, i.cycleId);
          return {
            reply: reply("status", await a.status.view(ctx.actor, { cycleId: file.cycle.cycleId }, { text: md`The status of ${file.cycle.name} (${file.rows} agencies) is ready as ${file.name}: accept the file card below to save it to your OneDrive.`, color: "good" })),
            file: { name: file.name, description: `Section 11 status, ${file.cycle.name}`, contentType: "text/csv", content: file.csv },
          };
        },
      }),
      verb({ verb: ADMIN_VERBS.settings, input: z.object({}), run: async (ctx) => reply("settings", await a.settings.view(ctx.actor)) }),
      verb({ verb: ADMIN_VERBS.saveSettings, input: settingsInput, run: async (ctx, i) => reply("settings", await a.settings.save(ctx.actor, i)) }),
    ],
    files: [
      {
        extensions: ["csv"],
        run: async (ctx, file, progress) => {
          let lastShown = 0;
          const { report } = await a.importer.run(ctx.actor, file.content, async (done, total) => {
            // Progress for long imports, at most every 50 rows so a 20-row file stays quiet.
            if (done - lastShown >= 50 && done < total) {
              lastShown = done;
              await progress(`Imported ${done} of ${total} rows…`);
            }
          });
          return reply("importReport", report);
        },
      },
      {
        extensions: ["json"],
        run: async (ctx, file) => reply("message", await a.templates.load(ctx.actor, file.content)),
      },
    ],
  };
}
