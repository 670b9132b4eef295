/** Card verbs, message kinds, jobs and outbox batches of the training feature. */
export const TRAINING_VERBS = {
  home: "training.home",
  /** Local mode only: the actor becomes a training officer. */
  becomeOfficer: "training.becomeOfficer",
  officerForm: "training.officer.form",
  officerAdd: "training.officer.add",
  courseForm: "training.course.form",
  courseCreate: "training.course.create",
  course: "training.course",
  sessionForm: "training.session.form",
  sessionCreate: "training.session.create",
  session: "training.session",
  delegateForm: "training.delegate.form",
  delegateAdd: "training.delegate.add",
  addMe: "training.delegate.addMe",
  demoDelegates: "training.delegate.demo",
  csvTarget: "training.delegate.csv",
  rosterHelp: "training.delegate.rosterHelp",
  rosterSessions: "training.roster.sessions",
  rosterAdd: "training.roster.add",
  attendance: "training.attendance",
  attendanceSave: "training.attendance.save",
  close: "training.session.close",
  followUpNow: "training.followUp.now",
  delegates: "training.delegates",
  results: "training.results",
  export: "training.export",
  /** A delegate's data rights: the e-mail form, subject access (a file), erasure's confirmation and the erasure. */
  rightsForm: "training.rights.form",
  rightsExport: "training.rights.export",
  rightsCheck: "training.rights.check",
  rightsErase: "training.rights.erase",
  /** The delegate's: open their evaluation card, and save it. */
  open: "training.evaluation.open",
  answer: "training.evaluation.answer",
} as const;

export const TRAINING_MESSAGES = {
  /** An evaluation request or reminder to a delegate (params: sessionId, kind, delegateId, reminder). */
  request: "training.request",
  /** A manager's list of staff with an outstanding evaluation (params: sessionId, kind, managerEmail). */
  escalation: "training.escalation",
  /** A session card for the officer in their personal chat (params: sessionId, note). */
  officerSession: "training.officerSession",
} as const;

export const TRAINING_JOBS = { send: "training.send", remind: "training.remind", escalate: "training.escalate" } as const;

export type Round = "request" | "reminder" | "escalation";
export const jobId = (job: string, sessionId: string, kind: string) => `${job}|${sessionId}|${kind}`;
/** One outbox batch per session, evaluation and round: a delegate appears at most once in each. */
export const batchId = (sessionId: string, kind: string, round: Round) => `training|${sessionId}|${kind}|${round}`;
