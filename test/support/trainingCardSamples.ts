/**
 * Sample views of the training cards for test/unit/cards.test.ts: realistic ones, and hostile ones
 * (every displayed text at its longest, full of markdown, links and template syntax). The hostile
 * helpers are the card test's own, passed in, so every card meets the same data.
 */
import { md, NO_TEXT, text as t, type Shown } from "../../src/cards/text";
import type { ActionView, ChoiceView } from "../../src/cards/views";
import "../../src/training/views";
import type { DataRightsView, AttendanceView, CourseFormView, CourseView, DelegateFormView, DelegateImportView, DelegateListView, EvaluationView, SessionFormView, SessionView, TrainerFormView, TrainingHomeView, TrainingResultsView } from "../../src/training/views";

export interface TrainingSamples {
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

const act = (title: string, verb: string, data: Record<string, string> = {}, style: ActionView["style"] = "default"): ActionView => ({ title, verb, data, style });
const nav = (title: string, verb: string, data: Record<string, string> = {}): ActionView => ({ title, verb, data, style: "default", inputs: "none" });
const SESSION = "s-k3q9x0ab7z";
const COURSE = "c-p2m8v4nd1s";
const DELEGATE = "3f9a1c0b7d2e4a6b8c0d1e2f";
const KIND_CHOICES: ChoiceView[] = [
  { title: "Core course", value: "core" },
  { title: "Taster workshop", value: "taster" },
  { title: "Tool training", value: "tool" },
  { title: "Event", value: "event" },
];
const MODE_CHOICES: ChoiceView[] = [
  { title: "Virtual", value: "virtual" },
  { title: "Face to face", value: "in_person" },
];
const OUTCOMES = ["Recognise the five categories of neglect", "Use the neglect assessment tool with a family", "Know when and how to escalate a concern"];
const END_VALUES = { overall: "4", confidenceBefore: "2", confidenceAfter: "4", trainer: "5", materials: "4", doDifferently: "I will use the tool at every review of a child in need plan.", comment: "", consentQuote: "yes" };
const END_PROBLEMS = { overall: NO_TEXT, confidenceBefore: NO_TEXT, confidenceAfter: NO_TEXT, trainer: NO_TEXT, materials: NO_TEXT, doDifferently: NO_TEXT, comment: NO_TEXT, consentQuote: NO_TEXT };

export function trainingRealisticViews(): TrainingSamples {
  const sessionItem = (when: string) => ({ title: t(`Neglect: recognising and responding`), detail: t(`${when} · open`), open: act(`Open the session of ${when}`, "training.session", { sessionId: SESSION }) });
  return {
    trainingHome: {
      intro: md`Your courses and their sessions.`,
      notice: { text: t("You are now a training officer."), color: "good" },
      courses: [
        { title: t("Basic child protection"), detail: t("Core course · 12 sessions"), open: act("Open Basic child protection", "training.course", { courseId: COURSE }) },
        { title: t("Prevent and radicalisation"), detail: t("Taster workshop · 3 sessions"), open: act("Open Prevent and radicalisation", "training.course", { courseId: "c-a1b2c3d4e5" }) },
      ],
      upcoming: [sessionItem("Tue 3 Mar 2027, 09:30"), sessionItem("Thu 12 Mar 2027, 13:00")],
      moreText: NO_TEXT,
      actions: [act("Create a course", "training.course.form")],
    },
    trainingCourseForm: {
      formId: "k3q9x0ab7z",
      title: "Neglect: recognising and responding",
      kind: "tool",
      kindChoices: KIND_CHOICES,
      outcomes: OUTCOMES.join("\n"),
      followUpWeeks: "8",
      reminderAfter: "3 days",
      escalationAfter: "7 days",
      partnershipChoices: [
        { title: "Eastshire", value: "Eastshire" },
        { title: "Westmere", value: "Westmere" },
      ],
      partnerships: "Westmere",
      problems: [],
      actions: [act("Create the course", "training.course.create", { formId: "k3q9x0ab7z" }, "positive"), nav("Back to training", "training.home")],
    },
    trainingCourse: {
      title: t("Neglect: recognising and responding"),
      facts: [
        { title: t("Kind"), value: t("Tool training") },
        { title: t("Partnerships"), value: t("Westmere") },
        { title: t("Follow-up"), value: t("8 weeks after the session") },
      ],
      outcomes: OUTCOMES.map((o, i) => t(`${i + 1}. ${o}`)),
      notice: { text: md`Course created. Add its sessions next.`, color: "good" },
      sessions: [sessionItem("Tue 3 Mar 2027, 09:30")],
      actions: [act("Add a session", "training.session.form", { courseId: COURSE }, "positive"), nav("Back to training", "training.home")],
    },
    trainingSessionForm: {
      formId: "k3q9x0ab7z",
      courseId: COURSE,
      courseTitle: t("Neglect: recognising and responding"),
      date: "2027-03-03",
      time: "09:30",
      duration: "180",
      mode: "in_person",
      modeChoices: MODE_CHOICES,
      venue: "Civic Centre, Committee Room 2",
      trainer: "Dr Helen Mayhew",
      problems: [],
      actions: [act("Create the session", "training.session.create", { formId: "k3q9x0ab7z", courseId: COURSE }, "positive"), nav("Back to the course", "training.course", { courseId: COURSE })],
    },
    trainingSession: {
      title: t("Neglect: recognising and responding: 3 Mar 2027"),
      facts: [
        { title: t("When"), value: t("Tue 3 Mar 2027, 09:30, 180 minutes") },
        { title: t("Face to face"), value: t("Civic Centre, Committee Room 2") },
      ],
      notice: { text: md`Session closed. The evaluation is on its way to 28 delegates.`, color: "good" },
      counts: [
        { title: t("Booked"), value: t("30") },
        { title: t("End of session: reached"), value: t("28 of 28 (10 in Teams, 18 by e-mail)") },
        { title: t("End of session: answered"), value: t("17 of 28 attended (61%)") },
      ],
      hint: md`Local mode: e-mails are .eml files under .data/outbox/.`,
      actions: [act("Delegates", "training.delegates", { sessionId: SESSION }, "positive"), act("Results", "training.results", { scope: "session", id: SESSION }), nav("Back to the course", "training.course", { courseId: COURSE })],
    },
    trainingDelegateForm: {
      sessionId: SESSION,
      sessionTitle: t("Neglect: recognising and responding: 3 Mar 2027"),
      name: "Siobhán O'Connor",
      email: "siobhan.oconnor@southdown-health.nhs.uk",
      agency: "Southdown Community Health NHS Trust",
      managerName: "Jo Whitfield",
      managerEmail: "jo.whitfield@southdown-health.nhs.uk",
      problems: [],
      actions: [act("Add the delegate", "training.delegate.add", { sessionId: SESSION }, "positive"), nav("Back to the session", "training.session", { sessionId: SESSION })],
    },
    trainingDelegates: {
      title: t("Delegates: Neglect, 3 Mar 2027"),
      summary: t("30 booked, 28 attended · end of session: 17 answered, 11 outstanding"),
      delegates: [
        { name: t("Siobhán O'Connor"), status: t("End: in Teams; answered"), color: "good", detail: t("Southdown Community Health NHS Trust · siobhan.oconnor@southdown-health.nhs.uk · manager Jo Whitfield") },
        { name: t("Marcus Reid"), status: t("End: not reached: no e-mail is set up: hand out their link; not answered"), color: "warning", detail: t("South Coast Police") },
      ],
      pageText: t("Page 1 of 2"),
      actions: [act("Next page", "training.delegates", { sessionId: SESSION, page: "1" }), nav("Back to the session", "training.session", { sessionId: SESSION })],
    },
    trainingAttendance: {
      sessionId: SESSION,
      title: t("Neglect: recognising and responding: 3 Mar 2027"),
      absent: "a1,a3",
      delegateChoices: [
        { title: "Siobhán O'Connor (Southdown Community Health NHS Trust)", value: "a1" },
        { title: "Marcus Reid (South Coast Police)", value: "a2" },
        { title: "Aisha Khan (St Aidan's C of E Primary School)", value: "a3" },
      ],
      moreText: NO_TEXT,
      actions: [act("Save attendance", "training.attendance.save", { sessionId: SESSION }, "positive"), nav("Back to the session", "training.session", { sessionId: SESSION })],
    },
    trainingResults: {
      title: md`Results: Neglect: recognising and responding`,
      scopeText: t("Neglect: recognising and responding, 3 Mar 2027"),
      sections: [
        { heading: md`Volumes`, facts: [{ title: t("Booked"), value: t("30") }, { title: t("End of session: answered"), value: t("17 of 28 (61%)") }], note: NO_TEXT },
        { heading: md`Confidence (1 to 5)`, facts: [{ title: t("Before the session"), value: t("2.4") }, { title: t("After the session"), value: t("4.1") }], note: md`The same scale before, after and at follow-up.` },
        { heading: md`Follow-up: impact on practice`, facts: [], note: md`Fewer than 5 answers (3): not shown.` },
      ],
      quotes: [t("“I will use the tool at every review of a child in need plan.”"), t("“I am now aware of the five categories of neglect.”")],
      outstanding: [{ title: t("Marcus Reid, South Coast Police"), value: t("end of session") }],
      moreOutstanding: NO_TEXT,
      actions: [act("Downloads", "training.export", { scope: "session", id: SESSION, what: "menu", format: "csv" }), nav("Back to the session", "training.session", { sessionId: SESSION })],
    },
    trainingImport: {
      title: t("Delegates imported, with problems"),
      summaryText: t("Neglect, 3 Mar 2027: 27 delegates added, 1 merged with an existing entry, 2 rows not added."),
      color: "warning",
      added: [t("Line 2: Siobhán O'Connor"), t("Line 3: Marcus Reid")],
      rejected: [{ line: t("Line 7: Sam Patel"), reason: t('"sam.patel@" is not a valid e-mail address (email).') }],
      moreText: NO_TEXT,
      actions: [act("Back to the session", "training.session", { sessionId: SESSION }, "positive")],
    },
    trainingEvaluation: {
      kind: "end",
      title: t("Evaluation: Neglect: recognising and responding"),
      intro: md`3 Mar 2027 with Dr Helen Mayhew. About two minutes.`,
      privacy: md`Your answers are kept apart from your name.`,
      outcomes: OUTCOMES.map((o, i) => ({ label: o, value: i === 2 ? "partly" : "yes", problem: NO_TEXT })),
      values: END_VALUES,
      problems: END_PROBLEMS,
      actions: [act("Save my answers", "training.evaluation.answer", { sessionId: SESSION, kind: "end", delegateId: DELEGATE }, "positive")],
      links: [{ title: "Answer in a web browser instead", url: `https://sa-bot.azurewebsites.net/evaluate/${SESSION}.end.${DELEGATE}.1abc2d.${"A".repeat(43)}` }, { title: "Privacy note", url: "https://sa-bot.azurewebsites.net/evaluation-privacy" }],
    },
    trainingOfficerForm: {
      email: "lee.trainer@partnership.gov.uk",
      personName: "Lee Trainer",
      problems: [],
      facts: [],
      actions: [act("Add as training officer", "training.officer.add", {}, "positive"), nav("Back to admin", "admin.menu")],
    },
    trainingDataRights: {
      title: t("Erase everything about priya.shah@westmere-council.gov.uk?"),
      intro: md`This cannot be undone. Pressing "Erase for good" deletes what is counted below.`,
      notice: { text: t("What is stored about them changed since you read it: check the counts below and confirm again. Nothing was erased yet."), color: "warning" },
      facts: [
        { title: t("Bookings (name, e-mail, agency, manager)"), value: t("2 in 2 sessions: deleted") },
        { title: t("Completion records"), value: t("3: deleted") },
        { title: t("Evaluation answers"), value: t("3: deleted, and taken out of the session figures") },
        { title: t("Messages not sent yet"), value: t("1: deleted, they will not go out") },
        { title: t("Messages already sent"), value: t("4: kept only as a count, naming nobody") },
        { title: t("Named as someone's manager"), value: t("0") },
      ],
      problems: [],
      askEmail: false,
      email: "",
      actions: [act("Erase for good", "training.rights.erase", { email: "priya.shah@westmere-council.gov.uk", version: "AbCdEfGhIjKlMnOpQrStUv" }, "destructive"), act("Send me what we hold first", "training.rights.export", { email: "priya.shah@westmere-council.gov.uk", format: "csv" }), nav("Cancel", "training.home")],
    },
  };
}

export interface HostileKit {
  hostile(n: number, multiline?: boolean): string;
  th(n: number, multiline?: boolean): Shown;
  hAct(style?: ActionView["style"], kind?: ActionView["kind"]): ActionView;
}

export function trainingHostileViews({ hostile, th, hAct }: HostileKit): TrainingSamples {
  const r = trainingRealisticViews();
  const items = (n: number) => Array.from({ length: n }, () => ({ title: th(200), detail: th(200), open: hAct() }));
  const notice = { text: th(300), color: "attention" as const };
  const facts = (n: number) => Array.from({ length: n }, () => ({ title: th(60), value: th(200) }));
  const choices = (n: number) => Array.from({ length: n }, (_, i) => ({ title: hostile(120), value: `${i}-\${expression}` }));
  const text2000 = hostile(2000, true);
  return {
    trainingHome: { intro: th(300), notice, courses: items(12), upcoming: items(10), moreText: th(100), actions: [hAct("positive"), hAct()] },
    trainingCourseForm: { ...r.trainingCourseForm, formId: "${expression}", title: hostile(300), outcomes: hostile(4000, true), followUpWeeks: hostile(10), reminderAfter: hostile(40), escalationAfter: hostile(40), kindChoices: choices(4), kind: "1-${expression}", partnershipChoices: choices(20), partnerships: hostile(2000), problems: [th(200), th(200), th(200)], notice, actions: [hAct("positive"), hAct()] },
    trainingCourse: { title: th(200), facts: facts(6), outcomes: Array.from({ length: 8 }, () => th(300)), notice, sessions: items(20), actions: [hAct("positive"), hAct(), hAct()] },
    trainingSessionForm: { ...r.trainingSessionForm, courseTitle: th(200), duration: hostile(10), venue: hostile(500), trainer: hostile(200), modeChoices: choices(2), mode: "0-${expression}", problems: [th(200), th(200)], notice, actions: [hAct("positive"), hAct()] },
    trainingSession: { title: th(250), facts: facts(4), notice, counts: facts(6), hint: th(200), actions: Array.from({ length: 9 }, (_, i) => hAct(i === 0 ? "positive" : "default")) },
    trainingDelegateForm: { ...r.trainingDelegateForm, sessionTitle: th(250), name: hostile(200), email: hostile(254), agency: hostile(200), managerName: hostile(200), managerEmail: hostile(254), problems: [th(200), th(200), th(200)], notice, actions: [hAct("positive"), hAct()] },
    trainingDelegates: { title: th(250), summary: th(200), notice, delegates: Array.from({ length: 20 }, () => ({ name: th(120), status: th(250), color: "attention" as const, detail: th(300) })), pageText: th(30), actions: [hAct(), hAct(), hAct()] },
    trainingAttendance: { ...r.trainingAttendance, title: th(250), delegateChoices: Array.from({ length: 100 }, (_, i) => ({ title: hostile(150), value: `d${i}` })), absent: "d1,d7", notice, moreText: th(100), actions: [hAct("positive"), hAct()] },
    trainingResults: {
      title: th(250),
      scopeText: th(250),
      notice,
      // Volumes, ratings, confidence, eight learning outcomes (their titles cut to 200 bytes), follow-up.
      sections: [7, 3, 4, 8, 2].map((n, i) => ({ heading: th(60), facts: Array.from({ length: n }, () => ({ title: th(i === 3 ? 200 : 50), value: th(90) })), note: th(150) })),
      quotes: Array.from({ length: 6 }, () => th(400)),
      outstanding: Array.from({ length: 20 }, () => ({ title: th(200), value: th(60) })),
      moreOutstanding: th(100),
      actions: [hAct(), hAct()],
    },
    trainingImport: { title: th(120), summaryText: th(300), color: "attention", added: Array.from({ length: 30 }, () => th(150)), rejected: Array.from({ length: 20 }, () => ({ line: th(150), reason: th(250) })), moreText: th(60), actions: [hAct()] },
    trainingEvaluation: {
      ...r.trainingEvaluation,
      title: th(250),
      intro: th(400),
      privacy: th(200),
      notice,
      bottomNotice: notice,
      outcomes: Array.from({ length: 8 }, () => ({ label: hostile(300), value: "partly", problem: th(100) })),
      values: { ...END_VALUES, overall: "${expression}", doDifferently: text2000, comment: text2000, confidenceAfter: "7" },
      problems: { ...END_PROBLEMS, overall: th(100), doDifferently: th(200), comment: th(200), confidenceAfter: th(100) },
      actions: [hAct("positive")],
      links: [{ title: hostile(60), url: "https://sa-bot.example/evaluate/x?y=%24%7Bx%7D" }],
    },
    trainingOfficerForm: { email: hostile(254), personName: hostile(200), problems: [th(200), th(200)], notice, facts: facts(3), actions: [hAct("positive"), hAct()] },
    trainingDataRights: { title: th(300), intro: th(400), notice, facts: facts(6), problems: [th(300), th(300)], askEmail: true, email: hostile(254), actions: [hAct("destructive"), hAct(), hAct()] },
  };
}
