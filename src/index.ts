import { ConfigError, loadConfig } from "./config";
import { startApp } from "./app";

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const running = await startApp(config);
  const stop = async (signal: string) => {
    running.log.info({ signal }, "shutting down: finishing turns in flight");
    await running.close();
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}

main().catch((e) => {
  console.error("The bot failed to start:", e instanceof Error ? e.message : e);
  process.exit(1);
});
