/**
 * Jest globalSetup (runs once, in the parent process, before any worker starts).
 * Starts one in-memory Azurite Table service for the whole run and publishes its
 * connection string as process.env.TEST_TABLES_CONNECTION_STRING (inherited by workers).
 * Tests isolate themselves with uniquePrefix() from ./tablePrefix.
 *
 * If TEST_TABLES_CONNECTION_STRING is already set in the environment, that storage is
 * used as is and no Azurite is started.
 */
import { startAzurite, type AzuriteHandle } from "./azurite";

declare global {
  // eslint-disable-next-line no-var
  var __TEST_AZURITE__: AzuriteHandle | undefined;
}

export default async function globalSetup(): Promise<void> {
  if (globalThis.__TEST_AZURITE__) return; // already running (e.g. watch mode re-run)
  if (process.env.TEST_TABLES_CONNECTION_STRING && !process.env.__TEST_AZURITE_OWNED__) return;

  const azurite = await startAzurite({ inMemory: true });
  globalThis.__TEST_AZURITE__ = azurite;
  process.env.TEST_TABLES_CONNECTION_STRING = azurite.connectionString;
  process.env.TEST_AZURITE_PORT = String(azurite.port);
  process.env.__TEST_AZURITE_OWNED__ = "1";
}
