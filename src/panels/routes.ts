import { z } from "zod/v4";
import { md } from "../cards/text";
import { reply } from "../cards/reply";
import { UserFacingError } from "../errors";
import { cardEtag } from "../storage/cardEtag";
import { verb, type FeatureRoutes, type MessageBuilder, type RouteResult } from "../routes";
import { agencyRef, answerInput, challengeInput, indicatorInput, leadRef, panelFormInput, panelIdSchema, panelRef, suggestInput, type PanelService } from "./service";
import { PANEL_MESSAGES, PANEL_VERBS } from "./verbs";

const challengedParams = z.object({ returnId: z.string(), indicatorId: z.string(), panelName: z.string().catch("") });
const answeredParams = z.object({ panelId: z.string(), returnId: z.string(), indicatorId: z.string(), by: z.string().catch("") });

/** Someone who lost their role since the message was queued gets nothing rather than an error. */
async function orSkip<T>(draw: () => Promise<T>): Promise<T | undefined> {
  try {
    return await draw();
  } catch (e) {
    if (e instanceof UserFacingError && (e.kind === "denied" || e.kind === "not_found")) return undefined;
    throw e;
  }
}

/** The challenge panels: `panels` in personal chat, the admin's form, the members' read-only view and challenges, the lead's answers. Personal chat only. */
export function panelRoutes(s: PanelService, appLink: string): FeatureRoutes {
  // Drawn when sent: to a lead of the return only, showing the conversation as it is then.
  const challenged: MessageBuilder = async (to, raw) => {
    const p = challengedParams.safeParse(raw);
    if (!p.success) return { skip: "malformed" };
    const email = {
      subject: "A challenge panel has commented on your Section 11 return",
      text: `A challenge panel has commented on indicator ${p.data.indicatorId} of your agency's Section 11 return and is waiting for your answer.\n\nOpen Safeguarding Assurance in Microsoft Teams, signed in with this e-mail address, and type "panels": ${appLink}`,
      html: `<p>A challenge panel has commented on indicator ${p.data.indicatorId.replace(/[^A-Za-z0-9._-]/g, "")} of your agency's Section 11 return and is waiting for your answer.</p><p>Open <a href="${appLink.replace(/"/g, "&quot;")}">Safeguarding Assurance in Microsoft Teams</a>, signed in with this e-mail address, and type <b>panels</b>.</p>`,
    };
    if (to.kind === "email") return { email };
    if (to.kind !== "person") return { skip: "challenges go to people" };
    const view = await orSkip(() => s.leadView(to.actor, p.data.returnId, p.data.indicatorId, { notice: { text: md`A challenge panel has challenged this indicator. Accept it, reply, or update your answer; the panel sees your answer in its chat.`, color: "warning" } }));
    return view ? { reply: reply("panelIndicator", view), email } : { skip: "no longer on this return" };
  };
  // Drawn when sent: to a member of the panel only.
  const answered: MessageBuilder = async (to, raw) => {
    const p = answeredParams.safeParse(raw);
    if (!p.success || to.kind !== "person") return { skip: "answers go to panel members" };
    const view = await orSkip(() => s.indicator(to.actor, { panelId: p.data.panelId, returnId: p.data.returnId, indicatorId: p.data.indicatorId }, { notice: { text: md`${p.data.by || "The agency's lead"} answered the panel's challenge: see the conversation below.`, color: "good" } }));
    return view ? { reply: reply("panelIndicator", view) } : { skip: "no longer a member of the panel" };
  };

  return {
    commands: [{ name: "panels", aliases: ["panel", "challenge panels"], run: async (ctx) => s.home(ctx.actor) }],
    verbs: [
      verb({ verb: PANEL_VERBS.home, input: z.object({}), run: async (ctx) => s.home(ctx.actor) }),
      verb({ verb: PANEL_VERBS.form, input: z.object({}), run: async (ctx) => reply("panelForm", await s.form(ctx.actor)) }),
      verb({ verb: PANEL_VERBS.suggest, input: suggestInput, run: async (ctx, i) => reply("panelForm", await s.suggest(ctx.actor, i)) }),
      verb({
        verb: PANEL_VERBS.create,
        input: panelFormInput,
        run: async (ctx, i): Promise<RouteResult> => {
          const r = await s.create(ctx.actor, i);
          return r.created ? r.reply : reply("panelForm", r.view);
        },
      }),
      verb({ verb: PANEL_VERBS.edit, input: panelRef, run: async (ctx, i) => reply("panelForm", await s.editForm(ctx.actor, i.panelId)) }),
      verb({
        verb: PANEL_VERBS.save,
        input: panelFormInput.extend({ panelId: panelIdSchema, etag: cardEtag }),
        run: async (ctx, i): Promise<RouteResult> => {
          const r = await s.save(ctx.actor, i.panelId, i, i.etag);
          return r.saved ? r.reply : reply("panelForm", r.view);
        },
      }),
      verb({ verb: PANEL_VERBS.deleteAsk, input: panelRef, run: async (ctx, i) => s.deleteAsk(ctx.actor, i.panelId) }),
      verb({ verb: PANEL_VERBS.delete, input: panelRef.extend({ etag: cardEtag }), run: async (ctx, i) => s.delete(ctx.actor, i.panelId, i.etag) }),
      verb({
        verb: PANEL_VERBS.export,
        input: panelRef,
        run: async (ctx, i): Promise<RouteResult> => {
          const { file, rows } = await s.exportCsv(ctx.actor, i.panelId);
          return { reply: await s.view(ctx.actor, i.panelId, { text: md`${file.name} (${rows} rows) is ready: accept the file card below to save it to your OneDrive.`, color: "good" }), file };
        },
      }),
      verb({ verb: PANEL_VERBS.view, input: panelRef, run: async (ctx, i) => s.view(ctx.actor, i.panelId) }),
      verb({ verb: PANEL_VERBS.agency, input: agencyRef, run: async (ctx, i) => reply("panelAgency", await s.agency(ctx.actor, i.panelId, i.returnId)) }),
      verb({ verb: PANEL_VERBS.indicator, input: indicatorInput, run: async (ctx, i) => reply("panelIndicator", await s.indicator(ctx.actor, i)) }),
      verb({
        verb: PANEL_VERBS.challenge,
        input: challengeInput,
        run: async (ctx, i) => {
          const r = await s.challenge(ctx.actor, i);
          return { reply: reply("panelIndicator", r.view), outbound: r.outbound };
        },
      }),
      verb({ verb: PANEL_VERBS.lead, input: leadRef, run: async (ctx, i) => reply("panelIndicator", await s.leadView(ctx.actor, i.returnId, i.indicatorId)) }),
      verb({
        verb: PANEL_VERBS.answer,
        input: answerInput,
        run: async (ctx, i) => {
          const r = await s.answer(ctx.actor, i);
          return { reply: reply("panelIndicator", r.view), outbound: r.outbound };
        },
      }),
    ],
    messages: { [PANEL_MESSAGES.challenged]: challenged, [PANEL_MESSAGES.answered]: answered },
  };
}
