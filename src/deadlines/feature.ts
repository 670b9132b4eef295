import { md } from "../cards/text";
import { messageReply, reply } from "../cards/reply";
import { requireAdmin } from "../admin/common";
import { ADMIN_VERBS } from "../admin/verbs";
import { verb, type FeatureRoutes } from "../routes";
import { DeadlineAdmin, deadlineRef, demoInput, extendInput, remindersInput } from "./admin";
import type { DeadlineDeps } from "./deps";
import { deadlineMessages } from "./messages";
import { DeadlineReminders } from "./reminders";
import { DEADLINE_VERBS } from "./verbs";
import "./views";

/**
 * Deadlines of Section 11 cycles (docs/deadlines.md): reminders to the leads of agencies that have
 * not submitted, D-n days before their deadline, as a stored job per cycle; extensions for every
 * agency or one, with every lead concerned told. Admin verbs, personal chat only.
 */
export function deadlinesFeature(d: DeadlineDeps, appLink: string) {
  const reminders = new DeadlineReminders(d);
  const admin = new DeadlineAdmin(d, reminders);
  const routes: FeatureRoutes = {
    commands: [
      {
        name: "deadlines",
        aliases: ["deadline"],
        run: async (ctx) => {
          await requireAdmin(d, ctx.actor);
          const open = await d.cycles.listOpen();
          if (!open.length) return messageReply("No open cycle", "Open a cycle first: its deadline and reminders are set there.", "warning", { actions: [{ title: "Open a cycle", verb: ADMIN_VERBS.cycleForm, data: {} }] });
          // One open cycle (the usual case): nothing to choose. Otherwise the buttons are the names
          // alone, since the heading says what they open and longer titles are cut off in Teams.
          if (open.length === 1) return reply("deadlineForm", await admin.form(ctx.actor, open[0].cycleId));
          return messageReply(md`Deadline and reminders: choose a cycle`, md`Open cycles:`, "default", { actions: open.map((c) => ({ title: c.name.slice(0, 150), verb: DEADLINE_VERBS.form, data: { cycleId: c.cycleId } })) });
        },
      },
    ],
    verbs: [
      verb({ verb: DEADLINE_VERBS.form, input: deadlineRef, run: async (ctx, i) => reply("deadlineForm", await admin.form(ctx.actor, i.cycleId)) }),
      verb({ verb: DEADLINE_VERBS.extend, input: extendInput, run: async (ctx, i) => reply("deadlineForm", await admin.extend(ctx.actor, i)) }),
      verb({ verb: DEADLINE_VERBS.reminders, input: remindersInput, run: async (ctx, i) => reply("deadlineForm", await admin.setReminderDays(ctx.actor, i)) }),
      verb({ verb: DEADLINE_VERBS.demo, input: demoInput, run: async (ctx, i) => reply("deadlineForm", await admin.demo(ctx.actor, i)) }),
    ],
    messages: deadlineMessages(d, appLink),
    jobs: reminders.jobs,
  };
  return { routes, reminders, admin };
}
