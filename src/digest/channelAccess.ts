import { UserFacingError } from "../errors";
import type { Logger } from "../log";
import type { AccessService } from "../people/accessService";
import { actorKey, type Actor } from "../people/actor";
import type { RouteContext } from "../routes";
import type { Delivery } from "../delivery/createDelivery";
import type { AgenciesRepo } from "../storage/agenciesRepo";
import type { CyclesRepo } from "../storage/cyclesRepo";
import type { DigestsRepo, Registration } from "../storage/digestsRepo";
import type { ReturnsRepo } from "../storage/returnsRepo";
import type { ReportingService } from "../reporting/summaries";
import type { DigestInput } from "../reporting/types";
import { namesFromTurn } from "./channelNames";

export interface DigestDeps {
  digests: DigestsRepo;
  reporting: ReportingService;
  agencies: AgenciesRepo;
  cycles: CyclesRepo;
  returns: ReturnsRepo;
  access: AccessService;
  delivery: Delivery;
  now: () => Date;
  log: Logger;
}

const DENIED_ADMIN = "Only the partnership's admins can register a channel for digests or change its settings.";
const NOT_MEMBER = "Only members of this channel can look closer at its digest.";

export interface Target {
  reg: Registration;
  etag: string;
  /** Personal chat: the card names the channel (admins only); in the channel the place does. */
  data: Record<string, string>;
}

/**
 * Who may act on which registered channel. In a channel, the channel is the one the turn came
 * from (never card data) and the person must be on its own roster; in personal chat only admins
 * act, on a channel the card names and that is looked up again.
 */
export class ChannelAccess {
  constructor(private readonly d: DigestDeps) {}

  async requireAdmin(actor: Actor): Promise<void> {
    if (!(await this.d.access.isAdmin(actor))) throw new UserFacingError(DENIED_ADMIN, "denied");
  }

  /** The channel a request is about: the one it was made in, or (admins, personal chat) the one the card names. */
  async target(ctx: RouteContext, data: { teamId?: string; channelId?: string }, opts: { member?: boolean; admin?: boolean } = {}): Promise<Target> {
    if (ctx.place.scope === "channel") {
      const { teamId, channelId } = ctx.place;
      if (!teamId || !channelId) throw new UserFacingError("Teams did not say which channel this is. Try again from the channel.", "invalid");
      if (opts.admin) await this.requireAdmin(ctx.actor);
      if (opts.member) await this.requireMember(ctx);
      const found = await this.d.digests.getRegistration(teamId, channelId);
      if (!found) throw new UserFacingError("This channel is not registered for digests. A partnership admin can register it: type digest settings here.", "not_found");
      await this.refreshAddress(ctx, found.reg);
      return { ...(await this.refreshNames(ctx, found)), data: {} };
    }
    if (ctx.place.scope !== "personal") throw new UserFacingError("Digests work in a channel, or for admins in personal chat.", "invalid");
    await this.requireAdmin(ctx.actor);
    const found = data.teamId && data.channelId ? await this.d.digests.getRegistration(data.teamId, data.channelId) : undefined;
    if (!found) throw new UserFacingError("That channel is no longer registered for digests.", "not_found");
    return { ...found, data: { teamId: found.reg.teamId, channelId: found.reg.channelId } };
  }

  async requireMember(ctx: RouteContext): Promise<void> {
    const members = ctx.channelMembers ? await ctx.channelMembers() : new Set<string>();
    if (!members.has(actorKey(ctx.actor))) throw new UserFacingError(NOT_MEMBER, "denied");
  }

  /** The channel's Bot Connector URL can change: keep the stored reference current from its own traffic. */
  async refreshAddress(ctx: RouteContext, reg: Pick<Registration, "teamId" | "channelId">): Promise<void> {
    const a = ctx.channelAddress;
    if (!a) return;
    const stored = await this.d.delivery.conversations.channel(reg);
    if (stored && stored.serviceUrl === a.serviceUrl && stored.botId === a.botId) return;
    await this.d.delivery.conversations.saveChannel(reg, { serviceUrl: a.serviceUrl, conversationId: reg.channelId, teamId: reg.teamId, tenantId: a.tenantId, botId: a.botId });
  }

  /**
   * Teams renames teams and channels; the names stamped on the channel's own traffic keep the
   * stored ones current. Best effort: a registration changed meanwhile keeps its names until the
   * next activity (the write is conditional on the ETag read).
   */
  async refreshNames(ctx: RouteContext, found: { reg: Registration; etag: string }): Promise<{ reg: Registration; etag: string }> {
    const names = namesFromTurn(ctx, found.reg);
    if (names.teamName === found.reg.teamName && names.channelName === found.reg.channelName) return found;
    const reg = { ...found.reg, ...names };
    if (!(await this.d.digests.putRegistration(reg, found.etag))) return found;
    return (await this.d.digests.getRegistration(reg.teamId, reg.channelId)) ?? found;
  }

  async currentInput(reg: Registration): Promise<DigestInput> {
    const [cycle] = await this.d.reporting.cyclesFor(reg.partnerships);
    if (!cycle) throw new UserFacingError("No Section 11 cycle covers this channel's partnerships yet.", "not_found");
    return this.d.reporting.input(cycle, reg.partnerships);
  }
}
