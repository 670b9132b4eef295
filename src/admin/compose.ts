import type { Config } from "../config";
import type { Actor } from "../people/actor";
import { AccessService } from "../people/accessService";
import { AgenciesRepo } from "../storage/agenciesRepo";
import { CyclesRepo } from "../storage/cyclesRepo";
import { GrantsRepo } from "../storage/grantsRepo";
import { PeopleRepo } from "../storage/peopleRepo";
import { ReturnsRepo } from "../storage/returnsRepo";
import type { TableStore } from "../storage/tableStore";
import { TemplatesRepo } from "../storage/templatesRepo";
import { ReturnService } from "../section11/returnService";
import { ReturnAccessCache } from "../section11/returnAccessCache";
import { TemplateCatalog } from "../section11/templateCatalog";
import { AdminService } from "./adminService";

/**
 * The partnership admin's side, wired over one TableStore: for the command-line scripts and
 * tests. (The bot's composition root in src/app.ts builds the same objects for itself.)
 */
export function buildAdminServices(config: Config, store: TableStore, now: () => Date = () => new Date()) {
  const agencies = new AgenciesRepo(store);
  const cycles = new CyclesRepo(store);
  const grants = new GrantsRepo(store);
  const people = new PeopleRepo(store);
  const returns = new ReturnsRepo(store);
  const catalog = new TemplateCatalog(new TemplatesRepo(store));
  const accessCache = new ReturnAccessCache();
  const access = new AccessService({ config, grants, people, returns, cycles, now, onAccessChanged: () => accessCache.clear() });
  const returnService = new ReturnService({ returns, cycles, agencies, catalog, access, now, accessCache });
  const admin = new AdminService({ config, agencies, cycles, grants, people, returns, catalog, access, returnService, now });
  return { config, agencies, cycles, grants, people, returns, catalog, access, returnService, admin, now };
}
export type AdminServices = ReturnType<typeof buildAdminServices>;

/**
 * The actor the command-line scripts act as. Not a real Entra ID identity (the all-zero tenant
 * is never a real tenant): scripts add it to the configured admins of their own Config only, so
 * the bot never treats it as an admin.
 */
export const SYSTEM_ACTOR: Actor = {
  principal: { tenantId: "00000000-0000-0000-0000-000000000000", aadObjectId: "00000000-0000-0000-0000-0000000005c1" },
  name: "Command-line import",
};

export function withSystemAdmin(config: Config): Config {
  const entry = `${SYSTEM_ACTOR.principal.tenantId}:${SYSTEM_ACTOR.principal.aadObjectId}`;
  return { ...config, ADMIN_AAD_OBJECT_IDS: [...config.ADMIN_AAD_OBJECT_IDS, entry] };
}
