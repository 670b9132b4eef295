import type { Config } from "../config";
import { GrantsRepo, holderKey, holderPrincipal, type Grant, type Holder, type Role } from "../storage/grantsRepo";
import type { PeopleRepo, Person } from "../storage/peopleRepo";
import type { ReturnsRepo, ReturnRole } from "../storage/returnsRepo";
import { returnPartition } from "../storage/returnsRepo";
import type { CyclesRepo } from "../storage/cyclesRepo";
import type { Actor } from "./actor";
import type { Principal } from "../storage/principal";

export interface EffectiveRoles {
  admin: boolean;
  /** Agencies where this person is a safeguarding lead or senior officer. */
  agencies: Map<string, { agencyName: string; roles: Set<Role> }>;
}

/**
 * Who may do what. Rights come only from stored grants keyed by tenant + object id (plus the
 * configured admins); a grant made by e-mail waits until that person first talks to the bot and
 * Teams tells us their e-mail, then moves to their identity.
 */
export class AccessService {
  private readonly configAdmins: Set<string>;

  constructor(
    private readonly deps: {
      config: Config;
      grants: GrantsRepo;
      people: PeopleRepo;
      returns: ReturnsRepo;
      cycles: CyclesRepo;
      now: () => Date;
      /** Called after any change of access, so cached access decisions are dropped at once. */
      onAccessChanged?: () => void;
      /** The tenant an agency's staff sign in to, when the admin gave one (pins linking by e-mail). */
      agencyTenant?: (agencyId: string) => Promise<string | undefined>;
    },
  ) {
    const home = (deps.config.MicrosoftAppTenantId ?? deps.config.ALLOWED_TENANT_IDS[0] ?? "").toLowerCase();
    this.configAdmins = new Set(
      deps.config.ADMIN_AAD_OBJECT_IDS.map((entry) => (entry.includes(":") ? entry.toLowerCase() : `${home}:${entry.toLowerCase()}`)),
    );
  }

  isConfiguredAdmin(p: Principal): boolean {
    if (this.deps.config.localMode && this.deps.config.LOCAL_USERS_ARE_ADMINS) return true;
    return this.configAdmins.has(`${p.tenantId.toLowerCase()}:${p.aadObjectId.toLowerCase()}`);
  }

  async rolesOf(actor: Actor): Promise<EffectiveRoles> {
    const grants = await this.deps.grants.forHolder(holderKey({ kind: "person", principal: actor.principal }));
    const agencies = new Map<string, { agencyName: string; roles: Set<Role> }>();
    let admin = this.isConfiguredAdmin(actor.principal);
    for (const g of grants) {
      if (g.role === "admin") { admin = true; continue; }
      const entry = agencies.get(g.agencyId) ?? { agencyName: g.name, roles: new Set<Role>() };
      entry.roles.add(g.role);
      agencies.set(g.agencyId, entry);
    }
    return { admin, agencies };
  }

  /**
   * Records a grant and, for a linked person, mirrors it into the access rows of the agency's
   * returns in open cycles, which is what a save checks.
   */
  async grant(input: { role: Role; agencyId: string; agencyName: string; holder: Holder; name: string; email: string; by: string }): Promise<void> {
    const grant: Grant = {
      role: input.role,
      agencyId: input.agencyId,
      holder: holderKey(input.holder),
      name: input.agencyName,
      personName: input.name,
      email: input.email,
      grantedAt: this.deps.now().toISOString(),
      grantedBy: input.by,
    };
    await this.deps.grants.add(grant);
    if (input.holder.kind === "person" && input.role !== "admin") {
      await this.syncReturnAccess(input.agencyId, input.holder.principal, input.name);
    }
  }

  async revoke(role: Role, agencyId: string, holder: Holder): Promise<void> {
    await this.deps.grants.remove({ role, agencyId, holder: holderKey(holder) });
    if (holder.kind === "person") await this.syncReturnAccess(agencyId, holder.principal, "");
  }

  private async syncReturnAccess(agencyId: string, principal: Principal, name: string): Promise<void> {
    this.deps.onAccessChanged?.();
    const held = await this.deps.grants.forHolder(holderKey({ kind: "person", principal }));
    const roles = held.filter((g) => g.agencyId === agencyId && (g.role === "lead" || g.role === "officer")).map((g) => g.role as ReturnRole);
    for (const cycle of await this.deps.cycles.listOpen()) {
      const pk = returnPartition(cycle.cycleId, agencyId);
      if (roles.length) await this.deps.returns.upsertAccess(pk, { ...principal, name }, roles);
      else await this.deps.returns.removeAccess(pk, principal);
    }
    this.deps.onAccessChanged?.();
  }

  /** Access rows for a newly created return, from the agency's grants to linked people. */
  async accessRowsFor(agencyId: string): Promise<Array<{ principal: Principal; name: string; roles: ReturnRole[] }>> {
    const byHolder = new Map<string, { principal: Principal; name: string; roles: ReturnRole[] }>();
    for (const g of await this.deps.grants.forAgency(agencyId)) {
      const principal = holderPrincipal(g.holder);
      if (!principal || (g.role !== "lead" && g.role !== "officer")) continue;
      const entry = byHolder.get(g.holder) ?? { principal, name: g.personName, roles: [] };
      entry.roles.push(g.role);
      byHolder.set(g.holder, entry);
    }
    return [...byHolder.values()];
  }

  /**
   * First contact: remember the person and move any grants waiting on their e-mail to their
   * identity. A grant moves only when this person is the one candidate for it: the only person
   * reporting that address, counting only the agency's own tenant when the agency has one. An
   * address reported in two organisations therefore links nobody to an unpinned agency.
   */
  async link(person: Person): Promise<Grant[]> {
    await this.deps.people.upsert(person);
    if (!person.email) return [];
    const waiting = await this.deps.grants.forHolder(holderKey({ kind: "email", email: person.email }));
    if (!waiting.length) return [];
    const reporting = await this.deps.people.withEmail(person.email);
    const linked: Grant[] = [];
    for (const g of waiting) {
      const pinned = (await this.deps.agencyTenant?.(g.agencyId))?.toLowerCase() || "";
      const candidates = pinned ? reporting.filter((p) => p.tenantId.toLowerCase() === pinned) : reporting;
      const isMe = candidates.length === 1 && candidates[0].tenantId.toLowerCase() === person.tenantId.toLowerCase() && candidates[0].aadObjectId.toLowerCase() === person.aadObjectId.toLowerCase();
      if (!isMe) continue;
      await this.grant({ role: g.role, agencyId: g.agencyId, agencyName: g.name, holder: { kind: "person", principal: person }, name: person.name || g.personName, email: person.email, by: g.grantedBy });
      await this.deps.grants.remove(g);
      linked.push(g);
    }
    return linked;
  }
}
