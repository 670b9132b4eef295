/**
 * The whole bot in its own process, for tests that SIGKILL it or run two side by side on one
 * storage:   node --require tsx/cjs test/support/botChild.ts   (settings in CHILD_ENV, JSON)
 * It prints {"ready": "<url>"} on stdout once listening. Its clock is the real one plus an offset
 * the parent can move with an IPC message {offset: ms}, so reminders can fire without waiting.
 */
import { loadConfig } from "../../src/config";
import { startApp } from "../../src/app";

async function main() {
  const env = JSON.parse(process.env.CHILD_ENV ?? "{}") as Record<string, string>;
  let offset = Number(process.env.CHILD_CLOCK_OFFSET_MS ?? 0);
  process.on("message", (m: unknown) => {
    const o = (m as { offset?: unknown } | undefined)?.offset;
    if (typeof o === "number") {
      offset = o;
      process.send?.({ offset });
    }
  });
  const app = await startApp(loadConfig(env), { now: () => new Date(Date.now() + offset) });
  process.stdout.write(`${JSON.stringify({ ready: app.url })}\n`);
}

main().catch((e) => {
  process.stderr.write(`${String((e as Error)?.name)}: ${String((e as Error)?.message).slice(0, 200)}\n`);
  process.exit(1);
});
