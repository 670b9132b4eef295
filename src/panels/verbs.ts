/** The challenge panels' card verbs and message kinds. */
export const PANEL_VERBS = {
  home: "panel.home",
  form: "panel.form",
  suggest: "panel.suggest",
  create: "panel.create",
  edit: "panel.edit",
  save: "panel.save",
  deleteAsk: "panel.deleteAsk",
  delete: "panel.delete",
  view: "panel.view",
  export: "panel.export",
  agency: "panel.agency",
  indicator: "panel.indicator",
  challenge: "panel.challenge",
  lead: "panel.lead",
  answer: "panel.answer",
} as const;

export const PANEL_MESSAGES = { challenged: "panel.challenged", answered: "panel.answered" } as const;
