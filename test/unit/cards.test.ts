import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { escapeMarkdown } from "../../src/cards/escape";
import { CARD_SIZE_LIMIT, CardTooLargeError, cardAttachment, cardSize, renderCard } from "../../src/cards/renderCard";
import { cardTemplateNames, findCardsDir } from "../../src/cards/templates";
import { md, NO_TEXT, Shown, text, trusted } from "../../src/cards/text";
import type { ActionView, CardName, CardViews, ChoiceView } from "../../src/cards/views";
import type { ReviewStandardView } from "../../src/section11/views";
import { reviewView } from "../../src/section11/returnViews";
import { TemplateIndex } from "../../src/section11/template";
import "../../src/section11/views";
import "../../src/admin/views";
import { cycleHostileViews, cycleRealisticViews } from "../support/cycleCardSamples";
import { trainingHostileViews, trainingRealisticViews } from "../support/trainingCardSamples";
import { panelHostileViews, panelRealisticViews } from "../support/panelCardSamples";
import { fitText } from "../../src/cards/fit";
import { renderToElement, validateCard } from "../support/cardRenderer";
import "../../src/digest/views";
import { digestCard } from "../../src/digest/present";
import { agencyDetail, sectorDetail, standardDetail } from "../../src/digest/drill";
import { SAMPLE_TRAINING, sampleFacts, sampleRecord, sampleStandards } from "../support/digestData";
import type { DigestRecord } from "../../src/digest/composer";

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
/** Buttons: the actions of every ActionSet, in document order. */
const cardActions = (card: object): Obj[] => collect(card, (o) => o.type === "ActionSet").flatMap((set) => set.actions as Obj[]);
/** Tappable rows: the selectAction of every element that has one, in document order. */
const selectActions = (card: object): Obj[] => collect(card, (o) => !!o.selectAction).map((o) => o.selectAction as Obj);

/** True when a character at i is preceded by an odd number of backslashes (so it is escaped). */
function escapedAt(s: string, i: number): boolean {
  let n = 0;
  for (let j = i - 1; j >= 0 && s[j] === "\\"; j--) n++;
  return n % 2 === 1;
}

/**
 * Problems that would make Teams (CommonMark-style markdown) render text from people as something
 * other than plain text: emphasis, code, strikethrough, links, images, lists, headings, quotes, tables.
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
const RETURN_ID = "c2025|ag-southdown-chs";
const ETAG = `W/"datetime'2025-03-14T10%3A21%3A07.1234567Z'"`;
const t = text;

const act = (title: string, verb: string, data: Record<string, string>, style: ActionView["style"] = "default", kind?: ActionView["kind"]): ActionView =>
  kind ? { title, verb, data, style, kind } : { title, verb, data, style };

const RATING_CHOICES: ChoiceView[] = [
  { title: "Fully met", value: "fully" },
  { title: "Partially met", value: "partially" },
  { title: "Not met", value: "not" },
  { title: "Not applicable", value: "na" },
];

function reviewStandards(title = (i: number) => t(STANDARD_TITLES[i]), from = "review"): ReviewStandardView[] {
  return STANDARD_TITLES.map((_, i) => ({
    number: t(String(i + 1)),
    title: title(i),
    fully: 3,
    partially: 1,
    not: 0,
    na: i === 8 ? 1 : 0,
    missing: 0,
    summaryText: t(i === 8 ? "3 fully met · 1 partially met · 1 not applicable" : "3 fully met · 1 partially met"),
    besideText: i === 1 ? t("Changed or moderated: 2.1 Partially met, panel Not met; 2.3 Partially met, first submission Fully met") : NO_TEXT,
    open: act(`Read standard ${i + 1}`, "s11.standard", { returnId: RETURN_ID, standard: String(i), from }),
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

const NO_PROBLEMS = { rating: NO_TEXT, evidence: NO_TEXT, naReason: NO_TEXT, actionText: NO_TEXT, actionOwner: NO_TEXT, actionDue: NO_TEXT };
const ratingOptions = (returnId: string) => RATING_CHOICES.map((c) => ({ label: t(c.title), hint: t(`What ${c.title.toLowerCase()} needs.`), choose: act(c.title, "s11.step", { returnId, indicatorId: "6.2", rating: c.value }) }));
const back = (title = "Back to admin"): ActionView => ({ ...act(title, "admin.menu", {}), inputs: "none" });

const ALL_SECTIONS = ["returns", "standards", "attention", "training"] as const;
const REAL_STANDARDS = sampleStandards(10, 4, (i) => STANDARD_TITLES[i]);
const REAL_FACTS = sampleFacts(57, REAL_STANDARDS, { name: (i) => `${AGENCIES[i % AGENCIES.length]}${i >= AGENCIES.length ? ` ${i}` : ""}` });
const REAL_RECORD = sampleRecord(REAL_FACTS, REAL_STANDARDS, { training: SAMPLE_TRAINING });
const REAL_INPUT = { today: "2026-03-02", cycle: { cycleId: "c1", name: CYCLE, deadline: "2025-11-30" }, standards: REAL_STANDARDS, agencies: REAL_FACTS };

/** The worst a digest can be for its size: 500 agencies with 200-character hostile names, 20 long standards, everything not met, long quotes. */
function hostileRecord(): DigestRecord {
  const standards = sampleStandards(20, 4, () => hostile(120));
  const facts = sampleFacts(500, standards, { name: () => hostile(200), rating: () => "not" });
  return sampleRecord(facts, standards, { training: { ...SAMPLE_TRAINING, quotes: [hostile(400), hostile(400), hostile(400)], byCourse: Array.from({ length: 12 }, () => ({ course: hostile(200), sessions: 3, delegates: 40, answered: 30, averageRating: 4.1 })) }, partnerships: [hostile(60), hostile(60)], cycleName: hostile(120) });
}

function realisticViews(): { [N in CardName]: CardViews[N] } {
  const save = (then: string) => ({ returnId: RETURN_ID, indicatorId: "6.2", etag: ETAG, answerDigest: "abc", storedDue: "", then });
  return {
    welcome: {
      name: t("Priya Sharma"),
      intro: md`I run your safeguarding partnership's assurance work here in Teams.`,
      roles: [
        { label: t("Safeguarding lead"), detail: t(AGENCY) },
        { label: t("Senior officer"), detail: t(AGENCY) },
      ],
      actions: [act("Open my Section 11 return", "cmd", { command: "audit" }, "positive", "submit"), act("Help", "cmd", { command: "help" }, "default", "submit")],
      localHint: md`Local mode: you are a partnership admin.`,
    },
    help: {
      commands: [
        { command: "audit", description: t("Open your agency's Section 11 return") },
        { command: "review", description: t("See the whole return and send it for sign-off") },
      ],
      links: [{ title: "Open my chat with the bot", url: "https://teams.microsoft.com/l/chat/0/0?users=28%3Abot" }],
    },
    overview: {
      agencyName: t(AGENCY),
      cycleName: t(CYCLE),
      deadlineText: t("Deadline 30 Nov 2025 (45 days left)"),
      statusLabel: t("Draft"),
      statusColor: "warning",
      progressText: t("31 of 42 indicators answered"),
      besideText: t("A challenge panel gave a moderated rating to 3 indicators: shown beside yours under each standard of the review (your own ratings are unchanged)."),
      notice: { text: t("Saved."), color: "good" },
      standards: STANDARD_TITLES.map((title, i) => ({
        number: t(String(i + 1)),
        title: t(title),
        progressText: t(i < 7 ? "4/4" : "0/4"),
        color: i < 7 ? "good" : "default",
        open: act(`Open standard ${i + 1}`, "s11.step", { returnId: RETURN_ID, indicatorId: `${i + 1}.1` }),
        openLabel: t("Open"),
      })),
      actions: [act("Continue", "s11.step", { returnId: RETURN_ID, indicatorId: "8.4" }, "positive"), act("Review the whole return", "s11.review", { returnId: RETURN_ID })],
    },
    indicatorStep: {
      returnId: RETURN_ID,
      indicatorId: "6.2",
      etag: ETAG,
      agencyName: t(AGENCY),
      standardLabel: t("Standard 6 of 10: Safer recruitment and managing allegations"),
      positionLabel: t("Indicator 6.2 · 24 of 42"),
      question: t("Staff know how to report allegations against people who work with children, including to the LADO."),
      guidance: t("Policy reference, LADO referrals in the last year, training records."),
      ratingChoices: RATING_CHOICES,
      rating: "partially",
      evidence: "Allegations policy v4 (reviewed Jan 2025).\nLADO contact details on the intranet.\n- 82% of staff completed the e-learning.",
      naReason: "",
      actionText: "Add LADO awareness to induction for bank staff.",
      actionOwner: "Head of Safeguarding (Dr Aisha Okafor)",
      actionDue: "2025-09-30",
      shown: { rating: t("Partially met"), evidence: t("Allegations policy v4 (reviewed Jan 2025)."), naReason: NO_TEXT, actionText: t("Add LADO awareness."), actionOwner: t("Head of Safeguarding"), actionDue: t("30 Sep 2025") },
      limits: { evidence: 4000, naReason: 1000, actionText: 1000, actionOwner: 120 },
      choosing: false,
      ratingOptions: ratingOptions(RETURN_ID),
      needs: { evidence: true, naReason: false, action: true },
      notice: { text: t("Saved 6.1."), color: "good" },
      bottomNotice: { text: t("Saved 6.1."), color: "good" },
      problems: [],
      fieldProblems: NO_PROBLEMS,
      lastChangedText: t("Last changed by Priya Sharma, 14 Mar 2025, 10:21"),
      readOnly: false,
      actions: [act("Save and next", "s11.save", save("next"), "positive"), act("Save and back", "s11.save", save("back")), act("Save and overview", "s11.save", save("overview"))],
    },
    review: {
      returnId: RETURN_ID,
      agencyName: t(AGENCY),
      cycleName: t(CYCLE),
      statusLabel: t("Draft"),
      statusColor: "warning",
      totalsText: t("30 fully met, 10 partially met, 0 not met, 1 not applicable; 1 still to answer"),
      besideText: t("A challenge panel gave a moderated rating to 1 indicator: shown beside yours under each standard (your own ratings are unchanged). 1 indicator changed rating since the first submission."),
      standards: reviewStandards(),
      incomplete: [{ label: t("8.4 Information is shared securely with partner agencies…"), open: act("Answer 8.4", "s11.step", { returnId: RETURN_ID, indicatorId: "8.4", returnTo: "review" }) }],
      moreIncompleteText: NO_TEXT,
      toConfirm: [{ label: t("1.2 Safeguarding responsibilities are written into every job description…"), open: act("Confirm 1.2", "s11.step", { returnId: RETURN_ID, indicatorId: "1.2", returnTo: "review" }) }],
      moreToConfirmText: t("and 3 more to confirm"),
      canRequestSignoff: true,
      substituteContact: "Tom Bennett, deputy lead, 01234 567890",
      substituteContactText: t("Tom Bennett, deputy lead, 01234 567890"),
      actions: [act("Send for sign-off", "s11.requestSignoff", { returnId: RETURN_ID }, "positive"), act("Back to overview", "s11.overview", { returnId: RETURN_ID })],
    },
    signoffRequest: {
      returnId: RETURN_ID,
      heading: t("Please sign off this return"),
      changedText: NO_TEXT,
      agencyName: t(AGENCY),
      cycleName: t(CYCLE),
      requestedBy: t("Priya Sharma"),
      requestedAtText: t("14 Mar 2025, 10:21"),
      substituteContact: t("Tom Bennett, deputy lead"),
      totalsText: t("31 fully met, 10 partially met, 0 not met, 1 not applicable"),
      standards: reviewStandards(undefined, "signoff"),
      isUpdate: false,
      notice: { text: t("Please review and sign off this Section 11 return."), color: "warning" },
      comment: "",
      commentText: NO_TEXT,
      open: true,
      actions: [act("Sign off and submit", "s11.approve", { returnId: RETURN_ID, version: "v1" }, "positive"), act("Send back with comment", "s11.sendBack", { returnId: RETURN_ID, version: "v1" }, "destructive")],
    },
    standardAnswers: {
      agencyName: t(AGENCY),
      standardLabel: t("Standard 6 of 10: Safer recruitment and managing allegations"),
      summaryText: t("3 fully met · 1 partially met"),
      indicators: ["6.1", "6.2", "6.3", "6.4"].map((id, i) => ({
        id: t(id),
        question: t("A named safer-recruitment lead; checks done and recorded before anyone starts."),
        ratingText: t(i === 1 ? "Partially met" : "Fully met"),
        ratingColor: i === 1 ? "warning" : "good",
        evidence: t("DBS audit of 40 files, March 2025: all in date."),
        naReason: NO_TEXT,
        actionText: i === 1 ? t("Train all recruiting managers.") : NO_TEXT,
        actionOwner: i === 1 ? t("HR Manager") : NO_TEXT,
        actionDue: i === 1 ? t("30 Sep 2025") : NO_TEXT,
        changeText: i === 1 ? t("Changed since the last submission") : NO_TEXT,
      })),
      moreText: NO_TEXT,
      actions: [act("Back to the sign-off", "s11.signoffCard", { returnId: RETURN_ID }, "positive"), act("Next: standard 7", "s11.standard", { returnId: RETURN_ID, standard: "6", from: "signoff" })],
    },
    history: {
      agencyName: t(AGENCY),
      question: t("6.2 Staff know how to report allegations."),
      entries: [
        { when: t("4 Jun 2025, 11:00"), who: t("Olu Officer"), changes: [t("Rating: Partially met → Fully met"), t("Action removed")] },
        { when: t("3 Jun 2025, 11:00"), who: t("Lee Lead"), changes: [t("Rating: none → Partially met"), t('Evidence added: "Policy v4"')] },
      ],
      moreText: NO_TEXT,
      actions: [act("Back to the overview", "s11.overview", { returnId: RETURN_ID }), act("Back to the indicator", "s11.step", { returnId: RETURN_ID, indicatorId: "6.2" })],
    },
    message: {
      title: t("Which return?"),
      text: t("You work on more than one return. Pick one:"),
      color: "default",
      facts: [{ title: t("Cycle"), value: t(CYCLE) }],
      actions: [act(`${AGENCY} (${CYCLE})`, "s11.overview", { returnId: RETURN_ID })],
    },
    adminMenu: {
      importHint: md`Send a file in this chat: a .csv registers agencies, a .json loads a template.`,
      cycleSummary: t("Section 11 audit 2025-27: 57 agencies, 31 submitted, deadline 30 Nov 2025."),
      notice: { text: t("Agency added."), color: "good" },
      actions: [act("Where every agency stands", "admin.status", {}, "positive"), act("Open a cycle", "admin.cycle.form", {}), act("Settings", "admin.settings", {})],
    },
    cycleForm: {
      name: "Section 11 audit 2025-27",
      deadline: "2025-11-30",
      partnerships: "Southdown, Westshire",
      templateChoices: [{ title: "Section 11 self-assessment (built in, 42 indicators)", value: "s11-default" }],
      templateId: "s11-default",
      reminderDays: "14, 7, 1",
      carryChoices: [{ title: "Carry forward from Section 11 audit 2023-25", value: "section-11-audit-2023-25" }, { title: "Start empty (no carry forward)", value: "none" }],
      carryFrom: "section-11-audit-2023-25",
      problems: [t("The deadline must be in the future.")],
    },
    cycleList: {
      notice: { text: t("Section 11 audit 2023-25 is closed."), color: "good" },
      cycles: [CYCLE, "Section 11 audit 2023-25"].map((name, i) => ({
        name: t(name),
        detail: t("Deadline 30 Nov 2025 · Southdown, Westshire"),
        statusLabel: t(i ? "Closed on 1 Dec 2025: returns are read only" : "Open"),
        color: i ? "default" : "good",
        actions: [act(`Status of ${name}`, "admin.status", { cycleId: `c${i}` }), act(i ? `Reopen ${name}` : `Close ${name}`, i ? "admin.cycle.reopen" : "admin.cycle.close", { cycleId: `c${i}` }, i ? "default" : "destructive")],
      })),
      actions: [act("Open a cycle", "admin.cycle.form", {}), act("Admin menu", "admin.menu", {})],
    },
    agencyForm: {
      name: "St Aidan's C of E Primary School",
      sector: "education",
      sectorChoices: [
        { title: "Health", value: "health" },
        { title: "Education", value: "education" },
      ],
      tenantId: "",
      partnerships: "Southdown",
      problems: [],
      notice: { text: t("Southdown Youth Offending Team registered."), color: "good" },
      actions: [act("Register agency", "admin.agency.create", {}), { ...act("Add its lead now", "admin.assign.form", { agencyId: "yot" }, "positive"), inputs: "none" }, back()],
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
      replaces: "",
      problems: [],
      notice: { text: t("Priya Sharma is now safeguarding lead for Southdown Community Health NHS Trust."), color: "good" },
      linkedFacts: [
        { title: t("Linked to"), value: t("Priya Sharma") },
        { title: t("Tenant"), value: t("8a4b1c2d-0000-4000-8000-00000000abcd") },
        { title: t("Signs in as"), value: t("priya.sharma@southdownchs.nhs.uk") },
      ],
      actions: [act("Add person", "admin.assign", {}, "positive"), back()],
    },
    agencyPeople: {
      agencyName: t(AGENCY),
      agencyIdText: t("Agency id (for data exports): southdown-community-health-nhs-trust"),
      detail: t("Southdown · staff sign in from tenant 8a4b1c2d-0000-4000-8000-00000000abcd"),
      people: [
        { name: t("Priya Sharma"), role: t("Safeguarding lead"), detail: t("Tenant 8a4b… · signs in as priya@southdownchs.nhs.uk"), actions: [act("Replace Priya Sharma", "admin.assign.form", { agencyId: "a", role: "lead", replaces: "p:x" }), act("Remove Priya Sharma", "admin.person.remove", { agencyId: "a", role: "lead", holder: "p:x" }, "destructive")] },
      ],
      actions: [act("Add a lead or senior officer", "admin.assign.form", { agencyId: "a" }), act("Admin menu", "admin.menu", {})],
    },
    status: {
      cycleName: t(CYCLE),
      deadlineText: t("Deadline 30 Nov 2025 (45 days left)"),
      countsText: t("57 agencies: 31 submitted, 4 awaiting sign-off, 12 in draft, 10 not started"),
      actionsText: t("Actions agreed in the returns: 48 open, 3 past their due date."),
      filterText: t("Showing every agency: 57 agencies."),
      rows: AGENCIES.map((agencyName, i) => ({
        agencyName: t(agencyName),
        sectorLabel: t(i % 2 ? "Health · Southdown" : "Education · Southdown, Westshire"),
        statusLabel: t(i % 3 ? "Submitted" : "Draft"),
        color: i % 3 ? "good" : "warning",
        progressText: t(i % 3 ? "42/42 answered" : "12/42 answered"),
        chaseText: t("Lead: Priya Sharma (priya@southdownchs.nhs.uk) · last activity 14 Mar 2025 · 2 open actions"),
        open: act(`Open ${agencyName}`, "admin.agency.people", { agencyId: `ag-${i}`, cycleId: "c2025" }),
      })),
      pageText: t("Page 1 of 4"),
      cycleId: "c2025",
      cycleChoices: [{ title: CYCLE, value: "c2025" }, { title: "Section 11 audit 2023-25 (closed)", value: "c2023" }],
      state: "all",
      stateChoices: [{ title: "Every agency", value: "all" }, { title: "Not submitted yet", value: "not_submitted" }],
      sector: "all",
      sectorChoices: [{ title: "All sectors", value: "all" }, { title: "Health", value: "health" }],
      partnership: "all",
      partnershipChoices: [{ title: "All partnerships", value: "all" }, { title: "Southdown", value: "Southdown" }, { title: "Westshire", value: "Westshire" }],
      pager: [act("Next page", "admin.status", { cycleId: "c2025", state: "all", sector: "all", partnership: "all", page: "1" })],
      actions: [act("Show", "admin.status", {}, "positive"), act("Export as CSV", "admin.status.export", { cycleId: "c2025" }), act("Admin menu", "admin.menu", {})],
    },
    importReport: {
      title: t("Import finished with problems"),
      summaryText: t("57 rows: 55 agencies registered; 2 rows not imported."),
      color: "warning",
      registered: AGENCIES.map(t),
      rejected: [{ line: t("Line 12 (Downland Secure School)"), reason: t("The sector is missing.") }],
      moreText: NO_TEXT,
      actions: [act("Where every agency stands", "admin.status", {}), act("Admin menu", "admin.menu", {})],
    },
    settings: {
      separateSignoff: "true",
      notice: { text: t("Saved."), color: "good" },
      explanation: trusted("**Separate sign-off**: the senior officer who signs off must not be the lead who asked."),
      actions: [act("Save settings", "admin.settings.save", {}, "positive"), back()],
    },
    digest: digestCard(REAL_RECORD, { sections: ALL_SECTIONS, interactive: true }),
    digestDetail: standardDetail(REAL_INPUT, 5, {}),
    digestSettings: {
      title: t("Register this channel for Section 11 digests"),
      intro: t("The digest shows agencies' figures only, never evidence or people's names."),
      partnershipChoices: [
        { title: "Eastshire", value: "Eastshire" },
        { title: "Westmere", value: "Westmere" },
      ],
      partnerships: "Eastshire,Westmere",
      frequencyChoices: [
        { title: "Weekly", value: "weekly" },
        { title: "Monthly", value: "monthly" },
      ],
      frequency: "weekly",
      weekdayChoices: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"].map((w, i) => ({ title: w, value: String(i + 1) })),
      weekday: "1",
      monthDay: "1",
      time: "09:00",
      sectionChoices: ["returns", "standards", "attention", "training"].map((v) => ({ title: v, value: v })),
      sections: "returns,standards,attention,training",
      actions: [act("Register this channel", "digest.save", {}, "positive")],
    },
    digestChannels: {
      intro: t("2 channels registered."),
      channels: [0, 1].map((i) => ({
        name: t(i ? "Executive (private)" : "Safeguarding Executive"),
        detail: t("Westmere, Eastshire · Mondays at 09:00 (UK) · sections: returns, standards, attention, training"),
        status: t("Next digest 9 Mar 2026, 09:00"),
        color: "good" as const,
        actions: [act("Post one now", "digest.postNow", { teamId: `19:team${i}`, channelId: `19:chan${i}@thread.tacv2` }), act("Pause", "digest.pause", { teamId: `19:team${i}`, channelId: `19:chan${i}@thread.tacv2` })],
      })),
      actions: [],
    },
    ...trainingRealisticViews(),
    ...cycleRealisticViews(),
    ...panelRealisticViews(),
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
const th = (n: number, multiline = false) => t(hostile(n, multiline));

const HOSTILE_ACTION_DATA = { returnId: "r|${expression}", note: "[x](https://evil.example) **b** \"q\"" };
const hAct = (style: ActionView["style"] = "default", kind?: ActionView["kind"]): ActionView => act(hostile(60), "s11.step", { ...HOSTILE_ACTION_DATA }, style, kind);

function hostileViews(): { [N in CardName]: CardViews[N] } {
  const r = realisticViews();
  const evidence = hostile(4000, true);
  const naReason = hostile(1000, true);
  const actionText = hostile(1000, true);
  const actionOwner = hostile(120);
  return {
    welcome: { name: th(200), intro: th(600, true), roles: [0, 1, 2].map(() => ({ label: th(60), detail: th(200) })), actions: [hAct("positive", "submit"), hAct("default", "execute"), hAct()], localHint: th(300) },
    help: { intro: th(200), commands: Array.from({ length: 10 }, () => ({ command: hostile(30), description: th(200) })), links: [{ title: hostile(60), url: "https://teams.microsoft.com/l/chat/0/0?users=28%3A%24%7Bx%7D" }] },
    overview: {
      ...r.overview,
      agencyName: th(200),
      cycleName: th(120),
      deadlineText: th(80),
      statusLabel: th(40),
      progressText: th(60),
      notice: { text: th(400, true), color: "attention" },
      standards: Array.from({ length: 20 }, (_, i) => ({ number: t(String(i + 1)), title: th(120), progressText: th(10), color: "warning", open: hAct(), openLabel: th(10) })),
      actions: [hAct("positive"), hAct()],
    },
    indicatorStep: {
      ...r.indicatorStep,
      returnId: "r|${expression}",
      agencyName: th(200),
      standardLabel: th(160),
      positionLabel: th(40),
      question: th(600),
      guidance: th(600),
      rating: "not",
      evidence,
      naReason,
      actionText,
      actionOwner,
      actionDue: "2026-01-31",
      shown: { rating: t("Not met"), evidence: t(evidence), naReason: NO_TEXT, actionText: t(actionText), actionOwner: t(actionOwner), actionDue: t("31 Jan 2026") },
      needs: { evidence: true, naReason: true, action: true },
      notice: { text: th(300), color: "warning" },
      bottomNotice: { text: th(300), color: "warning" },
      problems: [th(200)],
      fieldProblems: { rating: th(100), evidence: th(150), naReason: th(100), actionText: th(100), actionOwner: th(100), actionDue: th(100) },
      lastChangedText: th(250),
      yourVersion: t(fitText(["Rating: Not met", `Evidence: ${evidence}`, `Action: ${actionText}`, `Owner: ${actionOwner}`].join("\n"), 6_000).text),
      actions: [hAct("positive"), hAct(), hAct(), hAct()],
    },
    review: {
      ...r.review,
      returnId: "r|${expression}",
      agencyName: th(200),
      cycleName: th(120),
      statusLabel: th(40),
      totalsText: th(200),
      besideText: th(300),
      standards: reviewStandards(() => th(120)).map((s) => ({ ...s, summaryText: th(120), besideText: th(600) })),
      incomplete: Array.from({ length: 8 }, () => ({ label: th(80), open: hAct() })),
      moreIncompleteText: th(40),
      toConfirm: Array.from({ length: 8 }, () => ({ label: th(80), open: hAct() })),
      moreToConfirmText: th(40),
      notice: { text: th(300), color: "attention" },
      bottomNotice: { text: th(300), color: "attention" },
      substituteContact: hostile(200),
      substituteContactText: th(200),
      actions: [hAct("positive"), hAct()],
    },
    signoffRequest: {
      ...r.signoffRequest,
      returnId: "r|${expression}",
      heading: th(60),
      changedText: th(300),
      agencyName: th(200),
      cycleName: th(120),
      requestedBy: th(200),
      requestedAtText: th(40),
      substituteContact: th(200),
      totalsText: th(200),
      standards: reviewStandards(() => th(120)).map((s) => ({ ...s, summaryText: th(120) })),
      isUpdate: true,
      notice: { text: th(300), color: "attention" },
      comment: hostile(1000, true),
      actions: [hAct("positive"), hAct("destructive")],
    },
    standardAnswers: {
      ...r.standardAnswers,
      agencyName: th(200),
      standardLabel: th(160),
      summaryText: th(120),
      // Eight indicators with every answer cut to what the service's smaller budgets leave when escaping is heavy.
      indicators: Array.from({ length: 8 }, (_, i) => ({
        id: t(`6.${i + 1}`),
        question: th(400),
        ratingText: th(100),
        ratingColor: "attention",
        evidence: t(fitText(hostile(4000, true), 450).text),
        naReason: t(fitText(hostile(1000, true), 150).text),
        actionText: t(fitText(hostile(1000, true), 150).text),
        actionOwner: th(120),
        actionDue: th(20),
        changeText: th(40),
      })),
      moreText: th(200),
      actions: [hAct("positive"), hAct(), hAct()],
    },
    history: {
      ...r.history,
      agencyName: th(200),
      question: th(600),
      entries: Array.from({ length: 15 }, () => ({ when: th(30), who: th(120), changes: [th(260), th(260), th(260)] })),
      moreText: th(100),
      actions: [hAct(), hAct()],
    },
    message: { title: th(120), text: th(1500, true), color: "attention", facts: Array.from({ length: 6 }, () => ({ title: th(40), value: th(200) })), actions: [hAct("positive"), hAct("default", "submit"), hAct()] },
    adminMenu: { importHint: th(300), cycleSummary: th(400), notice: { text: th(300), color: "good" }, actions: Array.from({ length: 8 }, (_, i) => hAct(i === 0 ? "positive" : "default")) },
    cycleForm: {
      name: hostile(200),
      deadline: "2026-03-31",
      partnerships: hostile(400),
      templateChoices: [0, 1, 2].map((i) => ({ title: hostile(120), value: `tpl-${i}-\${expression}` })),
      templateId: "tpl-1-${expression}",
      reminderDays: hostile(60),
      carryChoices: [0, 1, 2].map((i) => ({ title: hostile(150), value: `c-${i}-\${expression}` })),
      carryFrom: "c-1-${expression}",
      problems: [th(200), th(200)],
    },
    cycleList: { notice: { text: th(300), color: "good" }, cycles: Array.from({ length: 8 }, () => ({ name: th(120), detail: th(200), statusLabel: th(120), color: "default", actions: [hAct(), hAct("destructive")] })), actions: [hAct(), hAct()] },
    agencyForm: {
      ...r.agencyForm,
      name: hostile(200),
      sector: "s-3",
      sectorChoices: Array.from({ length: 12 }, (_, i) => ({ title: hostile(60), value: `s-${i}` })),
      partnerships: hostile(400),
      tenantId: hostile(100),
      problems: [th(200), th(200)],
      notice: { text: th(300), color: "attention" },
      actions: [hAct("positive"), hAct()],
    },
    assignForm: {
      ...r.assignForm,
      agencyChoices: Array.from({ length: 60 }, (_, i) => ({ title: hostile(200), value: `ag-${i}-${"x".repeat(30)}` })),
      agencyId: "ag-7",
      role: "officer",
      roleChoices: [
        { title: hostile(60), value: "lead" },
        { title: hostile(60), value: "officer" },
      ],
      email: hostile(254),
      personName: hostile(200),
      replacing: th(300),
      replaces: "p:${expression}",
      problems: [th(200), th(200)],
      notice: { text: th(300), color: "attention" },
      linkedFacts: [0, 1, 2].map(() => ({ title: th(40), value: th(200) })),
      actions: [hAct("positive"), hAct()],
    },
    agencyPeople: {
      agencyName: th(200),
      agencyIdText: th(120),
      detail: th(200),
      notice: { text: th(300), color: "good" },
      people: Array.from({ length: 10 }, () => ({ name: th(120), role: th(40), detail: th(400), actions: [hAct(), hAct("destructive")] })),
      actions: [hAct(), hAct(), hAct()],
    },
    status: {
      ...r.status,
      cycleName: th(120),
      deadlineText: th(80),
      countsText: th(200),
      actionsText: th(120),
      filterText: th(200),
      notice: { text: th(300), color: "good" },
      rows: Array.from({ length: 15 }, () => ({ agencyName: th(120), sectorLabel: th(80), statusLabel: th(60), color: "attention", progressText: th(30), chaseText: th(280), open: hAct() })),
      pageText: th(30),
      cycleChoices: Array.from({ length: 6 }, (_, i) => ({ title: hostile(100), value: `c${i}` })),
      partnershipChoices: Array.from({ length: 4 }, (_, i) => ({ title: hostile(60), value: `p${i}` })),
      pager: [hAct(), hAct()],
      actions: [hAct("positive"), hAct(), hAct()],
    },
    importReport: {
      title: th(120),
      summaryText: th(300),
      color: "attention",
      registered: Array.from({ length: 31 }, () => th(120)),
      rejected: Array.from({ length: 20 }, () => ({ line: th(180), reason: th(200) })),
      moreText: th(60),
      actions: [hAct(), hAct()],
    },
    settings: { separateSignoff: "false", notice: { text: th(300), color: "attention" }, explanation: th(400), actions: [hAct("positive"), hAct()] },
    digest: digestCard(hostileRecord(), { sections: ALL_SECTIONS, interactive: true, actionData: { teamId: "19:${expression}", channelId: hostile(200) } }),
    digestDetail: { title: th(200), subtitle: th(200), notice: { text: th(300), color: "attention" }, facts: Array.from({ length: 6 }, () => ({ title: th(40), value: th(200) })), sections: Array.from({ length: 3 }, () => ({ heading: th(100), lines: Array.from({ length: 20 }, () => th(200)) })), moreText: th(100), actions: [hAct(), hAct()] },
    digestSettings: {
      ...r.digestSettings,
      title: th(100),
      intro: th(400),
      notice: { text: th(300), color: "attention" },
      partnershipChoices: Array.from({ length: 8 }, (_, i) => ({ title: hostile(60), value: `p${i}-\${expression}` })),
      partnerships: "p0-${expression},p1-${expression}",
      time: "23:59",
      actions: [hAct("positive"), hAct(), hAct("destructive")],
    },
    digestChannels: {
      intro: th(300),
      notice: { text: th(300), color: "good" },
      channels: Array.from({ length: 10 }, () => ({ name: th(120), detail: th(300), status: th(80), color: "attention" as const, actions: [hAct(), hAct(), hAct(), hAct(), hAct("destructive")] })),
      actions: [hAct()],
    },
    ...trainingHostileViews({ hostile, th, hAct }),
    ...cycleHostileViews({ hostile, th, hAct }),
    ...panelHostileViews({ hostile, th, hAct }),
  };
}

// ---------------------------------------------------------------------------------------------
// Shared assertions

/** Input ids the server reads, per card, when the card shows them (and where the raw value lives in the view). */
function inputIds(name: CardName, v: Record<string, unknown>): string[] {
  switch (name) {
    case "indicatorStep": {
      if (v.readOnly || v.choosing) return [];
      const needs = v.needs as { evidence: boolean; naReason: boolean; action: boolean };
      return ["rating", ...(needs.evidence ? ["evidence"] : []), ...(needs.naReason ? ["naReason"] : []), ...(needs.action ? ["actionText", "actionOwner", "actionDue"] : [])];
    }
    case "review":
      return v.canRequestSignoff ? ["substituteContact"] : [];
    case "signoffRequest":
      return v.open ? ["comment"] : [];
    case "cycleForm":
      return ["name", "deadline", "partnerships", "templateId", "reminderDays", "carryFrom"];
    case "agencyForm":
      return ["name", "sector", "partnerships", "tenantId"];
    case "assignForm":
      return ["agencyId", "role", "email", "personName"];
    case "status":
      return ["state", "sector", ...((v.cycleChoices as unknown[]).length > 1 ? ["cycleId"] : []), ...((v.partnershipChoices as unknown[]).length > 2 ? ["partnership"] : [])];
    case "settings":
      return ["separateSignoff"];
    case "digestSettings":
      return ["partnerships", "frequency", "weekday", "monthDay", "time", "sections"];
    case "trainingCourseForm":
      return ["title", "kind", "outcomes", "followUpWeeks", "reminderAfter", "escalationAfter", ...((v.partnershipChoices as unknown[]).length > 1 ? ["partnerships"] : [])];
    case "trainingSessionForm":
      return ["date", "time", "duration", "mode", "venue", "trainer"];
    case "trainingDelegateForm":
      return ["name", "email", "agency", "managerName", "managerEmail"];
    case "trainingAttendance":
      return ["absent"];
    case "trainingOfficerForm":
      return ["email", "personName"];
    case "trainingDataRights":
      return v.askEmail ? ["email"] : [];
    case "deadlineForm":
      return ["agencyId", "deadline", "reminderDays"];
    case "actionList":
      return ["agency", "standard"];
    case "comparison":
      return (v.agencyChoices as unknown[]).length ? ["agencyId"] : [];
    default:
      return [];
  }
}

const CHOICES_OF: Partial<Record<string, string>> = { kind: "kindChoices", mode: "modeChoices", absent: "delegateChoices", rating: "ratingChoices", templateId: "templateChoices", carryFrom: "carryChoices", sector: "sectorChoices", agencyId: "agencyChoices", role: "roleChoices", cycleId: "cycleChoices", state: "stateChoices", partnership: "partnershipChoices", partnerships: "partnershipChoices", agency: "agencyChoices", standard: "standardChoices" };

/** The nested actions of a view that become tappable rows (`open`, `choose`), in view order. */
function rowActions(view: unknown): ActionView[] {
  const out: ActionView[] = [];
  const visit = (node: unknown) => {
    if (node instanceof Shown) return;
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === "object") {
      for (const [k, v] of Object.entries(node)) {
        if ((k === "open" || k === "choose") && v && typeof v === "object") out.push(v as ActionView);
        else if (k !== "actions" && k !== "pager") visit(v);
      }
    }
  };
  visit(view);
  return out;
}

/** The tappable rows a card shows, in document order. */
function expectedRows(name: CardName, view: unknown): ActionView[] {
  const v = view as Record<string, unknown>;
  if (name === "review") return [...(v.incomplete as Array<{ open: ActionView }>).map((x) => x.open), ...((v.toConfirm as Array<{ open: ActionView }> | undefined) ?? []).map((x) => x.open), ...(v.standards as Array<{ open: ActionView }>).map((x) => x.open)];
  return rowActions(view);
}

/** The buttons a card shows from its view, in document order. */
function expectedButtons(name: CardName, v: Record<string, unknown>): ActionView[] {
  const own = (v.actions as ActionView[] | undefined) ?? [];
  if (name === "deadlineForm") return [...(v.extendActions as ActionView[]), ...(v.reminderActions as ActionView[]), ...(v.demoActions as ActionView[]), ...own];
  if (name === "cycleList") return [...(v.cycles as Array<{ actions: ActionView[] }>).flatMap((c) => c.actions), ...own];
  if (name === "agencyPeople") return [...(v.people as Array<{ actions: ActionView[] }>).flatMap((p) => p.actions), ...own];
  if (name === "status") return [...own, ...(v.pager as ActionView[])];
  if (name === "panelForm") return [...(v.suggestActions as ActionView[]), ...own];
  if (name === "actionList") return [...(v.filterActions as ActionView[]), ...(v.pager as ActionView[]), ...own];
  if (name === "digestChannels") return [...(v.channels as Array<{ actions: ActionView[] }>).flatMap((c) => c.actions), ...own];
  return own;
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
  if (button) {
    expect(got.style).toBe(a.style ?? "default");
    expect(got.associatedInputs).toBe(a.inputs ?? "auto");
  }
}

/**
 * The renderer's events for a card, less one kind: "unknown element" for a Teams chart (Chart.*)
 * that carries a fallback element holding its numbers. Any chart without a fallback is reported.
 */
function unexpectedRendererEvents(card: object): string[] {
  const charts = collect(card, (o) => typeof o.type === "string" && o.type.startsWith("Chart."));
  const withoutFallback = charts.filter((c) => !c.fallback || typeof c.fallback !== "object").map((c) => `chart without a fallback: ${String(c.type)}`);
  const allowed = new Set(charts.filter((c) => c.fallback && typeof c.fallback === "object").map((c) => String(c.type)));
  const events = validateCard(card).filter((e) => {
    const m = /^Parse\/UnknownElementType: Unknown element type "?([A-Za-z.]+)"?/.exec(e);
    return !(m && allowed.has(m[1]));
  });
  return [...withoutFallback, ...events];
}

function checkCard<N extends CardName>(name: N, view: CardViews[N]): object {
  const before = JSON.stringify(view);
  const card = renderCard(name, view);
  expect(JSON.stringify(view)).toBe(before); // the view is not changed

  // Microsoft's renderer: no parse or validation events, apart from Teams' charts, which it does not know (each must carry a fallback).
  expect(unexpectedRendererEvents(card)).toEqual([]);
  expect(card).toMatchObject({ type: "AdaptiveCard", version: "1.5", $schema: "http://adaptivecards.io/schemas/adaptive-card.json" });
  expect(cardSize(card)).toBeLessThan(CARD_SIZE_LIMIT);

  // No unbound expression: every "${" in the card came from the data.
  const bound = JSON.stringify(card).split("${expression}").join("").split("${x}").join("");
  expect(bound).not.toContain("${");

  // Everything shown as markdown is inert, apart from the bot's own emphasis.
  for (const shown of displayedTexts(card)) {
    const withoutOwnBold = shown.replace(/\*\*Separate sign-off\*\*/g, "");
    expect({ text: shown, problems: markdownProblems(withoutOwnBold) }).toEqual({ text: shown, problems: [] });
  }

  // Inputs carry the raw values, choices are bound unchanged, and every input has a label.
  const v = view as unknown as Record<string, unknown>;
  for (const id of inputIds(name, v)) {
    const input = inputById(card, id);
    expect({ id, found: !!input }).toEqual({ id, found: true });
    expect(typeof input!.label).toBe("string");
    expect(input!.value).toBe(v[id]);
    const choicesKey = CHOICES_OF[id];
    if (choicesKey && v[choicesKey]) expect(input!.choices).toEqual((v[choicesKey] as ChoiceView[]).filter((c) => c.value !== "").map((c) => (c.title === "" ? { ...c, title: c.value } : c)));
  }
  for (const input of inputs(card)) expect(typeof input.label === "string" && input.label.length > 0).toBe(true);

  // Buttons: one per ActionView, in view order, with the right type, verb, data and style.
  const buttons = cardActions(card).filter((b) => b.type !== "Action.OpenUrl");
  if (name === "help") {
    const commands = (v.commands as Array<{ command: string }>).map((c) => c.command);
    expect(buttons.map((b) => [b.type, (b.data as Record<string, string>)?.verb, (b.data as Record<string, string>)?.command, b.title])).toEqual(commands.map((c) => ["Action.Submit", "cmd", c, c]));
  } else if (name !== "cycleForm") {
    const expected = expectedButtons(name, v);
    expect(buttons.map((b) => b.title)).toEqual(expected.map((a) => a.title));
    expected.forEach((a, i) => expectAction(buttons[i], a, true));
  }
  const links = cardActions(card).filter((b) => b.type === "Action.OpenUrl");
  expect(links.map((l) => [l.title, l.url])).toEqual(((v.links as Array<{ title: string; url: string }> | undefined) ?? []).map((l) => [l.title, l.url]));
  // Tappable rows: one per nested `open`/`choose` action shown.
  const opens = expectedRows(name, view);
  const rows = selectActions(card);
  if (name === "indicatorStep") expect(rows).toHaveLength(v.choosing && !v.readOnly ? 4 : 0);
  else {
    expect(rows).toHaveLength(opens.length);
    opens.forEach((a, i) => expectAction(rows[i], a, false));
  }
  return card;
}

// ---------------------------------------------------------------------------------------------
// Tests

const NAMES = cardTemplateNames() as CardName[];

describe("card templates", () => {
  const dir = findCardsDir();

  it("has a realistic and a hostile sample view for every template, and a template for every view", () => {
    expect(Object.keys(realisticViews()).sort()).toEqual([...NAMES].sort());
    expect(Object.keys(hostileViews()).sort()).toEqual([...NAMES].sort());
  });

  it.each(NAMES)("%s is a phone-friendly Adaptive Card 1.5 template", (name) => {
    const template = JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8")) as Json;
    expect(template).toMatchObject({ type: "AdaptiveCard", version: "1.5", $schema: "http://adaptivecards.io/schemas/adaptive-card.json" });
    walk(template, (o) => {
      expect(o.type).not.toBe("ColumnSet"); // single column on a phone
      if (o.type === "TextBlock") expect(o.wrap).toBe(true);
      if (typeof o.type === "string" && o.type.startsWith("Input.")) {
        expect(typeof o.label).toBe("string");
        if (o.isRequired) expect(typeof o.errorMessage).toBe("string");
      }
    });
  });

  it("asks for the rating first, then only for what that rating needs", () => {
    const views = realisticViews();
    const choose = renderCard("indicatorStep", { ...views.indicatorStep, choosing: true, rating: "" });
    expect(inputs(choose)).toEqual([]);
    expect(selectActions(choose).map((a) => a.title)).toEqual(["Fully met", "Partially met", "Not met", "Not applicable"]);
    const fully = renderCard("indicatorStep", { ...views.indicatorStep, rating: "fully", needs: { evidence: true, naReason: false, action: false } });
    expect(inputs(fully).map((i) => i.id)).toEqual(["rating", "evidence"]);
    const na = renderCard("indicatorStep", { ...views.indicatorStep, rating: "na", needs: { evidence: false, naReason: true, action: false } });
    expect(inputs(na).map((i) => i.id)).toEqual(["rating", "naReason"]);
    const partial = renderCard("indicatorStep", views.indicatorStep);
    expect(inputs(partial).map((i) => i.id)).toEqual(["rating", "evidence", "actionText", "actionOwner", "actionDue"]);
    expect(inputById(partial, "actionDue")).toMatchObject({ type: "Input.Date", value: "2025-09-30" });
    expect(inputById(partial, "rating")).toMatchObject({ type: "Input.ChoiceSet", value: "partially" });
  });

  it("marks the field that needs attention right under it, and repeats what happened beside the buttons", () => {
    const view = { ...realisticViews().indicatorStep, notice: { text: t("Not saved: fix the field marked in red."), color: "attention" as const }, bottomNotice: { text: t("Not saved: fix the field marked in red."), color: "attention" as const }, fieldProblems: { ...NO_PROBLEMS, actionOwner: t("Name who leads the action.") } };
    const card = renderCard("indicatorStep", view);
    const body = JSON.stringify(card);
    const owner = body.indexOf('"id":"actionOwner"');
    const problem = body.indexOf("Name who leads the action.");
    const due = body.indexOf('"id":"actionDue"');
    expect(owner).toBeLessThan(problem);
    expect(problem).toBeLessThan(due);
    const notices = collect(card, (o) => o.type === "TextBlock" && o.text === "Not saved: fix the field marked in red.");
    expect(notices).toHaveLength(2);
    expect(body.lastIndexOf("Not saved: fix the field")).toBeLessThan(body.indexOf('"title":"Save and next"'));
    expect(body.lastIndexOf("Not saved: fix the field")).toBeGreaterThan(due);
  });

  it("gives every form's Back button no inputs, so an empty required field cannot block it", () => {
    for (const name of ["agencyForm", "assignForm", "settings"] as const) {
      const card = renderCard(name, realisticViews()[name] as never);
      const backs = cardActions(card).filter((a) => /^Back/.test(String(a.title)));
      expect(backs.length).toBeGreaterThan(0);
      for (const b of backs) expect(b.associatedInputs).toBe("none");
    }
    const cycle = renderCard("cycleForm", realisticViews().cycleForm);
    expect(cardActions(cycle).map((a) => [a.verb, a.associatedInputs ?? "auto"])).toEqual([
      ["admin.cycle.create", "auto"],
      ["admin.menu", "none"],
    ]);
  });

  it("names each standard's row for a screen reader ('Open standard 6'), not just 'Open'", () => {
    const rows = selectActions(renderCard("overview", realisticViews().overview));
    expect(rows.map((r) => r.title)).toEqual(STANDARD_TITLES.map((_, i) => `Open standard ${i + 1}`));
  });
});

describe.each(NAMES)("%s card", (name) => {
  it("binds realistic data cleanly", () => {
    checkCard(name, realisticViews()[name]);
  });

  it("binds hostile data at maximum lengths: valid, inert, under 28 KB, raw inputs", () => {
    const view = hostileViews()[name];
    const card = checkCard(name, view);
    const texts = displayedTexts(card).join("\n");
    expect(texts).toContain(escapeMarkdown("[click me](https://evil.example)"));
    expect(texts).not.toContain("[click me](");
    expect(texts).not.toContain("**bold**");
  });
});

describe("card details", () => {
  it("shows the user's conflicting version in its own container, escaped", () => {
    const view = { ...realisticViews().indicatorStep, yourVersion: t("Rating: Fully met\nEvidence: **my** notes") };
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
    expect(displayedTexts(card)).toContain("Partially met");
  });

  it("hides the comment box once a sign-off is decided, showing the comment as text", () => {
    const view = { ...realisticViews().signoffRequest, open: false, comment: "", commentText: t("Please add the LADO figures [see notes]"), actions: [] };
    const card = checkCard("signoffRequest", view);
    expect(inputs(card)).toEqual([]);
    expect(displayedTexts(card)).toContain(escapeMarkdown("Please add the LADO figures [see notes]"));
  });

  it("lets the senior officer read every standard from the sign-off card", () => {
    const card = renderCard("signoffRequest", realisticViews().signoffRequest);
    expect(selectActions(card).map((a) => [a.verb, (a.data as Record<string, string>).standard, (a.data as Record<string, string>).from])).toEqual(STANDARD_TITLES.map((_, i) => ["s11.standard", String(i), "signoff"]));
    const drill = renderCard("standardAnswers", realisticViews().standardAnswers);
    expect(cardActions(drill)[0]).toMatchObject({ title: "Back to the sign-off", verb: "s11.signoffCard" });
  });

  it("keeps what was typed when the server redraws a form with problems", () => {
    const typed = { ...realisticViews().cycleForm, name: "  **Spring** [2026] cycle ${x} ", problems: [t("Choose a real date.")] };
    const card = renderCard("cycleForm", typed);
    expect(inputById(card, "name")!.value).toBe(typed.name);
    expect(validateCard(card)).toEqual([]);
  });

  it("bold of the bot's own is bold; the same characters from a person are not", () => {
    const card = renderCard("message", { title: md`Type **help**`, text: md`${"**not bold** from a person"}`, color: "default", facts: [], actions: [] });
    expect(displayedTexts(card)).toEqual(["Type **help**", escapeMarkdown("**not bold** from a person")]);
  });

  it("the review of 60 indicators, every one moderated by a panel and changed since the first submission, with hostile names, stays under 28 KB", () => {
    // Longest ids a template allows (32 characters, every one escaped), 20 standards with hostile 120-character titles.
    const ids = Array.from({ length: 60 }, (_, i) => `${String(i).padStart(2, "0")}_-.`.repeat(8).slice(0, 32));
    const template = { id: "t", version: 1, name: "T", standards: Array.from({ length: 20 }, (_, s) => ({ id: `s${s}`, title: hostile(120), indicators: ids.slice(s * 3, s * 3 + 3).map((id) => ({ id, text: hostile(600) })) })) };
    const answers = new Map(ids.map((id, i) => [id, { indicatorId: id, rating: i % 2 ? "partially" : "not", evidence: hostile(4000, true), naReason: "", actionText: hostile(1000), actionOwner: hostile(120), actionDue: "2027-01-31", etag: "e", updatedAt: "", updatedBy: hostile(120) }]));
    const loaded = { partitionKey: "c1|${expression}", header: { cycleId: "c1", agencyId: "a", agencyName: hostile(200), sector: "other", templateId: "t", templateVersion: 1, status: "submitted" as const, createdAt: "", requestSeq: 1, submissionCount: 1, substituteContact: hostile(200) }, headerEtag: "", answers, access: [] };
    const beside = { first: new Map(ids.map((id) => [id, { rating: "fully" }])), moderated: new Map(ids.map((id, i) => [id, i % 2 ? "not" : "partially"])) };
    const view = reviewView({ index: new TemplateIndex(template), loaded: loaded as never, cycle: { cycleId: "c1", name: hostile(120), deadline: "2027-03-31", templateId: "t", templateVersion: 1, partnerships: [], status: "open", createdAt: "", createdBy: "" }, today: "2026-12-02" }, { canEdit: true, beside, notice: { text: th(300), color: "attention" } });
    expect(String(view.besideText)).toContain("60 indicators");
    expect(String(view.standards[0].besideText).replace(/\\/g, "")).toMatch(/^Changed or moderated: 00_-\.\S+ Not met, first submission Fully met, panel Partially met; 01_-\.\S+ Partially met, first submission Fully met, panel Not met; /);
    const card = checkCard("review", view);
    expect(cardSize(card)).toBeLessThan(CARD_SIZE_LIMIT);
    if (process.env.SHOW_SIZES) console.log(`review, 60 indicators moderated and changed: ${cardSize(card)} bytes`);
  });

  it("refuses a card over 28 KB", () => {
    const views = realisticViews();
    const rows = Array.from({ length: 400 }, () => ({ ...views.status.rows[0], agencyName: th(200) }));
    expect(() => renderCard("status", { ...views.status, rows })).toThrow(CardTooLargeError);
  });

  it("renders in Microsoft's renderer with the raw text in the input boxes", () => {
    const view = hostileViews().indicatorStep;
    const el = renderToElement(renderCard("indicatorStep", view))!;
    const values = ([...el.querySelectorAll("textarea, input")] as HTMLInputElement[]).map((b) => b.value);
    expect(values).toContain(view.evidence);
    expect(values).toContain(view.actionOwner);
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

  it("cuts shown text by bytes at a character boundary", () => {
    const s = "é".repeat(5000);
    const f = fitText(s, 1001);
    expect(f.cut).toBe(true);
    expect(Buffer.byteLength(f.text)).toBeLessThanOrEqual(1001);
    expect(f.text).toBe("é".repeat(500));
    expect(fitText("short", 100)).toEqual({ text: "short", cut: false });
  });
});

describe("escapeMarkdown", () => {
  it.each([
    ["[click me](https://evil.example)", "\\[click me\\]\\(https://evil.example\\)"],
    ["**bold** and _it_", "\\*\\*bold\\*\\* and \\_it\\_"],
    ["# heading", "\\# heading"],
    ["- item", "\\- item"],
    ["1. first", "1\\. first"],
    ["> quote", "\\> quote"],
    ["back\\slash", "back\\\\slash"],
    ["===", "\\==="],
    ["    indented code", "indented code"],
    ["Zoë 👩🏽‍⚕️ Ōtsuka", "Zoë 👩🏽‍⚕️ Ōtsuka"],
    ["", ""],
  ])("%j -> %j", (input, expected) => {
    expect(escapeMarkdown(input)).toBe(expected);
  });

  it("never leaves markdown syntax, whatever the input", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), fc.array(fc.constantFrom(...HOSTILE_BITS, "\n", "1. ", "    ", "=")), (s, bits) => {
        expect(markdownProblems(escapeMarkdown(bits.join("") + s))).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});

describe("random strings in every field", () => {
  const ENUM_KEYS = new Set(["color", "statusColor", "style", "kind", "ratingColor", "inputs", "separateSignoff", "url"]);
  const junk = fc.oneof(fc.string({ unit: "binary", maxLength: 80 }), fc.string({ unit: "grapheme", maxLength: 40 }), fc.constantFrom(...HOSTILE_BITS));

  /** Paths of the text leaves of a view (plain strings and Shown), enum-like keys left out. */
  function leafPaths(node: unknown, path: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
    if (typeof node === "string" || node instanceof Shown) {
      if (!ENUM_KEYS.has(String(path[path.length - 1]))) out.push(path);
    } else if (Array.isArray(node)) node.forEach((v, i) => leafPaths(v, [...path, i], out));
    else if (node && typeof node === "object") for (const [k, v] of Object.entries(node)) leafPaths(v, [...path, k], out);
    return out;
  }

  function setAt(root: unknown, path: (string | number)[], value: string): void {
    let node = root as Record<string | number, unknown>;
    for (const p of path.slice(0, -1)) node = node[p] as Record<string | number, unknown>;
    const last = path[path.length - 1];
    // A displayed field gets text made the only way the code can make it; a value stays raw. A
    // choice's value is an id the code made from a stored, non-empty id: hostile, but never empty.
    const isChoiceValue = last === "value" && path.some((p) => typeof p === "string" && p.endsWith("Choices"));
    node[last] = node[last] instanceof Shown ? text(value) : isChoiceValue ? `v${value}` : value;
  }

  const clone = <T>(v: T): T => {
    if (v instanceof Shown) return v;
    if (Array.isArray(v)) return v.map(clone) as T;
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clone(x)])) as T;
    return v;
  };

  it.each(NAMES)("%s never breaks parsing, binding or the size limit", (name) => {
    const base = realisticViews()[name];
    const paths = leafPaths(base);
    fc.assert(
      fc.property(fc.array(junk, { minLength: paths.length, maxLength: paths.length }), fc.boolean(), (values, flag) => {
        const view = clone(base) as unknown as Record<string, unknown>;
        paths.forEach((p, i) => setAt(view, p, values[i]));
        if (name === "indicatorStep") view.readOnly = flag;
        if (name === "signoffRequest") view.open = flag;
        if (name === "review") view.canRequestSignoff = flag;
        if (name === "indicatorStep" || name === "cycleForm") view[name === "cycleForm" ? "deadline" : "actionDue"] = "";
        const card = renderCard(name, view as never);
        expect(unexpectedRendererEvents(card)).toEqual([]);
        expect(cardSize(card)).toBeLessThan(CARD_SIZE_LIMIT);
        for (const shown of displayedTexts(card)) expect(markdownProblems(shown.replace(/\*\*Separate sign-off\*\*/g, ""))).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });
});

test("the digest settings form before any partnership exists says so instead of offering an empty choice", () => {
  const view = { ...realisticViews().digestSettings, partnershipChoices: [], partnerships: "" };
  const card = renderCard("digestSettings", view);
  expect(unexpectedRendererEvents(card)).toEqual([]);
  expect(displayedTexts(card).join(" ")).toContain("No partnership is known yet");
});
