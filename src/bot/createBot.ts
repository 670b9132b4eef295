import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ActivityTypes, type TurnContext } from "botbuilder";
import type { ConnectorClient } from "botframework-connector";
import { Application, TeamsAdapter } from "@microsoft/teams-ai";
import { md } from "../cards/text";
import { messageReply, type Reply } from "../cards/reply";
import { errorFields } from "../log";
import { isHandled, type Handled, type RouteContext, type RouteResult } from "../routes";
import { normaliseCardAction } from "./cardAction";
import { actorFromActivity } from "./identity";
import { failureReply } from "./failures";
import { rememberPerson } from "./linking";
import { channelNamesOf, personalChatLink, placeOf } from "./place";
import { allowedIn, personalOnly, RouteTable, runCommand, runVerb } from "./routing";
import { appendNotice, cardActivity, renderReply } from "./render";
import type { EdgeState } from "./edgeState";
import type { DeliveryRow } from "../delivery/types";
import { personalReferenceFromActivity } from "../conversations/fromActivity";
import { downloadAttachment } from "./fileDownload";
import { FileOffers } from "./fileOffers";
import { readRoster } from "./roster";
import type { BotServices } from "./services";

const FILE_INFO = "application/vnd.microsoft.teams.file.download.info";
const MAX_UPLOAD_BYTES = 1024 * 1024;
/** Teams gives up on a card action after about 5-10 s; messages to other people get this much of it. */
const NOTIFY_BUDGET_MS = 2_500;

/**
 * The Teams edge: the only module that knows botbuilder and teams-ai. It establishes who and where
 * (identity from the activity, scope from the conversation), routes to the features' tables,
 * renders their views, and sends what they ask to send. It keeps no turn state (no `storage` on
 * the Application): everything a step needs travels in the card or lives in Azure Tables.
 */
export function createBot(s: BotServices, edge: EdgeState) {
  const c = s.config;
  const adapter = new TeamsAdapter({
    ...c.raw,
    MicrosoftAppId: c.MicrosoftAppId ?? "",
    MicrosoftAppPassword: c.MicrosoftAppPassword ?? "",
    MicrosoftAppType: c.MicrosoftAppType,
    MicrosoftAppTenantId: c.MicrosoftAppTenantId ?? "",
  } as never);
  const app = new Application({ adapter, startTypingTimer: false, removeRecipientMention: true });
  const routes = new RouteTable(s.features);
  const offers = new FileOffers({ files: s.files, log: s.log, now: s.now });

  const allowedTenant = (tenantId: string) => c.anyTenant || c.ALLOWED_TENANT_IDS.includes(tenantId);
  const contextOf = (turn: TurnContext): RouteContext => {
    const place = placeOf(turn.activity);
    const actor = actorFromActivity(turn.activity)!;
    if (place.scope === "personal") return { actor, place };
    const roster = () => readRoster(turn);
    if (place.scope !== "channel") return { actor, place, roster };
    return { actor, place, roster, channelMembers: () => channelMembers(turn, place.channelId, actor.principal.tenantId), channelAddress: { serviceUrl: turn.activity.serviceUrl, botId: turn.activity.recipient.id, tenantId: actor.principal.tenantId, ...channelNamesOf(turn.activity) } };
  };
  const chatLink = (turn: TurnContext) => personalChatLink(c.MicrosoftAppId || turn.activity.recipient.id);
  const render = (r: Reply) => renderReply(r, s.log);
  const send = (turn: TurnContext, r: Reply) => turn.sendActivity(cardActivity(render(r)));

  /**
   * Sends what a handler asked to send, through the outbox: one row per recipient, so a crash or a
   * second instance neither loses nor repeats a message. The answer waits up to NOTIFY_BUDGET_MS
   * for the outcome; after that the sends go on, and whoever asked is told in their own personal
   * chat if one cannot be delivered (the dispatcher's failure notice), never through this turn.
   */
  const sendOutbound = async (handled: Handled): Promise<void> => {
    for (const o of handled.outbound ?? []) {
      if (!o.to.length) continue;
      const emails = new Map((await Promise.all(o.to.map(async (p) => ("tenantId" in p ? [`${p.tenantId}:${p.aadObjectId}`.toLowerCase(), p.email || (await s.people.get(p))?.email || ""] : ["", ""])))).filter(([k]) => k) as Array<[string, string]>);
      await s.delivery.outbox.enqueue(
        o.purpose,
        o.to.map((p) => ({
          recipient:
            "tenantId" in p
              ? { kind: "person" as const, tenantId: p.tenantId, aadObjectId: p.aadObjectId, name: p.name.slice(0, 256), ...(validEmail(emails.get(`${p.tenantId}:${p.aadObjectId}`.toLowerCase())) ? { email: emails.get(`${p.tenantId}:${p.aadObjectId}`.toLowerCase()) } : {}) }
              : { kind: "email" as const, email: p.email, name: p.name.slice(0, 256) },
          kind: o.kind,
          params: o.params,
          ...(o.tellOnFailure ? { tellOnFailure: o.tellOnFailure } : {}),
        })),
      );
      const status = await s.delivery.dispatcher.dispatchNow(o.purpose, { budgetMs: NOTIFY_BUDGET_MS });
      const name = (r: DeliveryRow) => (r.recipient.kind === "channel" ? "a channel" : r.recipient.name || (r.recipient.kind === "email" ? r.recipient.email : "") || "a colleague");
      const missed = status.rows.filter((r) => r.state === "failed" || r.state === "unreachable").map(name);
      const emailed = status.rows.filter((r) => r.state === "sent" && r.channel === "email" && r.recipient.kind === "person").map(name);
      const pending = status.rows.filter((r) => r.state === "pending" || r.state === "sending").length;
      if (emailed.length) appendNotice(handled.reply, { text: md`Teams could not reach ${emailed.join(", ")}, so they were sent an e-mail instead.`, color: "warning" });
      if (missed.length) appendNotice(handled.reply, { text: md`We could not reach ${missed.join(", ")}: ask them to open the Safeguarding Assurance app in Teams and say hi, then they will find it waiting.`, color: "warning" });
      if (pending) appendNotice(handled.reply, { text: md`Teams is slow to deliver the message; I will tell you in this chat if it does not arrive.`, color: "default" });
    }
  };

  /** Redraws cards already sent for a purpose (a withdrawn request says so where the officer reads it). */
  const redraw = async (handled: Handled): Promise<void> => {
    for (const r of handled.redraw ?? []) {
      const status = await s.delivery.outbox.batchStatus(r.purpose);
      for (const row of status.rows) {
        if (row.state !== "sent" || row.channel !== "teams" || !row.activityId || !row.conversationId || row.recipient.kind !== "person") continue;
        try {
          const content = await s.redraw(row);
          if ("skip" in content || !content.card) continue;
          await s.delivery.teams?.updateActivity({ serviceUrl: edge.serviceUrlFor(row.recipient.tenantId), conversationId: row.conversationId, tenantId: row.recipient.tenantId }, row.activityId, { card: content.card });
        } catch (e) {
          s.log.warn(errorFields(e), "a sent card could not be redrawn");
        }
      }
    }
  };

  /** Runs a route result's side effects (messages to others, a file), then returns the reply. */
  const finish = async (turn: TurnContext, ctx: RouteContext, result: RouteResult): Promise<Reply> => {
    if (!isHandled(result)) return result;
    await sendOutbound(result);
    await redraw(result);
    if (result.file) {
      if (ctx.place.scope !== "personal") return personalOnly(chatLink(turn), ctx.place.scope);
      await offers.offer(turn, ctx.actor.principal, result.file);
      if (c.localMode) {
        // The playground cannot save files to OneDrive: keep a copy where the person can open it.
        const dir = join(c.DATA_DIR, "exports");
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, result.file.name), result.file.bytes ?? result.file.content);
        appendNotice(result.reply, { text: md`Local mode: a copy is in ${join(c.DATA_DIR, "exports", result.file.name)}.`, color: "default" });
      }
    }
    return result.reply;
  };

  const dispatchVerb = async (turn: TurnContext, verb: string, data: Record<string, unknown>): Promise<Reply> => {
    const ctx = contextOf(turn);
    try {
      if (verb === "cmd") return await finish(turn, ctx, await runCommand(routes, ctx, String(data.command ?? "").slice(0, 40), chatLink(turn)));
      return await finish(turn, ctx, await runVerb(routes, ctx, verb, data, chatLink(turn)));
    } catch (e) {
      return failureReply(e, s.log, verb);
    }
  };

  app.turn("beforeTurn", async (turn) => {
    normaliseCardAction(turn.activity);
    edge.observe(turn.activity);
    const actor = actorFromActivity(turn.activity);
    const tenant = actor?.principal.tenantId ?? "";
    if (!actor || !allowedTenant(tenant)) {
      s.log.info({ tenant, type: turn.activity.type }, "activity refused: tenant not allowed or no user");
      const refusal = "Sorry, this app is only available to the organisations in the safeguarding partnership. If you think your organisation should have access, contact the partnership's business manager.";
      if (turn.activity.type === ActivityTypes.Invoke) {
        await turn.sendActivity({ type: "invokeResponse", value: { status: 200, body: { statusCode: 200, type: "application/vnd.microsoft.activity.message", value: refusal } } });
      } else if (turn.activity.type === ActivityTypes.Message) {
        await turn.sendActivity(refusal);
      }
      return false;
    }
    return true;
  });

  // Universal Actions: the answer replaces the card in place. A personal-only action pressed on a
  // card in a channel answers with a short message to the presser alone and leaves the card as it is.
  app.adaptiveCards.actionExecute(/.*/, async (turn, _state, data) => {
    const verb = String((turn.activity.value as { action?: { verb?: unknown } })?.action?.verb ?? ""); // a string: see normaliseCardAction
    const safeData = data && typeof data === "object" && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
    const place = placeOf(turn.activity);
    const route = routes.verb(verb);
    if (place.scope !== "personal" && (verb === "cmd" ? !allowedIn(routes.command(String(safeData.command ?? "")) ?? {}, place.scope) : !route || !allowedIn(route, place.scope))) {
      return "That works in your personal chat with me: open the chat with Safeguarding Assurance and ask there.";
    }
    return render(await dispatchVerb(turn, verb, safeData));
  });

  // Action.Submit (welcome and help buttons): arrives as a message with a value; answer with a new card.
  app.adaptiveCards.actionSubmit(/.*/, async (turn, _state, data) => {
    const value = (data ?? {}) as Record<string, unknown>;
    await send(turn, await dispatchVerb(turn, String(value.verb ?? ""), value));
  });

  app.conversationUpdate("membersAdded", async (turn) => {
    const botId = turn.activity.recipient?.id;
    if (!turn.activity.membersAdded?.some((m) => m.id === botId)) return;
    const ctx = contextOf(turn);
    try {
      await rememberPerson({ ...s, conversations: s.delivery.conversations }, turn, ctx.actor, ctx.place);
      if (ctx.place.scope === "personal") await send(turn, await s.welcome(ctx.actor));
      else await send(turn, messageReply("Safeguarding Assurance is here", md`Type **help** to see what works here. Anything about an agency's return, sign-off or administration is only shown in personal chat with me.`, "default"));
    } catch (e) {
      await send(turn, failureReply(e, s.log, "membersAdded"));
    }
  });

  app.activity(ActivityTypes.InstallationUpdate, async (turn) => {
    const action = String(turn.activity.action ?? "");
    if (!action.startsWith("add")) return;
    const ctx = contextOf(turn);
    try {
      await rememberPerson({ ...s, conversations: s.delivery.conversations }, turn, ctx.actor, ctx.place);
      // Teams also sends conversationUpdate on install in personal scope; welcome once, from there.
    } catch (e) {
      s.log.warn(errorFields(e), "installationUpdate failed");
    }
  });

  app.fileConsentAccept(async (turn, _state, response) => offers.accepted(turn, response, contextOf(turn).actor.principal));
  app.fileConsentDecline(async (turn, _state, response) => offers.declined(turn, response, contextOf(turn).actor.principal));

  app.activity(ActivityTypes.Message, async (turn) => {
    const ctx = contextOf(turn);
    let r: Reply;
    try {
      await rememberPerson({ ...s, conversations: s.delivery.conversations }, turn, ctx.actor, ctx.place);
      const file = (turn.activity.attachments ?? []).find((a) => a.contentType === FILE_INFO);
      if (file) r = await importFile(turn, ctx, file);
      else if (turn.activity.value && typeof turn.activity.value === "object") r = await dispatchVerb(turn, String((turn.activity.value as { verb?: unknown }).verb ?? ""), turn.activity.value as Record<string, unknown>);
      else r = await finish(turn, ctx, await runCommand(routes, ctx, turn.activity.text ?? "", chatLink(turn)));
    } catch (e) {
      r = failureReply(e, s.log, "message");
    }
    await send(turn, r);
  });

  /** A file sent in chat: routed by its extension to the feature that imports it (personal chat only). */
  const importFile = async (turn: TurnContext, ctx: RouteContext, file: { name?: string; content?: unknown }): Promise<Reply> => {
    const info = file.content as { downloadUrl?: unknown; fileType?: unknown } | undefined;
    const name = String(file.name ?? "file").slice(0, 200);
    const extension = (/\.([A-Za-z0-9]{1,8})$/.exec(name)?.[1] ?? (typeof info?.fileType === "string" ? info.fileType : "")).toLowerCase();
    const route = routes.file(extension);
    if (!route) return messageReply("I can't use that file", md`"${name}" is not a file I know what to do with. Send a .csv to register agencies, or a .json to load a Section 11 template.`, "warning");
    if (!allowedIn(route, ctx.place.scope)) return personalOnly(chatLink(turn), ctx.place.scope);
    const got = await downloadAttachment(c, info?.downloadUrl, MAX_UPLOAD_BYTES);
    if (!got.ok) return messageReply(got.title, got.why, "warning");
    await turn.sendActivity(`Importing ${name}…`);
    const result = await route.run(ctx, { name, content: got.bytes.toString("utf8") }, async (note) => {
      await turn.sendActivity(note);
    });
    return finish(turn, ctx, result);
  };

  return { adapter, app, routes };
}


/**
 * The roster of the channel the turn came from: the channel's own conversation members. For a
 * private or shared channel that is its own membership (RSC ChannelMember.Read.Group), for a
 * standard channel the team's. Not TeamsInfo.getPagedMembers: in a team it answers with the
 * team's roster, which would let every team member into a private channel's figures. Paged.
 */
async function channelMembers(turn: TurnContext, channelId: string | undefined, tenantId: string): Promise<Set<string>> {
  const out = new Set<string>();
  const conversationId = channelId;
  if (!conversationId) return out;
  const client = turn.turnState.get<ConnectorClient>(turn.adapter.ConnectorClientKey);
  let token: string | undefined;
  do {
    const options: { pageSize: number; continuationToken?: string } = { pageSize: 500 };
    if (token) options.continuationToken = token;
    const page: { members?: Array<{ aadObjectId?: string }>; continuationToken?: string } = await client.conversations.getConversationPagedMembers(conversationId, options as { pageSize: number; continuationToken: string });
    for (const m of page.members ?? []) {
      const tenant = (m as { tenantId?: string }).tenantId || tenantId;
      if (m.aadObjectId) out.add(`${tenant.toLowerCase()}:${m.aadObjectId.toLowerCase()}`);
    }
    token = page.continuationToken || undefined;
  } while (token);
  return out;
}

const validEmail = (e: string | undefined): e is string => !!e && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e) && e.length <= 320;
