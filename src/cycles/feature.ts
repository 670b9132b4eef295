import { z } from "zod/v4";
import { reply } from "../cards/reply";
import type { Actor } from "../people/actor";
import { verb, type FeatureRoutes, type Redraw } from "../routes";
import type { CycleAdmin } from "../admin/cycles";
import { requireAdmin } from "../admin/common";
import { signoffCards } from "../section11/returnService";
import { UserFacingError } from "../errors";
import type { Cycle } from "../storage/cyclesRepo";
import { CARRY_DONE_MESSAGE, CarryForward } from "./carryForward";
import { compareInput, CycleComparison } from "./comparison";
import type { CycleDeps } from "./deps";
import { CYCLE_VERBS } from "./verbs";
import "./views";

/** How long the admin's button waits for carry forward before answering with its progress (Teams gives a card action about 5 s). */
export const CARRY_BUDGET_MS = 2_500;

/**
 * The next cycle (docs/cycles.md): carry forward from the previous cycle when one opens (the
 * previous one is closed, read only), its progress for the admin, and the comparison between
 * cycles per agency and standard.
 */
export function cyclesFeature(d: CycleDeps, cycleAdmin: CycleAdmin) {
  const carry = new CarryForward(d);
  const comparison = new CycleComparison(d);

  /** Opening a cycle carried from another: close that one (pending sign-offs withdrawn), then carry what fits in the answer's time. */
  cycleAdmin.hooks.carry = async (actor: Actor, cycle: Cycle) => {
    const previous = await d.cycles.get(cycle.carriedFrom!);
    let redraw: Redraw[] = [];
    if (previous && previous.status !== "closed") redraw = (await cycleAdmin.close(actor, previous.cycleId)).withdrawn.map((w) => signoffCards(w.returnId, w.requestSeq));
    const progress = await carry.start(cycle.cycleId, CARRY_BUDGET_MS, { ...actor.principal, name: actor.name });
    if (!progress) throw new Error("carry forward found no cycle to carry from");
    return { view: carry.progressView(progress, { closedPrevious: previous?.name }), redraw };
  };

  const routes: FeatureRoutes = {
    commands: [
      { name: "compare", aliases: ["comparison"], run: async (ctx) => reply("comparison", await comparison.view(ctx.actor, {})) },
    ],
    verbs: [
      verb({ verb: CYCLE_VERBS.compare, input: compareInput, run: async (ctx, i) => reply("comparison", await comparison.view(ctx.actor, i, { pressed: true })) }),
      verb({
        verb: CYCLE_VERBS.carryProgress,
        input: z.object({ cycleId: z.string().min(1).max(120) }),
        run: async (ctx, i) => {
          await requireAdmin(d, ctx.actor);
          const progress = await carry.run(i.cycleId, new Date(Date.now() + CARRY_BUDGET_MS));
          if (!progress) throw new UserFacingError("That cycle was not opened with carry forward (or does not exist).", "not_found");
          return reply("message", carry.progressView(progress));
        },
      }),
    ],
    jobs: carry.jobs,
    messages: {
      // Drawn when sent: still an admin, and the progress as it is then.
      [CARRY_DONE_MESSAGE]: async (to, p) => {
        if (to.kind !== "person") return { skip: "carry forward progress goes to the admin who opened the cycle" };
        if (!(await d.access.isAdmin(to.actor))) return { skip: "no longer an admin" };
        const progress = await carry.run(String(p.cycleId ?? "").slice(0, 120), new Date(0));
        return progress ? { reply: reply("message", carry.progressView(progress)) } : { skip: "the cycle is gone" };
      },
    },
  };
  return { routes, carry, comparison };
}
