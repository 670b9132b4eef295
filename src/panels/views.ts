import type { ActionView, ChoiceView, FactView, NoticeView } from "../cards/views";
import type { Shown } from "../cards/text";

/** The admin's form for a challenge panel. */
export interface PanelFormView {
  title: Shown;
  intro: Shown;
  notice?: NoticeView;
  problems: Shown[];
  name: string;
  date: string;
  cycleId: string;
  cycleChoices: ChoiceView[];
  /** One e-mail per line, as typed. */
  members: string;
  /** The chosen agencies, comma-separated (a multi-select's value). */
  agencyIds: string;
  agencyChoices: ChoiceView[];
  /** Which agencies are chosen, in words ("3 of 58 chosen: ..."): a compact multi-select shows little on a phone. */
  chosen: Shown;
  sector: string;
  sectorChoices: ChoiceView[];
  /** "Suggest by sector", just under the sector (above the agencies it fills in). */
  suggestActions: ActionView[];
  actions: ActionView[];
}

/** A panel member's card for one agency: ratings per standard side by side, changes since first submission, open actions. */
export interface PanelAgencyView {
  title: Shown;
  subtitle: Shown;
  notice?: NoticeView;
  standards: FactView[];
  changes: Shown;
  openActions: Shown;
  indicatorId: string;
  indicatorChoices: ChoiceView[];
  actions: ActionView[];
}

/** One indicator for the panel (challenge) or for the agency's lead (answer), with the conversation. */
export interface PanelIndicatorView {
  title: Shown;
  subtitle: Shown;
  notice?: NoticeView;
  facts: FactView[];
  thread: Array<{ line: Shown }>;
  problems: Shown[];
  canChallenge: boolean;
  canAnswer: boolean;
  comment: string;
  moderatedRating: string;
  ratingChoices: ChoiceView[];
  actionText: string;
  actionOwner: string;
  actionDue: string;
  reply: string;
  actions: ActionView[];
}

declare module "../cards/views" {
  interface CardViews {
    panelForm: PanelFormView;
    panelAgency: PanelAgencyView;
    panelIndicator: PanelIndicatorView;
  }
}
