import { md, NO_TEXT, text, type Shown } from "../../src/cards/text";
import type { ActionView } from "../../src/cards/views";
import type { ActionCloseView, ActionListView } from "../../src/actions/views";
import "../../src/actions/views";
import type { PanelAgencyView, PanelFormView, PanelIndicatorView } from "../../src/panels/views";
import "../../src/panels/views";

/** Sample views for the actions' and panels' cards (test/unit/cards.test.ts binds every template with these). */
export interface PanelCardViews {
  actionClose: ActionCloseView;
  actionList: ActionListView;
  panelForm: PanelFormView;
  panelAgency: PanelAgencyView;
  panelIndicator: PanelIndicatorView;
}

const RATINGS = [
  { title: "No moderated rating", value: "" },
  { title: "Fully met", value: "fully" },
  { title: "Partially met", value: "partially" },
  { title: "Not met", value: "not" },
  { title: "Not applicable", value: "na" },
];
const SECTORS = ["Health", "Police and justice", "Local authority", "Education", "Voluntary", "Secure estate", "Other"].map((title, i) => ({ title, value: `s${i}` }));

const RETURN = "c2025|ag-southdown-chs";
const act = (title: string, verb: string, data: Record<string, string> = {}, style: ActionView["style"] = "default"): ActionView => ({ title, verb, data, style });
const nav = (title: string, verb: string, data: Record<string, string> = {}): ActionView => ({ title, verb, data, style: "default", inputs: "none" });

export function panelRealisticViews(): PanelCardViews {
  return {
    actionClose: {
      title: md`Action: indicator 6.2`,
      intro: md`Say what was done: it is kept as the evidence that the action is complete, with your name and the date.`,
      facts: [
        { title: text("Agency"), value: text("Southdown Community Health NHS Trust") },
        { title: text("Indicator"), value: text("6.2: DBS checks are done and recorded for every role that needs one") },
        { title: text("Action"), value: text("Audit the HR records of bank staff against the DBS register") },
        { title: text("Owner"), value: text("Head of HR") },
        { title: text("Due"), value: text("30 Sept 2026 (overdue)") },
      ],
      editable: true,
      evidence: "",
      evidenceProblem: NO_TEXT,
      maxLength: 2000,
      actions: [act("Mark as done", "act.close", { returnId: RETURN, actionId: "s.6.2" }, "positive"), nav("Back to the actions", "act.mine")],
    },
    actionList: {
      title: md`Open actions: Section 11 audit 2025-27`,
      color: "warning",
      intro: md`412 open actions across 58 agencies, 97 overdue (due date passed, UK dates), 130 done. The export has every action.`,
      agency: "*",
      agencyChoices: [{ title: "Every agency", value: "*" }, ...Array.from({ length: 58 }, (_, i) => ({ title: `${["Southdown Community Health NHS Trust", "Westmere Acute Hospitals NHS Foundation Trust", "Plover Academy Trust", "Curlew Children's Centre"][i % 4]} ${i} (7 open, 2 overdue)`, value: `ag-${i}` }))],
      standard: "6",
      standardChoices: [{ title: "Every standard", value: "*" }, ...Array.from({ length: 8 }, (_, i) => ({ title: `${i + 1}. Senior leadership commitment to the importance of safeguarding`, value: String(i + 1) }))],
      filterActions: [act("Show", "act.admin", { cycleId: "c2025", page: "1" })],
      shown: text("Showing 21 to 40 of 412 open actions (page 2 of 21). Overdue first, then by due date."),
      facts: Array.from({ length: 20 }, (_, i) => ({ title: text(`Westmere Acute Hospitals NHS Foundation Trust · standard ${(i % 8) + 1}`), value: text(`Overdue, due 30 Sept 2026 (overdue by ${40 - i} days): Audit the HR records of bank staff against the DBS register and report gaps to the board (lead: Head of HR)`) })),
      pager: [nav("Previous (page 1)", "act.admin", { cycleId: "c2025", agency: "", standard: "6", page: "1" }), nav("Next (page 3)", "act.admin", { cycleId: "c2025", agency: "", standard: "6", page: "3" })],
      actions: [act("Export every action (CSV)", "act.export", { cycleId: "c2025" }, "positive"), nav("Send due reminders now", "act.sweepNow"), nav("Show Section 11 audit 2023-25", "act.admin", { cycleId: "c2023" })],
    },
    panelForm: {
      title: md`Create a challenge panel`,
      intro: md`A panel reads the submitted returns of its agencies, challenges indicators and gives moderated ratings.`,
      problems: [],
      name: "Health providers panel",
      date: "2027-02-10",
      cycleId: "c2025",
      cycleChoices: [{ title: "Section 11 audit 2025-27", value: "c2025" }, { title: "Section 11 audit 2023-25", value: "c2023" }, { title: "Education safeguarding audit 2025", value: "e2025" }],
      members: "amira.khan@westmere.gov.uk\ndr.jones@icb.nhs.uk",
      agencyIds: "ag-southdown-chs,ag-westmere-acute",
      agencyChoices: ["Southdown Community Health NHS Trust", "Westmere Acute Hospitals NHS Foundation Trust", "Plover Academy Trust", "Curlew Children's Centre"].map((title, i) => ({ title, value: `ag-${i}` })),
      chosen: text("2 of 58 chosen: Southdown Community Health NHS Trust; Westmere Acute Hospitals NHS Foundation Trust."),
      sector: "",
      sectorChoices: SECTORS,
      suggestActions: [act("Suggest by sector", "panel.suggest", {})],
      actions: [act("Create the panel", "panel.create", {}, "positive"), nav("Back to panels", "panel.home")],
    },
    panelAgency: {
      title: text("Southdown Community Health NHS Trust"),
      subtitle: text("Health providers panel · Section 11 audit 2025-27 · submitted 3 Nov 2025"),
      standards: ["Senior leadership commitment", "Clear statement of responsibilities", "Clear lines of accountability"].map((t, i) => ({ title: text(`${i + 1}. ${t}`), value: text("Self: Partially met · First submission: Not met · Moderated: Partially met") })),
      changes: text("4.2 Not met → Partially met; 6.1 Partially met → Fully met"),
      openActions: text("3 open, 1 overdue: 6.2 due 30 Sept 2026 (overdue)"),
      indicatorId: "1.1",
      indicatorChoices: Array.from({ length: 40 }, (_, i) => ({ title: `${Math.floor(i / 4) + 1}.${(i % 4) + 1} Self: Fully met`, value: `${Math.floor(i / 4) + 1}.${(i % 4) + 1}` })),
      actions: [act("Read and challenge", "panel.indicator", { panelId: "pn-abc", returnId: RETURN }, "positive"), nav("Back to the panel", "panel.view", { panelId: "pn-abc" })],
    },
    panelIndicator: {
      title: text("6.2 DBS checks are done and recorded for every role that needs one"),
      subtitle: text("Southdown Community Health NHS Trust · Health providers panel"),
      facts: [
        { title: text("Self-rating"), value: text("Partially met") },
        { title: text("First submission"), value: text("Not met") },
        { title: text("Moderated"), value: text("Partially met") },
        { title: text("Evidence"), value: text("Audit of HR files, March 2025: 92% of bank staff checked.") },
      ],
      thread: [{ line: text("Dr Amira Khan (panel), 10 Feb 2027, 10:15: How do you know the other 8% are not in contact with children?") }, { line: text("Lee Lead (agency), 11 Feb 2027, 09:02: They are office based; the roster shows it.") }],
      problems: [],
      canChallenge: true,
      canAnswer: false,
      comment: "",
      moderatedRating: "partially",
      ratingChoices: RATINGS,
      actionText: "",
      actionOwner: "",
      actionDue: "",
      reply: "",
      actions: [act("Send the challenge", "panel.challenge", { panelId: "pn-abc", returnId: RETURN, indicatorId: "6.2", modEtag: "W/x" }, "positive"), nav("Back to the agency", "panel.agency", { panelId: "pn-abc", returnId: RETURN })],
    },
  };
}

export interface HostileKit {
  hostile(n: number, multiline?: boolean): string;
  th(n: number, multiline?: boolean): Shown;
  hAct(style?: ActionView["style"], kind?: ActionView["kind"]): ActionView;
}

export function panelHostileViews({ hostile, th, hAct }: HostileKit): PanelCardViews {
  return {
    actionClose: {
      title: th(120),
      intro: th(300),
      notice: { text: th(300), color: "attention" },
      facts: Array.from({ length: 8 }, () => ({ title: th(80), value: th(1000, true) })),
      editable: true,
      evidence: hostile(2000, true),
      evidenceProblem: th(200),
      maxLength: 2000,
      actions: [hAct("positive"), hAct()],
    },
    actionList: {
      title: th(200),
      color: "attention",
      intro: th(300),
      notice: { text: th(300), color: "good" },
      agency: hostile(120),
      agencyChoices: Array.from({ length: 61 }, (_, i) => ({ title: hostile(100), value: `ag-${i}` })),
      standard: hostile(4),
      standardChoices: Array.from({ length: 21 }, (_, i) => ({ title: hostile(100), value: String(i) })),
      filterActions: [hAct()],
      shown: th(300),
      // What the service shows of each action, a page of 20: agency cut to 100 bytes, action text to 160, owner to 60.
      facts: Array.from({ length: 20 }, () => ({ title: th(115), value: th(320) })),
      pager: [hAct(), hAct()],
      actions: [hAct("positive"), hAct(), hAct(), hAct(), hAct(), hAct()],
    },
    panelForm: {
      title: th(120),
      intro: th(300),
      notice: { text: th(300), color: "attention" },
      problems: Array.from({ length: 6 }, () => th(200)),
      name: hostile(120),
      date: hostile(10),
      cycleId: hostile(40),
      cycleChoices: Array.from({ length: 6 }, (_, i) => ({ title: hostile(120), value: `c${i}` })),
      members: hostile(2000, true),
      agencyIds: hostile(200),
      agencyChoices: Array.from({ length: 60 }, (_, i) => ({ title: hostile(120), value: `ag-${i}` })),
      chosen: th(1200),
      sector: hostile(20),
      sectorChoices: Array.from({ length: 8 }, (_, i) => ({ title: hostile(40), value: `s${i}` })),
      suggestActions: [hAct()],
      actions: [hAct("positive"), hAct()],
    },
    panelAgency: {
      title: th(200),
      subtitle: th(300),
      notice: { text: th(200), color: "warning" },
      standards: Array.from({ length: 12 }, () => ({ title: th(120), value: th(120) })),
      changes: th(1500, true),
      openActions: th(1500, true),
      indicatorId: hostile(40),
      indicatorChoices: Array.from({ length: 85 }, (_, i) => ({ title: hostile(60), value: `i${i}` })),
      actions: [hAct("positive"), hAct()],
    },
    panelIndicator: {
      title: th(600),
      subtitle: th(300),
      notice: { text: th(300), color: "attention" },
      facts: Array.from({ length: 7 }, () => ({ title: th(40), value: th(700, true) })),
      thread: Array.from({ length: 8 }, () => ({ line: th(400, true) })),
      problems: [th(200), th(200)],
      canChallenge: true,
      canAnswer: true,
      comment: hostile(2000, true),
      moderatedRating: hostile(10),
      ratingChoices: Array.from({ length: 5 }, (_, i) => ({ title: hostile(40), value: `r${i}` })),
      actionText: hostile(1000, true),
      actionOwner: hostile(120),
      actionDue: hostile(10),
      reply: hostile(2000, true),
      actions: [hAct("positive"), hAct(), hAct()],
    },
  };
}
