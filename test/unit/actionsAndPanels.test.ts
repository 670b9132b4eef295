import { actionsOfReturn, reminderDue, reminderBatchId, statusOf } from "../../src/actions/model";
import { actionsOf, digestFigures } from "../../src/reporting/aggregate";
import { exportTables } from "../../src/digest/exportFiles";
import { summaryFigures } from "../../src/panels/service";
import { actionCells, decodeSummary, moderatedCell, actionDoneCell, panelActionCell, fullSummary } from "../../src/storage/summaryRow";
import { TemplateIndex } from "../../src/section11/template";
import { DEFAULT_TEMPLATE } from "../../src/section11/templateCatalog";
import type { ReturnActions } from "../../src/storage/actionsRepo";
import type { AgencyFacts, StandardDef } from "../../src/reporting/types";
import { digestCard } from "../../src/digest/present";
import { sampleFacts, sampleRecord, sampleStandards } from "../support/digestData";
import { renderCard } from "../../src/cards/renderCard";
import { plain, textOf } from "../support/cardTools";

const TODAY = "2026-12-02";
const header = { cycleId: "c1", agencyId: "plover", agencyName: "Plover", sector: "education", templateId: DEFAULT_TEMPLATE.id, templateVersion: DEFAULT_TEMPLATE.version, status: "submitted" as const, createdAt: "", requestSeq: 1, submissionCount: 1 };
const index = new TemplateIndex(DEFAULT_TEMPLATE);

describe("action status and reminders (UK dates)", () => {
  test("overdue is open with a due date before today; due today is still open", () => {
    expect(statusOf(false, "2026-12-01", TODAY)).toBe("overdue");
    expect(statusOf(false, TODAY, TODAY)).toBe("open");
    expect(statusOf(true, "2026-01-01", TODAY)).toBe("done");
  });

  test("one point per window: before (1-7 days ahead), due (on the day, up to 7 days late), nothing otherwise or once done", () => {
    expect(reminderDue({ status: "open", due: "2026-12-10" }, TODAY)).toBeUndefined();
    expect(reminderDue({ status: "open", due: "2026-12-09" }, TODAY)).toBe("before");
    expect(reminderDue({ status: "open", due: "2026-12-03" }, TODAY)).toBe("before");
    expect(reminderDue({ status: "open", due: TODAY }, TODAY)).toBe("due");
    expect(reminderDue({ status: "overdue", due: "2026-11-25" }, TODAY)).toBe("due");
    expect(reminderDue({ status: "overdue", due: "2026-11-24" }, TODAY)).toBeUndefined();
    expect(reminderDue({ status: "done", due: TODAY }, TODAY)).toBeUndefined();
    expect(reminderBatchId("c1|plover", "s.1.1", TODAY, "due")).toBe(`act.remind|c1|plover|s.1.1|${TODAY}|due`);
  });

  test("a self action closed for one due date is open again when the answer gets a new one; panel actions stand alone", () => {
    const r: ReturnActions = {
      partitionKey: "c1|plover",
      header,
      access: [],
      answers: new Map([
        ["1.1", { indicatorId: "1.1", rating: "partially", actionText: "Write it", actionOwner: "HR", actionDue: "2027-01-10" }],
        ["1.2", { indicatorId: "1.2", rating: "not", actionText: "Do it", actionOwner: "CEO", actionDue: "2026-11-01" }],
        ["1.3", { indicatorId: "1.3", rating: "fully", actionText: "", actionOwner: "", actionDue: "" }],
      ]),
      rows: new Map([
        ["s.1.1", { actionId: "s.1.1", source: "self", indicatorId: "1.1", text: "", owner: "", due: "", status: "done", evidence: "Done it", closedAt: "2026-11-30T10:00:00Z", closedBy: "Lee", closedForDue: "2026-12-20", createdAt: "", createdBy: "", panelId: "", etag: "e1" }],
        ["s.1.2", { actionId: "s.1.2", source: "self", indicatorId: "1.2", text: "", owner: "", due: "", status: "done", evidence: "Done", closedAt: "2026-11-30T10:00:00Z", closedBy: "Lee", closedForDue: "2026-11-01", createdAt: "", createdBy: "", panelId: "", etag: "e2" }],
        ["p.2.1.x", { actionId: "p.2.1.x", source: "panel", indicatorId: "2.1", text: "Publish", owner: "Head", due: "2026-11-30", status: "open", evidence: "", closedAt: "", closedBy: "", closedForDue: "", createdAt: "", createdBy: "", panelId: "pn-1", etag: "e3" }],
      ]),
    };
    const items = actionsOfReturn(r, index, TODAY);
    expect(items.map((a) => [a.actionId, a.status, a.standardIndex])).toEqual([
      ["s.1.1", "open", 0],
      ["s.1.2", "done", 0],
      ["p.2.1.x", "overdue", 1],
    ]);
    expect(items[1].evidence).toBe("Done");
  });
});

describe("reporting: closed and panel actions, moderated ratings", () => {
  const standards: StandardDef[] = [{ id: "S1", title: "One", indicatorIds: ["1.1", "1.2"] }, { id: "S2", title: "Two", indicatorIds: ["2.1"] }];
  const facts = (over: Partial<AgencyFacts> = {}): AgencyFacts => ({
    agencyId: "plover",
    agencyName: "Plover",
    sector: "education",
    partnerships: ["Westmere"],
    status: "submitted",
    changedSinceSubmission: false,
    first: new Map([["1.1", { rating: "partially", actionDue: "2026-11-01" }], ["1.2", { rating: "fully", actionDue: "" }], ["2.1", { rating: "fully", actionDue: "" }]]),
    latest: new Map([["1.1", { rating: "partially", actionDue: "2026-11-01" }], ["1.2", { rating: "fully", actionDue: "" }], ["2.1", { rating: "fully", actionDue: "" }]]),
    ...over,
  });

  test("an action closed for its due date leaves the overdue list; closed for another date it stays; an open panel action past its date joins it", () => {
    const input = (a: AgencyFacts) => ({ today: TODAY, cycle: { cycleId: "c1", name: "C", deadline: "2027-01-01" }, standards, agencies: [a] });
    expect(digestFigures(input(facts())).overdueActions.map((x) => x.indicatorId)).toEqual(["1.1"]);
    expect(digestFigures(input(facts({ actions: { selfDone: new Map([["1.1", "2026-11-01"]]), panel: [] } }))).overdueActions).toEqual([]);
    expect(digestFigures(input(facts({ actions: { selfDone: new Map([["1.1", "2026-10-01"]]), panel: [] } }))).overdueActions).toHaveLength(1);
    const withPanel = facts({ actions: { selfDone: new Map([["1.1", "2026-11-01"]]), panel: [{ actionId: "p.2.1.x", indicatorId: "2.1", due: "2026-11-30", status: "open" }, { actionId: "p.2.1.y", indicatorId: "2.1", due: "2026-11-30", status: "done" }] } });
    expect(actionsOf(withPanel, standards).map((x) => [x.indicatorId, x.source])).toEqual([["2.1", "panel"]]);
  });

  test("the export carries the moderated rating beside the agency's own; the figures stay on self-ratings", () => {
    const a = facts({ moderated: new Map([["1.2", "not"]]) });
    const t = exportTables({ today: TODAY, cycle: { cycleId: "c1", name: "C", deadline: "2027-01-01" }, standards, agencies: [a] }, ["Westmere"], new Map());
    const h = t.returns.header;
    const row = t.returns.rows[0];
    expect(row[h.indexOf("S1_now")]).toBe("partially");
    expect(row[h.indexOf("S1_moderated")]).toBe("partially"); // 1.1 partially (own) + 1.2 not (moderated): partially by the standard rule
    expect(row[h.indexOf("S2_moderated")]).toBe("");
    expect(t.actions.header).toEqual(["agency", "standard_id", "indicator_id", "rating_first_submission", "rating_now", "rating_moderated", "source", "action", "due", "overdue"]);
    const f = digestFigures({ today: TODAY, cycle: { cycleId: "c1", name: "C", deadline: "2027-01-01" }, standards, agencies: [a] });
    expect(f.standards[0]).toMatchObject({ partially: 1, not: 0 });
  });

  test("the digest card says its ratings are the agencies' own and where the moderated ones are", () => {
    const standards = sampleStandards(3, 2);
    const card = renderCard("digest", digestCard(sampleRecord(sampleFacts(6, standards), standards), { sections: ["returns", "standards", "attention", "training"], interactive: false }));
    expect(plain(textOf(card))).toContain("Ratings are the agencies' own (self-assessment); challenge panels' moderated ratings are in the export");
  });

  test("summary cells round-trip, and a backfill keeps them", () => {
    const e = { ...fullSummary([{ indicatorId: "1.1", rating: "partially", actionDue: "2026-11-01", updatedAt: "t" }], undefined, undefined), ...actionDoneCell("1.1", "2026-11-01", "t"), ...panelActionCell("p.2.1.x", { indicatorId: "2.1", due: "2026-11-30", status: "open" }), ...moderatedCell("2.1", "not", "pn-1", "t") };
    const d = decodeSummary(e);
    expect(d.actions!.selfDone.get("1.1")).toBe("2026-11-01");
    expect(d.actions!.panel).toEqual([{ actionId: "p.2.1.x", indicatorId: "2.1", due: "2026-11-30", status: "open" }]);
    expect(d.moderated!.get("2.1")).toBe("not");
    const again = decodeSummary({ ...actionCells(d.actions, d.moderated), ...fullSummary([], undefined, undefined) });
    expect(again.actions).toEqual(d.actions);
    expect(again.moderated).toEqual(d.moderated);
    const figures = summaryFigures(d, TODAY);
    expect(figures).toMatchObject({ open: 1, overdue: 1, moderated: 1 });
  });
});
