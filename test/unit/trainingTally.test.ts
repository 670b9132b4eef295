import { applyChange, emptyTally, OPS_KEPT, quoteText, tallyOf } from "../../src/training/tally";
import { figuresOf } from "../../src/training/digestFigures";
import { publishable } from "../../src/reporting/training";
import type { EndAnswers, FollowAnswers } from "../../src/training/questions";
import type { Session } from "../../src/training/types";

const end = (overall: number, o: Partial<EndAnswers> = {}): EndAnswers => ({ kind: "end", overall, outcomes: [], confidenceBefore: 2, confidenceAfter: 4, trainer: 4, materials: 4, doDifferently: "I will escalate sooner.", comment: "", consentQuote: false, ...o });
const follow = (practiceChanged: "yes" | "partly" | "no"): FollowAnswers => ({ kind: "follow", practiceChanged, practiceExample: "An example.", jointWorking: "na", confidenceNow: 4, barriers: "", consentQuote: false });

describe("a session's tally", () => {
  it("moves by the difference when an answer changes, and the same change applied twice lands once", () => {
    let t = applyChange(emptyTally("s"), { op: "a1", quoteKey: "a", after: end(2) });
    t = applyChange(t, { op: "a2", quoteKey: "a", before: end(2), after: end(5) });
    const again = applyChange(t, { op: "a2", quoteKey: "a", before: end(2), after: end(5) });
    expect(again).toBe(t);
    expect([t.end, t.overall]).toEqual([1, 5]);
    expect(t.ops).toEqual(["a1", "a2"]);
  });

  it("keeps the last OPS_KEPT change ids only, and never a negative count", () => {
    let t = emptyTally("s");
    for (let i = 0; i < OPS_KEPT + 10; i++) t = applyChange(t, { op: `o${i}`, quoteKey: `k${i}`, after: end(3) });
    expect(t.ops).toHaveLength(OPS_KEPT);
    expect(t.ops[0]).toBe("o10");
    const removed = applyChange(emptyTally("s"), { op: "x", quoteKey: "x", before: end(3) });
    expect(removed.end).toBe(0);
    expect(removed.overall).toBe(0);
  });

  it("quotes only with consent, at most three per kind, gone when consent is withdrawn; addresses and numbers taken out", () => {
    let t = emptyTally("s");
    for (let i = 0; i < 5; i++) t = applyChange(t, { op: `e${i}`, quoteKey: `k${i}`, after: end(4, { consentQuote: i !== 1, doDifferently: `Quote ${i}` }) });
    expect(t.quotes.map((q) => q.t)).toEqual(["Quote 0", "Quote 2", "Quote 3"]);
    t = applyChange(t, { op: "w", quoteKey: "k0", before: end(4, { consentQuote: true, doDifferently: "Quote 0" }), after: end(4) });
    expect(t.quotes.map((q) => q.t)).toEqual(["Quote 2", "Quote 3"]);
    expect(quoteText("Ask ann.lee@council.example or call 01632 960 123 first")).toBe("Ask [e-mail removed] or call [number removed] first");
    expect(quoteText("x".repeat(400))).toHaveLength(300);
  });
});

describe("training figures from sessions, headcounts and tallies", () => {
  const session = (id: string, course: string, startsAt: string, followSent: boolean): Session => ({ sessionId: id, courseId: `c-${course}`, courseTitle: course, startsAt, durationMinutes: 60, mode: "virtual", venue: "", trainer: "", state: "closed", endSentAt: startsAt, followSentAt: followSent ? startsAt : undefined, createdAt: "", createdBy: "", etag: "" });

  it("adds up per period: attended delegates, answered, averages, follow-up impact ('yes' only); small groups are not broken down", () => {
    const a = tallyOf("s1", [1, 2, 3, 4, 5, 5].map((o, i) => ({ quoteKey: `q${i}`, answers: end(o, { consentQuote: i === 0, doDifferently: "Said at the end." }) })));
    const f = tallyOf("s1", [follow("yes"), follow("partly"), follow("no"), follow("yes")].map((x, i) => ({ quoteKey: `f${i}`, answers: x })));
    const tally = { ...a, follow: f.follow, confidenceNow: f.confidenceNow, changedYes: f.changedYes, changedPartly: f.changedPartly };
    const b = tallyOf("s2", [{ quoteKey: "z", answers: end(1) }]);
    const figures = figuresOf([
      { session: session("s1", "Neglect", "2026-05-01T08:30:00Z", true), headcount: { attended: 12 }, tally },
      { session: session("s2", "LADO", "2026-06-01T08:30:00Z", false), headcount: { attended: 3 }, tally: b },
    ]);
    expect(figures).toMatchObject({ sessions: 2, delegates: 15, answered: 7, followUp: { sent: 12, answered: 4, impactPct: 50 }, quotes: ["Said at the end."] });
    expect(figures.averageRating).toBeCloseTo(21 / 7);
    const shown = publishable(figures)!;
    expect(shown.confidence).toEqual({ before: 2, after: 4, followUp: undefined }); // 4 follow-up answers: too few
    expect(shown.followUp!.impactPct).toBeUndefined();
    expect(shown.byCourse!.map((c) => c.course)).toEqual(["Neglect"]); // LADO has 1 answer
  });

  it("quotes for the channel leave out the session's trainer and titled names", () => {
    const t = tallyOf("s3", [{ quoteKey: "q", answers: end(5, { consentQuote: true, doDifferently: "Helen Mayhew made it real: I will ask Mrs Patel to join our strategy meetings." }) }]);
    const figures = figuresOf([{ session: { ...session("s3", "Neglect", "2026-05-01T08:30:00Z", false), trainer: "Dr Helen Mayhew" }, headcount: { attended: 6 }, tally: t }]);
    expect(figures.quotes).toEqual(["[name removed] made it real: I will ask [name removed] to join our strategy meetings."]);
  });
});
