/** Card verbs of the partnership admin flow; the card templates use the same strings. */
export const ADMIN_VERBS = {
  menu: "admin.menu",
  cycleForm: "admin.cycle.form",
  createCycle: "admin.cycle.create",
  cycles: "admin.cycles",
  closeCycle: "admin.cycle.close",
  reopenCycle: "admin.cycle.reopen",
  agencyForm: "admin.agency.form",
  createAgency: "admin.agency.create",
  agencyPeople: "admin.agency.people",
  assignForm: "admin.assign.form",
  assign: "admin.assign",
  removePerson: "admin.person.remove",
  /** Local mode only: the actor becomes lead and senior officer of a demo agency. */
  assignSelf: "admin.assignSelf",
  status: "admin.status",
  statusExport: "admin.status.export",
  settings: "admin.settings",
  saveSettings: "admin.settings.save",
} as const;

export { COMMAND_VERB } from "../routes";
