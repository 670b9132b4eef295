/**
 * Sample views of the deadline and next-cycle cards for test/unit/cards.test.ts: realistic ones,
 * and hostile ones built with the card test's own helpers (every text at its longest, full of
 * markdown, links and template syntax).
 */
import { text as t, type Shown } from "../../src/cards/text";
import type { ActionView } from "../../src/cards/views";
import "../../src/deadlines/views";
import type { DeadlineFormView } from "../../src/deadlines/views";
import "../../src/cycles/views";
import type { ComparisonView } from "../../src/cycles/views";

export interface CycleSamples {
  deadlineForm: DeadlineFormView;
  comparison: ComparisonView;
}

const STANDARDS = ["Senior leadership commitment", "Clear statement of responsibilities and policies", "Clear lines of accountability", "Service development informed by children and families", "Safeguarding training and development", "Safer recruitment and managing allegations", "Effective inter-agency working", "Information sharing", "Commissioning", "Supervision, support and whistleblowing"];

const act = (title: string, verb: string, data: Record<string, string> = {}, style: ActionView["style"] = "default"): ActionView => ({ title, verb, data, style });
const nav = (title: string, verb: string, data: Record<string, string> = {}): ActionView => ({ title, verb, data, style: "default", inputs: "none" });
const CYCLE = "section-11-audit-2026-28";

export function cycleRealisticViews(): CycleSamples {
  return {
    deadlineForm: {
      cycleId: CYCLE,
      title: t("Deadline and reminders: Section 11 audit 2026-28"),
      notice: { text: t("The deadline of Section 11 audit 2026-28 is now 30 Apr 2027 for every agency."), color: "good" },
      problems: [],
      deadlineProblems: [],
      reminderProblems: [],
      facts: [
        { title: t("Deadline"), value: t("30 Apr 2027 (149 days left)") },
        { title: t("Reminders"), value: t("D-14, D-7, D-1 (at 09:00 UK time, to the leads of agencies that have not submitted)") },
        { title: t("Not submitted"), value: t("41 of 58 agencies") },
        { title: t("Next reminder"), value: t("16 Apr 2027, 09:00") },
      ],
      own: [{ title: t("Plover Academy Trust"), value: t("31 May 2027 (its own deadline)") }],
      agencyChoices: [
        { title: "Every agency in the cycle", value: "*" },
        { title: "Plover Academy Trust", value: "plover" },
        { title: "St Aidan's C of E Primary School", value: "st-aidans" },
      ],
      agencyId: "*",
      deadline: "2027-04-30",
      reminderDays: "14, 7, 1",
      extendActions: [act("Extend the deadline", "admin.deadline.extend", { cycleId: CYCLE }, "positive")],
      reminderActions: [act("Save the reminder days", "admin.deadline.reminders", { cycleId: CYCLE })],
      demoActions: [nav("Send the D-7 round now", "admin.deadline.demo", { cycleId: CYCLE, days: "7" })],
      actions: [nav("Back to the cycles", "admin.cycles")],
    },
    comparison: realisticComparison(),
  };
}

function realisticComparison(): ComparisonView {
  return {
    title: t("Plover Academy Trust: Section 11 audit 2026-28 against Section 11 audit 2024-26"),
    subtitle: t("Per standard: the signed-off submission in Section 11 audit 2024-26, against the answers now in Section 11 audit 2026-28."),
    notice: { text: t('12 of this cycle\'s answers are still "carried forward, please confirm".'), color: "warning" },
    agencyChoices: [
      { title: "Plover Academy Trust", value: "plover" },
      { title: "St Aidan's C of E Primary School", value: "st-aidans" },
    ],
    agencyId: "plover",
    facts: [
      { title: t("Better"), value: t("3") },
      { title: t("Worse"), value: t("1") },
      { title: t("The same"), value: t("6") },
    ],
    standards: STANDARDS.map((s, i) => ({ title: t(`${i + 1}. ${s}`), line: t(i % 3 === 0 ? "Previous: Partially met → now: Fully met (better)" : "Previous: Fully met → now: Fully met (the same)"), color: i % 3 === 0 ? ("good" as const) : ("default" as const) })),
    rule: t("How a standard is rated: fully met when all its applicable indicators are fully met, not met when most are not met, partially met otherwise."),
    actions: [act("Compare", "s11.compare", {}, "positive")],
  };
}

export function cycleHostileViews(h: { hostile: (n: number, multiline?: boolean) => string; th: (n: number, multiline?: boolean) => Shown; hAct: (style?: ActionView["style"]) => ActionView }): CycleSamples {
  const { hostile, th, hAct } = h;
  return {
    deadlineForm: {
      cycleId: "c|${expression}",
      title: th(200),
      notice: { text: th(400, true), color: "attention" },
      problems: [th(300), th(300)],
      deadlineProblems: [th(300), th(300)],
      reminderProblems: [th(300)],
      facts: Array.from({ length: 4 }, () => ({ title: th(40), value: th(200) })),
      own: Array.from({ length: 30 }, () => ({ title: th(120), value: th(60) })),
      agencyChoices: [{ title: "Every agency in the cycle", value: "*" }, ...Array.from({ length: 60 }, (_, i) => ({ title: hostile(120), value: `a${i}-\${expression}` }))],
      agencyId: "a1-${expression}",
      deadline: "2027-04-30",
      reminderDays: hostile(60),
      extendActions: [hAct("positive")],
      reminderActions: [hAct()],
      demoActions: [hAct(), hAct(), hAct()],
      actions: [hAct(), hAct()],
    },
    comparison: {
      title: th(300),
      subtitle: th(300),
      notice: { text: th(300), color: "warning" },
      agencyChoices: Array.from({ length: 60 }, (_, i) => ({ title: hostile(120), value: `a${i}-\${expression}` })),
      agencyId: "a1-${expression}",
      facts: Array.from({ length: 3 }, () => ({ title: th(20), value: th(20) })),
      standards: Array.from({ length: 20 }, () => ({ title: th(130), line: th(120), color: "attention" as const })),
      rule: th(300),
      actions: [hAct("positive"), hAct()],
    },
  };
}
