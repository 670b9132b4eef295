import type { ActionView, ChoiceView, FactView, LinkView, NoticeView, TextColor } from "../cards/views";
import type { Shown } from "../cards/text";

/** View models of the training cards (cards/training*.json). Displayed text is Shown; input values, choices and action data are plain. */

export interface ListItemView {
  title: Shown;
  detail: Shown;
  open: ActionView;
}

export interface TrainingHomeView {
  intro: Shown;
  notice?: NoticeView;
  courses: ListItemView[];
  upcoming: ListItemView[];
  moreText: Shown;
  actions: ActionView[];
}

export interface CourseFormView {
  /** Sent back with the form: the course's id is made from it, so pressing twice creates one course. */
  formId: string;
  title: string;
  kind: string;
  kindChoices: ChoiceView[];
  /** One learning outcome per line. */
  outcomes: string;
  followUpWeeks: string;
  reminderAfter: string;
  escalationAfter: string;
  /** Offered only when the bot serves more than one partnership; none chosen = every partnership. */
  partnershipChoices: ChoiceView[];
  /** The chosen partnerships, comma-separated (the multi-select's value). */
  partnerships: string;
  problems: Shown[];
  notice?: NoticeView;
  actions: ActionView[];
}

export interface CourseView {
  title: Shown;
  facts: FactView[];
  outcomes: Shown[];
  notice?: NoticeView;
  sessions: ListItemView[];
  actions: ActionView[];
}

export interface SessionFormView {
  formId: string;
  courseId: string;
  courseTitle: Shown;
  date: string;
  time: string;
  duration: string;
  mode: string;
  modeChoices: ChoiceView[];
  venue: string;
  trainer: string;
  problems: Shown[];
  notice?: NoticeView;
  actions: ActionView[];
}

export interface SessionView {
  title: Shown;
  facts: FactView[];
  notice?: NoticeView;
  /** Booked, attended, reached, answered: from the delegate rows and the outbox's rows, never a separate tally. */
  counts: FactView[];
  hint?: Shown;
  actions: ActionView[];
}

export interface DelegateFormView {
  sessionId: string;
  sessionTitle: Shown;
  name: string;
  email: string;
  agency: string;
  managerName: string;
  managerEmail: string;
  problems: Shown[];
  notice?: NoticeView;
  actions: ActionView[];
}

export interface DelegateListView {
  title: Shown;
  summary: Shown;
  notice?: NoticeView;
  delegates: Array<{ name: Shown; detail: Shown; status: Shown; color: TextColor }>;
  pageText: Shown;
  actions: ActionView[];
}

export interface AttendanceView {
  sessionId: string;
  title: Shown;
  /** Delegate ids marked as not attended, comma separated (the multi-select's value). */
  absent: string;
  delegateChoices: ChoiceView[];
  notice?: NoticeView;
  moreText: Shown;
  actions: ActionView[];
}

export interface ResultsSectionView {
  heading: Shown;
  facts: FactView[];
  note: Shown;
}

export interface TrainingResultsView {
  title: Shown;
  scopeText: Shown;
  notice?: NoticeView;
  sections: ResultsSectionView[];
  quotes: Shown[];
  /** Who (name, agency, session) against what they have not answered. */
  outstanding: FactView[];
  moreOutstanding: Shown;
  actions: ActionView[];
}

export interface DelegateImportView {
  title: Shown;
  summaryText: Shown;
  color: "good" | "warning" | "attention";
  added: Shown[];
  rejected: Array<{ line: Shown; reason: Shown }>;
  moreText: Shown;
  actions: ActionView[];
}

/** The delegate's evaluation. Input ids are fixed in the template (see questions.ts), values and problems keyed by them. */
export interface EvaluationView {
  kind: "end" | "follow";
  title: Shown;
  intro: Shown;
  /** The privacy note's first line; the whole note is one of the links. */
  privacy: Shown;
  notice?: NoticeView;
  bottomNotice?: NoticeView;
  outcomes: Array<{ label: string; value: string; problem: Shown }>;
  values: Record<string, string>;
  problems: Record<string, Shown>;
  actions: ActionView[];
  links: LinkView[];
}

export interface TrainerFormView {
  email: string;
  personName: string;
  problems: Shown[];
  notice?: NoticeView;
  facts: FactView[];
  actions: ActionView[];
}

/** A delegate's data rights (subject access, erasure): the e-mail form, what is held, the erasure's confirmation and outcome. */
export interface DataRightsView {
  title: Shown;
  intro: Shown;
  notice?: NoticeView;
  /** Counts of what is held, or what erasure will do or did. */
  facts: FactView[];
  problems: Shown[];
  /** Whether the e-mail input is shown (the form); a confirmation carries the address in its button instead. */
  askEmail: boolean;
  email: string;
  actions: ActionView[];
}

declare module "../cards/views" {
  interface CardViews {
    trainingHome: TrainingHomeView;
    trainingCourseForm: CourseFormView;
    trainingCourse: CourseView;
    trainingSessionForm: SessionFormView;
    trainingSession: SessionView;
    trainingDelegateForm: DelegateFormView;
    trainingDelegates: DelegateListView;
    trainingAttendance: AttendanceView;
    trainingResults: TrainingResultsView;
    trainingImport: DelegateImportView;
    trainingEvaluation: EvaluationView;
    trainingOfficerForm: TrainerFormView;
    trainingDataRights: DataRightsView;
  }
}
