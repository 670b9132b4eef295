import type { ActionView, ChoiceView, FactView, NoticeView } from "../cards/views";
import type { Shown } from "../cards/text";

/** The admin's card for a cycle's deadline: extend it (for every agency or one) and set its reminders. */
export interface DeadlineFormView {
  cycleId: string;
  title: Shown;
  notice?: NoticeView;
  problems: Shown[];
  /** The same problems again under the field they are about. */
  deadlineProblems: Shown[];
  reminderProblems: Shown[];
  facts: FactView[];
  /** Agencies with a deadline of their own. */
  own: FactView[];
  agencyChoices: ChoiceView[];
  agencyId: string;
  deadline: string;
  reminderDays: string;
  /** Under the new date: extend. */
  extendActions: ActionView[];
  /** Under the reminder days: save them. */
  reminderActions: ActionView[];
  /** Local mode's "send the D-n round now", with a line saying what they are for. */
  demoActions: ActionView[];
  /** Back to the cycles, the admin menu. */
  actions: ActionView[];
}

declare module "../cards/views" {
  interface CardViews {
    deadlineForm: DeadlineFormView;
  }
}
