import { errorFields } from "../log";
import type { ConversationReference, TurnContext } from "botbuilder";
import { CloudAdapter } from "botbuilder";
import type { BotServices } from "./services";
import type { Principal } from "../storage/principal";
import { renderCard, cardAttachment } from "../cards/renderCard";
import type { Reply } from "./reply";

/**
 * Messages the bot starts (a sign-off request, a decision). We use the conversation reference
 * saved when the person last talked to the bot; without one we ask Teams to open a 1:1 chat,
 * which works once the app is installed for them. Returns false when the person cannot be reached
 * so the caller can say so rather than report success.
 */
export async function sendToPerson(
  adapter: CloudAdapter,
  services: BotServices,
  from: TurnContext,
  to: Principal,
  build: () => Promise<Reply>,
): Promise<boolean> {
  const appId = services.config.MicrosoftAppId ?? "";
  const person = await services.people.get(to);
  let ref: Partial<ConversationReference> | undefined;
  try {
    ref = person?.conversation ? (JSON.parse(person.conversation) as Partial<ConversationReference>) : undefined;
  } catch {
    ref = undefined;
  }
  const send = async (ctx: TurnContext) => {
    const r = await build();
    await ctx.sendActivity({ type: "message", attachments: [cardAttachment(renderCard(r.card, r.view as never))] });
  };
  try {
    if (ref?.conversation && ref.serviceUrl) {
      await adapter.continueConversationAsync(appId, ref, send);
      return true;
    }
    const serviceUrl = from.activity.serviceUrl;
    await adapter.createConversationAsync(
      appId,
      "msteams",
      serviceUrl,
      "",
      {
        isGroup: false,
        bot: from.activity.recipient,
        members: [{ id: to.aadObjectId, name: "" }],
        tenantId: to.tenantId,
        channelData: { tenant: { id: to.tenantId } },
      } as never,
      send,
    );
    return true;
  } catch (e) {
    services.log.warn({ ...errorFields(e), to: `${to.tenantId}:${to.aadObjectId}` }, "proactive send failed");
    return false;
  }
}
