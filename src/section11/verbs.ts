/** Action.Execute verbs of the Section 11 flow; the bot routes each to one handler. */
export const S11_VERBS = {
  overview: "s11.overview",
  step: "s11.step",
  save: "s11.save",
  review: "s11.review",
  requestSignoff: "s11.requestSignoff",
  approve: "s11.approve",
  sendBack: "s11.sendBack",
  /** The sign-off card as it stands now (its refresh action, and "back to the sign-off buttons"). */
  signoffCard: "s11.signoffCard",
  history: "s11.history",
  /** Every answer of one standard, read only (the drill-down of the review and the sign-off). */
  standard: "s11.standard",
  /** The comparison with the previous cycle (src/cycles). */
  compare: "s11.compare",
} as const;

export const NAV = ["next", "back", "overview", "review", "stay"] as const;
export type Nav = (typeof NAV)[number];
