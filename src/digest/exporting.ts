import { randomBytes } from "node:crypto";
import type { z } from "zod/v4";
import { UserFacingError } from "../errors";
import type { Actor } from "../people/actor";
import type { RouteContext } from "../routes";
import type { Registration } from "../storage/digestsRepo";
import { returnPartition, type Snapshot } from "../storage/returnsRepo";
import { mapPool } from "../admin/pool";
import type { ChannelAccess, DigestDeps } from "./channelAccess";
import { csvOf, exportTables, xlsxOf } from "./exportFiles";
import type { exportFileInput } from "./inputs";

const EXPORT_HOURS = 24;

/**
 * The export: a channel member's request is remembered for them (a grant keyed by their own
 * identity) and the files are offered in their 1:1 chat; admins export from personal chat.
 */
export class Exporting {
  constructor(
    private readonly d: DigestDeps,
    private readonly access: ChannelAccess,
  ) {}

  /** A channel member asked for the export: remember that they may have it, for 24 hours, and tell their 1:1 chat. */
  async requestExport(ctx: RouteContext, data: { teamId?: string; channelId?: string }): Promise<{ grant?: string; reg: Registration; data: Record<string, string> }> {
    const t = await this.access.target(ctx, data, { member: true });
    if (ctx.place.scope !== "channel") return { reg: t.reg, data: t.data };
    const grant = randomBytes(18).toString("base64url");
    await this.d.digests.putExportGrant(ctx.actor.principal, grant, { teamId: t.reg.teamId, channelId: t.reg.channelId, expiresAt: new Date(this.d.now().getTime() + EXPORT_HOURS * 3_600_000).toISOString() });
    return { grant, reg: t.reg, data: t.data };
  }

  /** The file itself, in personal chat: for the holder of a grant (the key is theirs), or an admin naming the channel. */
  async exportFile(actor: Actor, i: z.infer<typeof exportFileInput>): Promise<{ name: string; description: string; contentType: string; content: string; bytes?: Buffer }> {
    let reg: Registration | undefined;
    if (i.grant) {
      const g = await this.d.digests.getExportGrant(actor.principal, i.grant);
      if (!g || g.expiresAt < this.d.now().toISOString()) throw new UserFacingError("That export has expired: press Export on the digest in the channel again.", "denied");
      reg = (await this.d.digests.getRegistration(g.teamId, g.channelId))?.reg;
    } else {
      await this.access.requireAdmin(actor);
      reg = i.teamId && i.channelId ? (await this.d.digests.getRegistration(i.teamId, i.channelId))?.reg : undefined;
    }
    if (!reg) throw new UserFacingError("That channel is no longer registered for digests.", "not_found");
    const input = await this.access.currentInput(reg);
    const latest = new Map<string, Snapshot>();
    const submitted = input.agencies.filter((a) => a.latest);
    await mapPool(submitted, 8, async (a) => {
      const [snap] = (await this.d.returns.snapshots(returnPartition(input.cycle.cycleId, a.agencyId))).slice(-1);
      if (snap) latest.set(a.agencyId, snap);
    });
    const tables = exportTables(input, reg.partnerships, latest);
    const stem = `section11-${reg.partnerships.join("-").replace(/[^A-Za-z0-9-]+/g, "").slice(0, 40) || "digest"}-${input.today}`;
    switch (i.format) {
      case "xlsx":
        return { name: `${stem}.xlsx`, description: "Section 11 figures, returns and actions", contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", content: "", bytes: await xlsxOf(tables) };
      case "figures":
        return { name: `${stem}-figures.csv`, description: "Section 11 figures", contentType: "text/csv", content: csvOf(tables.figures) };
      case "returns":
        return { name: `${stem}-returns.csv`, description: "Section 11 returns: ratings per standard", contentType: "text/csv", content: csvOf(tables.returns) };
      case "actions":
        return { name: `${stem}-actions.csv`, description: "Section 11 actions and due dates", contentType: "text/csv", content: csvOf(tables.actions) };
    }
  }
}
