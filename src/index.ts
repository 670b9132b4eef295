import { ConfigError, loadConfig } from "./config";
import { startTelemetry } from "./telemetry";

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
  // Application Insights first (only with APPLICATIONINSIGHTS_CONNECTION_STRING), so its
  // instrumentations are in place before http, restify and the Azure SDK load with the app.
  const telemetry = await startTelemetry(config.APPLICATIONINSIGHTS_CONNECTION_STRING);
  const { startApp } = await import("./app");
  const running = await startApp(config);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    running.log.info({ signal }, "shutting down: finishing turns in flight");
    await running.close();
    await telemetry?.shutdown().catch(() => undefined);
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}

main().catch((e) => {
  console.error("The bot failed to start:", e instanceof Error ? e.message : e);
  process.exit(1);
});
