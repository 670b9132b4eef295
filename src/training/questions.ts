import { z } from "zod/v4";
import type { EvaluationKind } from "./types";

/**
 * The evaluations' questions and the rules for an answer, shared by the Teams card and the web
 * page so both ask the same thing and accept the same answer. Pure: no I/O.
 *
 * Field names are the input ids of the card and the names of the page's form fields.
 */
export const TEXT_LIMIT = 2000;
/** At most this many learning outcomes per course (one line each on the card). */
export const OUTCOME_LIMIT = 8;

export const RATING_SCALE = [
  { value: "1", label: "1 – Poor" },
  { value: "2", label: "2 – Fair" },
  { value: "3", label: "3 – Good" },
  { value: "4", label: "4 – Very good" },
  { value: "5", label: "5 – Excellent" },
] as const;

/** The same scale before, after and at follow-up, so the three can be compared. */
export const CONFIDENCE_SCALE = [
  { value: "1", label: "1 – Not at all confident" },
  { value: "2", label: "2 – A little confident" },
  { value: "3", label: "3 – Fairly confident" },
  { value: "4", label: "4 – Confident" },
  { value: "5", label: "5 – Very confident" },
] as const;

export const OUTCOME_CHOICES = [
  { value: "yes", label: "Yes" },
  { value: "partly", label: "Partly" },
  { value: "no", label: "No" },
] as const;

export const IMPROVED_CHOICES = [...OUTCOME_CHOICES, { value: "na", label: "Not applicable to my role" }] as const;

export const CONSENT_CHOICES = [
  { value: "no", label: "No, do not quote me" },
  { value: "yes", label: "Yes, you may quote me anonymously" },
] as const;

export interface Choice {
  value: string;
  label: string;
}

export type Question =
  | { id: string; type: "choice"; label: string; choices: readonly Choice[]; required: boolean; hint?: string }
  | { id: string; type: "text"; label: string; required: boolean; hint?: string };

const outcomeId = (i: number) => `outcome${i + 1}`;

export function questionsFor(kind: EvaluationKind, outcomes: readonly string[]): Question[] {
  if (kind === "end") {
    return [
      { id: "overall", type: "choice", label: "Overall, how would you rate this session?", choices: RATING_SCALE, required: true },
      ...outcomes.slice(0, OUTCOME_LIMIT).map((o, i): Question => ({ id: outcomeId(i), type: "choice", label: `Learning outcome met: ${o}`, choices: OUTCOME_CHOICES, required: true })),
      { id: "confidenceBefore", type: "choice", label: "How confident did you feel about this topic before the session?", choices: CONFIDENCE_SCALE, required: true },
      { id: "confidenceAfter", type: "choice", label: "How confident do you feel now?", choices: CONFIDENCE_SCALE, required: true },
      { id: "trainer", type: "choice", label: "How would you rate the trainer?", choices: RATING_SCALE, required: true },
      { id: "materials", type: "choice", label: "How would you rate the materials?", choices: RATING_SCALE, required: true },
      { id: "doDifferently", type: "text", label: "What will you do differently in your work?", required: true },
      { id: "comment", type: "text", label: "Any other comment (optional)", required: false },
      { id: "consentQuote", type: "choice", label: "May we quote what you will do differently, without your name, in reports?", choices: CONSENT_CHOICES, required: true },
    ];
  }
  return [
    { id: "practiceChanged", type: "choice", label: "Has your practice changed since the course?", choices: OUTCOME_CHOICES, required: true },
    { id: "practiceExample", type: "text", label: "An example of what you now do differently", hint: "Needed if your practice has changed.", required: false },
    { id: "jointWorking", type: "choice", label: "Has joint working or information sharing with other agencies improved?", choices: IMPROVED_CHOICES, required: true },
    { id: "confidenceNow", type: "choice", label: "How confident do you feel about this topic now?", choices: CONFIDENCE_SCALE, required: true },
    { id: "barriers", type: "text", label: "Anything that got in the way of using what you learnt (optional)", required: false },
    { id: "consentQuote", type: "choice", label: "May we quote your example, without your name, in reports?", choices: CONSENT_CHOICES, required: true },
  ];
}

const scale = z.number().int().min(1).max(5);
const met = z.enum(["yes", "partly", "no"]);
const text = z.string().max(TEXT_LIMIT);

export const endAnswersSchema = z.object({
  kind: z.literal("end"),
  overall: scale,
  outcomes: z.array(met).max(OUTCOME_LIMIT),
  confidenceBefore: scale,
  confidenceAfter: scale,
  trainer: scale,
  materials: scale,
  doDifferently: text,
  comment: text,
  consentQuote: z.boolean(),
});
export const followAnswersSchema = z.object({
  kind: z.literal("follow"),
  practiceChanged: met,
  practiceExample: text,
  jointWorking: z.enum(["yes", "partly", "no", "na"]),
  confidenceNow: scale,
  barriers: text,
  consentQuote: z.boolean(),
});
export const answersSchema = z.discriminatedUnion("kind", [endAnswersSchema, followAnswersSchema]);
export type EndAnswers = z.infer<typeof endAnswersSchema>;
export type FollowAnswers = z.infer<typeof followAnswersSchema>;
export type Answers = z.infer<typeof answersSchema>;

export type Checked =
  | { ok: true; answers: Answers; values: Record<string, string> }
  /** `values` is what to show back in the form: what was typed, texts cut to the limit. */
  | { ok: false; problems: Record<string, string>; values: Record<string, string> };

/** Multi-line text as typed: line breaks kept (CRLF → LF), control characters and bidi overrides removed, ends trimmed. */
export function cleanText(v: unknown): string {
  if (typeof v !== "string") return "";
  return v.replace(/\r\n?/g, "\n").replace(/[\u202a-\u202e\u2066-\u2069]/g, "").replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, " ").trim();
}

const n = (x: number) => x.toLocaleString("en-GB");

/**
 * Checks an answer as typed (strings from a card or a form). Every problem is reported against
 * its field, in words a delegate can act on; what they typed is kept (long texts cut to the
 * limit, with the problem saying so). Anything outside the questions is ignored.
 */
export function checkAnswers(kind: EvaluationKind, outcomes: readonly string[], raw: Record<string, unknown>): Checked {
  const problems: Record<string, string> = {};
  const values: Record<string, string> = {};
  const parsed: Record<string, string> = {};
  for (const q of questionsFor(kind, outcomes)) {
    if (q.type === "text") {
      const v = cleanText(raw[q.id]);
      values[q.id] = v.length > TEXT_LIMIT ? v.slice(0, TEXT_LIMIT) : v;
      parsed[q.id] = v;
      if (v.length > TEXT_LIMIT) problems[q.id] = `This is ${n(v.length)} characters; the limit is ${n(TEXT_LIMIT)}. We kept the first ${n(TEXT_LIMIT)}: shorten it and save again.`;
      else if (q.required && !v) problems[q.id] = "Please write a sentence or two.";
      continue;
    }
    const v = typeof raw[q.id] === "string" ? (raw[q.id] as string).trim() : typeof raw[q.id] === "number" ? String(raw[q.id]) : "";
    const known = q.choices.some((c) => c.value === v);
    values[q.id] = known ? v : "";
    parsed[q.id] = v;
    if (!v) {
      if (q.required) problems[q.id] = q.choices === RATING_SCALE || q.choices === CONFIDENCE_SCALE ? "Please choose a number from 1 to 5." : "Please choose one.";
    } else if (!known) {
      problems[q.id] = q.choices === RATING_SCALE || q.choices === CONFIDENCE_SCALE ? "Choose a whole number from 1 to 5." : "Choose one of the options.";
    }
  }
  if (kind === "follow" && (parsed.practiceChanged === "yes" || parsed.practiceChanged === "partly") && !parsed.practiceExample && !problems.practiceExample) {
    problems.practiceExample = "Please give an example of what you now do differently.";
  }
  if (Object.keys(problems).length) return { ok: false, problems, values };
  const num = (id: string) => Number(parsed[id]);
  const answers: Answers =
    kind === "end"
      ? {
          kind,
          overall: num("overall"),
          outcomes: outcomes.slice(0, OUTCOME_LIMIT).map((_, i) => parsed[outcomeId(i)] as "yes" | "partly" | "no"),
          confidenceBefore: num("confidenceBefore"),
          confidenceAfter: num("confidenceAfter"),
          trainer: num("trainer"),
          materials: num("materials"),
          doDifferently: parsed.doDifferently,
          comment: parsed.comment,
          consentQuote: parsed.consentQuote === "yes",
        }
      : {
          kind,
          practiceChanged: parsed.practiceChanged as "yes" | "partly" | "no",
          practiceExample: parsed.practiceExample,
          jointWorking: parsed.jointWorking as "yes" | "partly" | "no" | "na",
          confidenceNow: num("confidenceNow"),
          barriers: parsed.barriers,
          consentQuote: parsed.consentQuote === "yes",
        };
  return { ok: true, answers: answersSchema.parse(answers), values };
}

/** A stored answer as form values, to show it again for changing. */
export function valuesOf(a: Answers | undefined): Record<string, string> {
  if (!a) return {};
  if (a.kind === "end") {
    return {
      overall: String(a.overall),
      ...Object.fromEntries(a.outcomes.map((o, i) => [outcomeId(i), o])),
      confidenceBefore: String(a.confidenceBefore),
      confidenceAfter: String(a.confidenceAfter),
      trainer: String(a.trainer),
      materials: String(a.materials),
      doDifferently: a.doDifferently,
      comment: a.comment,
      consentQuote: a.consentQuote ? "yes" : "no",
    };
  }
  return { practiceChanged: a.practiceChanged, practiceExample: a.practiceExample, jointWorking: a.jointWorking, confidenceNow: String(a.confidenceNow), barriers: a.barriers, consentQuote: a.consentQuote ? "yes" : "no" };
}
