import { renderCard, cardSize, CARD_SIZE_LIMIT } from "../../src/cards/renderCard";
import { digestCard } from "../../src/digest/present";
import { nextSlot, periodOfSlot } from "../../src/digest/schedule";
import { digestFigures } from "../../src/reporting/aggregate";
import { standardRating, sectorGroupOf } from "../../src/reporting/rules";
import { publishable, responseRatePct, trainingFiguresFrom, yearStart } from "../../src/reporting/training";
import { cellName, decodeSummary, fullSummary } from "../../src/storage/summaryRow";
import { validateCard } from "../support/cardRenderer";
import { SAMPLE_TRAINING, sampleFacts, sampleRecord, sampleStandards } from "../support/digestData";

const plain = (s: string) => s.replace(/\\\\/g, "");
const ALL = ["returns", "standards", "attention", "training"] as const;

/** Renderer events other than "unknown element" for a chart that carries a fallback. */
function unexpected(card: object): string[] {
  const json = JSON.stringify(card);
  const charts = [...json.matchAll(/"type":"(Chart\.[A-Za-z.]+)"/g)].map((m) => m[1]);
  return validateCard(card).filter((e) => !(/UnknownElementType/.test(e) && charts.some((c) => e.includes(c))));
}

function walk(node: unknown, visit: (o: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) node.forEach((n) => walk(n, visit));
  else if (node && typeof node === "object") {
    visit(node as Record<string, unknown>);
    Object.values(node).forEach((n) => walk(n, visit));
  }
}

describe("the standard rating rule", () => {
  it.each([
    [["fully", "fully", "na"], "fully"],
    [["fully", "partially"], "partially"],
    [["not", "not", "fully"], "not"],
    [["not", "fully"], "partially"],
    [["not", "partially", "fully", "not"], "partially"],
    [["na", "na"], undefined],
    [["", "fully"], "fully"],
  ])("%j is %s", (ratings, expected) => {
    expect(standardRating(ratings)).toBe(expected);
  });

  it("groups sectors the way partnerships report them", () => {
    expect([sectorGroupOf("police"), sectorGroupOf("justice"), sectorGroupOf("early_years"), sectorGroupOf("fire"), sectorGroupOf("secure_estate")]).toEqual(["police_justice", "police_justice", "education", "other", "secure_estate"]);
  });
});

describe("summary row codec", () => {
  it("round-trips current answers and submissions, whatever the indicator id", () => {
    const cols = fullSummary([{ indicatorId: "6.2-a_b", rating: "partially", actionDue: "2025-09-30", updatedAt: "2025-06-01T10:00:00.000Z" }], [{ indicatorId: "6.2-a_b", rating: "not", actionDue: "2025-08-01" }], { number: 2, answers: [{ indicatorId: "6.2-a_b", rating: "partially", actionDue: "2025-09-30" }] });
    expect(Object.keys(cols)).toContain(cellName("6.2-a_b"));
    expect(cellName("6.2-a_b")).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
    const d = decodeSummary(cols);
    expect(d.complete).toBe(true);
    expect(d.current.get("6.2-a_b")).toEqual({ rating: "partially", actionDue: "2025-09-30", updatedAt: "2025-06-01T10:00:00.000Z" });
    expect(d.first?.get("6.2-a_b")).toEqual({ rating: "not", actionDue: "2025-08-01" });
    expect(d.latest?.get("6.2-a_b")).toEqual({ rating: "partially", actionDue: "2025-09-30" });
    expect(d.latestNumber).toBe(2);
    expect(decodeSummary({ [cellName("1.1")]: "fully||x" }).complete).toBe(false);
  });
});

describe("training figures", () => {
  const sessions = [
    { sessionId: "s1", course: "Neglect", date: "2025-05-01", partnerships: ["Westmere"], delegates: 10 },
    { sessionId: "s2", course: "LADO", date: "2025-06-01", partnerships: ["Eastshire"], delegates: 4 },
  ];
  const evaluations = [
    ...Array.from({ length: 6 }, (_, i) => ({ sessionId: "s1", rating: 4 + (i % 2), confidenceBefore: 2, confidenceAfter: 4, followUp: { answered: i < 5, confidence: 4, changedPractice: i < 3 }, quote: { text: `Quote ${i}`, consent: i !== 0 } })),
    ...Array.from({ length: 3 }, () => ({ sessionId: "s2", rating: 1, confidenceBefore: 1, confidenceAfter: 1 })),
  ];

  it("computes volumes, response rate, averages and consented quotes for the period", () => {
    const f = trainingFiguresFrom(sessions, evaluations, { partnerships: ["Westmere", "Eastshire"], from: "2025-04-01", to: "2026-03-31" })!;
    expect([f.sessions, f.delegates, f.answered, responseRatePct(f)]).toEqual([2, 14, 9, 64]);
    expect(f.quotes).toEqual(["Quote 1", "Quote 2", "Quote 3"]);
    expect(f.followUp).toEqual({ sent: 6, answered: 5, impactPct: 60 });
  });

  it("does not break down groups of fewer than five answers", () => {
    const f = publishable(trainingFiguresFrom(sessions, evaluations, { partnerships: ["Eastshire"], from: "2025-04-01", to: "2026-03-31" }))!;
    expect(f).toMatchObject({ sessions: 1, delegates: 4, answered: 3, averageRating: undefined, confidence: undefined, quotes: [] });
    const all = publishable(trainingFiguresFrom(sessions, evaluations, { partnerships: ["Westmere", "Eastshire"], from: "2025-04-01", to: "2026-03-31" }))!;
    expect(all.byCourse!.map((c) => c.course)).toEqual(["Neglect"]);
    expect(all.averageRating).toBe(3.3); // (27 + 3) / 9
  });

  it("counts the year from 1 April", () => {
    expect([yearStart("2026-03-31"), yearStart("2026-04-01")]).toEqual(["2025-04-01", "2026-04-01"]);
  });
});

describe("schedule in UK time", () => {
  it("keeps 09:00 in England across the clock change", () => {
    const r = { frequency: "weekly" as const, weekday: 1, monthDay: 1, time: "09:00" };
    expect(nextSlot(r, new Date("2026-03-24T12:00:00Z")).toISOString()).toBe("2026-03-30T08:00:00.000Z"); // BST
    expect(nextSlot(r, new Date("2026-03-20T12:00:00Z")).toISOString()).toBe("2026-03-23T09:00:00.000Z"); // GMT
    expect(periodOfSlot(new Date("2026-03-30T08:00:00.000Z"))).toBe("2026-03-30");
    expect(nextSlot({ ...r, frequency: "monthly", monthDay: 28 }, new Date("2026-02-28T10:00:00Z")).toISOString()).toBe("2026-03-28T09:00:00.000Z");
  });
});

describe("the digest card with extreme data", () => {
  const cases: Array<[string, () => ReturnType<typeof sampleRecord>]> = [
    ["no agencies", () => sampleRecord([], sampleStandards())],
    ["500 agencies with 200-character names", () => sampleRecord(sampleFacts(500, sampleStandards(), { name: (i) => `${"Westmere and Eastshire Community Interest Company for Children ".repeat(4).slice(0, 194)} ${String(i).padStart(5, "0")}` }), sampleStandards(), { training: SAMPLE_TRAINING })],
    ["every indicator not met", () => sampleRecord(sampleFacts(500, sampleStandards(20, 4), { rating: () => "not" }), sampleStandards(20, 4))],
    ["no training", () => sampleRecord(sampleFacts(57, sampleStandards()), sampleStandards())],
    ["no cycle", () => ({ ...sampleRecord([], sampleStandards()), figures: undefined, trend: [] })],
  ];

  it.each(cases)("%s: parses with only chart warnings, every chart has a fallback, under 28 KB", (_, make) => {
    const card = renderCard("digest", digestCard(make(), { sections: ALL, interactive: true }));
    expect(unexpected(card)).toEqual([]);
    expect(cardSize(card)).toBeLessThan(CARD_SIZE_LIMIT);
    walk(card, (o) => {
      if (typeof o.type === "string" && o.type.startsWith("Chart.")) expect(o.fallback).toMatchObject({ type: "Container" });
    });
  });

  it("puts the headline in words before any chart, and every chart's numbers in its fallback", () => {
    const standards = sampleStandards();
    const facts = sampleFacts(57, standards);
    const record = sampleRecord(facts, standards, { training: SAMPLE_TRAINING });
    const card = renderCard("digest", digestCard(record, { sections: ALL, interactive: true }));
    const json = JSON.stringify(card);
    expect(json.indexOf("of agencies fully met most of their applicable indicators")).toBeLessThan(json.indexOf("Chart."));
    const f = digestFigures({ today: "2026-03-02", cycle: { cycleId: "c1", name: "x", deadline: "2025-11-30" }, standards, agencies: facts });
    walk(card, (o) => {
      if (o.type === "Chart.Donut") expect(JSON.stringify(o.fallback)).toContain(`"value":"${f.overall.fully}"`);
      if (o.type === "Chart.HorizontalBar.Stacked") for (const s of f.standards) expect(JSON.stringify(o.fallback)).toContain(`${s.fully} fully, ${s.partially} partially, ${s.not} not met`);
      if (o.type === "Chart.Gauge") expect(plain(JSON.stringify(o.fallback))).toContain(`${responseRatePct(SAMPLE_TRAINING)}% (302 of 450)`);
      if (o.type === "Chart.Line") for (const t of record.trend) expect(JSON.stringify(o.fallback)).toContain(`${t.nowPct}%`);
    });
    expect(json.match(/"type":"Chart\./g)).toHaveLength(4);
    // Stacked bars use Teams' named colours, never hex.
    expect(json).not.toMatch(/"color":"#/);
  });
});
