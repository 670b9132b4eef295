import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { ConfigError, loadConfig } from "../config";
import { startApp } from "../app";

/**
 * `npm start`: the bot in local mode on the embedded Azurite, plus the Microsoft 365 Agents
 * Playground (a Teams-like chat in the browser) pointed at it. One Ctrl+C stops all three.
 */
async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) { console.error(e.message); process.exit(2); }
    throw e;
  }
  if (!config.localMode) {
    console.error("npm start runs the bot with the local playground, which sends no Bot Framework token: unset MicrosoftAppId (use npm run start:bot for a registered bot).");
    process.exit(2);
  }
  const running = await startApp(config);
  const playgroundPort = Number(process.env.PLAYGROUND_PORT ?? 56150);
  const pkg = require.resolve("@microsoft/m365agentsplayground/package.json");
  const cli = join(dirname(pkg), (require(pkg) as { bin: Record<string, string> }).bin.agentsplayground);
  // The playground offers no way to choose its interface: a preload makes it listen on loopback only.
  const loopbackOnly = join(__dirname, "loopbackOnly.js");
  const playground = spawn(
    process.execPath,
    ["--require", loopbackOnly, cli, "-e", `${running.url}/api/messages`, "-c", "msteams", "-p", String(playgroundPort), "--disable-telemetry"],
    { stdio: "inherit", env: { ...process.env, TEAMSAPPTESTER_BROWSER: process.env.TEAMSAPPTESTER_BROWSER ?? (process.env.CI ? "none" : undefined) } as NodeJS.ProcessEnv },
  );
  console.log(`\nBot: ${running.url}/api/messages (local mode, storage under ${config.DATA_DIR}/)`);
  console.log(`Playground: http://127.0.0.1:${playgroundPort}  — type "hi" in the personal chat.`);
  console.log("Both listen on 127.0.0.1 only: in local mode everyone who types is a partnership admin, so they are not offered to your network.\n");
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    playground.kill("SIGTERM");
    await running.close();
    process.exit(0);
  };
  playground.on("exit", (code) => {
    if (stopping) return;
    console.error(`The playground stopped (code ${code}). Its log, with the reason: devTools/m365agentsplayground.log`);
    void stop();
  });
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
}

main().catch((e) => {
  console.error("Could not start:", e instanceof Error ? e.message : e);
  process.exit(1);
});
