/**
 * Sample views of the deadline and next-cycle cards for test/unit/cards.test.ts: realistic ones,
 * and hostile ones built with the card test's own helpers (every text at its longest, full of
 * markdown, links and template syntax).
 */
import { text as t, type Shown } from "../../src/cards/text";
import type { ActionView } from "../../src/cards/views";
import "../../src/deadlines/views";
import type { DeadlineFormView } from "../../src/deadlines/views";

export interface CycleSamples {
  deadlineForm: DeadlineFormView;
}

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
      actions: [
        act("Extend the deadline", "admin.deadline.extend", { cycleId: CYCLE }, "positive"),
        act("Save the reminder days", "admin.deadline.reminders", { cycleId: CYCLE }),
        nav("Send the D-7 reminders now (local mode)", "admin.deadline.demo", { cycleId: CYCLE, days: "7" }),
        nav("Back to the cycles", "admin.cycles"),
      ],
    },
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
      facts: Array.from({ length: 4 }, () => ({ title: th(40), value: th(200) })),
      own: Array.from({ length: 30 }, () => ({ title: th(120), value: th(60) })),
      agencyChoices: [{ title: "Every agency in the cycle", value: "*" }, ...Array.from({ length: 60 }, (_, i) => ({ title: hostile(120), value: `a${i}-\${expression}` }))],
      agencyId: "a1-${expression}",
      deadline: "2027-04-30",
      reminderDays: hostile(60),
      actions: [hAct("positive"), hAct(), hAct(), hAct(), hAct(), hAct()],
    },
  };
}
