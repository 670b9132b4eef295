import { S11_VERBS } from "../section11/verbs";

/** Card verbs of the next cycle: carry forward (admin) and the comparison between cycles (lead, admin). */
export const CYCLE_VERBS = {
  carryProgress: "admin.cycle.carry",
  compare: S11_VERBS.compare,
} as const;
