/**
 * The privacy note delegates read before answering: its first line is on every evaluation card,
 * e-mail and page; the whole note is at /evaluation-privacy. Plain sentences, no markup.
 */
export const PRIVACY_NOTE = [
  "Your answers are kept apart from your name: the training officer sees who has answered, never who said what.",
  "Who uses them: the safeguarding partnership's training officer, to improve its multi-agency training and to report on it to the partnership's Executive.",
  "What is kept about you: that you were booked on the session, whether you attended, whether you have answered, and your manager's name and e-mail address if your organisation gave them. This is used to send you the evaluation, one reminder, and, if it is still not done, to ask your manager to help you complete it. Your manager is told only that the evaluation is outstanding, never your answers.",
  "Your answers are stored under a code made from a secret key, not under your name or your Microsoft account, so your end-of-session and follow-up answers can be compared without anyone reading them as yours.",
  "Results are shown only for groups of five answers or more. What you write is quoted in reports only if you say yes, and never with your name.",
  "You can change your answers at any time until your link expires, through the same card or link. To get a copy of everything kept about you, or to have it erased, contact your safeguarding partnership's business unit (its training officer) and give the e-mail address you were booked with; the same applies to anything else about your data.",
  "Answers and completion records are kept for as long as the partnership reports on this training, normally until the end of the following year's annual report, and then deleted.",
] as const;

export const PRIVACY_FIRST_LINE = PRIVACY_NOTE[0];
export const PRIVACY_PATH = "/evaluation-privacy";
