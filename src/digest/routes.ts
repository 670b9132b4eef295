import { z } from "zod/v4";
import { md, text } from "../cards/text";
import { UserFacingError } from "../errors";
import { messageReply, reply, type Reply } from "../cards/reply";
import { verb, type FeatureRoutes, type RouteContext, type RouteResult } from "../routes";
import { channelRef, drillInput, exportFileInput, exportFormats, settingsInput } from "./inputs";
import type { DigestService } from "./service";
import { DIGEST_JOB, DIGEST_MESSAGES, DIGEST_VERBS } from "./verbs";
import "./views";

/**
 * The digest feature's commands, verbs, outgoing messages and scheduled job. In a channel the
 * channel is the place the turn came from (never card data); in personal chat only admins act on
 * registered channels, named by the card and looked up again.
 */
const BOTH = ["channel", "personal"] as const;

export function digestRoutes(s: DigestService): FeatureRoutes {
  const settingsOrList = async (ctx: RouteContext, notice?: Parameters<DigestService["registrations"]["channels"]>[1]): Promise<Reply> =>
    ctx.place.scope === "channel" ? reply("digestSettings", await s.registrations.settingsForm(ctx, {}, notice)) : reply("digestChannels", await s.registrations.channels(ctx.actor, notice));

  return {
    commands: [
      {
        name: "digest",
        scopes: BOTH,
        run: async (ctx) => {
          if (ctx.place.scope === "personal") {
            try {
              return reply("digestChannels", await s.registrations.channels(ctx.actor));
            } catch (e) {
              // Only "not an admin" becomes the pointer to the channel; a storage fault is reported as one.
              if (!(e instanceof UserFacingError && e.kind === "denied")) throw e;
              return messageReply("Digests are posted in channels", md`The Section 11 digest goes to your Executive's channel. Type **digest** there to see the latest figures, or ask your partnership's business manager.`);
            }
          }
          const r = await s.posting.digestHere(ctx);
          if ("digest" in r) return reply("digest", r.digest);
          if ("settings" in r) return reply("digestSettings", r.settings);
          return messageReply("Not registered for digests", r.message);
        },
      },
      { name: "digest settings", aliases: ["digest setup", "digest register"], scopes: BOTH, run: async (ctx) => settingsOrList(ctx) },
    ],
    verbs: [
      verb({ verb: DIGEST_VERBS.view, input: channelRef, scopes: BOTH, run: async (ctx, i) => reply("digest", await s.posting.preview(ctx, i)) }),
      verb({ verb: DIGEST_VERBS.standard, input: drillInput, scopes: BOTH, run: async (ctx, i) => reply("digestDetail", await s.drill(ctx, "standard", i)) }),
      verb({ verb: DIGEST_VERBS.sector, input: drillInput, scopes: BOTH, run: async (ctx, i) => reply("digestDetail", await s.drill(ctx, "sector", i)) }),
      verb({ verb: DIGEST_VERBS.agency, input: drillInput, scopes: BOTH, run: async (ctx, i) => reply("digestDetail", await s.drill(ctx, "agency", i)) }),
      verb({
        verb: DIGEST_VERBS.export,
        input: channelRef,
        scopes: BOTH,
        run: async (ctx, i): Promise<RouteResult> => {
          const r = await s.exporting.requestExport(ctx, i);
          const buttons = (data: Record<string, string>) => exportFormats.map((f) => ({ title: f.title, verb: DIGEST_VERBS.exportFile, data: { ...data, format: f.format } }));
          if (!r.grant) return messageReply("Export the digest", md`Choose a file: it is offered here for you to save to your OneDrive.`, "default", { actions: buttons(r.data) });
          return {
            reply: messageReply("Sent to you privately", md`The export is waiting in your personal chat with Safeguarding Assurance: choose Excel or CSV there and save it to your OneDrive. Nobody else in the channel sees it.`, "good"),
            outbound: [{ purpose: `digest.export|${r.grant}`, kind: DIGEST_MESSAGES.exportReady, params: { grant: r.grant }, to: [{ ...ctx.actor.principal, name: ctx.actor.name }] }],
          };
        },
      }),
      verb({
        verb: DIGEST_VERBS.exportFile,
        input: exportFileInput,
        run: async (ctx, i): Promise<RouteResult> => {
          const file = await s.exporting.exportFile(ctx.actor, i);
          return { reply: messageReply("Your export", md`${file.name} is ready: accept the file card below to save it to your OneDrive.`, "good"), file };
        },
      }),
      verb({ verb: DIGEST_VERBS.settings, input: channelRef, scopes: BOTH, run: async (ctx, i) => reply("digestSettings", await s.registrations.settingsForm(ctx, i)) }),
      verb({ verb: DIGEST_VERBS.save, input: settingsInput, scopes: BOTH, run: async (ctx, i) => reply("digestSettings", await s.registrations.save(ctx, i)) }),
      verb({ verb: DIGEST_VERBS.pause, input: channelRef, scopes: BOTH, run: async (ctx, i) => settingsOrList(ctx, (await s.registrations.setPaused(ctx, i, true)).notice) }),
      verb({ verb: DIGEST_VERBS.resume, input: channelRef, scopes: BOTH, run: async (ctx, i) => settingsOrList(ctx, (await s.registrations.setPaused(ctx, i, false)).notice) }),
      verb({
        verb: DIGEST_VERBS.remove,
        input: channelRef,
        scopes: BOTH,
        run: async (ctx, i) => {
          const notice = await s.registrations.remove(ctx, i);
          return ctx.place.scope === "channel" ? messageReply("Digests stopped", notice.text, "good") : reply("digestChannels", await s.registrations.channels(ctx.actor, notice));
        },
      }),
      verb({ verb: DIGEST_VERBS.postNow, input: channelRef, run: async (ctx, i) => reply("digestChannels", await s.registrations.channels(ctx.actor, await s.posting.postNow(ctx, i))) }),
      verb({ verb: DIGEST_VERBS.channels, input: z.object({}), run: async (ctx) => reply("digestChannels", await s.registrations.channels(ctx.actor)) }),
    ],
    messages: {
      [DIGEST_MESSAGES.post]: async (to, p) => {
        if (to.kind !== "channel") return { skip: "digests go to channels" };
        const period = String(p.period ?? "");
        const view = await s.posting.postedCard(to, period);
        return "skip" in view ? view : { reply: reply("digest", view) };
      },
      [DIGEST_MESSAGES.failed]: async (to, p) => {
        if (to.kind !== "person") return { skip: "notices go to the admin" };
        return { reply: messageReply("A digest could not be prepared", md`The Section 11 digest due on ${String(p.period ?? "")} could not be prepared: the audit store did not answer after several tries. The next one is scheduled as usual; type **digest** in personal chat to post one now.`, "warning") };
      },
      [DIGEST_MESSAGES.exportReady]: async (to, p) => {
        if (to.kind !== "person") return { skip: "exports go to the person who asked" };
        const grant = String(p.grant ?? "");
        return {
          reply: messageReply("Your Section 11 export", text("Choose the file you want; it is offered here for you to save to your OneDrive. The link works for 24 hours."), "default", {
            actions: exportFormats.map((f) => ({ title: f.title, verb: DIGEST_VERBS.exportFile, data: { grant, format: f.format } })),
          }),
        };
      },
    },
    jobs: { [DIGEST_JOB]: s.posting.runJob },
  };
}
