/** Jest globalTeardown: stops the Azurite started by globalSetup.ts (handle kept on globalThis). */
import "./globalSetup";

export default async function globalTeardown(): Promise<void> {
  const azurite = globalThis.__TEST_AZURITE__;
  if (!azurite) return;
  globalThis.__TEST_AZURITE__ = undefined;
  await azurite.stop();
  if (process.env.__TEST_AZURITE_OWNED__) {
    delete process.env.TEST_TABLES_CONNECTION_STRING;
    delete process.env.TEST_AZURITE_PORT;
    delete process.env.__TEST_AZURITE_OWNED__;
  }
}
