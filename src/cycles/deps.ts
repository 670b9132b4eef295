import type { AccessService } from "../people/accessService";
import type { AgenciesRepo } from "../storage/agenciesRepo";
import type { CarryForwardRepo } from "../storage/carryForwardRepo";
import type { CyclesRepo } from "../storage/cyclesRepo";
import type { ReturnsRepo } from "../storage/returnsRepo";
import type { Scheduler } from "../schedule/scheduler";
import type { Outbox } from "../delivery/outbox";
import type { TemplateCatalog } from "../section11/templateCatalog";
import type { CycleCache } from "../section11/returnAccessCache";

/** What the next-cycle feature (carry forward, comparison) is built from. */
export interface CycleDeps {
  cycles: CyclesRepo;
  returns: ReturnsRepo;
  carry: CarryForwardRepo;
  agencies: AgenciesRepo;
  access: AccessService;
  catalog: TemplateCatalog;
  cycleCache: CycleCache;
  scheduler: Pick<Scheduler, "schedule">;
  outbox: Pick<Outbox, "enqueue">;
  now: () => Date;
}
