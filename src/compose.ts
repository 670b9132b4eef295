import type { Config } from "./config";
import type { Actor } from "./people/actor";
import { AccessService } from "./people/accessService";
import { AgenciesRepo } from "./storage/agenciesRepo";
import { CyclesRepo } from "./storage/cyclesRepo";
import { GrantsRepo } from "./storage/grantsRepo";
import { PeopleRepo } from "./storage/peopleRepo";
import { ReturnsRepo } from "./storage/returnsRepo";
import type { TableStore } from "./storage/tableStore";
import { TemplatesRepo } from "./storage/templatesRepo";
import { ReturnService } from "./section11/returnService";
import { ReturnAccessCache } from "./section11/returnAccessCache";
import { TemplateCatalog } from "./section11/templateCatalog";
import { AdminService } from "./admin/adminService";

/**
 * Repositories and services wired over one TableStore: the bot's composition root (src/app.ts),
 * the command-line scripts and tests all build them here.
 */
export function buildAdminServices(config: Config, store: TableStore, now: () => Date = () => new Date()) {
  const agencies = new AgenciesRepo(store);
  const cycles = new CyclesRepo(store);
  const grants = new GrantsRepo(store);
  const people = new PeopleRepo(store);
  const returns = new ReturnsRepo(store);
  const templates = new TemplatesRepo(store);
  const catalog = new TemplateCatalog(templates);
  // Saves trust a 30 s cache of access rows; any change of access clears it on this instance.
  const accessCache = new ReturnAccessCache();
  const access = new AccessService({ config, grants, people, returns, cycles, now, onAccessChanged: () => accessCache.clear(), agencyTenant: async (id) => (await agencies.get(id))?.tenantId });
  const returnService = new ReturnService({ returns, cycles, agencies, catalog, access, now, accessCache });
  const admin = new AdminService({ config, agencies, cycles, grants, people, returns, catalog, access, returnService, now });
  return { config, agencies, cycles, grants, people, returns, templates, catalog, access, returnService, admin, now };
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
