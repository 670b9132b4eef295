/** The actions feature's card verbs, message kinds and job kinds. */
export const ACTION_VERBS = {
  mine: "act.mine",
  closeForm: "act.closeForm",
  close: "act.close",
  admin: "act.admin",
  export: "act.export",
  sweepNow: "act.sweepNow",
} as const;

export const ACTION_MESSAGES = { reminder: "act.reminder" } as const;
export const ACTION_JOBS = { sweep: "actions.sweep" } as const;
