import { z } from "zod/v4";
import { md } from "../cards/text";
import { messageReply, reply, type Reply } from "../cards/reply";
import type { Actor } from "../people/actor";
import type { AccessService } from "../people/accessService";
import { verb, type FeatureRoutes, type RouteResult } from "../routes";
import { historyView } from "./historyView";
import { isStorageOutage } from "../storage/errors";
import { columnsOf, normaliseAnswerInput } from "./answer";
import { describeAnswer } from "./returnViews";
import { requestSignoffSchema, returnCommandSchema, returnIdSchema, S11_MESSAGES, saveCommandSchema, sendBackSchema, standardCommandSchema, stepCommandSchema, type ReturnService } from "./returnService";
import { S11_VERBS } from "./verbs";

/**
 * The Section 11 feature's verbs, commands and outgoing messages. Every id in a payload is only a
 * pointer: the service re-checks it against the actor's stored access before reading or writing.
 */
export function section11Routes(s: { returns: ReturnService; access: AccessService }): FeatureRoutes {
  const r = s.returns;

  const chooseReturn = async (actor: Actor, show: "overview" | "step" | "review"): Promise<Reply> => {
    const mine = (await r.returnsFor(actor)).filter((m) => m.roles.includes("lead") || m.roles.includes("officer"));
    if (!mine.length) {
      return messageReply(
        "No return for you yet",
        "You are not registered as a safeguarding lead or senior officer of an agency in an open Section 11 cycle. If you should be, ask your partnership's business manager to add you with the e-mail address you use in Teams.",
        "warning",
      );
    }
    if (mine.length === 1) {
      const only = mine[0].returnId;
      if (show === "step") return reply("indicatorStep", await r.step(actor, only));
      if (show === "review") return reply("review", await r.review(actor, only));
      return reply("overview", await r.overview(actor, only));
    }
    const verbFor = { overview: S11_VERBS.overview, step: S11_VERBS.step, review: S11_VERBS.review }[show];
    return messageReply("Which return?", "You work on more than one return. Pick one:", "default", {
      actions: mine.map((m) => ({ title: `${m.agencyName} (${m.cycle.name})`, verb: verbFor, data: { returnId: m.returnId } })),
    });
  };

  const signoffs = async (actor: Actor): Promise<Reply> => {
    const mine = (await r.returnsFor(actor)).filter((m) => m.roles.includes("officer"));
    for (const m of mine) {
      const card = await r.signoffCard(actor, m.returnId);
      if (card.open) return reply("signoffRequest", card);
    }
    return messageReply("Nothing to sign off", mine.length ? "No return of your agency is waiting for your sign-off." : "You are not registered as a senior officer of an agency.");
  };

  return {
    commands: [
      { name: "audit", aliases: ["overview"], run: async (ctx) => chooseReturn(ctx.actor, "overview") },
      { name: "continue", aliases: ["resume"], run: async (ctx) => chooseReturn(ctx.actor, "step") },
      { name: "review", run: async (ctx) => chooseReturn(ctx.actor, "review") },
      { name: "signoffs", aliases: ["sign off", "signoff"], run: async (ctx) => signoffs(ctx.actor) },
    ],
    verbs: [
      verb({ verb: S11_VERBS.overview, input: returnCommandSchema, run: async (ctx, i) => reply("overview", await r.overview(ctx.actor, i.returnId)) }),
      verb({ verb: S11_VERBS.step, input: stepCommandSchema, run: async (ctx, i) => reply("indicatorStep", await r.step(ctx.actor, i.returnId, i.indicatorId || undefined, { rating: i.rating, returnTo: i.returnTo })) }),
      verb({ verb: S11_VERBS.standard, input: standardCommandSchema, run: async (ctx, i) => reply("standardAnswers", await r.standardAnswers(ctx.actor, i.returnId, i.standard, i.from)) }),
      verb({
        verb: S11_VERBS.save,
        input: saveCommandSchema,
        run: async (ctx, i): Promise<RouteResult> => {
          try {
            const view = await r.save(ctx.actor, i);
            return "question" in view ? reply("indicatorStep", view) : "canRequestSignoff" in view ? reply("review", view) : reply("overview", view);
          } catch (e) {
            if (!isStorageOutage(e)) throw e;
            // Keep what they typed: show it, and offer a retry that carries it in the action's data.
            const typed = normaliseAnswerInput(i as unknown as Record<string, unknown>, "0000-00-00").answer;
            const retry: Record<string, string> = { returnId: i.returnId, indicatorId: i.indicatorId, etag: i.etag, answerDigest: i.answerDigest, storedDue: i.storedDue, then: i.then, ...(i.returnTo ? { returnTo: i.returnTo } : {}), ...columnsOf(typed) };
            return messageReply(md`Not saved: the audit store did not answer`, md`Your answer to ${i.indicatorId} is below and has not been lost. Press "Try again" in a minute.\n\n${describeAnswer(typed)}`, "attention", {
              actions: [{ title: "Try again", verb: S11_VERBS.save, data: retry, style: "positive" }],
            });
          }
        },
      }),
      verb({ verb: S11_VERBS.review, input: returnCommandSchema, run: async (ctx, i) => reply("review", await r.review(ctx.actor, i.returnId)) }),
      verb({
        verb: S11_VERBS.requestSignoff,
        input: requestSignoffSchema,
        run: async (ctx, i) => {
          const res = await r.requestSignoff(ctx.actor, i.returnId, i.substituteContact ?? "");
          return { reply: reply("review", res.view), outbound: res.outbound };
        },
      }),
      verb({ verb: S11_VERBS.signoffCard, input: returnCommandSchema, run: async (ctx, i) => reply("signoffRequest", await r.signoffCard(ctx.actor, i.returnId)) }),
      verb({
        verb: S11_VERBS.approve,
        input: returnCommandSchema,
        run: async (ctx, i) => {
          const res = await r.approve(ctx.actor, i.returnId, i.version);
          return { reply: reply("signoffRequest", res.view), outbound: res.outbound };
        },
      }),
      verb({
        verb: S11_VERBS.sendBack,
        input: sendBackSchema,
        run: async (ctx, i) => {
          const res = await r.sendBack(ctx.actor, i.returnId, i.comment ?? "", i.version);
          return { reply: reply("signoffRequest", res.view), outbound: res.outbound };
        },
      }),
      verb({
        verb: S11_VERBS.history,
        input: z.object({ returnId: returnIdSchema, indicatorId: z.string().min(1).max(40) }),
        run: async (ctx, i) => {
          const { opened, entries } = await r.history(ctx.actor, i.returnId, i.indicatorId);
          const d = r.describe(opened, i.indicatorId);
          return reply("history", historyView({ ...d, indicatorId: i.indicatorId, returnId: i.returnId }, entries, { title: "Back to the overview", verb: S11_VERBS.overview, data: { returnId: i.returnId } }));
        },
      }),
    ],
    messages: {
      // Drawn for each officer when it is sent: their rights are checked, and the card shows the return as it is then.
      [S11_MESSAGES.signoffRequest]: async (to, p) => {
        const card = await r.signoffCard(to, p.returnId, { text: md`Please review and sign off this Section 11 return.`, color: "warning" });
        return card.open ? reply("signoffRequest", card) : { skip: "no longer waiting for sign-off" };
      },
      [S11_MESSAGES.decision]: async (to, p) => {
        const notice = p.decision === "approved" ? { text: md`Your return was signed off by ${p.by ?? "your senior officer"} and submitted.`, color: "good" as const } : { text: md`Your return was sent back by ${p.by ?? "your senior officer"}: see the comment below.`, color: "attention" as const };
        return reply("overview", await r.overview(to, p.returnId, notice));
      },
    },
  };
}

