import { md, text } from "../cards/text";
import type { Actor } from "../people/actor";
import type { Agency } from "../storage/agenciesRepo";
import { act, ensureReturns, knownPartnerships, plural, requireAdmin, type AdminDeps } from "./common";
import { parseAgencyCsv, type CsvAgencyRow } from "./csvImport";
import { PeopleAdmin } from "./people";
import { ADMIN_VERBS } from "./verbs";
import type { ImportReportView } from "./views";

export type ImportRowOutcome =
  | { line: number; agencyName: string; result: "registered" | "people_added"; detail: string }
  | { line: number; agencyName: string; result: "rejected" | "failed"; detail: string };

const IMPORT_REJECTIONS_SHOWN = 20;
const REGISTERED_SHOWN = 30;

/**
 * Registers agencies and their people from a CSV file (sent in chat, or `npm run import-agencies`).
 * Rows are applied one by one, so a storage failure part-way leaves earlier rows done; running the
 * same file again is safe (registered agencies are recognised, grants are upserts).
 */
export class AgencyImport {
  private readonly people: PeopleAdmin;
  constructor(private readonly deps: AdminDeps) {
    this.people = new PeopleAdmin(deps);
  }

  /** `onProgress` is called after every row; callers throttle what they show. */
  async run(actor: Actor, csvText: string, onProgress?: (done: number, total: number) => Promise<void>): Promise<{ report: ImportReportView; rows: ImportRowOutcome[] }> {
    await requireAdmin(this.deps, actor);
    const agencies = await this.deps.agencies.list();
    const parsed = parseAgencyCsv(typeof csvText === "string" ? csvText : "", {
      existingAgencyIds: new Set(agencies.map((a) => a.agencyId)),
      knownPartnerships: await knownPartnerships(this.deps, agencies),
    });
    const menu = [act("Where every agency stands", ADMIN_VERBS.status), act("Admin menu", ADMIN_VERBS.menu)];
    if (!parsed.ok) {
      return { report: { title: text("Nothing was imported"), summaryText: text(parsed.error), color: "attention", registered: [], rejected: [], moreText: text(""), actions: menu }, rows: [] };
    }
    const outcomes: ImportRowOutcome[] = [];
    let done = 0;
    let people = 0;
    let waiting = 0;
    for (const r of parsed.rows) {
      if (!r.ok) outcomes.push({ line: r.line, agencyName: r.agencyName, result: "rejected", detail: r.reason });
      else {
        try {
          const o = await this.row(actor, r.row);
          outcomes.push(o.outcome);
          people += o.people;
          waiting += o.waiting;
        } catch (e) {
          outcomes.push({ line: r.line, agencyName: r.row.agencyName, result: "failed", detail: "Not saved, or only partly: the audit store did not answer. Send the file again: rows already done are recognised and the rest are completed." });
          void e;
        }
      }
      done++;
      if (onProgress) await onProgress(done, parsed.rows.length);
    }
    const registered = outcomes.filter((o) => o.result === "registered");
    const updated = outcomes.filter((o) => o.result === "people_added").length;
    const bad = outcomes.filter((o) => o.result === "rejected" || o.result === "failed");
    const summary = [
      `${plural(parsed.rows.length, "row")}: ${plural(registered.length, "agency", "agencies")} registered`,
      `${updated} already registered (people added)`,
      `${plural(people, "lead or officer", "leads and officers")} added${waiting ? ` (${waiting} ${waiting === 1 ? "gets" : "get"} access when they first open the bot)` : ""}`,
    ].join(", ") + (bad.length ? `; ${plural(bad.length, "row")} not imported.` : ".");
    return {
      report: {
        title: text(bad.length === parsed.rows.length ? "Nothing was imported" : bad.length ? "Import finished with problems" : "Import finished"),
        summaryText: text(summary),
        color: bad.length === parsed.rows.length ? "attention" : bad.length ? "warning" : "good",
        registered: [
          ...registered.slice(0, REGISTERED_SHOWN).map((o) => text(o.agencyName)),
          ...(registered.length > REGISTERED_SHOWN ? [md`and ${registered.length - REGISTERED_SHOWN} more`] : []),
        ],
        rejected: bad.slice(0, IMPORT_REJECTIONS_SHOWN).map((o) => ({ line: text(`Line ${o.line}${o.agencyName ? ` (${o.agencyName.slice(0, 60)})` : ""}`), reason: text(o.detail) })),
        moreText: bad.length > IMPORT_REJECTIONS_SHOWN ? md`and ${bad.length - IMPORT_REJECTIONS_SHOWN} more rows not imported` : text(""),
        actions: menu,
      },
      rows: outcomes,
    };
  }

  private async row(actor: Actor, row: CsvAgencyRow): Promise<{ outcome: ImportRowOutcome; people: number; waiting: number }> {
    let agency = row.existing ? await this.deps.agencies.get(row.agencyId) : undefined;
    let created = false;
    if (!agency) {
      if (!row.sector || !row.partnerships.length) throw new Error("the agency was removed while importing");
      const fresh: Agency = { agencyId: row.agencyId, name: row.agencyName, sector: row.sector, partnerships: row.partnerships, tenantId: row.tenantId, createdAt: this.deps.now().toISOString(), createdBy: actor.name };
      created = await this.deps.agencies.create(fresh);
      agency = created ? fresh : await this.deps.agencies.get(row.agencyId);
      if (!agency) throw new Error("the agency could not be read back");
    }
    const cycles = await ensureReturns(this.deps, agency);
    const details: string[] = [];
    let people = 0;
    let waiting = 0;
    for (const role of ["lead", "officer"] as const) {
      const p = row[role];
      if (!p) continue;
      const r = await this.people.assign(actor, { agencyId: agency.agencyId, role, email: p.email, personName: p.name, replaces: "" });
      if (r.problems.length) {
        details.push(`${role === "lead" ? "lead" : "senior officer"} ${p.email} not added`);
        continue;
      }
      people++;
      const linked = r.linkedFacts.some((f) => f.title.value === "Linked to");
      if (!linked) waiting++;
      details.push(`${role === "lead" ? "lead" : "senior officer"} ${p.email}${linked ? "" : " (waits for first contact)"}`);
    }
    const base = created ? `registered${cycles.length ? ", return ready" : ""}` : "already registered";
    return { outcome: { line: row.line, agencyName: agency.name, result: created ? "registered" : "people_added", detail: [base, ...details].join("; ") }, people, waiting };
  }
}
