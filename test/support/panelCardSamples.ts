import { md, NO_TEXT, text, type Shown } from "../../src/cards/text";
import type { ActionView } from "../../src/cards/views";
import type { ActionCloseView } from "../../src/actions/views";
import "../../src/actions/views";

/** Sample views for the actions' and panels' cards (test/unit/cards.test.ts binds every template with these). */
export interface PanelCardViews {
  actionClose: ActionCloseView;
}

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
  };
}
