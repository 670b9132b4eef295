import { type TableClient } from "@azure/data-tables";
import { z } from "zod/v4";
import type { TableStore } from "./tableStore";
import { isConflict, isNotFound, isPreconditionFailed } from "./errors";
import { encodeKeyPart, key } from "./keys";
import type { Principal } from "./principal";

/**
 * Where the bot can reach someone: a person's own 1:1 chat, or a registered channel. Person rows
 * live in one partition per tenant (`p|<tenant>`, row = object id); channel rows in one partition
 * per team (`c|<team>`, row = channel id). Both are point reads on the send path.
 */
export const personalRefSchema = z.object({
  serviceUrl: z.string().min(1),
  conversationId: z.string().min(1),
  botId: z.string().min(1),
  botName: z.string().optional(),
  tenantId: z.string().min(1),
  updatedAt: z.string(),
});
export type PersonalRef = z.infer<typeof personalRefSchema>;

export const channelRefSchema = z.object({
  serviceUrl: z.string().min(1),
  /** The channel id ("19:...@thread.tacv2"): a channel is addressed by it. */
  conversationId: z.string().min(1),
  teamId: z.string().min(1),
  tenantId: z.string().min(1),
  botId: z.string().min(1),
  updatedAt: z.string(),
});
export type ChannelRef = z.infer<typeof channelRefSchema>;

export interface ChannelKey {
  teamId: string;
  channelId: string;
}

const personPk = (tenantId: string) => key("p", tenantId.toLowerCase());
const personRk = (aadObjectId: string) => encodeKeyPart(aadObjectId.toLowerCase());
const channelPk = (teamId: string) => key("c", teamId);
const channelRk = (channelId: string) => encodeKeyPart(channelId);

const COLUMNS = ["serviceUrl", "conversationId", "botId", "botName", "tenantId", "teamId", "updatedAt"] as const;
function columns(e: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(COLUMNS.filter((c) => e[c] !== undefined && e[c] !== "").map((c) => [c, e[c]]));
}

export class ConversationsRepo {
  private readonly table: TableClient;
  constructor(store: TableStore) {
    this.table = store.table("Conversations");
  }

  async getPersonal(p: Principal): Promise<(PersonalRef & { etag: string }) | undefined> {
    const e = await this.read(personPk(p.tenantId), personRk(p.aadObjectId));
    if (!e) return undefined;
    // A row that no longer parses (written by hand, or an older shape) is as good as none: the
    // sender opens a new 1:1 chat and stores a fresh one.
    const parsed = personalRefSchema.safeParse(columns(e));
    return parsed.success ? { ...parsed.data, etag: e.etag as string } : undefined;
  }

  async putPersonal(p: Principal, ref: PersonalRef): Promise<void> {
    await this.table.upsertEntity({ partitionKey: personPk(p.tenantId), rowKey: personRk(p.aadObjectId), ...ref, botName: ref.botName ?? "" }, "Replace");
  }

  /**
   * Deletes the person's reference. With `onlyIf`, only when the stored one still names that
   * conversation, so a fresh reference saved meanwhile (the person just wrote to the bot) survives.
   */
  async deletePersonal(p: Principal, onlyIf?: { conversationId: string }): Promise<boolean> {
    const pk = personPk(p.tenantId);
    const rk = personRk(p.aadObjectId);
    try {
      if (!onlyIf) {
        await this.table.deleteEntity(pk, rk);
        return true;
      }
      const current = await this.read(pk, rk);
      if (!current || current.conversationId !== onlyIf.conversationId) return false;
      await this.table.deleteEntity(pk, rk, { etag: current.etag as string });
      return true;
    } catch (e) {
      if (isNotFound(e) || isPreconditionFailed(e)) return false;
      throw e;
    }
  }

  /** Stores a reference only if the person has none yet; false when one exists (someone else just stored it). */
  async createPersonal(p: Principal, ref: PersonalRef): Promise<boolean> {
    try {
      await this.table.createEntity({ partitionKey: personPk(p.tenantId), rowKey: personRk(p.aadObjectId), ...ref, botName: ref.botName ?? "" });
      return true;
    } catch (e) {
      if (isConflict(e)) return false;
      throw e;
    }
  }

  async getChannel(k: ChannelKey): Promise<ChannelRef | undefined> {
    const e = await this.read(channelPk(k.teamId), channelRk(k.channelId));
    if (!e) return undefined;
    const parsed = channelRefSchema.safeParse(columns(e));
    return parsed.success ? parsed.data : undefined;
  }

  async putChannel(k: ChannelKey, ref: ChannelRef): Promise<void> {
    await this.table.upsertEntity({ partitionKey: channelPk(k.teamId), rowKey: channelRk(k.channelId), ...ref }, "Replace");
  }

  async deleteChannel(k: ChannelKey): Promise<void> {
    try {
      await this.table.deleteEntity(channelPk(k.teamId), channelRk(k.channelId));
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  private async read(pk: string, rk: string): Promise<Record<string, unknown> | undefined> {
    try {
      return await this.table.getEntity<Record<string, unknown>>(pk, rk);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }
}
