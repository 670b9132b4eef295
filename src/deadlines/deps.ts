import type { Config } from "../config";
import type { Logger } from "../log";
import type { AccessService } from "../people/accessService";
import type { AgenciesRepo } from "../storage/agenciesRepo";
import type { CyclesRepo } from "../storage/cyclesRepo";
import type { DeadlineOverridesRepo } from "../storage/deadlineOverridesRepo";
import type { PeopleRepo } from "../storage/peopleRepo";
import type { ReturnsRepo } from "../storage/returnsRepo";
import type { Outbox } from "../delivery/outbox";
import type { Scheduler } from "../schedule/scheduler";
import type { ReturnService } from "../section11/returnService";
import type { TemplateCatalog } from "../section11/templateCatalog";
import type { CycleCache } from "../section11/returnAccessCache";

/** What the deadlines feature is built from (src/compose.ts wires it). */
export interface DeadlineDeps {
  config: Pick<Config, "localMode" | "anyTenant" | "ALLOWED_TENANT_IDS">;
  cycles: CyclesRepo;
  returns: ReturnsRepo;
  overrides: DeadlineOverridesRepo;
  agencies: AgenciesRepo;
  people: PeopleRepo;
  access: AccessService;
  returnService: ReturnService;
  catalog: TemplateCatalog;
  cycleCache: CycleCache;
  outbox: Pick<Outbox, "enqueue" | "batchStatus">;
  scheduler: Pick<Scheduler, "schedule" | "cancel" | "get">;
  now: () => Date;
  log: Logger;
}
