import type { ActionView, ChoiceView, FactView, NoticeView } from "../cards/views";
import type { Shown } from "../cards/text";

/** The card that closes an action: what the action is, and what was done (required). */
export interface ActionCloseView {
  title: Shown;
  intro: Shown;
  notice?: NoticeView;
  facts: FactView[];
  /** False once the action is done (or the person may only read it): no input, the evidence shows as a fact. */
  editable: boolean;
  /** What was typed, kept when something is wrong. */
  evidence: string;
  evidenceProblem: Shown;
  maxLength: number;
  actions: ActionView[];
}

declare module "../cards/views" {
  interface CardViews {
    actionClose: ActionCloseView;
    actionList: ActionListView;
  }
}

/** The admin's list of every open action of a cycle: overdue first, filtered by agency and standard, a page at a time. */
export interface ActionListView {
  title: Shown;
  color: NoticeView["color"];
  intro: Shown;
  notice?: NoticeView;
  /** The chosen agency id ("*" for every agency) and the choices (the first is "Every agency"). */
  agency: string;
  agencyChoices: ChoiceView[];
  standard: string;
  standardChoices: ChoiceView[];
  /** The "Show" button: the cycle in its data, the filters from the inputs, back to page 1. */
  filterActions: ActionView[];
  /** "Showing 41 to 80 of 412 open actions (page 2 of 11)". */
  shown: Shown;
  facts: FactView[];
  /** Previous / Next, carrying the filters in their data (they read no inputs). */
  pager: ActionView[];
  actions: ActionView[];
}
