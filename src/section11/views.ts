import type { ActionView, ChoiceView, NoticeView, TextColor } from "../cards/views";
import type { Shown } from "../cards/text";

/** View models of the Section 11 cards (cards/overview.json, indicatorStep.json, review.json, signoffRequest.json). */

export interface OverviewStandardView {
  number: Shown;
  title: Shown;
  progressText: Shown;
  /** "good" when every indicator is answered, "warning" when some are, "default" when none. */
  color: TextColor;
  open: ActionView;
  /** What the row's tap does, in words ("Open", "View"). */
  openLabel: Shown;
}

export interface OverviewView {
  agencyName: Shown;
  cycleName: Shown;
  deadlineText: Shown;
  statusLabel: Shown;
  statusColor: TextColor;
  progressText: Shown;
  /** How many indicators a challenge panel moderated and how many changed since the first submission; empty when none. */
  besideText: Shown;
  notice?: NoticeView;
  standards: OverviewStandardView[];
  actions: ActionView[];
}

/** An answer as read-only text. */
export interface AnswerShownView {
  rating: Shown;
  evidence: Shown;
  naReason: Shown;
  actionText: Shown;
  actionOwner: Shown;
  actionDue: Shown;
}

export interface IndicatorStepView {
  /** Echoed back by every action so the server can find the row and detect a stale card. */
  returnId: string;
  indicatorId: string;
  etag: string;
  agencyName: Shown;
  standardLabel: Shown;
  positionLabel: Shown;
  question: Shown;
  guidance: Shown;
  ratingChoices: ChoiceView[];
  /** Input values: what the card's inputs hold (never escaped). */
  rating: string;
  evidence: string;
  naReason: string;
  actionText: string;
  actionOwner: string;
  /** yyyy-mm-dd or "". */
  actionDue: string;
  /** The same answer as text, for the read-only card. */
  shown: AnswerShownView;
  limits: { evidence: number; naReason: number; actionText: number; actionOwner: number };
  /** No rating chosen yet: the card offers the ratings first, then asks only for what that rating needs. */
  choosing: boolean;
  ratingOptions: Array<{ label: Shown; hint: Shown; choose: ActionView }>;
  needs: { evidence: boolean; naReason: boolean; action: boolean };
  notice?: NoticeView;
  /** The notice again, next to the buttons: where the person is looking after pressing one. */
  bottomNotice?: NoticeView;
  problems: Shown[];
  /** A line under each field that needs attention ("" when it is fine). */
  fieldProblems: { rating: Shown; evidence: Shown; naReason: Shown; actionText: Shown; actionOwner: Shown; actionDue: Shown };
  lastChangedText: Shown;
  /** When someone else's newer answer replaced the user's: what the user had typed, to copy back. */
  yourVersion?: Shown;
  readOnly: boolean;
  actions: ActionView[];
}

export interface ReviewStandardView {
  number: Shown;
  title: Shown;
  fully: number;
  partially: number;
  not: number;
  na: number;
  missing: number;
  summaryText: Shown;
  /** Review card only: the indicators a challenge panel moderated (its rating beside the agency's) and those changed since the first submission; empty when none. */
  besideText: Shown;
  /** Reads every answer of the standard. */
  open: ActionView;
}

export interface ReviewView {
  returnId: string;
  agencyName: Shown;
  cycleName: Shown;
  statusLabel: Shown;
  statusColor: TextColor;
  totalsText: Shown;
  /** How many indicators a panel moderated and how many changed since the first submission; empty when none. */
  besideText: Shown;
  standards: ReviewStandardView[];
  incomplete: Array<{ label: Shown; open: ActionView }>;
  moreIncompleteText: Shown;
  /** Answers carried from the previous cycle, not confirmed yet (each opens its card, back to the review). */
  toConfirm?: Array<{ label: Shown; open: ActionView }>;
  moreToConfirmText?: Shown;
  notice?: NoticeView;
  bottomNotice?: NoticeView;
  /** Shown when the return can be sent for sign-off. */
  canRequestSignoff: boolean;
  /** Input value. */
  substituteContact: string;
  substituteContactText: Shown;
  actions: ActionView[];
}

export interface SignoffRequestView {
  returnId: string;
  heading: Shown;
  /** What changed since the last submission, for an update. */
  changedText: Shown;
  agencyName: Shown;
  cycleName: Shown;
  requestedBy: Shown;
  requestedAtText: Shown;
  substituteContact: Shown;
  totalsText: Shown;
  standards: ReviewStandardView[];
  isUpdate: boolean;
  notice?: NoticeView;
  /** Input value. */
  comment: string;
  commentText: Shown;
  /** False once decided: the card then shows the outcome without buttons. */
  open: boolean;
  actions: ActionView[];
}

/** Every answer of one standard, read only: what a senior officer reads before signing. */
export interface StandardAnswersView {
  agencyName: Shown;
  standardLabel: Shown;
  summaryText: Shown;
  notice?: NoticeView;
  indicators: Array<{
    id: Shown;
    question: Shown;
    ratingText: Shown;
    ratingColor: "good" | "warning" | "attention" | "default";
    evidence: Shown;
    naReason: Shown;
    actionText: Shown;
    actionOwner: Shown;
    actionDue: Shown;
    changeText: Shown;
  }>;
  moreText: Shown;
  actions: ActionView[];
}

/** The audit trail of one indicator: who changed what, when. */
export interface HistoryView {
  agencyName: Shown;
  question: Shown;
  entries: Array<{ when: Shown; who: Shown; changes: Shown[] }>;
  moreText: Shown;
  actions: ActionView[];
}

declare module "../cards/views" {
  interface CardViews {
    overview: OverviewView;
    indicatorStep: IndicatorStepView;
    review: ReviewView;
    signoffRequest: SignoffRequestView;
    history: HistoryView;
    standardAnswers: StandardAnswersView;
  }
}
