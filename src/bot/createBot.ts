import { errorFields } from "../log";
import { ActivityTypes, TeamsInfo, TurnContext, type ConversationReference } from "botbuilder";
import { Application, TeamsAdapter } from "@microsoft/teams-ai";
import { cardAttachment, renderCard } from "../cards/renderCard";
import type { Actor } from "../people/actor";
import { actorFromActivity } from "./identity";
import type { BotServices } from "./services";
import { commandRunner } from "./commandRoutes";
import { verbRoutes, type LaterReply, type Notifier } from "./verbRoutes";
import { failureReply } from "./failures";
import { messageReply, type Reply } from "./reply";
import { sendToPerson } from "./proactive";

const FILE_INFO = "application/vnd.microsoft.teams.file.download.info";
const MAX_CSV_BYTES = 1024 * 1024;

/**
 * The Teams edge: the only module that knows botbuilder and teams-ai. Keeps no turn state
 * (no `storage` on the Application): everything a step needs travels in the card or lives in
 * Azure Tables, so any instance can serve any turn.
 */
export function createBot(s: BotServices) {
  const c = s.config;
  const adapter = new TeamsAdapter({
    ...c.raw,
    MicrosoftAppId: c.MicrosoftAppId ?? "",
    MicrosoftAppPassword: c.MicrosoftAppPassword ?? "",
    MicrosoftAppType: c.MicrosoftAppType,
    MicrosoftAppTenantId: c.MicrosoftAppTenantId ?? "",
  } as never);
  const app = new Application({ adapter, startTypingTimer: false, removeRecipientMention: true });
  const commands = commandRunner(s);

  const render = (r: Reply) => renderCard(r.card, r.view as never);
  const sendReply = (turn: TurnContext, r: Reply) => turn.sendActivity({ type: ActivityTypes.Message, attachments: [cardAttachment(render(r))] });

  const notify: Notifier = async (turn, n) => {
    const results = await Promise.all(
      n.to.map(async (person) => {
        const recipient: Actor = { principal: { tenantId: person.tenantId, aadObjectId: person.aadObjectId }, name: person.name };
        const ok = await sendToPerson(adapter, s, turn, recipient.principal, async (): Promise<Reply> => {
          if (n.kind === "signoff_request") return { card: "signoffRequest", view: await s.returns.signoffCard(recipient, n.returnId, { text: "Please review and sign off this Section 11 return.", color: "warning" }) };
          const notice = n.kind === "signed_off" ? { text: "Your return was signed off and submitted.", color: "good" as const } : { text: "Your return was sent back by the senior officer: see the comment below.", color: "attention" as const };
          return { card: "overview", view: await s.returns.overview(recipient, n.returnId, notice) };
        });
        return { ok, name: person.name || "a colleague" };
      }),
    );
    return { reached: results.filter((r) => r.ok).map((r) => r.name), missed: results.filter((r) => !r.ok).map((r) => r.name) };
  };
  const later: LaterReply = async (turn, r) => {
    const ref = TurnContext.getConversationReference(turn.activity);
    await adapter.continueConversationAsync(c.MicrosoftAppId ?? "", ref, (ctx) => sendReply(ctx, r).then(() => undefined));
  };
  const verbs = verbRoutes(s, notify, (turn, actor, command) => commands.run(turn, actor, command), later);

  const allowedTenant = (tenantId: string) => !c.ALLOWED_TENANT_IDS.length || c.ALLOWED_TENANT_IDS.some((t) => t.toLowerCase() === tenantId);

  /**
   * First contact links the person (e-mail from the Teams roster) so grants made by e-mail reach
   * them, and keeps the conversation reference for later proactive messages. Message turns only:
   * card actions skip it to stay at one storage read and one write.
   */
  const remember = async (turn: TurnContext, actor: Actor) => {
    const existing = await s.people.get(actor.principal);
    if (!actor.name && existing?.name) actor.name = existing.name;
    const ref = JSON.stringify(turnRef(turn));
    if (existing && existing.conversation === ref) return;
    let email = existing?.email ?? "";
    if (!existing) {
      try {
        const member = await TeamsInfo.getMember(turn, turn.activity.from.id);
        email = (member.email || member.userPrincipalName || "").slice(0, 200);
        // Some events (install, conversationUpdate) carry no display name; the roster has it.
        if (!actor.name && member.name) actor.name = member.name.slice(0, 120);
      } catch (e) {
        s.log.warn(errorFields(e), "roster lookup failed");
      }
    }
    const person = { ...actor.principal, name: actor.name || existing?.name || "", email, conversation: ref, firstSeenAt: existing?.firstSeenAt || new Date().toISOString() };
    if (existing) await s.people.upsert(person);
    else await s.access.link(person);
  };

  app.turn("beforeTurn", async (turn) => {
    const actor = actorFromActivity(turn.activity);
    const tenant = actor?.principal.tenantId ?? "";
    if (!actor || !allowedTenant(tenant)) {
      s.log.info({ tenant, type: turn.activity.type }, "activity refused: tenant not allowed or no user");
      const text = "Sorry, this app is only available to the organisations in the safeguarding partnership. If you think your organisation should have access, contact the partnership's business manager.";
      if (turn.activity.type === ActivityTypes.Invoke) {
        await turn.sendActivity({ type: "invokeResponse", value: { status: 200, body: { statusCode: 200, type: "application/vnd.microsoft.activity.message", value: text } } });
      } else if (turn.activity.type === ActivityTypes.Message) {
        await turn.sendActivity(text);
      }
      return false;
    }
    return true;
  });

  const actorOf = (turn: TurnContext) => actorFromActivity(turn.activity)!;

  const dispatch = async (turn: TurnContext, verb: string, data: Record<string, unknown>): Promise<Reply> => {
    const handler = Object.prototype.hasOwnProperty.call(verbs, verb) ? verbs[verb] : undefined;
    if (!handler) {
      return messageReply("This button is not available", "It may belong to an older card. Type **help** to see what you can do now.", "warning");
    }
    try {
      return await handler(turn, actorOf(turn), data);
    } catch (e) {
      return failureReply(e, s.log, verb);
    }
  };

  // Universal Actions: the answer replaces the card in place.
  app.adaptiveCards.actionExecute(/.*/, async (turn, _state, data) => {
    const verb = String((turn.activity.value as { action?: { verb?: unknown } })?.action?.verb ?? "");
    const safeData = data && typeof data === "object" && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
    return render(await dispatch(turn, verb, safeData));
  });

  // Action.Submit (welcome and help buttons): arrives as a message with a value; answer with a new card.
  app.adaptiveCards.actionSubmit(/.*/, async (turn, _state, data) => {
    const value = (data ?? {}) as Record<string, unknown>;
    await sendReply(turn, await dispatch(turn, String(value.verb ?? ""), value));
  });

  app.conversationUpdate("membersAdded", async (turn) => {
    const botId = turn.activity.recipient?.id;
    if (!turn.activity.membersAdded?.some((m) => m.id === botId)) return;
    const actor = actorOf(turn);
    try {
      await remember(turn, actor);
      if (turn.activity.conversation?.conversationType === "personal") await sendReply(turn, await commands.welcome(actor));
      else await sendReply(turn, messageReply("Safeguarding Assurance is here", "I post the partnership's assurance summaries in this team. Type **help** to see what I can do.", "default"));
    } catch (e) {
      await sendReply(turn, failureReply(e, s.log, "membersAdded"));
    }
  });

  app.activity(ActivityTypes.InstallationUpdate, async (turn) => {
    const action = String(turn.activity.action ?? "");
    if (!action.startsWith("add")) return;
    const actor = actorOf(turn);
    try {
      await remember(turn, actor);
      // Teams also sends conversationUpdate on install in personal scope; welcome once, from there.
    } catch (e) {
      s.log.warn(errorFields(e), "installationUpdate failed");
    }
  });

  app.activity(ActivityTypes.Message, async (turn) => {
    const actor = actorOf(turn);
    let r: Reply;
    try {
      await remember(turn, actor);
      const file = (turn.activity.attachments ?? []).find((a) => a.contentType === FILE_INFO);
      if (file) r = await importFile(turn, actor, file);
      else if (turn.activity.value && typeof turn.activity.value === "object") r = await dispatch(turn, String((turn.activity.value as { verb?: unknown }).verb ?? ""), turn.activity.value as Record<string, unknown>);
      else r = await commands.run(turn, actor, turn.activity.text ?? "");
    } catch (e) {
      r = failureReply(e, s.log, "message");
    }
    await sendReply(turn, r);
  });

  /**
   * A file sent in personal chat (admins only): a .csv registers agencies and their people in
   * bulk; a .json loads a Section 11 template. Teams gives a short-lived download URL.
   */
  const importFile = async (turn: TurnContext, actor: Actor, file: { name?: string; content?: unknown }): Promise<Reply> => {
    const roles = await s.access.rolesOf(actor);
    if (!roles.admin) return messageReply("Not available to you", "Only the partnership's admins can send files to the bot.", "attention");
    const info = file.content as { downloadUrl?: unknown; fileType?: unknown };
    const name = String(file.name ?? "").slice(0, 200);
    const kind = /\.csv$/i.test(name) || info?.fileType === "csv" ? "csv" : /\.json$/i.test(name) || info?.fileType === "json" ? "json" : undefined;
    if (!kind) return messageReply("Please send a .csv or .json file", `"${name}" is neither. Save your spreadsheet as CSV (comma separated) to register agencies, or send a template as .json.`, "warning");
    if (typeof info?.downloadUrl !== "string" || !/^https?:\/\//.test(info.downloadUrl)) return messageReply("I couldn't read that file", "Teams did not give me a download link. Send the file again.", "warning");
    let res: Response;
    try {
      res = await fetch(info.downloadUrl, { signal: AbortSignal.timeout(15_000) });
    } catch {
      return messageReply("I couldn't download that file", "The download did not complete. Send the file again in a minute.", "warning");
    }
    if (!res.ok) return messageReply("I couldn't download that file", `Teams answered ${res.status}. Send the file again in a minute.`, "warning");
    const buf = Buffer.from(await res.arrayBuffer());
    if (buf.byteLength > MAX_CSV_BYTES) return messageReply("That file is too large", `It is ${(buf.byteLength / 1024 / 1024).toFixed(1)} MB; the limit is 1 MB. Split it and send the parts.`, "warning");
    if (kind === "json") return { card: "message", view: await s.admin.loadTemplate(actor, buf.toString("utf8")) };
    await turn.sendActivity(`Importing ${name}…`);
    let lastShown = 0;
    const view = await s.admin.importCsv(actor, buf.toString("utf8"), async (done: number, total: number) => {
      // Progress for long imports, at most every 50 rows so a 20-row file stays quiet.
      if (done - lastShown >= 50 && done < total) {
        lastShown = done;
        await turn.sendActivity(`Imported ${done} of ${total} rows…`);
      }
    });
    return { card: "importReport", view };
  };

  return { adapter, app, verbs };
}

function turnRef(turn: TurnContext): Partial<ConversationReference> {
  const a = turn.activity;
  return { channelId: a.channelId, serviceUrl: a.serviceUrl, conversation: { id: a.conversation.id, conversationType: a.conversation.conversationType, tenantId: a.conversation.tenantId, isGroup: a.conversation.isGroup, name: "" }, bot: a.recipient, user: { id: a.from.id, name: "", aadObjectId: a.from.aadObjectId } };
}
