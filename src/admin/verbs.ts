/**
 * Action.Execute verbs of the partnership admin flow. The card templates (cards/adminMenu.json,
 * cycleForm.json, agencyForm.json, assignForm.json, status.json) and src/bot/verbRoutes.ts use
 * the same strings.
 */
export const ADMIN_VERBS = {
  menu: "admin.menu",
  cycleForm: "admin.cycle.form",
  createCycle: "admin.cycle.create",
  agencyForm: "admin.agency.form",
  createAgency: "admin.agency.create",
  assignForm: "admin.assign.form",
  assign: "admin.assign",
  /** Local mode only: the actor becomes lead and senior officer of the first agency (alphabetically). */
  assignSelf: "admin.assignSelf",
  status: "admin.status",
} as const;

/** The welcome/help cards' text-command verb: an Action.Submit with `{ verb: "cmd", command }`. */
export const COMMAND_VERB = "cmd";
