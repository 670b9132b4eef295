import { createHash } from "node:crypto";
import type { AnswerColumns } from "../storage/returnsRepo";
import { formatDate, isRealDate } from "../time";

/** The rating scale the seed partnership uses, plus "not applicable" which needs a reason and is left out of scores. */
export const RATINGS = ["fully", "partially", "not", "na"] as const;
export type Rating = (typeof RATINGS)[number];
export const RATING_LABELS: Record<Rating, string> = {
  fully: "Fully met",
  partially: "Partially met",
  not: "Not met",
  na: "Not applicable",
};

export const LIMITS = { evidence: 4000, naReason: 1000, actionText: 1000, actionOwner: 120 } as const;

/** What is stored per indicator. Empty strings mean "not given yet": a draft may be partial. */
export interface Answer {
  rating?: Rating;
  evidence: string;
  naReason: string;
  actionText: string;
  actionOwner: string;
  /** ISO date, yyyy-mm-dd. */
  actionDue: string;
}

export const EMPTY_ANSWER: Answer = { evidence: "", naReason: "", actionText: "", actionOwner: "", actionDue: "" };

export const ratingOf = (v: string): Rating | undefined => ((RATINGS as readonly string[]).includes(v) ? (v as Rating) : undefined);

/** A stored row as an answer: an unknown rating (written by hand, or by an older version) reads as none. */
export function answerOf(c: AnswerColumns): Answer {
  return { rating: ratingOf(c.rating), evidence: c.evidence, naReason: c.naReason, actionText: c.actionText, actionOwner: c.actionOwner, actionDue: c.actionDue };
}

export function columnsOf(a: Answer): AnswerColumns {
  return { rating: a.rating ?? "", evidence: a.evidence, naReason: a.naReason, actionText: a.actionText, actionOwner: a.actionOwner, actionDue: a.actionDue };
}

/** What a rating asks for: evidence for any rating but n/a, a reason for n/a, an action when not fully met. */
export function fieldsFor(rating: Rating | undefined): { evidence: boolean; naReason: boolean; action: boolean } {
  return { evidence: rating !== "na", naReason: rating === "na", action: rating === "partially" || rating === "not" };
}

/** Keeps only what the rating uses: text typed before switching to "Fully met" is not stored as an action. */
export function onlyWhatRatingUses(a: Answer): Answer {
  if (!a.rating) return a;
  const f = fieldsFor(a.rating);
  return {
    rating: a.rating,
    evidence: f.evidence ? a.evidence : "",
    naReason: f.naReason ? a.naReason : "",
    actionText: f.action ? a.actionText : "",
    actionOwner: f.action ? a.actionOwner : "",
    actionDue: f.action ? a.actionDue : "",
  };
}

/** A field-level problem, worded for the person who typed it. */
export interface FieldProblem {
  field: keyof Answer;
  message: string;
}

const clean = (s: unknown) => (typeof s === "string" ? s.replace(/\r\n?/g, "\n").replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "").trim() : "");

/**
 * Turns what a card submitted into an answer. Hard problems (too long, not a date, an unknown
 * rating) block the save; the text is kept, cut to the limit, so the card can show it again.
 * `previousDue` is the due date already stored: keeping a date that has since passed is allowed.
 */
export function normaliseAnswerInput(raw: Record<string, unknown>, today: string, previousDue = ""): { answer: Answer; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const ratingRaw = clean(raw.rating);
  let rating: Rating | undefined;
  if (ratingRaw) {
    rating = ratingOf(ratingRaw);
    if (!rating) problems.push({ field: "rating", message: "Choose one of the ratings listed." });
  }
  const textField = (field: "evidence" | "naReason" | "actionText" | "actionOwner", label: string) => {
    const v = clean(raw[field]);
    const max = LIMITS[field];
    if (v.length > max) {
      problems.push({
        field,
        message: `${label} is ${v.length.toLocaleString("en-GB")} characters; the limit is ${max.toLocaleString("en-GB")}. We kept the first ${max.toLocaleString("en-GB")}: shorten it and save again.`,
      });
      return v.slice(0, max);
    }
    return v;
  };
  const answer: Answer = {
    rating,
    evidence: textField("evidence", "Evidence"),
    naReason: textField("naReason", "The reason"),
    actionText: textField("actionText", "The action"),
    actionOwner: textField("actionOwner", "The action owner"),
    actionDue: clean(raw.actionDue).slice(0, 10),
  };
  if (answer.actionDue) {
    if (!isRealDate(answer.actionDue)) {
      problems.push({ field: "actionDue", message: "The due date must be a real date (pick it from the calendar)." });
    } else if (answer.actionDue < today && answer.actionDue !== previousDue) {
      problems.push({ field: "actionDue", message: `The due date ${formatDate(answer.actionDue)} is in the past: choose today or a later date.` });
    } else if (answer.actionDue > "2100-01-01") {
      problems.push({ field: "actionDue", message: "The due date is too far ahead: choose a date in the next few years." });
    }
  }
  return { answer, problems };
}

/** What is still needed for this indicator to count as answered. Empty when complete. */
export function missingForCompletion(a: Answer): FieldProblem[] {
  if (!a.rating) return [{ field: "rating", message: "Choose a rating." }];
  if (a.rating === "na") return a.naReason ? [] : [{ field: "naReason", message: "Say why this indicator does not apply to your organisation." }];
  const missing: FieldProblem[] = [];
  if (!a.evidence) missing.push({ field: "evidence", message: "Add evidence: how do you know?" });
  if (a.rating !== "fully") {
    if (!a.actionText) missing.push({ field: "actionText", message: "Add the action you will take to meet this indicator." });
    if (!a.actionOwner) missing.push({ field: "actionOwner", message: "Name who leads the action." });
    if (!a.actionDue) missing.push({ field: "actionDue", message: "Set a due date for the action." });
  }
  return missing;
}

export const isComplete = (a: Answer) => missingForCompletion(a).length === 0;

export const isBlank = (a: Answer) => !a.rating && !a.evidence && !a.naReason && !a.actionText && !a.actionOwner && !a.actionDue;

/**
 * A short digest of an answer's content. Cards carry the digest of the stored answer they were
 * drawn from so a save can tell "nothing changed" without reading the row. A client that lies
 * about it can only cause a harmless extra write or skip saving its own unchanged text.
 */
export function answerDigest(a: Answer): string {
  return createHash("sha256").update(JSON.stringify([a.rating ?? "", a.evidence, a.naReason, a.actionText, a.actionOwner, a.actionDue])).digest("base64url").slice(0, 16);
}
