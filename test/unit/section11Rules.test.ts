import { missingForCompletion, normaliseAnswerInput, EMPTY_ANSWER, onlyWhatRatingUses } from "../../src/section11/answer";
import { fullyMeetsMajority, resumePoint, displayStatus, countsByStandard } from "../../src/section11/status";
import { daysLeftText, isRealDate, ukDate } from "../../src/time";
import { describeTemplateIssue } from "../../src/section11/template";
import { parseTemplate, TemplateIndex, MAX_INDICATORS } from "../../src/section11/template";
import { DEFAULT_TEMPLATE } from "../../src/section11/templateCatalog";
import type { LoadedReturn, ReturnHeader, StoredAnswer } from "../../src/storage/returnsRepo";

const today = "2026-11-22";

describe("answer input", () => {
  test("an unknown rating, an impossible date and a past due date are hard problems with specific words", () => {
    const { problems } = normaliseAnswerInput({ rating: "excellent", actionDue: "2027-02-30" }, today);
    expect(problems.map((p) => p.field)).toEqual(["rating", "actionDue"]);
    expect(normaliseAnswerInput({ actionDue: "2026-11-01" }, today).problems[0].message).toContain("1 Nov 2026 is in the past");
  });

  test("a past due date that was already stored is not an error (the action is just overdue)", () => {
    expect(normaliseAnswerInput({ actionDue: "2026-01-01" }, today, "2026-01-01").problems).toEqual([]);
  });

  test("text over the limit is cut to the limit and the message gives both lengths", () => {
    const { answer, problems } = normaliseAnswerInput({ evidence: "x".repeat(4500) }, today);
    expect(answer.evidence).toHaveLength(4000);
    expect(problems[0].message).toContain("4,500 characters; the limit is 4,000");
  });

  test("control characters are removed, line breaks kept, non-strings ignored", () => {
    const { answer } = normaliseAnswerInput({ evidence: "a\u0000b\r\nc", actionOwner: { $ne: 1 }, rating: ["fully"] }, today);
    expect(answer.evidence).toBe("ab\nc");
    expect(answer.actionOwner).toBe("");
    expect(answer.rating).toBeUndefined();
  });

  test("completion: not applicable needs a reason; not fully met needs action, owner and date", () => {
    expect(missingForCompletion({ ...EMPTY_ANSWER, rating: "na" }).map((m) => m.field)).toEqual(["naReason"]);
    expect(missingForCompletion({ ...EMPTY_ANSWER, rating: "partially", evidence: "e" }).map((m) => m.field)).toEqual(["actionText", "actionOwner", "actionDue"]);
    expect(missingForCompletion({ ...EMPTY_ANSWER, rating: "fully", evidence: "e" })).toEqual([]);
  });

  test("isRealDate", () => {
    expect(isRealDate("2028-02-29")).toBe(true);
    expect(isRealDate("2027-02-29")).toBe(false);
    expect(isRealDate("29/02/2028")).toBe(false);
  });
});

describe("template", () => {
  test("the default template has the 10 standards and at least 35 indicators", () => {
    expect(DEFAULT_TEMPLATE.standards).toHaveLength(10);
    expect(new TemplateIndex(DEFAULT_TEMPLATE).size).toBeGreaterThanOrEqual(35);
  });

  test("duplicate ids and too many indicators are rejected with readable problems", () => {
    const dup = parseTemplate({ ...DEFAULT_TEMPLATE, standards: [DEFAULT_TEMPLATE.standards[0], DEFAULT_TEMPLATE.standards[0]] });
    expect(dup.ok).toBe(false);
    if (!dup.ok) expect(dup.problems.join()).toContain('used twice');
    const many = parseTemplate({ id: "big", version: 1, name: "Big", standards: [{ id: "S", title: "S", indicators: Array.from({ length: MAX_INDICATORS + 1 }, (_, i) => ({ id: `i${i}`, text: "t" })) }] });
    expect(many.ok).toBe(false);
  });
});

describe("status rules", () => {
  const index = new TemplateIndex(DEFAULT_TEMPLATE);
  const header: ReturnHeader = { cycleId: "c", agencyId: "a", agencyName: "A", sector: "health", templateId: "t", templateVersion: 1, status: "draft", createdAt: "", requestSeq: 0, submissionCount: 0 };
  const ans = (id: string, over: Partial<StoredAnswer> = {}): StoredAnswer => ({ rating: "", evidence: "", naReason: "", actionText: "", actionOwner: "", actionDue: "", indicatorId: id, etag: "e", updatedAt: "", updatedBy: "", updatedByKey: "", ...over });
  const loaded = (answers: StoredAnswer[]): LoadedReturn => ({ partitionKey: "c|a", header, headerEtag: "h", access: [], answers: new Map(index.ordered.map((r) => [r.indicator.id, answers.find((a) => a.indicatorId === r.indicator.id) ?? ans(r.indicator.id)])) });

  test("resume goes after the last complete answer this person saved, or back to their incomplete one", () => {
    const done = ans("1.1", { rating: "fully", evidence: "e", updatedAt: "2026-11-20T10:00:00Z", updatedByKey: "me" });
    expect(resumePoint(index, loaded([done]), "me")).toBe("1.2");
    const half = ans("2.3", { rating: "not", updatedAt: "2026-11-21T10:00:00Z", updatedByKey: "me" });
    expect(resumePoint(index, loaded([done, half]), "me")).toBe("2.3");
    expect(resumePoint(index, loaded([done]), "someone-else")).toBe("1.2");
  });

  test("a submitted return changed later shows as updated since submission", () => {
    const submitted = { ...header, status: "submitted" as const, lastSubmittedAt: "2026-11-20T10:00:00Z" };
    expect(displayStatus(submitted, [ans("1.1", { updatedAt: "2026-11-19T00:00:00Z" })])).toBe("submitted");
    expect(displayStatus(submitted, [ans("1.1", { updatedAt: "2026-11-21T00:00:00Z" })])).toBe("updated");
  });

  test("counts per standard leave incomplete answers as still to answer", () => {
    const counts = countsByStandard(index, loaded([ans("1.1", { rating: "fully", evidence: "e" }), ans("1.2", { rating: "partially", evidence: "e" })]).answers);
    expect(counts[0]).toMatchObject({ fully: 1, partially: 0, missing: 4, total: 5 });
  });

  test("fully meets the majority leaves not applicable out", () => {
    expect(fullyMeetsMajority([{ rating: "fully" }, { rating: "fully" }, { rating: "partially" }, { rating: "na" }, { rating: "na" }])).toBe(true);
    expect(fullyMeetsMajority([{ rating: "fully" }, { rating: "not" }])).toBe(false);
    expect(fullyMeetsMajority([{ rating: "na" }])).toBe(false);
  });

  test("days left reads naturally", () => {
    expect(daysLeftText("2026-11-25", today)).toBe("3 days left");
    expect(daysLeftText("2026-11-22", today)).toBe("due today");
    expect(daysLeftText("2026-11-21", today)).toBe("1 day overdue");
  });
});

describe("UK dates", () => {
  test("today turns over at midnight in England, across the clock changes", () => {
    // Winter (GMT): 23:30 UTC is still the same day.
    expect(ukDate(new Date("2026-12-01T23:30:00Z"))).toBe("2026-12-01");
    // Summer (BST, UTC+1): 23:30 UTC is already the next day in England.
    expect(ukDate(new Date("2026-07-01T23:30:00Z"))).toBe("2026-07-02");
    // The night the clocks go forward (29 Mar 2026, 01:00 UTC) and back (25 Oct 2026, 01:00 UTC).
    expect(ukDate(new Date("2026-03-28T23:59:00Z"))).toBe("2026-03-28");
    expect(ukDate(new Date("2026-03-29T23:30:00Z"))).toBe("2026-03-30");
    expect(ukDate(new Date("2026-10-25T00:30:00Z"))).toBe("2026-10-25");
    expect(ukDate(new Date("2026-10-25T23:30:00Z"))).toBe("2026-10-25");
    // Days left are whole calendar days, whatever the clock change in between.
    expect(daysLeftText("2026-03-30", ukDate(new Date("2026-03-28T12:00:00Z")))).toBe("2 days left");
  });
});

describe("what a rating uses", () => {
  test("text typed for another rating is not stored", () => {
    const a = onlyWhatRatingUses({ rating: "fully", evidence: "Board minutes", naReason: "n/a text", actionText: "Typed before switching", actionOwner: "Me", actionDue: "2027-01-01" });
    expect(a).toEqual({ rating: "fully", evidence: "Board minutes", naReason: "", actionText: "", actionOwner: "", actionDue: "" });
    expect(onlyWhatRatingUses({ rating: "na", evidence: "x", naReason: "We have none", actionText: "y", actionOwner: "", actionDue: "" })).toEqual({ rating: "na", evidence: "", naReason: "We have none", actionText: "", actionOwner: "", actionDue: "" });
  });
});

describe("template problems in plain words", () => {
  test("say which standard and indicator, counted from 1, and what to fix", () => {
    const json = { id: "t", version: 1, name: "T", standards: [{ id: "S1", title: "A", indicators: [{ id: "a1", text: "ok" }] }, { id: "S2", title: "B", indicators: [{ id: "b1", text: "ok" }, { id: "b2" }] }] };
    const r = parseTemplate(json);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems).toEqual(['Standard 2 ("S2"), indicator 2 ("b2"): the question text is missing.']);
    expect(describeTemplateIssue(["standards", 0, "title"], "expected string, received undefined", { standards: [{}] })).toBe("Standard 1: the title is missing.");
  });
});
