import type { NoticeView } from "../cards/views";
import { md, text } from "../cards/text";
import type { Actor } from "../people/actor";
import { daysLeftText, formatDate } from "../time";
import { CSV_COLUMNS_TEXT } from "./csvImport";
import { act, covers, plural, requireAdmin, today, type AdminDeps } from "./common";
import { ADMIN_VERBS } from "./verbs";
import { TRAINING_VERBS } from "../training/verbs";
import type { AdminMenuView } from "./views";

export const IMPORT_HINT = md`Send a file in this chat: a .csv registers agencies and their leads in bulk (columns: ${CSV_COLUMNS_TEXT}); a .json loads your partnership's own Section 11 template (format in docs/templates.md).`;

/** The business manager's starting point. */
export class AdminMenu {
  constructor(private readonly deps: AdminDeps) {}

  async view(actor: Actor, notice?: NoticeView): Promise<AdminMenuView> {
    await requireAdmin(this.deps, actor);
    const [cycles, agencies] = await Promise.all([this.deps.cycles.list(), this.deps.agencies.list()]);
    const open = cycles.filter((c) => c.status === "open");
    const cycle = open[0];
    let cycleSummary;
    if (cycle) {
      const headers = await this.deps.returns.listHeaders(cycle.cycleId);
      const submitted = headers.filter((h) => h.status === "submitted").length;
      const covered = agencies.filter((a) => covers(cycle, a)).length;
      cycleSummary = text(
        [
          `${cycle.name}: deadline ${formatDate(cycle.deadline)} (${daysLeftText(cycle.deadline, today(this.deps))})`,
          `${plural(agencies.length, "agency", "agencies")} registered${covered !== agencies.length ? ` (${covered} in this cycle)` : ""}`,
          `${submitted} of ${plural(Math.max(covered, headers.length), "return")} submitted`,
          ...(open.length > 1 ? [`${plural(open.length - 1, "other open cycle")}: see Cycles`] : []),
        ].join(" · "),
      );
    } else {
      cycleSummary = md`No cycle is open. ${plural(agencies.length, "agency", "agencies")} registered. Open a cycle to start the audit.`;
    }
    const actions = [
      act("Open a cycle", ADMIN_VERBS.cycleForm, {}, cycle ? "default" : "positive"),
      act("Register an agency", ADMIN_VERBS.agencyForm),
      act("Add a lead or senior officer", ADMIN_VERBS.assignForm),
      act("Add a training officer", TRAINING_VERBS.officerForm),
      act("Where every agency stands", ADMIN_VERBS.status, {}, cycle ? "positive" : "default"),
      act("Cycles: switch, close or reopen", ADMIN_VERBS.cycles),
      act("Settings", ADMIN_VERBS.settings),
    ];
    // Local mode: one click to try the lead's and senior officer's side in the playground, until done.
    if (this.deps.config.localMode && agencies.length) {
      const mine = await this.deps.access.rolesOf(actor);
      if (!mine.agencies.size) actions.push(act("Make me lead and senior officer of a demo agency", ADMIN_VERBS.assignSelf));
    }
    return { cycleSummary, notice, actions, importHint: IMPORT_HINT };
  }
}
