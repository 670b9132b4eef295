import type { ActionView } from "../cards/views";
import type { Config } from "../config";
import type { AccessService } from "../people/accessService";
import type { Actor } from "../people/actor";
import type { Agency, AgenciesRepo } from "../storage/agenciesRepo";
import type { Cycle, CyclesRepo } from "../storage/cyclesRepo";
import type { GrantsRepo } from "../storage/grantsRepo";
import type { PeopleRepo } from "../storage/peopleRepo";
import type { ReturnsRepo } from "../storage/returnsRepo";
import { UserFacingError } from "../errors";
import { ukDate } from "../time";
import type { ReturnService } from "../section11/returnService";
import type { TemplateCatalog } from "../section11/templateCatalog";
import type { CycleCache } from "../section11/returnAccessCache";
import { mapPool } from "./pool";
import type { ActionsRepo } from "../storage/actionsRepo";

/** What every part of the admin flow is built from. */
export interface AdminDeps {
  config: Pick<Config, "localMode">;
  agencies: AgenciesRepo;
  cycles: CyclesRepo;
  grants: GrantsRepo;
  people: PeopleRepo;
  returns: ReturnsRepo;
  catalog: TemplateCatalog;
  access: AccessService;
  returnService: ReturnService;
  cycleCache: CycleCache;
  now: () => Date;
  /** Agencies' own deadlines in a cycle (extensions for one agency: docs/deadlines.md). */
  ownDeadlines?: (cycleId: string) => Promise<Map<string, string>>;
  /** Actions' state (closed with evidence, agreed at a panel), so the status counts what is still open (docs/actions.md). */
  actions?: ActionsRepo;
}

export const DENIED = "Only the partnership's admins can do this. If you should be one, ask your partnership's business manager to add you.";

/** Every admin operation starts here: rights come from stored grants or the configured list, never from a card. */
export async function requireAdmin(deps: Pick<AdminDeps, "access">, actor: Actor): Promise<void> {
  if (!(await deps.access.isAdmin(actor))) throw new UserFacingError(DENIED, "denied");
}

export const today = (deps: Pick<AdminDeps, "now">) => ukDate(deps.now());

export const act = (title: string, verb: string, data: Record<string, string> = {}, style: ActionView["style"] = "default"): ActionView => ({ title, verb, data, style });

export const plural = (count: number, one: string, many = `${one}s`) => `${count.toLocaleString("en-GB")} ${count === 1 ? one : many}`;

export const covers = (cycle: Pick<Cycle, "partnerships">, agency: Pick<Agency, "partnerships">) => cycle.partnerships.some((p) => agency.partnerships.includes(p));

/** Partnership names in use, with their first spelling. */
export async function knownPartnerships(deps: Pick<AdminDeps, "cycles" | "agencies">, agencies?: Agency[]): Promise<string[]> {
  const names = new Map<string, string>();
  for (const c of await deps.cycles.list()) for (const p of c.partnerships) names.set(p.toLowerCase(), p);
  for (const a of agencies ?? (await deps.agencies.list())) for (const p of a.partnerships) if (!names.has(p.toLowerCase())) names.set(p.toLowerCase(), p);
  return [...names.values()];
}

/** Creates the agency's return in every open cycle that covers it (idempotent). */
export async function ensureReturns(deps: Pick<AdminDeps, "cycles" | "returnService">, agency: Agency): Promise<Cycle[]> {
  const cycles = (await deps.cycles.listOpen()).filter((c) => covers(c, agency));
  await mapPool(cycles, 4, (c) => deps.returnService.ensureReturn(c, agency));
  return cycles;
}
