import type { RouteContext } from "../routes";
import type { Registration } from "../storage/digestsRepo";

/** Shown names are cut to this many characters each, so a long team name cannot push the card's buttons away. */
const SHOWN_MAX = 60;
const cut = (s: string) => (s.length > SHOWN_MAX ? `${s.slice(0, SHOWN_MAX - 1).trimEnd()}…` : s);
const sameTenant = (a: string, b: string) => !!a && a.toLowerCase() === b.toLowerCase();

/**
 * "<team> › <channel>" for someone of the channel's own tenant; undefined when no name is known or
 * the viewer is of another tenant (a channel's name is that organisation's, not theirs to read).
 * Plain text: the caller escapes it.
 */
export function channelLabel(reg: Pick<Registration, "teamName" | "channelName" | "tenantId">, viewerTenantId: string): string | undefined {
  if (!sameTenant(reg.tenantId, viewerTenantId)) return undefined;
  const parts = [reg.teamName, reg.channelName].map((s) => s.trim()).filter(Boolean).map(cut);
  return parts.length ? parts.join(" › ") : undefined;
}

/**
 * The names this turn gives for the channel it came from, when it is from someone of the
 * registration's tenant (a guest from another organisation in a shared channel does not rename
 * it); a name Teams did not send keeps the one stored.
 */
export function namesFromTurn(ctx: RouteContext, reg: Pick<Registration, "teamName" | "channelName" | "tenantId">): { teamName: string; channelName: string } {
  const a = ctx.channelAddress;
  if (!a || !sameTenant(reg.tenantId, a.tenantId)) return { teamName: reg.teamName, channelName: reg.channelName };
  return { teamName: a.teamName || reg.teamName, channelName: a.channelName || reg.channelName };
}
