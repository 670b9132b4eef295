import { z } from "zod/v4";
import { md } from "../cards/text";
import { reply } from "../cards/reply";
import { verb, type FeatureRoutes, type RouteResult } from "../routes";
import { actionRef, closeInput, cycleRef, listInput, type ActionService } from "./service";
import { ACTION_JOBS, ACTION_MESSAGES, ACTION_VERBS } from "./verbs";

/** The actions feature: `actions` in personal chat, closing with what was done, the admin's list and export, reminders. */
export function actionRoutes(s: ActionService): FeatureRoutes {
  return {
    commands: [{ name: "actions", aliases: ["my actions"], run: async (ctx) => s.mine(ctx.actor) }],
    verbs: [
      verb({ verb: ACTION_VERBS.mine, input: z.object({}), run: async (ctx) => s.mine(ctx.actor) }),
      verb({ verb: ACTION_VERBS.closeForm, input: actionRef, run: async (ctx, i) => reply("actionClose", await s.closeForm(ctx.actor, i.returnId, i.actionId)) }),
      verb({ verb: ACTION_VERBS.close, input: closeInput, run: async (ctx, i) => reply("actionClose", await s.close(ctx.actor, i)) }),
      verb({ verb: ACTION_VERBS.admin, input: listInput, run: async (ctx, i) => s.adminList(ctx.actor, i) }),
      verb({ verb: ACTION_VERBS.sweepNow, input: z.object({}), run: async (ctx) => s.sweepNow(ctx.actor) }),
      verb({
        verb: ACTION_VERBS.export,
        input: cycleRef,
        run: async (ctx, i): Promise<RouteResult> => {
          const { file, cycle, rows } = await s.exportCsv(ctx.actor, i);
          return { reply: await s.adminList(ctx.actor, { cycleId: cycle.cycleId }, { text: md`${file.name} (${rows} actions) is ready: accept the file card below to save it to your OneDrive.`, color: "good" }), file };
        },
      }),
    ],
    messages: { [ACTION_MESSAGES.reminder]: s.reminder },
    jobs: { [ACTION_JOBS.sweep]: async () => s.sweep() },
  };
}
