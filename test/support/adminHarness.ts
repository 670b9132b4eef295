import { composeServices, type Services } from "../../src/compose";
import { loadConfig } from "../../src/config";
import { withEvaluationSettings } from "./registeredBot";
import { createLogger } from "../../src/log";
import type { Actor } from "../../src/people/actor";
import { Shown, plainText } from "../../src/cards/text";
import type { NoticeView } from "../../src/cards/views";
import { TableStore } from "../../src/storage/tableStore";
import { cycleInput } from "../../src/admin/cycles";
import { agencyInput } from "../../src/admin/agencies";
import { assignInput, removeInput } from "../../src/admin/people";
import { statusInput } from "../../src/admin/status";
import { testTablesConnectionString, uniquePrefix } from "./tablePrefix";

/** A view as a person reads it: every Shown as its plain text (escapes removed), everything else as it is. */
type Plain<T> = T extends Shown ? string : T extends Array<infer U> ? Array<Plain<U>> : T extends object ? { [K in keyof T]: Plain<T[K]> } : T;
export function readable<T>(v: T): Plain<T> {
  if (v instanceof Shown) return plainText(v) as Plain<T>;
  if (Array.isArray(v)) return v.map(readable) as Plain<T>;
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, readable(x)])) as Plain<T>;
  return v as Plain<T>;
}

/**
 * The admin flow's services over a fresh table prefix, called as the bot edge calls them (card data
 * parsed by the same schemas), with views returned as a person reads them.
 */
export async function adminHarness(env: Record<string, string>, now: () => Date = () => new Date()) {
  const store = new TableStore({ connectionString: testTablesConnectionString(), prefix: uniquePrefix() });
  await store.ensureTables();
  const config = loadConfig({ LOCAL_USERS_ARE_ADMINS: "false", ...withEvaluationSettings(env) });
  const s: Services = composeServices(config, store, createLogger("silent"), now);
  const a = s.admin;
  const admin = {
    menu: async (x: Actor, notice?: NoticeView) => readable(await a.menu.view(x, notice)),
    cycleForm: async (x: Actor) => readable(await a.cycles.form(x)),
    createCycle: async (x: Actor, raw: Record<string, unknown>) => readable(await a.cycles.create(x, cycleInput.parse(raw))),
    closeCycle: async (x: Actor, cycleId: string) => readable((await a.cycles.close(x, cycleId)).view),
    reopenCycle: async (x: Actor, cycleId: string) => readable(await a.cycles.reopen(x, cycleId)),
    agencyForm: async (x: Actor) => readable(await a.agencies.form(x)),
    createAgency: async (x: Actor, raw: Record<string, unknown>) => readable(await a.agencies.create(x, agencyInput.parse(raw))),
    assignForm: async (x: Actor) => readable(await a.people.form(x)),
    assign: async (x: Actor, raw: Record<string, unknown>) => readable(await a.people.assign(x, assignInput.parse(raw))),
    removePerson: async (x: Actor, raw: Record<string, unknown>) => readable(await a.people.remove(x, removeInput.parse(raw))),
    agencyPeople: async (x: Actor, agencyId: string) => readable(await a.people.agencyPeople(x, agencyId)),
    assignSelf: async (x: Actor) => readable(await a.people.assignSelf(x)),
    status: async (x: Actor, raw: Record<string, unknown> = {}) => readable(await a.status.view(x, statusInput.parse(raw))),
    importCsv: async (x: Actor, csv: string, progress?: (done: number, total: number) => Promise<void>) => readable((await a.importer.run(x, csv, progress)).report),
    loadTemplate: async (x: Actor, json: string) => readable(await a.templates.load(x, json)),
  };
  return { store, config, services: s, admin, ...s.repos, access: s.access, returnService: s.returnService };
}
export type AdminHarness = Awaited<ReturnType<typeof adminHarness>>;
