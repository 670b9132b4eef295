import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { connect } from "node:net";
import { dirname, join, resolve } from "node:path";
import { azuriteConnectionString, freePort } from "../src/storage/embeddedAzurite";

/**
 * A persistent Azurite for the scripts, like src/storage/embeddedAzurite.ts but stopped with
 * SIGINT. Azurite's table server saves its database (LokiJS, autosaved every 5 s) only on SIGINT
 * or an IPC "shutdown"; SIGTERM kills it at once and the last seconds of writes are lost, which
 * for a script that exits right after writing is most of them. (embeddedAzurite.stop() sends
 * SIGTERM: once it sends SIGINT, the scripts can use it instead of this.)
 */
export async function startScriptAzurite(dataDir: string): Promise<{ connectionString: string; port: number; stop(): Promise<void> }> {
  const port = await freePort();
  const location = resolve(dataDir, "azurite");
  mkdirSync(location, { recursive: true });
  const pkgPath = require.resolve("azurite/package.json");
  const bin = join(dirname(pkgPath), (require(pkgPath) as { bin: Record<string, string> }).bin["azurite-table"]);
  const child = spawn(process.execPath, [bin, "--tableHost", "127.0.0.1", "--tablePort", String(port), "--skipApiVersionCheck", "--disableTelemetry", "--silent", "--location", location], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr?.on("data", (d: Buffer) => { err = (err + d.toString()).slice(-2000); });
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Azurite exited with code ${child.exitCode}: ${err}`);
    const ok = await new Promise<boolean>((res) => {
      const sock = connect(port, "127.0.0.1", () => { sock.end(); res(true); });
      sock.once("error", () => res(false));
    });
    if (ok) break;
    if (Date.now() > deadline) { child.kill("SIGKILL"); throw new Error(`Azurite did not start on port ${port}. ${err}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    connectionString: azuriteConnectionString(port),
    port,
    stop: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null || child.signalCode !== null) return res();
        const force = setTimeout(() => child.kill("SIGKILL"), 15_000);
        child.once("exit", () => { clearTimeout(force); res(); });
        child.kill("SIGINT");
      }),
  };
}
