import { z } from "zod/v4";
import type { Principal } from "../storage/principal";
import type { PersonalRefInput } from "./conversationReferences";

/**
 * The fields of an incoming Teams activity that make a personal reference. Only a 1:1 chat
 * qualifies: a channel or group chat message yields nothing, so its reference can never be stored
 * for a person. Plain shapes, so the bot edge passes `context.activity` without us importing botbuilder.
 */
const activityShape = z.object({
  serviceUrl: z.string(),
  conversation: z.object({ id: z.string(), conversationType: z.string().optional(), isGroup: z.boolean().optional(), tenantId: z.string().optional() }),
  from: z.object({ aadObjectId: z.string().optional() }),
  recipient: z.object({ id: z.string(), name: z.string().optional() }),
  channelData: z.object({ tenant: z.object({ id: z.string() }).optional() }).optional(),
});

export function personalReferenceFromActivity(activity: unknown): { principal: Principal; ref: PersonalRefInput } | undefined {
  const parsed = activityShape.safeParse(activity);
  if (!parsed.success) return undefined;
  const a = parsed.data;
  const tenantId = a.channelData?.tenant?.id ?? a.conversation.tenantId;
  if (!tenantId || !a.from.aadObjectId) return undefined;
  if (a.conversation.isGroup || (a.conversation.conversationType && a.conversation.conversationType !== "personal")) return undefined;
  return {
    principal: { tenantId, aadObjectId: a.from.aadObjectId },
    ref: { serviceUrl: a.serviceUrl, conversationId: a.conversation.id, conversationType: "personal", botId: a.recipient.id, botName: a.recipient.name, tenantId },
  };
}
