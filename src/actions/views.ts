import type { ActionView, FactView, NoticeView } from "../cards/views";
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
  }
}
