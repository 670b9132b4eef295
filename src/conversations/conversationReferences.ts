import { z } from "zod/v4";
import type { ChannelKey, ChannelRef, ConversationsRepo, PersonalRef } from "../storage/conversationsRepo";
import type { Principal } from "../storage/principal";

export type { ChannelKey, ChannelRef, PersonalRef };

/**
 * Group chats and channels have thread ids ("19:...@thread.v2", "19:...@thread.tacv2",
 * "19:...@thread.skype"); a 1:1 chat never does. A reference taken from a channel or group chat
 * must never be used to reach a person: whatever we send would be read by everyone in it.
 */
const THREAD_ID = /@thread\./i;

const personalInput = z.object({
  serviceUrl: z.url({ protocol: /^https?$/ }),
  conversationId: z.string().min(1).max(512).refine((id) => !THREAD_ID.test(id), "a channel or group chat is not a personal conversation"),
  /** When the caller knows it (activity.conversation.conversationType): anything but "personal" is refused. */
  conversationType: z.enum(["personal"]).optional(),
  botId: z.string().min(1).max(256),
  botName: z.string().max(256).optional(),
  tenantId: z.string().min(1).max(64),
});
export type PersonalRefInput = z.input<typeof personalInput>;

const channelInput = z.object({
  serviceUrl: z.url({ protocol: /^https?$/ }),
  conversationId: z.string().min(1).max(512),
  teamId: z.string().min(1).max(512),
  tenantId: z.string().min(1).max(64),
  botId: z.string().min(1).max(256),
});
export type ChannelRefInput = z.input<typeof channelInput>;

const principalInput = z.object({ tenantId: z.string().min(1).max(64), aadObjectId: z.string().min(1).max(64) });
const channelKeyInput = z.object({ teamId: z.string().min(1).max(512), channelId: z.string().min(1).max(512) });

const lower = (p: Principal): Principal => ({ tenantId: p.tenantId.toLowerCase(), aadObjectId: p.aadObjectId.toLowerCase() });

/**
 * Conversation references: at most one personal (1:1) chat per person, and registered channels.
 * Who calls: the bot edge after every personal turn (`savePersonal`), the Teams transport after it
 * opened a 1:1 chat or was told the chat is gone, the digest feature when a channel is registered.
 */
export class ConversationReferences {
  constructor(
    private readonly repo: ConversationsRepo,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Throws a ZodError for a channel or group chat reference, or a malformed one. */
  async savePersonal(principal: Principal, ref: PersonalRefInput): Promise<PersonalRef> {
    const p = lower(principalInput.parse(principal));
    const r = personalInput.parse(ref);
    const stored: PersonalRef = { serviceUrl: r.serviceUrl, conversationId: r.conversationId, botId: r.botId, botName: r.botName, tenantId: r.tenantId.toLowerCase(), updatedAt: this.now().toISOString() };
    if (stored.tenantId !== p.tenantId) throw new Error("the conversation belongs to another tenant than the person");
    const current = await this.repo.getPersonal(p);
    // Every turn saves; skip the write when nothing changed so a busy chat costs no extra request.
    if (current && current.conversationId === stored.conversationId && current.serviceUrl === stored.serviceUrl && current.botId === stored.botId) return current;
    await this.repo.putPersonal(p, stored);
    return stored;
  }

  /**
   * Stores a reference for a chat the bot has just opened, unless one appeared meanwhile (the
   * person wrote to the bot, or another instance opened the chat): the stored one wins and is returned.
   */
  async savePersonalIfAbsent(principal: Principal, ref: PersonalRefInput): Promise<PersonalRef> {
    const p = lower(principalInput.parse(principal));
    const r = personalInput.parse(ref);
    const stored: PersonalRef = { serviceUrl: r.serviceUrl, conversationId: r.conversationId, botId: r.botId, botName: r.botName, tenantId: r.tenantId.toLowerCase(), updatedAt: this.now().toISOString() };
    if (await this.repo.createPersonal(p, stored)) return stored;
    return (await this.repo.getPersonal(p)) ?? stored;
  }

  async personal(principal: Principal): Promise<PersonalRef | undefined> {
    const found = await this.repo.getPersonal(lower(principalInput.parse(principal)));
    if (!found) return undefined;
    const { etag: _etag, ...ref } = found;
    return ref;
  }

  /**
   * After Teams said the chat is not found (the person deleted it). With `conversationId`, only
   * that chat is forgotten: a newer one saved meanwhile is kept.
   */
  async forgetPersonal(principal: Principal, conversationId?: string): Promise<boolean> {
    return this.repo.deletePersonal(lower(principalInput.parse(principal)), conversationId ? { conversationId } : undefined);
  }

  async saveChannel(key: ChannelKey, ref: ChannelRefInput): Promise<ChannelRef> {
    const k = channelKeyInput.parse(key);
    const r = channelInput.parse(ref);
    if (r.conversationId !== k.channelId) throw new Error("a channel reference must address the channel of its key");
    const stored: ChannelRef = { ...r, tenantId: r.tenantId.toLowerCase(), updatedAt: this.now().toISOString() };
    await this.repo.putChannel(k, stored);
    return stored;
  }

  channel(key: ChannelKey): Promise<ChannelRef | undefined> {
    return this.repo.getChannel(channelKeyInput.parse(key));
  }

  forgetChannel(key: ChannelKey): Promise<void> {
    return this.repo.deleteChannel(channelKeyInput.parse(key));
  }
}
