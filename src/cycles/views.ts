import type { ActionView, ChoiceView, FactView, NoticeView, TextColor } from "../cards/views";
import type { Shown } from "../cards/text";

/** One agency's ratings per standard in two cycles (cards/comparison.json), personal chat only. */
export interface ComparisonView {
  title: Shown;
  subtitle: Shown;
  notice?: NoticeView;
  /** Admins (any agency) and people of several agencies pick one; empty otherwise. */
  agencyChoices: ChoiceView[];
  agencyId: string;
  facts: FactView[];
  standards: Array<{ title: Shown; line: Shown; color: TextColor }>;
  rule: Shown;
  actions: ActionView[];
}

declare module "../cards/views" {
  interface CardViews {
    comparison: ComparisonView;
  }
}
