import type { ActionView, ChoiceView, FactView, NoticeView } from "../cards/views";
import type { Shown } from "../cards/text";

/** The admin's card for a cycle's deadline: extend it (for every agency or one) and set its reminders. */
export interface DeadlineFormView {
  cycleId: string;
  title: Shown;
  notice?: NoticeView;
  problems: Shown[];
  facts: FactView[];
  /** Agencies with a deadline of their own. */
  own: FactView[];
  agencyChoices: ChoiceView[];
  agencyId: string;
  deadline: string;
  reminderDays: string;
  /** Extend, save the reminder days, local mode's "send the D-n reminders now", back. */
  actions: ActionView[];
}

declare module "../cards/views" {
  interface CardViews {
    deadlineForm: DeadlineFormView;
  }
}
