import type { Config } from "../config";
import { inSteps } from "../errors";
import { holderKey, holderPrincipal, type Grant, type GrantsRepo, type Holder, type Role } from "../storage/grantsRepo";
import type { PeopleRepo, Person } from "../storage/peopleRepo";
import { returnPartition, type ReturnRole, type ReturnsRepo } from "../storage/returnsRepo";
import type { CyclesRepo } from "../storage/cyclesRepo";
import type { Principal } from "../storage/principal";
import type { Actor } from "./actor";

export interface EffectiveRoles {
  admin: boolean;
  /** Training officer: a partnership-wide role (agencyId "*"), like admin. */
  trainer: boolean;
  /** Agencies where this person is a safeguarding lead or senior officer. */
  agencies: Map<string, { agencyName: string; roles: Set<Role> }>;
}

/** Why an e-mail grant did not link to the person who reported its address. */
export interface RefusedLink {
  grant: Grant;
  tenantId: string;
  upn: string;
}

/**
 * Who may do what. Rights come only from stored grants keyed by tenant + object id (plus the
 * configured admins); a grant made by e-mail waits until its person first talks to the bot and
 * Teams tells us their e-mail, then moves to their identity.
 *
 * Linking by e-mail trusts an address only from the organisation that should hold it: the
 * agency's own tenant when the admin pinned one, otherwise the partnership's home tenant (its
 * guests included, since they sign in there). Anyone else reporting the address (another
 * organisation's admins control what their directory says) is never linked; the attempt is noted
 * on the grant for the admin to see.
 */
export class AccessService {
  private readonly configAdmins: Set<string>;
  /** The partnership's own tenant; undefined only in local mode without one, where any tenant links. */
  readonly homeTenant: string | undefined;
  /**
   * Other rights waiting on an e-mail address (a challenge panel's members), linked by their
   * feature on the same turns as grants: each applies the same tenant rule (mayLinkToPartnership).
   */
  readonly linkers: Array<(person: Person) => Promise<void>> = [];

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
      agencyTenant: (agencyId: string) => Promise<string | undefined>;
    },
  ) {
    this.homeTenant = deps.config.homeTenantId;
    const home = (this.homeTenant ?? "").toLowerCase();
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
    let trainer = false;
    for (const g of grants) {
      if (g.role === "admin") {
        admin = true;
        continue;
      }
      if (g.role === "trainer") {
        trainer = true;
        continue;
      }
      const entry = agencies.get(g.agencyId) ?? { agencyName: g.name, roles: new Set<Role>() };
      entry.roles.add(g.role);
      agencies.set(g.agencyId, entry);
    }
    return { admin, trainer, agencies };
  }

  async isAdmin(actor: Actor): Promise<boolean> {
    return (await this.rolesOf(actor)).admin;
  }

  /** The tenant a person must sign in from to be linked to this agency by e-mail. */
  async linkTenantFor(agencyId: string): Promise<string | undefined> {
    return ((await this.deps.agencyTenant(agencyId)) || this.homeTenant || undefined)?.toLowerCase();
  }

  /**
   * Records a grant. Idempotent, in an order that keeps a half-done grant safe: the agency side
   * (what admins see), then the holder side (the person's rights), then the access rows of the
   * agency's returns in open cycles (what a save checks). Running it again completes it.
   */
  async grant(input: { role: Role; agencyId: string; agencyName: string; holder: Holder; name: string; email: string; upn?: string; by: string }): Promise<void> {
    const grant: Grant = {
      role: input.role,
      agencyId: input.agencyId,
      holder: holderKey(input.holder),
      name: input.agencyName,
      personName: input.name,
      email: input.email,
      upn: input.upn ?? "",
      grantedAt: this.deps.now().toISOString(),
      grantedBy: input.by,
      refusedLink: "",
    };
    await inSteps(async (step) => {
      await step(() => this.deps.grants.putAgencySide(grant));
      await step(() => this.deps.grants.putHolderSide(grant));
      if (input.holder.kind === "person" && (input.role === "lead" || input.role === "officer")) await this.syncReturnAccess(input.agencyId, input.holder.principal, input.name, step);
    });
  }

  /**
   * Removes a grant (a leaver, a replaced lead). The person's access to the returns goes first, so
   * a half-done removal never leaves them able to work; the admin's list goes last.
   */
  async revoke(role: Role, agencyId: string, holder: Holder): Promise<void> {
    const g = { role, agencyId, holder: holderKey(holder) };
    await inSteps(async (step) => {
      if (holder.kind === "person" && (role === "lead" || role === "officer")) {
        const remaining = (await this.deps.grants.forHolder(g.holder)).filter((x) => x.agencyId === agencyId && x.role !== role && (x.role === "lead" || x.role === "officer"));
        await this.syncReturnAccess(agencyId, holder.principal, remaining[0]?.personName ?? "", step, remaining.map((x) => x.role as ReturnRole));
      }
      await step(() => this.deps.grants.removeHolderSide(g));
      await step(() => this.deps.grants.removeAgencySide(g));
    });
    this.deps.onAccessChanged?.();
  }

  /** Mirrors a person's roles at an agency into the access rows of its returns in open cycles. */
  private async syncReturnAccess(agencyId: string, principal: Principal, name: string, step: <R>(w: () => Promise<R>) => Promise<R>, rolesOverride?: ReturnRole[]): Promise<void> {
    this.deps.onAccessChanged?.();
    const roles = rolesOverride ?? (await this.deps.grants.forHolder(holderKey({ kind: "person", principal }))).filter((g) => g.agencyId === agencyId && (g.role === "lead" || g.role === "officer")).map((g) => g.role as ReturnRole);
    for (const cycle of await this.deps.cycles.listOpen()) {
      const pk = returnPartition(cycle.cycleId, agencyId);
      if (roles.length) await step(() => this.deps.returns.upsertAccess(pk, { ...principal, name }, [...new Set(roles)]));
      else await step(() => this.deps.returns.removeAccess(pk, principal));
    }
    this.deps.onAccessChanged?.();
  }

  /**
   * Self-repair for a return opened by someone whose grant exists but whose access row does not (a
   * grant that stopped part-way): writes the row from the grant. Returns the roles now held.
   */
  async repairReturnAccess(actor: Actor, pk: string, agencyId: string): Promise<ReturnRole[]> {
    const held = (await this.deps.grants.forHolder(holderKey({ kind: "person", principal: actor.principal }))).filter((g) => g.agencyId === agencyId && (g.role === "lead" || g.role === "officer"));
    if (!held.length) return [];
    const roles = [...new Set(held.map((g) => g.role as ReturnRole))];
    await this.deps.returns.upsertAccess(pk, { ...actor.principal, name: held[0].personName || actor.name }, roles);
    this.deps.onAccessChanged?.();
    return roles;
  }

  /** Access rows for a newly created return, from the agency's grants to linked people. */
  async accessRowsFor(agencyId: string): Promise<Array<Principal & { name: string; roles: ReturnRole[] }>> {
    const byHolder = new Map<string, Principal & { name: string; roles: ReturnRole[] }>();
    for (const g of await this.deps.grants.forAgency(agencyId)) {
      const principal = holderPrincipal(g.holder);
      if (!principal || (g.role !== "lead" && g.role !== "officer")) continue;
      const entry = byHolder.get(g.holder) ?? { ...principal, name: g.personName, roles: [] };
      entry.roles.push(g.role);
      byHolder.set(g.holder, entry);
    }
    return [...byHolder.values()];
  }

  /** People registered for a role at an agency by e-mail who have not opened the bot yet. */
  async waitingByEmail(agencyId: string, role: Role): Promise<Array<{ email: string; name: string }>> {
    return (await this.deps.grants.forAgency(agencyId)).filter((g) => g.role === role && !holderPrincipal(g.holder) && g.email).map((g) => ({ email: g.email, name: g.personName || g.email }));
  }

  /** Whether this person may be linked to the agency's grants by e-mail (see the class comment). */
  async mayLinkByEmail(person: Principal, agencyId: string): Promise<boolean> {
    const required = await this.linkTenantFor(agencyId);
    return !required || person.tenantId.toLowerCase() === required;
  }

  /** Whether this person may be linked by e-mail to a partnership-wide right (no agency): the home tenant's people only. */
  mayLinkToPartnership(person: Principal): boolean {
    const home = this.homeTenant?.toLowerCase();
    return !home || person.tenantId.toLowerCase() === home;
  }

  /**
   * First contact, and every message turn after it while grants wait on this person's address:
   * remember the person and move grants (and the features' rights, see `linkers`) waiting on their
   * e-mail to their identity. Idempotent, so a link that stopped part-way completes on the next message.
   */
  async link(person: Person, opts: { save?: boolean } = {}): Promise<{ linked: Grant[]; refused: RefusedLink[] }> {
    if (opts.save !== false) await this.deps.people.upsert(person);
    if (!person.email) return { linked: [], refused: [] };
    // The features' waits are read at the same time as the grants: no extra latency on a turn.
    const [result] = await Promise.all([this.linkGrants(person), ...this.linkers.map((l) => l(person))]);
    return result;
  }

  private async linkGrants(person: Person): Promise<{ linked: Grant[]; refused: RefusedLink[] }> {
    const waiting = await this.deps.grants.forHolder(holderKey({ kind: "email", email: person.email }));
    const linked: Grant[] = [];
    const refused: RefusedLink[] = [];
    for (const g of waiting) {
      if (!(await this.mayLinkByEmail(person, g.agencyId))) {
        refused.push({ grant: g, tenantId: person.tenantId, upn: person.upn });
        await this.deps.grants.noteRefusedLink(g, { tenantId: person.tenantId, upn: person.upn || person.email, at: this.deps.now().toISOString() });
        continue;
      }
      await inSteps(async (step) => {
        await step(() => this.grant({ role: g.role, agencyId: g.agencyId, agencyName: g.name, holder: { kind: "person", principal: person }, name: person.name || g.personName, email: person.email, upn: person.upn, by: g.grantedBy }));
        await step(() => this.deps.grants.removeHolderSide(g));
        await step(() => this.deps.grants.removeAgencySide(g));
      });
      linked.push(g);
    }
    return { linked, refused };
  }
}
