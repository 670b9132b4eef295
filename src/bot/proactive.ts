import { CloudAdapter, type ConversationReference, type TurnContext } from "botbuilder";
import { errorFields, type Logger } from "../log";
import type { Reply } from "../cards/reply";
import type { Actor } from "../people/actor";
import type { PeopleRepo } from "../storage/peopleRepo";
import type { Principal } from "../storage/principal";
import type { Outbound } from "../routes";
import type { RouteTable } from "./routing";
import { cardActivity, renderReply } from "./render";

/** Where and as whom the bot speaks, captured from a turn while it is alive (a turn context is revoked once it ends). */
export interface BotAccount {
  serviceUrl: string;
  bot: { id: string; name?: string };
}

export const botAccountOf = (turn: TurnContext): BotAccount => ({ serviceUrl: turn.activity.serviceUrl, bot: { id: turn.activity.recipient.id, name: turn.activity.recipient.name } });

/**
 * Messages the bot starts: to a person, always in their personal chat. The reference saved from
 * that chat is used; without one, Teams is asked to open a 1:1 chat (tenant id + AAD object id),
 * which works once the app is installed for them. Never a channel or group chat.
 */
export class Proactive {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly deps: { people: PeopleRepo; log: Logger; appId: string; routes: RouteTable },
  ) {}

  async sendTo(to: Principal, build: () => Promise<Reply | { skip: string }>, account: BotAccount): Promise<"sent" | "skipped" | "failed"> {
    const person = await this.deps.people.get(to);
    let ref: Partial<ConversationReference> | undefined;
    try {
      const parsed = person?.conversation ? (JSON.parse(person.conversation) as Partial<ConversationReference>) : undefined;
      ref = parsed?.conversation?.conversationType === "personal" ? parsed : undefined;
    } catch {
      ref = undefined;
    }
    let outcome: "sent" | "skipped" = "sent";
    const send = async (ctx: TurnContext) => {
      const r = await build();
      if ("skip" in r) {
        outcome = "skipped";
        return;
      }
      await ctx.sendActivity(cardActivity(renderReply(r, this.deps.log)));
    };
    try {
      if (ref?.conversation && ref.serviceUrl) await this.adapter.continueConversationAsync(this.deps.appId, ref, send);
      else {
        await this.adapter.createConversationAsync(
          this.deps.appId,
          "msteams",
          account.serviceUrl,
          "",
          { isGroup: false, bot: account.bot, members: [{ id: to.aadObjectId, name: "" }], tenantId: to.tenantId, channelData: { tenant: { id: to.tenantId } } } as never,
          send,
        );
      }
      return outcome;
    } catch (e) {
      this.deps.log.warn({ ...errorFields(e), to: `${to.tenantId}:${to.aadObjectId}` }, "proactive send failed");
      return "failed";
    }
  }

  /** Sends one outbound message to each of its recipients, drawn for each by the feature's builder. */
  async deliver(o: Outbound, account: BotAccount): Promise<{ reached: string[]; missed: string[] }> {
    const builder = this.deps.routes.messages.get(o.kind);
    if (!builder) throw new Error(`No message builder for ${o.kind}`);
    const results = await Promise.all(
      o.to.map(async (p) => {
        const recipient: Actor = { principal: { tenantId: p.tenantId, aadObjectId: p.aadObjectId }, name: p.name };
        const r = await this.sendTo(recipient.principal, () => builder(recipient, o.params), account);
        return { r, name: p.name || "a colleague" };
      }),
    );
    return { reached: results.filter((x) => x.r !== "failed").map((x) => x.name), missed: results.filter((x) => x.r === "failed").map((x) => x.name) };
  }
}
