/** Card verbs of the next cycle: carry forward (admin) and the comparison between cycles (lead, admin). */
export const CYCLE_VERBS = {
  carryProgress: "admin.cycle.carry",
  compare: "s11.compare",
} as const;
