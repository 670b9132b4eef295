import type { Logger } from "../log";
import type { AccessService } from "../people/accessService";
import type { Delivery } from "../delivery/createDelivery";
import type { AgenciesRepo } from "../storage/agenciesRepo";
import type { CyclesRepo } from "../storage/cyclesRepo";
import { DigestsRepo } from "../storage/digestsRepo";
import type { ReturnsRepo } from "../storage/returnsRepo";
import { ReturnSummariesRepo } from "../storage/returnSummariesRepo";
import type { TableStore } from "../storage/tableStore";
import type { TemplateCatalog } from "../section11/templateCatalog";
import { ReportingService } from "../reporting/summaries";
import { digestRoutes } from "./routes";
import { DigestService } from "./service";

/** The digest feature wired over the app's storage: one line in compose.ts. */
export function digestFeature(d: { store: TableStore; agencies: AgenciesRepo; cycles: CyclesRepo; returns: ReturnsRepo; catalog: TemplateCatalog; access: AccessService; delivery: Delivery; now: () => Date; log: Logger }) {
  const reporting = new ReportingService({ summaries: new ReturnSummariesRepo(d.store), returns: d.returns, agencies: d.agencies, cycles: d.cycles, catalog: d.catalog, now: d.now });
  const service = new DigestService({ digests: new DigestsRepo(d.store), reporting, agencies: d.agencies, cycles: d.cycles, returns: d.returns, access: d.access, delivery: d.delivery, now: d.now, log: d.log });
  return { service, reporting, routes: digestRoutes(service) };
}
