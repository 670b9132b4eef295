import { z } from "zod/v4";
import { md } from "../cards/text";
import { UserFacingError } from "../errors";
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
/** Someone who lost their role since the message was queued gets nothing rather than an error. */
async function asPerson<T>(draw: () => Promise<T>): Promise<T | undefined> {
  try {
    return await draw();
  } catch (e) {
    if (e instanceof UserFacingError && (e.kind === "denied" || e.kind === "not_found")) return undefined;
    throw e;
  }
}

/** The e-mail an officer gets when Teams cannot reach them: no return content, just what to do and where. */
function invitation(p: Record<string, string>, appLink: string) {
  const who = p.requestedBy || "Your agency's safeguarding lead";
  const what = `the Section 11 return of ${p.agencyName || "your agency"}${p.cycleName ? ` (${p.cycleName})` : ""}`;
  const text = `${who} has asked you to sign off ${what}.\n\nOpen Safeguarding Assurance in Microsoft Teams, signed in with this e-mail address, and type "signoffs": ${appLink}\n\nIf you cannot find the app, ask your partnership's business manager.`;
  const esc = (x: string) => x.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
  const html = `<p>${esc(who)} has asked you to sign off ${esc(what)}.</p><p>Open <a href="${esc(appLink)}">Safeguarding Assurance in Microsoft Teams</a>, signed in with this e-mail address, and type <b>signoffs</b>.</p><p>If you cannot find the app, ask your partnership's business manager.</p>`;
  return { subject: "A Section 11 return is waiting for your sign-off", text, html };
}

export function section11Routes(s: { returns: ReturnService; access: AccessService; appLink: string }): FeatureRoutes {
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
          return { reply: reply("signoffRequest", res.view), outbound: res.outbound, redraw: res.redraw };
        },
      }),
      verb({
        verb: S11_VERBS.sendBack,
        input: sendBackSchema,
        run: async (ctx, i) => {
          const res = await r.sendBack(ctx.actor, i.returnId, i.comment ?? "", i.version);
          return { reply: reply("signoffRequest", res.view), outbound: res.outbound, redraw: res.redraw };
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
      [S11_MESSAGES.signoffRequest]: async (to, p, opts) => {
        const email = invitation(p, s.appLink);
        if (to.kind === "email") return { email };
        if (to.kind !== "person") return { skip: "sign-off requests go to people" };
        const card = await asPerson(() => r.signoffCard(to.actor, p.returnId, opts?.refresh ? undefined : { text: md`Please review and sign off this Section 11 return.`, color: "warning" }));
        if (!card) return { skip: "no longer an officer of this agency" };
        return card.open || opts?.refresh ? { reply: reply("signoffRequest", card), email } : { skip: "no longer waiting for sign-off" };
      },
      [S11_MESSAGES.decision]: async (to, p) => {
        if (to.kind !== "person") return { skip: "decisions go to people" };
        const notice = p.decision === "approved" ? { text: md`Your return was signed off by ${p.by ?? "your senior officer"} and submitted.`, color: "good" as const } : { text: md`Your return was sent back by ${p.by ?? "your senior officer"}: see the comment below.`, color: "attention" as const };
        const view = await asPerson(() => r.overview(to.actor, p.returnId, notice));
        return view ? { reply: reply("overview", view) } : { skip: "no longer on this return" };
      },
    },
  };
}

