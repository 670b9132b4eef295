import { errorFields } from "../log";
import type { TurnContext } from "botbuilder";
import type { Actor } from "../people/actor";
import { returnCommandSchema, saveCommandSchema, stepCommandSchema, type Notify } from "../section11/returnService";
import { S11_VERBS } from "../section11/verbs";
import { describeAnswer } from "../section11/returnViews";
import { normaliseAnswerInput } from "../section11/answer";
import type { BotServices } from "./services";
import { messageReply, reply, type Reply } from "./reply";
import { isStorageOutage } from "./failures";
import { z } from "zod/v4";

export type VerbHandler = (turn: TurnContext, actor: Actor, data: Record<string, unknown>) => Promise<Reply>;
export type Notifier = (turn: TurnContext, notify: Notify) => Promise<{ reached: string[]; missed: string[] }>;
/** Sends a card to the person behind a turn after that turn has ended (a proactive message). */
export type LaterReply = (turn: TurnContext, r: Reply) => Promise<void>;

/** Teams gives up on a card action after about 5 s; notifications get this much of it. */
const NOTIFY_BUDGET_MS = 2_500;
export type CommandRunner = (turn: TurnContext, actor: Actor, command: string) => Promise<Reply>;

/**
 * The typed map from card verbs to handlers. Card data is parsed with zod; ids in it are only
 * pointers, re-checked by the services against the actor's stored access.
 */
export function verbRoutes(s: BotServices, notifyPeople: Notifier, runCommand: CommandRunner, later: LaterReply): Record<string, VerbHandler> {
  const unreachable = (missed: string[]) => `We could not reach ${missed.join(", ")} in Teams: ask them to open the Safeguarding Assurance app and say hi, then they will find it under "signoffs".`;
  /**
   * Tells the people concerned (the senior officer, or the leads). When Teams is slow, the card
   * answers within the budget and the outcome, if a message could not be delivered, follows as a
   * message of its own: the action itself is already saved either way.
   */
  const withNotify = async (turn: TurnContext, r: { view: { notice?: { text: string; color: string } } }, notify?: Notify) => {
    if (!notify || !notify.to.length) return;
    const delivery = notifyPeople(turn, notify);
    let timer: unknown;
    const outcome = await Promise.race([delivery, new Promise<undefined>((res) => (timer = setTimeout(res, NOTIFY_BUDGET_MS)))]);
    clearTimeout(timer as never);
    if (outcome) {
      if (outcome.missed.length) r.view.notice = { text: `${r.view.notice?.text ?? ""} ${unreachable(outcome.missed)}`.trim(), color: "warning" };
      return;
    }
    r.view.notice = { text: `${r.view.notice?.text ?? ""} Teams is slow to deliver the message; I will tell you here if it does not arrive.`.trim(), color: r.view.notice?.color ?? "default" };
    void delivery
      .then(async ({ missed }) => {
        if (missed.length) await later(turn, messageReply("A message was not delivered", unreachable(missed), "warning"));
      })
      .catch((e) => s.log.warn(errorFields(e), "late notification outcome could not be sent"));
  };

  return {
    cmd: async (turn, actor, data) => runCommand(turn, actor, z.object({ command: z.string().max(40) }).parse(data).command),

    [S11_VERBS.overview]: async (_t, actor, data) => reply("overview", await s.returns.overview(actor, returnCommandSchema.parse(data).returnId)),
    [S11_VERBS.step]: async (_t, actor, data) => {
      const cmd = stepCommandSchema.parse(data);
      return reply("indicatorStep", await s.returns.step(actor, cmd.returnId, cmd.indicatorId || undefined));
    },
    [S11_VERBS.save]: async (_t, actor, data) => {
      const cmd = saveCommandSchema.parse(data);
      try {
        const view = await s.returns.save(actor, cmd, data);
        return "question" in view ? reply("indicatorStep", view) : "standards" in view && "incomplete" in view ? reply("review", view) : reply("overview", view);
      } catch (e) {
        if (!isStorageOutage(e)) throw e;
        // Keep what they typed: show it and offer a retry that carries it in the action data.
        const typed = normaliseAnswerInput(data, new Date().toISOString().slice(0, 10)).answer;
        const retryData: Record<string, string> = { ...cmd, hn: String(cmd.hn), rating: typed.rating ?? "", evidence: typed.evidence, naReason: typed.naReason, actionText: typed.actionText, actionOwner: typed.actionOwner, actionDue: typed.actionDue };
        s.log.error({ verb: S11_VERBS.save, status: (e as { statusCode?: number }).statusCode }, "save failed: storage unavailable");
        return messageReply("Not saved: the audit store did not answer", `Your answer to ${cmd.indicatorId} is below and has not been lost. Press "Try again" in a minute.\n\n${describeAnswer(typed)}`, "attention", {
          actions: [{ title: "Try again", verb: S11_VERBS.save, data: retryData, style: "positive" }],
        });
      }
    },
    [S11_VERBS.review]: async (_t, actor, data) => reply("review", await s.returns.review(actor, returnCommandSchema.parse(data).returnId)),
    [S11_VERBS.requestSignoff]: async (turn, actor, data) => {
      const r = await s.returns.requestSignoff(actor, returnCommandSchema.parse(data).returnId, data);
      await withNotify(turn, r, r.notify);
      return reply("review", r.view);
    },
    [S11_VERBS.approve]: async (turn, actor, data) => {
      const r = await s.returns.approve(actor, returnCommandSchema.parse(data).returnId);
      await withNotify(turn, r, r.notify);
      return reply("signoffRequest", r.view);
    },
    [S11_VERBS.sendBack]: async (turn, actor, data) => {
      const r = await s.returns.sendBack(actor, returnCommandSchema.parse(data).returnId, data);
      await withNotify(turn, r, r.notify);
      return reply("signoffRequest", r.view);
    },

    "admin.menu": async (_t, actor) => reply("adminMenu", await s.admin.menu(actor)),
    "admin.cycle.form": async (_t, actor) => reply("cycleForm", await s.admin.cycleForm(actor)),
    "admin.cycle.create": async (_t, actor, data) => {
      const r = await s.admin.createCycle(actor, data);
      return r.view === "cycleForm" ? reply("cycleForm", r.data) : reply("message", r.data);
    },
    "admin.agency.form": async (_t, actor) => reply("agencyForm", await s.admin.agencyForm(actor)),
    "admin.agency.create": async (_t, actor, data) => reply("agencyForm", await s.admin.createAgency(actor, data)),
    "admin.assign.form": async (_t, actor) => reply("assignForm", await s.admin.assignForm(actor)),
    "admin.assign": async (_t, actor, data) => reply("assignForm", await s.admin.assign(actor, data)),
    "admin.assignSelf": async (_t, actor) => reply("message", await s.admin.assignSelf(actor)),
    "admin.status": async (_t, actor) => reply("status", await s.admin.status(actor)),
  };
}
