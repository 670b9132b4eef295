import { TableStore } from "../../src/storage/tableStore";
import { EvaluationsRepo } from "../../src/storage/evaluationsRepo";
import { headcountEntity, sessionEntity, TrainingRepo } from "../../src/storage/trainingRepo";
import { StoredTrainingFigures } from "../../src/training/digestFigures";
import type { Session } from "../../src/training/types";
import { testTablesConnectionString, uniquePrefix } from "../support/tablePrefix";

/**
 * A channel's digest counts the training of its partnerships: sessions of courses for one of them,
 * and joint ones (a course for no partnership in particular, and every session stored before
 * sessions carried partnerships). Read from Azurite through the repository, as the digest reads it.
 */
let store: TableStore;
let repo: TrainingRepo;
let figures: StoredTrainingFigures;

const session = (id: string, partnerships: string[] | undefined): Omit<Session, "etag"> => ({
  sessionId: id,
  courseId: "c-scope00001",
  courseTitle: "Neglect",
  ...(partnerships ? { partnerships } : {}),
  startsAt: "2026-05-12T08:30:00.000Z",
  durationMinutes: 60,
  mode: "virtual",
  venue: "",
  trainer: "",
  state: "closed",
  createdAt: "2026-05-01T08:00:00.000Z",
  createdBy: "test",
});

// Each session's attended delegates differ, so a total says which sessions were counted.
const SESSIONS = [
  { id: "s-westmere01", partnerships: ["Westmere"], attended: 1 },
  { id: "s-eastshire1", partnerships: ["Eastshire"], attended: 10 },
  { id: "s-jointjoint", partnerships: [], attended: 100 },
  { id: "s-bothnamed1", partnerships: ["Westmere", "Eastshire"], attended: 1000 },
];
const LEGACY = { id: "s-legacy0001", attended: 10_000 };

const ask = (partnerships: string[]) => figures.figures({ partnerships, from: "2026-04-01", to: "2026-06-30" });

beforeAll(async () => {
  store = new TableStore({ connectionString: testTablesConnectionString(), prefix: uniquePrefix() });
  await store.ensureTables();
  repo = new TrainingRepo(store);
  figures = new StoredTrainingFigures({ repo, answers: new EvaluationsRepo(store) });
  const table = store.table("Training");
  for (const s of SESSIONS) {
    await repo.createSession(session(s.id, s.partnerships));
    await table.createEntity(headcountEntity(s.id, s.attended, s.attended));
  }
  // A row as sessions were stored before they carried partnerships: no such column at all.
  const { partnerships: _none, ...legacy } = sessionEntity(session(LEGACY.id, undefined));
  await table.createEntity(legacy);
  await table.createEntity(headcountEntity(LEGACY.id, LEGACY.attended, LEGACY.attended));
});

test("the sessions keep their partnerships in storage; one stored without any reads as joint", async () => {
  const stored = new Map((await repo.listSessions()).map((s) => [s.sessionId, s.partnerships]));
  expect(Object.fromEntries(stored)).toEqual({ "s-westmere01": ["Westmere"], "s-eastshire1": ["Eastshire"], "s-jointjoint": [], "s-bothnamed1": ["Westmere", "Eastshire"], "s-legacy0001": [] });
});

test("a Westmere channel counts Westmere's sessions and the joint ones, not Eastshire's", async () => {
  expect(await ask(["Westmere"])).toMatchObject({ sessions: 4, delegates: 11_101 });
});

test("an Eastshire channel counts Eastshire's sessions and the joint ones, not Westmere's", async () => {
  expect(await ask(["Eastshire"])).toMatchObject({ sessions: 4, delegates: 11_110 });
});

test("a channel of both partnerships counts every session once", async () => {
  expect(await ask(["Westmere", "Eastshire"])).toMatchObject({ sessions: 5, delegates: 11_111 });
});

test("partnership names match whatever their case", async () => {
  expect(await ask(["WESTMERE"])).toMatchObject({ sessions: 4, delegates: 11_101 });
});

test("a channel of a partnership no course is for sees the joint sessions only", async () => {
  expect(await ask(["Northvale"])).toMatchObject({ sessions: 2, delegates: 10_100 });
});

test("the course's partnerships are stored with it; a course stored before they existed reads as joint", async () => {
  const base = { title: "Neglect", kind: "core" as const, outcomes: ["Recognise neglect"], followUpWeeks: 8, reminderMinutes: 4320, escalationMinutes: 10080, createdAt: "", createdBy: "test" };
  await repo.createCourse({ ...base, courseId: "c-scope00002", partnerships: ["Eastshire"] });
  await store.table("Training").createEntity({ partitionKey: "course", rowKey: "c-scope00003", ...base, outcomes: JSON.stringify(base.outcomes) });
  expect((await repo.getCourse("c-scope00002"))?.partnerships).toEqual(["Eastshire"]);
  expect((await repo.getCourse("c-scope00003"))?.partnerships).toEqual([]);
});
