import { TableStore } from "../../src/storage/tableStore";
import { answerEntity, EvaluationsRepo } from "../../src/storage/evaluationsRepo";
import { TrainingRepo } from "../../src/storage/trainingRepo";
import type { Answers, EndAnswers, FollowAnswers } from "../../src/training/questions";
import { testTablesConnectionString, uniquePrefix } from "../support/tablePrefix";

/**
 * A session's tally of evaluation answers (counts and sums) and its headcount stay equal to what
 * counting the stored rows gives, whatever order and concurrency the writes come in: answering
 * again (also twice at once) changes the answer and never counts it twice; a save that stopped
 * half-way is finished by the next; answers stored before tallies existed are counted once.
 */
let store: TableStore;
let answers: EvaluationsRepo;
let repo: TrainingRepo;

const end = (overall: number, o: Partial<EndAnswers> = {}): EndAnswers => ({ kind: "end", overall, outcomes: ["yes"], confidenceBefore: 2, confidenceAfter: 4, trainer: 5, materials: 4, doDifferently: `I will do ${overall} things differently.`, comment: "", consentQuote: false, ...o });
const follow = (confidenceNow: number, practiceChanged: "yes" | "partly" | "no"): FollowAnswers => ({ kind: "follow", practiceChanged, practiceExample: "An example.", jointWorking: "yes", confidenceNow, barriers: "", consentQuote: true });

/** The independent count: every stored row of the session read and summed here. */
async function recount(sessionId: string) {
  const rows = await answers.list(sessionId);
  const ends = rows.filter((r) => r.kind === "end").map((r) => r.answers as EndAnswers);
  const follows = rows.filter((r) => r.kind === "follow").map((r) => r.answers as FollowAnswers);
  const s = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return {
    end: ends.length,
    overall: s(ends.map((a) => a.overall)),
    before: s(ends.map((a) => a.confidenceBefore)),
    after: s(ends.map((a) => a.confidenceAfter)),
    follow: follows.length,
    confidenceNow: s(follows.map((a) => a.confidenceNow)),
    changedYes: follows.filter((a) => a.practiceChanged === "yes").length,
  };
}

async function tallyOf(sessionId: string) {
  const t = (await answers.getTally(sessionId))!;
  return { end: t.end, overall: t.overall, before: t.before, after: t.after, follow: t.follow, confidenceNow: t.confidenceNow, changedYes: t.changedYes };
}

beforeAll(async () => {
  store = new TableStore({ connectionString: testTablesConnectionString(), prefix: uniquePrefix() });
  await store.ensureTables();
  answers = new EvaluationsRepo(store);
  repo = new TrainingRepo(store);
});

test("many answers at once, each person answering again with another answer (some twice at once): the tally equals the rows", async () => {
  const sid = "s-tally00001";
  const people = Array.from({ length: 40 }, (_, i) => `p${i}`);
  await Promise.all(people.map((p, i) => answers.put(sid, p, end(1 + (i % 5)))));
  // Everyone changes their answer; every fourth presses twice at once with two different answers.
  await Promise.all(people.flatMap((p, i) => (i % 4 === 0 ? [answers.put(sid, p, end(5, { confidenceBefore: 1 })), answers.put(sid, p, end(4, { confidenceBefore: 3 }))] : [answers.put(sid, p, end(5 - (i % 5)))])));
  await Promise.all(people.slice(0, 12).map((p, i) => answers.put(sid, p, follow(3 + (i % 3), i % 2 ? "yes" : "no"))));
  const rows = await answers.list(sid);
  expect(rows).toHaveLength(52);
  const expected = await recount(sid);
  expect(expected.end).toBe(40);
  expect(await tallyOf(sid)).toEqual(expected);
});

test("two bot instances saving answers of one session at once (and the same person on both): the tally equals the rows", async () => {
  const sid = "s-tally00007";
  const other = new EvaluationsRepo(store);
  const people = Array.from({ length: 30 }, (_, i) => `q${i}`);
  await Promise.all(people.flatMap((p, i) => [answers.put(sid, p, end(1 + (i % 5))), ...(i % 3 === 0 ? [other.put(sid, p, end(5 - (i % 5)))] : [other.put(sid, `${p}-b`, end(3))])]));
  expect(await tallyOf(sid)).toEqual(await recount(sid));
  expect((await tallyOf(sid)).end).toBe(50);
});

test("an answer changed (answered twice) moves the sums, it does not add a second answer", async () => {
  const sid = "s-tally00002";
  await answers.put(sid, "only", end(2));
  expect(await tallyOf(sid)).toMatchObject({ end: 1, overall: 2 });
  expect((await answers.put(sid, "only", end(5))).first).toBe(false);
  expect(await tallyOf(sid)).toMatchObject({ end: 1, overall: 5 });
});

test("quotes: only with consent, withdrawn when consent is withdrawn, e-mail addresses removed", async () => {
  const sid = "s-tally00003";
  await answers.put(sid, "a", end(4, { consentQuote: true, doDifferently: "I will ask jo.bloggs@example.org before referring." }));
  await answers.put(sid, "b", end(4, { consentQuote: false, doDifferently: "Not for quoting." }));
  let t = (await answers.getTally(sid))!;
  expect(t.quotes.map((q) => q.t)).toEqual(["I will ask [e-mail removed] before referring."]);
  await answers.put(sid, "a", end(4, { consentQuote: false }));
  t = (await answers.getTally(sid))!;
  expect(t.quotes).toEqual([]);
  expect(JSON.stringify(t)).not.toContain("Not for quoting");
});

test("a save that stopped after writing the answer is counted by the next save of that answer, once", async () => {
  const sid = "s-tally00004";
  await answers.put(sid, "x", end(3));
  // As if a save of "y" wrote its row and stopped before counting it.
  const table = store.table("EvaluationAnswers");
  const half: Answers = end(1);
  await table.createEntity(answerEntity(sid, "y", half, false));
  expect(await tallyOf(sid)).toMatchObject({ end: 1, overall: 3 });
  await answers.put(sid, "y", end(5));
  expect(await tallyOf(sid)).toEqual(await recount(sid));
  expect(await tallyOf(sid)).toMatchObject({ end: 2, overall: 8 });
});

test("answers stored before tallies existed are counted once, the first time the tally is made whole", async () => {
  const sid = "s-tally00005";
  const table = store.table("EvaluationAnswers");
  for (let i = 0; i < 7; i++) {
    const { counted: _c, ...legacy } = answerEntity(sid, `old${i}`, end(1 + (i % 5)), false);
    await table.createEntity(legacy);
  }
  expect(await answers.getTally(sid)).toBeUndefined();
  await answers.ensureTally(sid);
  await answers.ensureTally(sid);
  const t = (await answers.getTally(sid))!;
  expect(t.whole).toBe(true);
  expect(await tallyOf(sid)).toEqual(await recount(sid));
  expect(t.end).toBe(7);
});

test("a headcount is recounted when stale, and a change after the count leaves it stale", async () => {
  const sid = "s-tally00006";
  const mk = (i: number) => ({ sessionId: sid, delegateId: `d${i}`.padEnd(24, "0"), name: `D ${i}`, email: `d${i}@x.example`, agency: "", managerName: "", managerEmail: "", attended: true, source: "form" as const, addedAt: "", addedBy: "" });
  await Promise.all(Array.from({ length: 6 }, (_, i) => repo.createDelegate(mk(i))));
  expect((await repo.listHeadcounts()).get(sid)).toBeUndefined(); // only marked stale so far
  expect(await repo.freshHeadcount(sid)).toMatchObject({ booked: 6, attended: 6, fresh: true });
  expect((await repo.listHeadcounts()).get(sid)).toMatchObject({ attended: 6, fresh: true });
  await repo.changeDelegate(sid, mk(0).delegateId, () => ({ attended: false }));
  expect((await repo.listHeadcounts()).get(sid)).toMatchObject({ fresh: false });
  expect(await repo.freshHeadcount(sid)).toMatchObject({ booked: 6, attended: 5, fresh: true });
  // Answering marks the completion record: not a change of headcount.
  await repo.changeDelegate(sid, mk(1).delegateId, () => ({ endAnsweredAt: "2026-01-01T00:00:00.000Z" }));
  expect((await repo.listHeadcounts()).get(sid)).toMatchObject({ attended: 5, fresh: true });
});

test("erasing answers (also twice at once, and after an erasure that stopped half-way) takes each out of the tally once and leaves no row", async () => {
  const sid = "s-erase00001";
  const people = Array.from({ length: 12 }, (_, i) => `e${i}`);
  await Promise.all(people.map((p, i) => answers.put(sid, p, end(1 + (i % 5)))));
  await Promise.all(people.slice(0, 6).map((p, i) => answers.put(sid, p, follow(2 + (i % 3), "yes"))));
  // Two erasures of the same answers at once (a double click), and one of an answer that is not there.
  await Promise.all([...people.slice(0, 4), ...people.slice(0, 4)].map((p) => answers.erase(sid, "end", p)));
  expect(await answers.erase(sid, "end", "nobody")).toBe(false);
  // An erasure that stopped after blanking the answer (before the tally moved): the next one finishes it.
  const raw = store.table("EvaluationAnswers");
  const half = (await raw.getEntity<Record<string, unknown>>("answers|s-erase00001", "follow|e5"));
  await raw.updateEntity({ partitionKey: half.partitionKey as string, rowKey: half.rowKey as string, sessionId: sid, answers: "", counted: half.counted }, "Replace", { etag: String(half.etag) });
  expect((await answers.list(sid)).some((a) => a.pseudonym === "e5" && a.kind === "follow")).toBe(false);
  expect(await answers.erase(sid, "follow", "e5")).toBe(true);
  expect(await tallyOf(sid)).toEqual(await recount(sid));
  expect((await recount(sid)).end).toBe(8);
  expect((await recount(sid)).follow).toBe(5);
  for (const p of people.slice(0, 4)) expect(await answers.find(sid, "end", p)).toBeUndefined();
  expect(await answers.find(sid, "follow", "e5")).toBeUndefined();
  // The same person answering afresh later counts once, as a new answer.
  await answers.put(sid, "e0", end(3));
  expect(await tallyOf(sid)).toEqual(await recount(sid));
});
