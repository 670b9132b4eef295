import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startBot } from "../support/botUnderTest";
import { plain, textOf } from "../support/cardTools";
import { newTeamsUser } from "../support/teamsActivity";
import { z } from "zod/v4";
import { messageReply } from "../../src/cards/reply";
import { verb } from "../../src/routes";

/**
 * Graceful shutdown (what src/index.ts does on SIGTERM): RunningApp.close() stops taking new
 * connections, lets the turns already running finish with their answer, then stops the embedded
 * Azurite, so an App Service restart or a scale-in does not cut a lead's save in half.
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("close() waits for a slow turn to answer 200, then refuses connections and stops the embedded Azurite", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "bot-shutdown-"));
  // No storage configured: the app starts its own Azurite under DATA_DIR, as a first local run does.
  let turnStarted!: () => void;
  const started = new Promise<void>((r) => (turnStarted = r));
  let turnFinishedAt = 0;
  const slow = verb({
    verb: "test.slow",
    input: z.object({}),
    run: async () => {
      turnStarted();
      await sleep(500);
      turnFinishedAt = Date.now();
      return messageReply("Slow answer", "Finished after half a second.", "good");
    },
  });
  const bot = await startBot({ TABLES_CONNECTION_STRING: "", DATA_DIR: dataDir }, { features: [{ verbs: [slow] }] });
  try {
    const health = await fetch(`${bot.url}/api/health`).then((r) => r.json());
    expect(health).toEqual({ ok: true, storage: "ok" });

    const user = newTeamsUser({ name: "Sal Slow" });
    const pending = bot.invoke(user, "test.slow");
    await started;
    const closing = bot.app.close();

    // While the turn is still running, new connections are already refused.
    await sleep(50);
    expect(turnFinishedAt).toBe(0);
    await expect(fetch(`${bot.url}/api/health`)).rejects.toThrow();

    await closing;
    const closedAt = Date.now();
    expect(turnFinishedAt).toBeGreaterThan(0);
    expect(closedAt).toBeGreaterThanOrEqual(turnFinishedAt);

    const answer = await pending;
    expect(answer.status).toBe(200);
    expect(plain(textOf(answer.card))).toContain("Slow answer");

    // The server is gone...
    await expect(fetch(`${bot.url}/api/messages`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" })).rejects.toThrow();
    // ...and so is the embedded Azurite: storage no longer answers.
    await expect(bot.app.store.ping()).rejects.toBeDefined();
  } finally {
    await bot.connector.close();
    await bot.app.close().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("close() does not wait for idle keep-alive connections", async () => {
  const bot = await startBot({});
  try {
    // fetch keeps its connection open for reuse; close() must not sit out the keep-alive timeout.
    expect((await fetch(`${bot.url}/api/health`)).status).toBe(200);
    const t0 = Date.now();
    await bot.app.close();
    expect(Date.now() - t0).toBeLessThan(2000);
    await expect(fetch(`${bot.url}/api/health`)).rejects.toThrow();
  } finally {
    await bot.connector.close();
  }
});
