/**
 * Typed view models, one per card template in cards/. The domain builds these; src/cards binds
 * them to the JSON templates. Strings here are shown as they are: card templates must never put
 * user-supplied text where markdown is interpreted without it being escaped (see escapeMarkdown).
 */

/** A button that runs an Action.Execute verb with the minimum data the server needs. */
export interface ActionView {
  title: string;
  verb: string;
  data: Record<string, string>;
  /**
   * "execute" (default): Action.Execute, the card is replaced in place by the bot's answer.
   * "submit": Action.Submit with `{ verb, ...data }`, arriving as a message with a value; the
   * bot answers with a new message (used on welcome and help cards, which should stay put).
   */
  kind?: "execute" | "submit";
  /** "positive" for the main action, "default" otherwise. */
  style?: "positive" | "default" | "destructive";
}

/** A line of feedback at the top of a card: saved, a problem, a conflict. */
export interface NoticeView {
  text: string;
  /** Adaptive Card text colour: "good" (green), "warning" (amber), "attention" (red), "default". */
  color: "good" | "warning" | "attention" | "default";
}

export interface WelcomeView {
  name: string;
  intro: string;
  roles: Array<{ label: string; detail: string }>;
  actions: ActionView[];
  /** Shown only in local mode: how to try every role in the playground. */
  localHint?: string;
}

export interface HelpView {
  /** Why help is shown, when it answers something the bot did not understand. */
  intro?: string;
  commands: Array<{ command: string; description: string }>;
}

export interface OverviewStandardView {
  number: string;
  title: string;
  progressText: string;
  /** "good" when every indicator is answered, "warning" when some are, "default" when none. */
  color: "good" | "warning" | "default";
  open: ActionView;
}

export interface OverviewView {
  agencyName: string;
  cycleName: string;
  deadlineText: string;
  statusLabel: string;
  statusColor: "good" | "warning" | "attention" | "default";
  progressText: string;
  notice?: NoticeView;
  standards: OverviewStandardView[];
  actions: ActionView[];
}

export interface ChoiceView {
  title: string;
  value: string;
}

export interface IndicatorStepView {
  /** Echoed back by every action so the server can find the row and detect a stale card. */
  returnId: string;
  indicatorId: string;
  etag: string;
  agencyName: string;
  standardLabel: string;
  positionLabel: string;
  question: string;
  guidance: string;
  ratingChoices: ChoiceView[];
  rating: string;
  evidence: string;
  naReason: string;
  actionText: string;
  actionOwner: string;
  actionDue: string;
  limits: { evidence: number; naReason: number; actionText: number; actionOwner: number };
  notice?: NoticeView;
  problems: string[];
  lastChangedText: string;
  /** When someone else's newer answer replaced the user's: what the user had typed, to copy back. */
  yourVersion?: string;
  readOnly: boolean;
  actions: ActionView[];
}

export interface ReviewStandardView {
  number: string;
  title: string;
  fully: number;
  partially: number;
  not: number;
  na: number;
  missing: number;
  summaryText: string;
}

export interface ReviewView {
  returnId: string;
  agencyName: string;
  cycleName: string;
  statusLabel: string;
  statusColor: "good" | "warning" | "attention" | "default";
  totalsText: string;
  standards: ReviewStandardView[];
  incomplete: Array<{ label: string; open: ActionView }>;
  moreIncompleteText: string;
  notice?: NoticeView;
  /** Shown when the return can be sent for sign-off. */
  canRequestSignoff: boolean;
  substituteContact: string;
  actions: ActionView[];
}

export interface SignoffRequestView {
  returnId: string;
  agencyName: string;
  cycleName: string;
  requestedBy: string;
  requestedAtText: string;
  substituteContact: string;
  totalsText: string;
  standards: ReviewStandardView[];
  isUpdate: boolean;
  notice?: NoticeView;
  comment: string;
  /** False once decided: the card then shows the outcome without buttons. */
  open: boolean;
  actions: ActionView[];
}

export interface MessageView {
  title: string;
  text: string;
  color: "good" | "warning" | "attention" | "default";
  facts: Array<{ title: string; value: string }>;
  actions: ActionView[];
}

export interface AdminMenuView {
  cycleSummary: string;
  notice?: NoticeView;
  actions: ActionView[];
  /** How to register agencies in bulk (send a CSV, with its columns). */
  importHint: string;
}

export interface CycleFormView {
  name: string;
  deadline: string;
  partnerships: string;
  templateChoices: ChoiceView[];
  templateId: string;
  problems: string[];
}

export interface AgencyFormView {
  name: string;
  sector: string;
  sectorChoices: ChoiceView[];
  partnerships: string;
  /** Optional: the agency's Microsoft 365 tenant id. */
  tenantId: string;
  problems: string[];
  notice?: NoticeView;
}

export interface AssignFormView {
  agencyChoices: ChoiceView[];
  agencyId: string;
  role: string;
  roleChoices: ChoiceView[];
  email: string;
  personName: string;
  problems: string[];
  notice?: NoticeView;
}

export interface StatusRowView {
  agencyName: string;
  sectorLabel: string;
  statusLabel: string;
  color: "good" | "warning" | "attention" | "default";
  progressText: string;
}

export interface StatusView {
  cycleName: string;
  deadlineText: string;
  countsText: string;
  rows: StatusRowView[];
  moreText: string;
  actions: ActionView[];
}

export interface ImportReportView {
  title: string;
  summaryText: string;
  color: "good" | "warning" | "attention";
  rejected: Array<{ line: string; reason: string }>;
  moreText: string;
}

/** The map from template file name (cards/<name>.json) to its view model. */
export interface CardViews {
  welcome: WelcomeView;
  help: HelpView;
  overview: OverviewView;
  indicatorStep: IndicatorStepView;
  review: ReviewView;
  signoffRequest: SignoffRequestView;
  message: MessageView;
  adminMenu: AdminMenuView;
  cycleForm: CycleFormView;
  agencyForm: AgencyFormView;
  assignForm: AssignFormView;
  status: StatusView;
  importReport: ImportReportView;
}
export type CardName = keyof CardViews;
