import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { escapeMarkdown } from "../../src/cards/escape";
import {
  CARD_NAMES,
  CARD_SIZE_LIMIT,
  CardTooLargeError,
  cardAttachment,
  cardSize,
  findCardsDir,
  renderCard,
} from "../../src/cards/renderCard";
import type { ActionView, CardName, CardViews, ChoiceView, ReviewStandardView } from "../../src/cards/views";
import { renderToElement, validateCard } from "../support/cardRenderer";

// ---------------------------------------------------------------------------------------------
// Walking bound cards

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

function walk(node: Json, visit: (o: Obj) => void): void {
  if (Array.isArray(node)) node.forEach((n) => walk(n, visit));
  else if (node !== null && typeof node === "object") {
    visit(node);
    Object.values(node).forEach((n) => walk(n, visit));
  }
}

function collect(card: object, pred: (o: Obj) => boolean): Obj[] {
  const out: Obj[] = [];
  walk(card as Json, (o) => {
    if (pred(o)) out.push(o);
  });
  return out;
}

/** Every string a Teams client reads as markdown: TextBlock text, Fact title and value. */
function displayedTexts(card: object): string[] {
  const out: string[] = [];
  walk(card as Json, (o) => {
    if (o.type === "TextBlock" && typeof o.text === "string") out.push(o.text);
    if (o.type === "FactSet" && Array.isArray(o.facts)) {
      for (const f of o.facts as Obj[]) out.push(String(f.title), String(f.value));
    }
  });
  return out;
}

const inputs = (card: object) => collect(card, (o) => typeof o.type === "string" && o.type.startsWith("Input."));
const inputById = (card: object, id: string) => inputs(card).find((i) => i.id === id);
/** Buttons: the actions of every ActionSet (and card-level actions), in document order. */
const cardActions = (card: object): Obj[] => [
  ...collect(card, (o) => o.type === "ActionSet").flatMap((set) => set.actions as Obj[]),
  ...(((card as Obj).actions as Obj[] | undefined) ?? []),
];
/** Tappable rows: the selectAction of every element that has one, in document order. */
const selectActions = (card: object): Obj[] => collect(card, (o) => !!o.selectAction).map((o) => o.selectAction as Obj);

/** True when a character at i is preceded by an odd number of backslashes (so it is escaped). */
function escapedAt(s: string, i: number): boolean {
  let n = 0;
  for (let j = i - 1; j >= 0 && s[j] === "\\"; j--) n++;
  return n % 2 === 1;
}

/**
 * Problems that would make Teams (CommonMark-style markdown) render the text as something other
 * than plain text: emphasis, code, strikethrough, links, images, lists, headings, quotes, tables.
 */
function markdownProblems(text: string): string[] {
  const problems: string[] = [];
  for (let i = 0; i < text.length; i++) {
    if ("*_[]`~|".includes(text[i]) && !escapedAt(text, i)) problems.push(`unescaped ${text[i]} at ${i}`);
  }
  for (const line of text.split(/\r\n|\r|\n/)) {
    const t = line.replace(/^[ \t]+/, "");
    if (/^(#|-|\+|>|=)/.test(t)) problems.push(`line starts with a block marker: ${t.slice(0, 20)}`);
    if (/^\d+[.)](\s|$)/.test(t)) problems.push(`line starts with a list number: ${t.slice(0, 20)}`);
    if (/^ {4}|^\t/.test(line)) problems.push("indented code line");
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Realistic data

const STANDARD_TITLES = [
  "Senior leadership commitment",
  "Clear statement of responsibilities and policies",
  "Clear lines of accountability",
  "Service development informed by children and families",
  "Safeguarding training and development",
  "Safer recruitment and managing allegations",
  "Effective inter-agency working",
  "Information sharing",
  "Commissioning",
  "Supervision, support and whistleblowing",
];
const AGENCY = "Southdown Community Health NHS Trust";
const CYCLE = "Section 11 audit 2025-27";
const RETURN_ID = "c2025~ag-southdown-chs";
const ETAG = `W/"datetime'2025-03-14T10%3A21%3A07.1234567Z'"`;

const act = (title: string, verb: string, data: Record<string, string>, style: ActionView["style"] = "default", kind?: ActionView["kind"]): ActionView =>
  kind ? { title, verb, data, style, kind } : { title, verb, data, style };

const RATING_CHOICES: ChoiceView[] = [
  { title: "Fully met", value: "fully" },
  { title: "Partially met", value: "partially" },
  { title: "Not met", value: "not" },
  { title: "Not applicable", value: "na" },
];

function reviewStandards(title = (i: number) => STANDARD_TITLES[i]): ReviewStandardView[] {
  return STANDARD_TITLES.map((_, i) => ({
    number: String(i + 1),
    title: title(i),
    fully: 3,
    partially: 1,
    not: 0,
    na: i === 8 ? 1 : 0,
    missing: 0,
    summaryText: i === 8 ? "3 fully met · 1 partially met · 1 not applicable" : "3 fully met · 1 partially met",
  }));
}

const AGENCIES = [
  "Southdown Community Health NHS Trust",
  "Southdown Borough Council Children's Services",
  "South Coast Police",
  "NHS Southdown Integrated Care Board",
  "Southdown Youth Offending Team",
  "Westshire & Southdown Fire and Rescue Service",
  "NSPCC South East",
  "St Aidan's C of E Primary School",
  "Downland Secure School",
  "CAFCASS",
];

function realisticViews(): { [N in CardName]: CardViews[N] } {
  return {
    welcome: {
      name: "Priya Sharma",
      intro: "I run your safeguarding partnership's assurance work here in Teams: the Section 11 self-assessment, sign-off and submission. Your answers save as you go.",
      roles: [
        { label: "Safeguarding lead", detail: AGENCY },
        { label: "Senior officer", detail: AGENCY },
      ],
      actions: [
        act("Open my Section 11 return", "cmd", { command: "audit" }, "positive", "submit"),
        act("Returns waiting for my sign-off", "cmd", { command: "signoffs" }, "default", "submit"),
        act("Help", "cmd", { command: "help" }, "default", "submit"),
      ],
      localHint: "Local mode: you are a partnership admin.",
    },
    help: {
      commands: [
        { command: "audit", description: "Open your agency's Section 11 return" },
        { command: "continue", description: "Go to the next indicator to answer" },
        { command: "review", description: "See the whole return and send it for sign-off" },
        { command: "admin", description: "Partnership admin: cycles, agencies, people" },
      ],
    },
    overview: {
      agencyName: AGENCY,
      cycleName: CYCLE,
      deadlineText: "Deadline 30 Nov 2025 (45 days left)",
      statusLabel: "Draft",
      statusColor: "warning",
      progressText: "31 of 42 indicators answered",
      notice: { text: "Saved.", color: "good" },
      standards: STANDARD_TITLES.map((title, i) => ({
        number: String(i + 1),
        title,
        progressText: i < 7 ? "4/4" : i === 7 ? "3/5" : "0/4",
        color: i < 7 ? "good" : i === 7 ? "warning" : "default",
        open: act("Open", "s11.step", { returnId: RETURN_ID, indicatorId: `${i + 1}.1` }),
      })),
      actions: [
        act("Continue", "s11.step", { returnId: RETURN_ID, indicatorId: "8.4" }, "positive"),
        act("Review the whole return", "s11.review", { returnId: RETURN_ID }),
      ],
    },
    indicatorStep: {
      returnId: RETURN_ID,
      indicatorId: "6.2",
      etag: ETAG,
      agencyName: AGENCY,
      standardLabel: "Standard 6 of 10: Safer recruitment and managing allegations",
      positionLabel: "Indicator 6.2 · 24 of 42",
      question: "Staff know how to report allegations against people who work with children, including to the Local Authority Designated Officer (LADO).",
      guidance: "Policy reference, LADO referrals in the last year, training records.",
      ratingChoices: RATING_CHOICES,
      rating: "partially",
      evidence: "Allegations policy v4 (reviewed Jan 2025).\nLADO contact details on the intranet; 6 referrals in 2024-25.\n- 82% of staff completed the e-learning.",
      naReason: "",
      actionText: "Add LADO awareness to induction for bank staff.",
      actionOwner: "Head of Safeguarding (Dr Aisha Okafor)",
      actionDue: "2025-09-30",
      limits: { evidence: 4000, naReason: 1000, actionText: 1000, actionOwner: 120 },
      problems: [],
      lastChangedText: "Last changed by Priya Sharma, 14 Mar, 10:21",
      readOnly: false,
      actions: [
        act("Save and next", "s11.save", { returnId: RETURN_ID, indicatorId: "6.2", etag: ETAG, go: "next" }, "positive"),
        act("Save and back", "s11.save", { returnId: RETURN_ID, indicatorId: "6.2", etag: ETAG, go: "back" }),
        act("Save and overview", "s11.save", { returnId: RETURN_ID, indicatorId: "6.2", etag: ETAG, go: "overview" }),
      ],
    },
    review: {
      returnId: RETURN_ID,
      agencyName: AGENCY,
      cycleName: CYCLE,
      statusLabel: "Draft",
      statusColor: "warning",
      totalsText: "30 fully met, 10 partially met, 0 not met, 1 not applicable; 1 still to answer",
      standards: reviewStandards(),
      incomplete: [{ label: "8.4 Information is shared securely with partner agencies…", open: act("Answer", "s11.step", { returnId: RETURN_ID, indicatorId: "8.4" }) }],
      moreIncompleteText: "",
      canRequestSignoff: true,
      substituteContact: "Tom Bennett, deputy lead, 01234 567890",
      actions: [act("Send for sign-off", "s11.requestSignoff", { returnId: RETURN_ID }, "positive"), act("Back to overview", "s11.overview", { returnId: RETURN_ID })],
    },
    signoffRequest: {
      returnId: RETURN_ID,
      agencyName: AGENCY,
      cycleName: CYCLE,
      requestedBy: "Priya Sharma",
      requestedAtText: "14 Mar, 10:21",
      substituteContact: "Tom Bennett, deputy lead",
      totalsText: "31 fully met, 10 partially met, 0 not met, 1 not applicable",
      standards: reviewStandards(),
      isUpdate: false,
      notice: { text: "Please review and sign off this Section 11 return.", color: "warning" },
      comment: "",
      open: true,
      actions: [
        act("Sign off and submit", "s11.approve", { returnId: RETURN_ID, version: ETAG }, "positive"),
        act("Send back with comment", "s11.sendBack", { returnId: RETURN_ID, version: ETAG }, "destructive"),
        act("See the whole return", "s11.overview", { returnId: RETURN_ID }),
      ],
    },
    message: {
      title: "Which return?",
      text: "You work on more than one return. Pick one:",
      color: "default",
      facts: [
        { title: "Cycle", value: CYCLE },
        { title: "Deadline", value: "30 Nov 2025" },
      ],
      actions: [
        act(`${AGENCY} (${CYCLE})`, "s11.overview", { returnId: RETURN_ID }),
        act("Downland Secure School (Section 11 audit 2025-27)", "s11.overview", { returnId: "c2025~ag-downland" }),
      ],
    },
    adminMenu: {
      importHint: "Send a .csv file in this chat to register agencies and their leads in bulk. Columns: agency_name, sector, partnerships, lead_email, lead_name, officer_email, officer_name.",
      cycleSummary: "Section 11 audit 2025-27: 57 agencies, 31 submitted, deadline 30 Nov 2025.",
      notice: { text: "Agency added.", color: "good" },
      actions: [
        act("Where every agency stands", "admin.status", {}, "positive"),
        act("Open a new cycle", "admin.cycle.form", {}),
        act("Add an agency", "admin.agency.form", {}),
        act("Add a lead or senior officer", "admin.assign.form", {}),
        act("Import agencies (CSV)", "admin.import", {}),
        act("Export for the annual report", "admin.export", {}),
        act("Help", "cmd", { command: "help" }, "default", "submit"),
      ],
    },
    cycleForm: {
      name: "Section 11 audit 2025-27",
      deadline: "2025-11-30",
      partnerships: "Southdown, Westshire",
      templateChoices: [{ title: "Section 11 self-assessment (partnership default)", value: "s11-default" }],
      templateId: "s11-default",
      problems: ["The deadline must be in the future."],
    },
    agencyForm: {
      name: "St Aidan's C of E Primary School",
      sector: "education",
      sectorChoices: [
        { title: "Health", value: "health" },
        { title: "Police", value: "police" },
        { title: "Education", value: "education" },
        { title: "Local authority", value: "la" },
        { title: "Voluntary and community", value: "voluntary" },
        { title: "Secure estate", value: "secure" },
      ],
      tenantId: "",
      partnerships: "Southdown",
      problems: [],
      notice: { text: "Southdown Youth Offending Team added.", color: "good" },
    },
    assignForm: {
      agencyChoices: AGENCIES.map((title, i) => ({ title, value: `ag-${i}` })),
      agencyId: "ag-0",
      role: "lead",
      roleChoices: [
        { title: "Safeguarding lead", value: "lead" },
        { title: "Senior officer (signs off)", value: "officer" },
      ],
      email: "priya.sharma@southdownchs.nhs.uk",
      personName: "Priya Sharma",
      problems: [],
    },
    status: {
      cycleName: CYCLE,
      deadlineText: "Deadline 30 Nov 2025 (45 days left)",
      countsText: "31 submitted, 12 in progress, 4 awaiting sign-off, 10 not started",
      rows: AGENCIES.map((agencyName, i) => ({
        agencyName,
        sectorLabel: i % 2 ? "Health" : "Education",
        statusLabel: i % 3 ? "Submitted" : "Draft",
        color: i % 3 ? "good" : "warning",
        progressText: i % 3 ? "42/42" : "12/42",
      })),
      moreText: "",
      actions: [act("Back to admin", "admin.menu", {})],
    },
    importReport: {
      title: "Import finished",
      summaryText: "55 agencies imported, 2 rejected.",
      color: "warning",
      rejected: [
        { line: "12: Downland Secure School,,Southdown", reason: "Sector is missing." },
        { line: "40: St Aidan's C of E Primary School,education,Nowhere", reason: "Unknown partnership \"Nowhere\"." },
      ],
      moreText: "",
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Hostile data

const HOSTILE_BITS = [
  "[click me](https://evil.example)",
  "**bold**",
  "# heading",
  "${expression}",
  "{{ mustache }}",
  `quotes ' " \``,
  "<script>alert(1)</script>",
  "Zoë 👩🏽‍⚕️ Ōtsuka",
  "مرحبا بالعالم",
  "שלום עולם",
  "_italic_ ~~strike~~",
  "![img](https://evil.example/x.png)",
  "| a | b |",
  "back\\slash",
  "> quoted",
];

/** Exactly n UTF-16 units of hostile text: whole pieces only (so "${expression}" is never cut), padded with "x". */
function hostile(n: number, multiline = false): string {
  let s = "";
  for (let i = 0; ; i++) {
    const piece = (i === 0 ? "" : multiline && i % 3 === 0 ? "\n1. " : " ") + HOSTILE_BITS[i % HOSTILE_BITS.length];
    if (s.length + piece.length > n) break;
    s += piece;
  }
  return s + "x".repeat(n - s.length);
}

const HOSTILE_ACTION_DATA = { returnId: "r~${expression}", note: "[x](https://evil.example) **b** \"q\"" };

function hostileViews(): { [N in CardName]: CardViews[N] } {
  const h = hostile;
  const hAct = (style: ActionView["style"] = "default", kind?: ActionView["kind"]): ActionView =>
    act(h(60), "s11.step", { ...HOSTILE_ACTION_DATA }, style, kind);
  const evidence = h(4000, true);
  const naReason = h(1000, true);
  const actionText = h(1000, true);
  const actionOwner = h(120);
  return {
    welcome: {
      name: h(200),
      intro: h(600, true),
      roles: [0, 1, 2].map(() => ({ label: h(60), detail: h(200) })),
      actions: [hAct("positive", "submit"), hAct("default", "submit"), hAct("default", "execute"), hAct()],
      localHint: h(300),
    },
    help: { commands: Array.from({ length: 10 }, () => ({ command: h(30), description: h(200) })) },
    overview: {
      agencyName: h(200),
      cycleName: h(120),
      deadlineText: h(80),
      statusLabel: h(40),
      statusColor: "attention",
      progressText: h(60),
      notice: { text: h(400, true), color: "attention" },
      standards: Array.from({ length: 20 }, (_, i) => ({
        number: String(i + 1),
        title: h(120),
        progressText: h(10),
        color: "warning",
        open: hAct(),
      })),
      actions: [hAct("positive"), hAct()],
    },
    indicatorStep: {
      returnId: "r~${expression}",
      indicatorId: "6.2",
      etag: ETAG,
      agencyName: h(200),
      standardLabel: `Standard 6 of 10: ${h(120)}`,
      positionLabel: h(40),
      question: h(600),
      guidance: h(600),
      ratingChoices: RATING_CHOICES,
      rating: "not",
      evidence,
      naReason,
      actionText,
      actionOwner,
      actionDue: "2026-01-31",
      limits: { evidence: 4000, naReason: 1000, actionText: 1000, actionOwner: 120 },
      notice: { text: h(300), color: "warning" },
      problems: [h(200), h(200), h(200)],
      lastChangedText: h(250),
      yourVersion: ["Rating: Not met", `Evidence: ${evidence}`, `Why not applicable: ${naReason}`, `Action: ${actionText}`, `Owner: ${actionOwner}`, "Due: 31 Jan 2026"].join("\n"),
      readOnly: false,
      actions: [hAct("positive"), hAct(), hAct(), hAct()],
    },
    review: {
      returnId: "r~${expression}",
      agencyName: h(200),
      cycleName: h(120),
      statusLabel: h(40),
      statusColor: "attention",
      totalsText: h(200),
      standards: reviewStandards(() => h(120)).map((s) => ({ ...s, summaryText: h(120) })),
      incomplete: Array.from({ length: 8 }, () => ({ label: h(80), open: hAct() })),
      moreIncompleteText: h(40),
      notice: { text: h(300), color: "attention" },
      canRequestSignoff: true,
      substituteContact: h(200),
      actions: [hAct("positive"), hAct()],
    },
    signoffRequest: {
      returnId: "r~${expression}",
      agencyName: h(200),
      cycleName: h(120),
      requestedBy: h(200),
      requestedAtText: h(40),
      substituteContact: h(200),
      totalsText: h(200),
      standards: reviewStandards(() => h(120)).map((s) => ({ ...s, summaryText: h(120) })),
      isUpdate: true,
      notice: { text: h(300), color: "attention" },
      comment: h(1000, true),
      open: true,
      actions: [hAct("positive"), hAct("destructive"), hAct()],
    },
    message: {
      title: h(120),
      text: h(1500, true),
      color: "attention",
      facts: Array.from({ length: 6 }, () => ({ title: h(40), value: h(200) })),
      actions: [hAct("positive"), hAct("default", "submit"), hAct()],
    },
    adminMenu: {
      importHint: h(300),
      cycleSummary: h(400),
      notice: { text: h(300), color: "good" },
      actions: Array.from({ length: 9 }, (_, i) => hAct(i === 0 ? "positive" : "default", i === 8 ? "submit" : undefined)),
    },
    cycleForm: {
      name: h(200),
      deadline: "2026-03-31",
      partnerships: h(400),
      templateChoices: [0, 1, 2].map((i) => ({ title: h(120), value: `tpl-${i}-\${expression}` })),
      templateId: "tpl-1-${expression}",
      problems: [h(200), h(200)],
    },
    agencyForm: {
      name: h(200),
      sector: "s-3",
      sectorChoices: Array.from({ length: 12 }, (_, i) => ({ title: h(60), value: `s-${i}` })),
      partnerships: h(400),
      tenantId: h(100),
      problems: [h(200), h(200)],
      notice: { text: h(300), color: "attention" },
    },
    assignForm: {
      agencyChoices: Array.from({ length: 60 }, (_, i) => ({ title: h(200), value: `ag-${i}-${"x".repeat(30)}` })),
      agencyId: "ag-7",
      role: "officer",
      roleChoices: [
        { title: h(60), value: "lead" },
        { title: h(60), value: "officer" },
      ],
      email: h(254),
      personName: h(200),
      problems: [h(200), h(200)],
      notice: { text: h(300), color: "attention" },
    },
    status: {
      cycleName: h(120),
      deadlineText: h(80),
      countsText: h(200),
      rows: Array.from({ length: STATUS_ROWS_AT_MAX_LENGTH }, () => ({
        agencyName: h(200),
        sectorLabel: h(40),
        statusLabel: h(40),
        color: "attention",
        progressText: h(20),
      })),
      moreText: h(60),
      actions: [hAct("positive"), hAct()],
    },
    importReport: {
      title: h(120),
      summaryText: h(300),
      color: "attention",
      rejected: Array.from({ length: 20 }, () => ({ line: h(200), reason: h(200) })),
      moreText: h(60),
    },
  };
}

/**
 * How many status rows fit with every text at its maximum hostile length (agency names of 200
 * characters full of characters that need escaping). Real names are about 40 characters: the full
 * 60-agency list fits easily (see "status with a whole partnership").
 */
const STATUS_ROWS_AT_MAX_LENGTH = 25;

// ---------------------------------------------------------------------------------------------
// Shared assertions

/** Input ids the server reads, per card, and where the raw value lives in the view. */
const INPUT_IDS: { [N in CardName]: readonly string[] } = {
  welcome: [],
  help: [],
  overview: [],
  indicatorStep: ["rating", "evidence", "naReason", "actionText", "actionOwner", "actionDue"],
  review: ["substituteContact"],
  signoffRequest: ["comment"],
  message: [],
  adminMenu: [],
  cycleForm: ["name", "deadline", "partnerships", "templateId"],
  agencyForm: ["name", "sector", "partnerships", "tenantId"],
  assignForm: ["agencyId", "role", "email", "personName"],
  status: [],
  importReport: [],
};

const CHOICES_OF: Partial<Record<string, string>> = {
  rating: "ratingChoices",
  templateId: "templateChoices",
  sector: "sectorChoices",
  agencyId: "agencyChoices",
  role: "roleChoices",
};

function inputsShown(name: CardName, view: Record<string, unknown>): boolean {
  if (name === "indicatorStep") return !view.readOnly;
  if (name === "review") return !!view.canRequestSignoff;
  if (name === "signoffRequest") return !!view.open;
  return true;
}

/** The `open` actions of a view's nested items (overview standards, review's incomplete list), in order. */
function openActions(view: unknown): ActionView[] {
  const out: ActionView[] = [];
  const visit = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === "object") {
      for (const [k, v] of Object.entries(node)) {
        if (k === "open" && v && typeof v === "object") out.push(v as ActionView);
        else if (k !== "actions") visit(v);
      }
    }
  };
  visit(view);
  return out;
}

function expectAction(got: Obj, a: ActionView, button: boolean): void {
  expect(got.title).toBe(a.title);
  if (a.kind === "submit") {
    expect(got.type).toBe("Action.Submit");
    expect(got.data).toEqual({ ...a.data, verb: a.verb });
    expect(got.verb).toBeUndefined();
  } else {
    expect(got.type).toBe("Action.Execute");
    expect(got.verb).toBe(a.verb);
    expect(got.data).toEqual(a.data);
  }
  if (button) expect(got.style).toBe(a.style ?? "default");
}

function checkCard<N extends CardName>(name: N, view: CardViews[N]): object {
  const before = JSON.stringify(view);
  const card = renderCard(name, view);
  expect(JSON.stringify(view)).toBe(before); // the view is not changed

  // Microsoft's renderer: no parse or validation events.
  expect(validateCard(card)).toEqual([]);
  expect(card).toMatchObject({ type: "AdaptiveCard", version: "1.5", $schema: "http://adaptivecards.io/schemas/adaptive-card.json" });
  expect(cardSize(card)).toBeLessThan(CARD_SIZE_LIMIT);

  // No unbound expression: every "${" in the card came from the data.
  const bound = JSON.stringify(card).split("${expression}").join("");
  expect(bound).not.toContain("${");
  if (!before.includes("${")) expect(JSON.stringify(card)).not.toContain("${");

  // Everything shown as markdown is inert.
  for (const text of displayedTexts(card)) expect({ text, problems: markdownProblems(text) }).toEqual({ text, problems: [] });

  // Inputs carry the raw values, choices are bound unchanged.
  const v = view as unknown as Record<string, unknown>;
  if (inputsShown(name, v)) {
    for (const id of INPUT_IDS[name]) {
      const input = inputById(card, id);
      expect(input).toBeDefined();
      expect(typeof input!.label).toBe("string");
      expect(input!.value).toBe(v[id]);
      const choicesKey = CHOICES_OF[id];
      if (choicesKey) expect(input!.choices).toEqual(v[choicesKey]);
    }
  }
  for (const input of inputs(card)) expect(typeof input.label === "string" && input.label.length > 0).toBe(true);

  // Buttons: one per ActionView, in view order, with the right type, verb, data and style.
  if (name === "help") {
    // Help offers every command as a button that sends it, as if typed.
    const commands = (v.commands as Array<{ command: string }>).map((c) => c.command);
    expect(cardActions(card).map((b) => [b.type, (b.data as Record<string, string>)?.verb, (b.data as Record<string, string>)?.command, b.title])).toEqual(commands.map((c) => ["Action.Submit", "cmd", c, c]));
  } else if (!FORM_CARDS.has(name)) {
    const expected = (v.actions as ActionView[] | undefined) ?? [];
    const buttons = cardActions(card);
    expect(buttons).toHaveLength(expected.length);
    expected.forEach((a, i) => expectAction(buttons[i], a, true));
  }
  // Tappable rows: one per nested `open` action.
  const opens = openActions(view);
  const rows = selectActions(card);
  expect(rows).toHaveLength(opens.length);
  opens.forEach((a, i) => expectAction(rows[i], a, false));
  return card;
}

/** Forms have fixed buttons (tested on their own), no actions from the view. */
const FORM_CARDS = new Set<CardName>(["cycleForm", "agencyForm", "assignForm"]);

// ---------------------------------------------------------------------------------------------
// Tests

describe("card templates", () => {
  const dir = findCardsDir();
  const files = readdirSync(dir).filter((f) => f.endsWith(".json"));

  it("has one template per CardViews entry and nothing else", () => {
    expect(files.map((f) => f.replace(/\.json$/, "")).sort()).toEqual([...CARD_NAMES].sort());
  });

  it.each([...CARD_NAMES])("%s is a phone-friendly Adaptive Card 1.5 template", (name) => {
    const template = JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8")) as Json;
    expect(template).toMatchObject({ type: "AdaptiveCard", version: "1.5", $schema: "http://adaptivecards.io/schemas/adaptive-card.json" });
    walk(template, (o) => {
      expect(o.type).not.toBe("ColumnSet"); // single column on a phone
      if (o.type === "TextBlock") expect(o.wrap).toBe(true);
      if (typeof o.type === "string" && o.type.startsWith("Input.")) {
        expect(typeof o.label).toBe("string");
        if (o.isRequired) expect(typeof o.errorMessage).toBe("string");
      }
      if (o.type === "Input.ChoiceSet" && o.id === "rating") expect(o.style).toBe("expanded");
    });
  });

  it("uses the fixed input ids and labels the server and screen readers rely on", () => {
    const views = realisticViews();
    const step = renderCard("indicatorStep", views.indicatorStep);
    expect(inputById(step, "evidence")).toMatchObject({ type: "Input.Text", isMultiline: true, maxLength: 4000 });
    expect(inputById(step, "naReason")).toMatchObject({ label: "If not applicable: why?", maxLength: 1000 });
    for (const id of ["actionText", "actionOwner", "actionDue"]) expect(String(inputById(step, id)!.label)).toMatch(/^If not fully met: /);
    expect(inputById(step, "actionDue")).toMatchObject({ type: "Input.Date", value: "2025-09-30" });
    expect(inputById(step, "rating")).toMatchObject({ type: "Input.ChoiceSet", style: "expanded", value: "partially" });

    const signoff = renderCard("signoffRequest", views.signoffRequest);
    expect(inputById(signoff, "comment")).toMatchObject({ isMultiline: true });
    expect(String(inputById(signoff, "comment")!.label)).toMatch(/send it back/i);

    const cycle = renderCard("cycleForm", views.cycleForm);
    expect(inputById(cycle, "deadline")).toMatchObject({ type: "Input.Date" });
    expect(inputById(cycle, "templateId")).toMatchObject({ type: "Input.ChoiceSet" });
    const agency = renderCard("agencyForm", views.agencyForm);
    expect(inputById(agency, "sector")).toMatchObject({ type: "Input.ChoiceSet", style: "compact" });
    const assign = renderCard("assignForm", views.assignForm);
    expect(inputById(assign, "agencyId")).toMatchObject({ type: "Input.ChoiceSet", style: "filtered" });
    expect(inputById(assign, "email")).toMatchObject({ type: "Input.Text", style: "email" });
  });

  it.each([
    ["cycleForm", "admin.cycle.create"],
    ["agencyForm", "admin.agency.create"],
    ["assignForm", "admin.assign"],
  ] as const)("%s submits with %s first and offers Back to admin without validating inputs", (name, verb) => {
    const card = renderCard(name, realisticViews()[name] as never);
    const actions = cardActions(card);
    expect(actions.map((a) => [a.type, a.verb])).toEqual([
      ["Action.Execute", verb],
      ["Action.Execute", "admin.menu"],
    ]);
    expect(actions[0].style).toBe("positive");
    expect(actions[1]).toMatchObject({ title: "Back to admin", associatedInputs: "none" });
  });
});

describe.each([...CARD_NAMES])("%s card", (name) => {
  it("binds realistic data cleanly", () => {
    checkCard(name, realisticViews()[name]);
  });

  it("binds hostile data at maximum lengths: valid, inert, under 28 KB, raw inputs", () => {
    const view = hostileViews()[name];
    const card = checkCard(name, view);
    // Injected markdown shows escaped, where the card shows it.
    const texts = displayedTexts(card).join("\n");
    expect(texts).toContain(escapeMarkdown("[click me](https://evil.example)"));
    expect(texts).not.toContain("[click me](");
    expect(texts).not.toContain("**bold**");
  });
});

describe("card details", () => {
  it("shows problems in red above the inputs, and the notice in its colour", () => {
    const view = { ...realisticViews().indicatorStep, problems: ["Evidence is 4,100 characters; the limit is 4,000."], notice: { text: "Not saved.", color: "attention" as const } };
    const card = renderCard("indicatorStep", view);
    const json = JSON.stringify(card);
    const problem = collect(card, (o) => o.type === "TextBlock" && String(o.text).startsWith("Evidence is 4,100"))[0];
    expect(problem.color).toBe("attention");
    expect(json.indexOf("Evidence is 4,100")).toBeLessThan(json.indexOf('"id":"rating"'));
    expect(collect(card, (o) => o.type === "TextBlock" && o.text === "Not saved.")[0]?.color).toBe("attention");
  });

  it("shows the user's conflicting version in its own container, escaped", () => {
    const view = { ...realisticViews().indicatorStep, yourVersion: "Rating: Fully met\nEvidence: **my** notes" };
    const card = renderCard("indicatorStep", view);
    const box = collect(card, (o) => o.type === "Container" && JSON.stringify(o).includes("Your version (not saved)"))[0];
    expect(box).toBeDefined();
    expect(JSON.stringify(box)).toContain(JSON.stringify(escapeMarkdown("Rating: Fully met\nEvidence: **my** notes")).slice(1, -1));
    expect(JSON.stringify(renderCard("indicatorStep", realisticViews().indicatorStep))).not.toContain("Your version");
  });

  it("shows a read-only answer as text, with no inputs", () => {
    const view = { ...realisticViews().indicatorStep, readOnly: true, actions: [act("Back to overview", "s11.overview", { returnId: RETURN_ID }, "positive")] };
    const card = checkCard("indicatorStep", view);
    expect(inputs(card)).toEqual([]);
    const texts = displayedTexts(card);
    expect(texts).toContain("Partially met");
    expect(texts).toContain(escapeMarkdown(view.evidence));
    expect(texts).toContain(escapeMarkdown(view.actionOwner));
  });

  it("hides the comment box once a sign-off is decided, showing the comment as text", () => {
    const view = { ...realisticViews().signoffRequest, open: false, comment: "Please add the LADO figures [see notes]", actions: [] };
    const card = checkCard("signoffRequest", view);
    expect(inputs(card)).toEqual([]);
    expect(displayedTexts(card)).toContain(escapeMarkdown(view.comment));
  });

  it("keeps what was typed when the server redraws a form with problems", () => {
    const typed = { ...realisticViews().cycleForm, name: "  **Spring** [2026] cycle ${x} ", deadline: "2026-02-30x", problems: ["Choose a real date."] };
    const card = renderCard("cycleForm", typed);
    expect(inputById(card, "name")!.value).toBe(typed.name);
    expect(inputById(card, "deadline")!.value).toBe(""); // not a yyyy-mm-dd date: a date picker cannot show it
    expect(validateCard(card)).toEqual([]);
  });

  it("makes overview and review rows tappable with the row's own action", () => {
    const views = realisticViews();
    const overview = renderCard("overview", views.overview);
    const rows = collect(overview, (o) => o.type === "Container" && !!o.selectAction);
    expect(rows).toHaveLength(10);
    expect(rows[5].selectAction).toEqual({ type: "Action.Execute", title: "Open", verb: "s11.step", data: { returnId: RETURN_ID, indicatorId: "6.1" } });
    expect(displayedTexts(rows[5])).toEqual(["6 · Safer recruitment and managing allegations", "4/4 · Open ›"]);
    const review = renderCard("review", views.review);
    expect(selectActions(review)).toHaveLength(1);
  });

  it("puts the main actions above the list of standards, most important first", () => {
    const card = renderCard("overview", realisticViews().overview);
    expect(cardActions(card).map((a) => a.title)).toEqual(["Continue", "Review the whole return"]);
    const json = JSON.stringify(card);
    expect(json.indexOf('"title":"Continue"')).toBeLessThan(json.indexOf("1 · Senior leadership commitment"));
  });

  it("renders mixed submit and execute actions in view order", () => {
    const view = {
      ...realisticViews().message,
      actions: [act("A", "cmd", { command: "audit" }, "positive", "submit"), act("B", "s11.overview", { returnId: "r" }), act("C", "cmd", { command: "help" }, undefined, "submit")],
    };
    const card = checkCard("message", view);
    expect(cardActions(card).map((a) => [a.type, a.title])).toEqual([
      ["Action.Submit", "A"],
      ["Action.Execute", "B"],
      ["Action.Submit", "C"],
    ]);
  });

  it("fits a whole partnership (60 agencies) on the status and assign cards", () => {
    const names = Array.from({ length: 60 }, (_, i) => `${AGENCIES[i % AGENCIES.length]} (${i + 1})`);
    const views = realisticViews();
    checkCard("status", { ...views.status, rows: names.map((agencyName) => ({ ...views.status.rows[0], agencyName })) });
    checkCard("assignForm", { ...views.assignForm, agencyChoices: names.map((title, i) => ({ title, value: `ag-${i}` })) });
  });

  it("refuses a card over 28 KB", () => {
    const views = realisticViews();
    const rows = Array.from({ length: 400 }, () => ({ ...views.status.rows[0], agencyName: hostile(200) }));
    expect(() => renderCard("status", { ...views.status, rows })).toThrow(CardTooLargeError);
    try {
      renderCard("status", { ...views.status, rows });
    } catch (e) {
      expect((e as CardTooLargeError).bytes).toBeGreaterThan(CARD_SIZE_LIMIT);
      expect((e as CardTooLargeError).cardName).toBe("status");
    }
  });

  it("renders in Microsoft's renderer with the raw text in the input boxes", () => {
    const view = hostileViews().indicatorStep;
    const el = renderToElement(renderCard("indicatorStep", view))!;
    expect(el).toBeDefined();
    const boxes = [...el.querySelectorAll("textarea, input")] as HTMLInputElement[];
    const values = boxes.map((b) => b.value);
    expect(values).toContain(view.evidence);
    expect(values).toContain(view.actionOwner);
    expect(el.querySelectorAll("input[type=radio]")).toHaveLength(4);
  });

  it("wraps a card as a Bot Framework attachment", () => {
    const card = renderCard("help", realisticViews().help);
    expect(cardAttachment(card)).toEqual({ contentType: "application/vnd.microsoft.card.adaptive", content: card });
  });

  it("finds cards/ from src/ and from a compiled dist/ folder", () => {
    const root = join(findCardsDir(), "..");
    expect(findCardsDir(join(root, "src", "cards"))).toBe(join(root, "cards"));
    expect(findCardsDir(join(root, "dist", "cards"))).toBe(join(root, "cards"));
  });
});

describe("escapeMarkdown", () => {
  it.each([
    ["[click me](https://evil.example)", "\\[click me\\]\\(https://evil.example\\)"],
    ["**bold** and _it_", "\\*\\*bold\\*\\* and \\_it\\_"],
    ["# heading", "\\# heading"],
    ["- item", "\\- item"],
    ["+ item", "\\+ item"],
    ["1. first", "1\\. first"],
    ["12) twelfth", "12\\) twelfth"],
    ["> quote", "\\> quote"],
    ["~~strike~~ `code` | pipe", "\\~\\~strike\\~\\~ \\`code\\` \\| pipe"],
    ["![img](x)", "\\!\\[img\\]\\(x\\)"],
    ["back\\slash", "back\\\\slash"],
    ["===", "\\==="],
    ["    indented code", "indented code"],
    ["Southdown 2.5 million", "Southdown 2.5 million"],
    ["Zoë 👩🏽‍⚕️ Ōtsuka", "Zoë 👩🏽‍⚕️ Ōtsuka"],
    ["${expression} {{ x }} 'q' \"q\" <script>", "${expression} {{ x }} 'q' \"q\" <script\\>"],
    ["https://example.org/a", "https://example.org/a"],
    ["", ""],
  ])("%j -> %j", (input, expected) => {
    expect(escapeMarkdown(input)).toBe(expected);
  });

  it("turns line breaks into paragraph breaks and escapes each line's start", () => {
    expect(escapeMarkdown("one\r\n2. two\n\n\n- three\r")).toBe("one\n\n2\\. two\n\n\\- three");
  });

  it("never leaves markdown syntax, whatever the input", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), fc.array(fc.constantFrom(...HOSTILE_BITS, "\n", "1. ", "    ", "=")), (s, bits) => {
        const text = escapeMarkdown(bits.join("") + s);
        expect(markdownProblems(text)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});

describe("random strings in every field", () => {
  const ENUM_KEYS = new Set(["color", "statusColor", "style", "kind"]);
  const text = fc.oneof(
    fc.string({ unit: "binary", maxLength: 80 }),
    fc.string({ unit: "grapheme", maxLength: 40 }),
    fc.constantFrom(...HOSTILE_BITS),
  );

  /** Paths of the string leaves of a view, enum-like keys left out. */
  function stringPaths(node: unknown, path: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
    if (typeof node === "string") {
      if (!ENUM_KEYS.has(String(path[path.length - 1]))) out.push(path);
    } else if (Array.isArray(node)) node.forEach((v, i) => stringPaths(v, [...path, i], out));
    else if (node && typeof node === "object") for (const [k, v] of Object.entries(node)) stringPaths(v, [...path, k], out);
    return out;
  }

  function setAt(root: unknown, path: (string | number)[], value: string): void {
    let node = root as Record<string | number, unknown>;
    for (const p of path.slice(0, -1)) node = node[p] as Record<string | number, unknown>;
    node[path[path.length - 1]] = value;
  }

  it.each([...CARD_NAMES])("%s never breaks parsing, binding or the size limit", (name) => {
    const base = realisticViews()[name];
    const paths = stringPaths(base);
    fc.assert(
      fc.property(fc.array(text, { minLength: paths.length, maxLength: paths.length }), fc.boolean(), (values, flag) => {
        const view = structuredClone(base) as unknown as Record<string, unknown>;
        paths.forEach((p, i) => setAt(view, p, values[i]));
        if (name === "indicatorStep") view.readOnly = flag;
        if (name === "signoffRequest") view.open = flag;
        if (name === "review") view.canRequestSignoff = flag;
        const card = renderCard(name, view as never);
        expect(validateCard(card)).toEqual([]);
        expect(cardSize(card)).toBeLessThan(CARD_SIZE_LIMIT);
        const leftover = JSON.stringify(card).split("${").length - 1;
        const fromData = values.reduce((n, v) => n + (v.split("${").length - 1), 0);
        expect(leftover).toBeLessThanOrEqual(fromData * 2); // an input value may also appear escaped as text
        for (const t of displayedTexts(card)) expect(markdownProblems(t)).toEqual([]);
      }),
      { numRuns: 50 },
    );
  });
});
