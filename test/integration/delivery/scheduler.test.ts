/** The stored scheduler on the run's Azurite, with a clock the tests move. */
import { JobsRepo } from "../../../src/storage/jobsRepo";
import { Scheduler, type JobContext } from "../../../src/schedule/scheduler";
import type { TableStore } from "../../../src/storage/tableStore";
import { freshStore, manualClock } from "../../support/deliveryStore";

let store: TableStore;
beforeAll(async () => {
  store = await freshStore();
});

function instance(clock: ReturnType<typeof manualClock>, opts: Partial<ConstructorParameters<typeof Scheduler>[0]> = {}) {
  return new Scheduler({ jobs: new JobsRepo(store), now: clock.now, leaseMs: 60_000, backoffMs: (n) => 1000 * n, maxAttempts: 3, ...opts });
}
let n = 0;
const jobId = (what: string) => `test.${what}|${++n}`;

it("schedule is an idempotent upsert; rescheduling moves dueAt; cancel removes", async () => {
  const clock = manualClock();
  const s = instance(clock);
  const id = jobId("upsert");
  await s.schedule(id, "k", new Date(clock.now().getTime() + 5000), { a: 1 });
  await s.schedule(id, "k", new Date(clock.now().getTime() + 5000), { a: 1 });
  expect((await new JobsRepo(store).all()).filter((j) => j.id === id)).toHaveLength(1);
  await s.schedule(id, "k", new Date(clock.now().getTime() + 9000), { a: 2 });
  expect(await s.get(id)).toMatchObject({ dueAt: new Date(clock.now().getTime() + 9000).toISOString(), payload: { a: 2 }, state: "pending" });
  await s.schedule(id, "k", new Date(clock.now().getTime() + 20000), { a: 2 }, { ifEarlier: true });
  expect((await s.get(id))?.dueAt).toBe(new Date(clock.now().getTime() + 9000).toISOString());
  expect(await s.cancel(id)).toBe(true);
  expect(await s.get(id)).toBeUndefined();
});

it("runs a due job once across two instances, then deletes it", async () => {
  const clock = manualClock();
  const runs: string[] = [];
  const a = instance(clock, { owner: "a" });
  const b = instance(clock, { owner: "b" });
  const handler = (who: string) => async (ctx: JobContext) => {
    if (ctx.kind === "once") {
      runs.push(`${who}:${ctx.id}`);
      await new Promise((r) => setTimeout(r, 30));
    }
  };
  a.register("once", handler("a"));
  b.register("once", handler("b"));
  const ids = [jobId("once"), jobId("once"), jobId("once")];
  for (const id of ids) await a.schedule(id, "once", clock.now());
  await Promise.all([a.runDue(), b.runDue(), a.runDue(), b.runDue()]);
  expect(runs.map((r) => r.split(":")[1]).sort()).toEqual([...ids].sort());
  for (const id of ids) expect(await a.get(id)).toBeUndefined();
});

it("does not run a job before it is due", async () => {
  const clock = manualClock();
  const s = instance(clock);
  let ran = 0;
  s.register("later", async () => void ran++);
  const id = jobId("later");
  await s.schedule(id, "later", new Date(clock.now().getTime() + 10_000));
  await s.runDue();
  expect(ran).toBe(0);
  clock.advance(10_000);
  await s.runDue();
  expect(ran).toBe(1);
});

it("a handler can reschedule its job", async () => {
  const clock = manualClock();
  const s = instance(clock);
  let runs = 0;
  s.register("recurring", async (ctx) => {
    runs++;
    return runs < 3 ? { rescheduleAt: new Date(ctx.now.getTime() + 60_000) } : undefined;
  });
  const id = jobId("recurring");
  await s.schedule(id, "recurring", clock.now());
  await s.runDue();
  expect(await s.get(id)).toMatchObject({ state: "pending", dueAt: new Date(clock.now().getTime() + 60_000).toISOString(), attempts: 0 });
  clock.advance(60_000);
  await s.runDue();
  clock.advance(60_000);
  await s.runDue();
  expect(runs).toBe(3);
  expect(await s.get(id)).toBeUndefined();
});

it("retries a failing handler with backoff, then marks it failed with the error kind only", async () => {
  const clock = manualClock();
  const s = instance(clock);
  let runs = 0;
  s.register("fails", async () => {
    runs++;
    throw new TypeError("something a user typed: Jane Doe's evidence");
  });
  const id = jobId("fails");
  await s.schedule(id, "fails", clock.now());
  await s.runDue();
  let job = await s.get(id);
  expect(job).toMatchObject({ state: "pending", attempts: 1, lastError: "TypeError", dueAt: new Date(clock.now().getTime() + 1000).toISOString() });
  await s.runDue();
  expect(runs).toBe(1);
  clock.advance(1000);
  await s.runDue();
  expect(await s.get(id)).toMatchObject({ attempts: 2, dueAt: new Date(clock.now().getTime() + 2000).toISOString() });
  clock.advance(2000);
  await s.runDue();
  job = await s.get(id);
  expect(job).toMatchObject({ state: "failed", attempts: 3, lastError: "TypeError" });
  expect(JSON.stringify(job)).not.toContain("Jane");
  clock.advance(60 * 60_000);
  await s.runDue();
  expect(runs).toBe(3);
});

it("a crashed instance's lease expires and another instance runs the job", async () => {
  const clock = manualClock();
  const crashed = instance(clock, { owner: "crashed" });
  const survivor = instance(clock, { owner: "survivor" });
  let release!: () => void;
  crashed.register("work", () => new Promise<void>((r) => (release = r)));
  let survivorRuns = 0;
  survivor.register("work", async () => void survivorRuns++);
  const id = jobId("lease");
  await crashed.schedule(id, "work", clock.now());
  const hanging = crashed.runDue();
  await waitFor(async () => (await crashed.get(id))?.state === "running");
  await survivor.runDue();
  expect(survivorRuns).toBe(0);
  clock.advance(60_001);
  await survivor.runDue();
  expect(survivorRuns).toBe(1);
  expect(await survivor.get(id)).toBeUndefined();
  release();
  await hanging;
  expect(await survivor.get(id)).toBeUndefined();
});

it("rescheduling a running job leaves it pending for the new time when the run ends", async () => {
  const clock = manualClock();
  const s = instance(clock);
  const other = instance(clock, { owner: "other" });
  let release!: () => void;
  let runs = 0;
  s.register("long", () => {
    runs++;
    return new Promise<void>((r) => (release = r));
  });
  const id = jobId("moved");
  await s.schedule(id, "long", clock.now());
  const run = s.runDue();
  await waitFor(async () => (await s.get(id))?.state === "running");
  await s.schedule(id, "long", new Date(clock.now().getTime() + 5000), {}, { ifEarlier: true });
  // No second run while the first holds the lease.
  clock.advance(5000);
  await other.runDue();
  expect(runs).toBe(1);
  release();
  await run;
  expect(await s.get(id)).toMatchObject({ state: "pending", dueAt: new Date(clock.now().getTime()).toISOString() });
});

it("start() runs the loop and stop() waits for the running pass", async () => {
  const s = new Scheduler({ jobs: new JobsRepo(store), intervalMs: 20 });
  const id = jobId("loop");
  let done = false;
  s.register("loop", async () => {
    await new Promise((r) => setTimeout(r, 100));
    done = true;
  });
  await s.schedule(id, "loop", new Date());
  s.start();
  await waitFor(async () => (await s.get(id))?.state === "running");
  await s.stop();
  expect(done).toBe(true);
  expect(await s.get(id)).toBeUndefined();
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000) {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}
