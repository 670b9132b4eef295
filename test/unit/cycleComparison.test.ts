import { compareStandards } from "../../src/cycles/comparison";
import { againstPrevious } from "../../src/digest/composer";
import { TemplateIndex } from "../../src/section11/template";
import type { DigestFigures } from "../../src/reporting/types";

const index = new TemplateIndex({
  id: "t",
  version: 1,
  name: "T",
  standards: [
    { id: "S1", title: "One", indicators: [{ id: "1.1", text: "a" }, { id: "1.2", text: "b" }] },
    { id: "S2", title: "Two", indicators: [{ id: "2.1", text: "c" }, { id: "2.2", text: "d" }] },
    { id: "S3", title: "Three", indicators: [{ id: "3.1", text: "e" }] },
    { id: "S4", title: "Four", indicators: [{ id: "4.1", text: "f" }] },
  ],
});

describe("comparison between cycles", () => {
  it("rates each standard by the digest's rule and says which way it moved", () => {
    const before = new Map([["1.1", "partially"], ["1.2", "fully"], ["2.1", "fully"], ["2.2", "fully"], ["3.1", "na"]]);
    const now = new Map([["1.1", "fully"], ["1.2", "fully"], ["2.1", "not"], ["2.2", "not"], ["3.1", "fully"]]);
    expect(compareStandards(index, before, now).map((r) => [r.id, r.previous, r.current, r.change])).toEqual([
      ["S1", "partially", "fully", "better"],
      ["S2", "fully", "not", "worse"],
      ["S3", undefined, "fully", "new"],
      ["S4", undefined, undefined, "none"],
    ]);
  });
  it("without a previous cycle nothing is compared", () => {
    expect(compareStandards(index, undefined, new Map([["1.1", "fully"], ["1.2", "fully"]]))[0]).toMatchObject({ previous: undefined, current: "fully", change: "new" });
  });
  it("the digest's per-standard figures against the previous cycle match standards by id and skip unrated ones", () => {
    const std = (id: string, rated: number, greenPct: number) => ({ index: 0, id, title: id, fully: 0, partially: 0, not: 0, rated, greenPct, firstGreenPct: 0 });
    const before = { standards: [std("S1", 10, 40), std("S2", 0, 0), std("S9", 5, 80)] } as unknown as DigestFigures;
    const now = { standards: [std("S1", 12, 75), std("S2", 3, 33), std("S3", 4, 50)] } as unknown as DigestFigures;
    expect(againstPrevious(before, now)).toEqual([{ id: "S1", previousPct: 40, nowPct: 75 }]);
  });
});
