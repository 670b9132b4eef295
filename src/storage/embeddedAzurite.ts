import { spawn, type ChildProcess } from "node:child_process";
import { createServer, connect } from "node:net";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/**
 * With no storage configured, the bot runs a real Azurite table server itself so a new user
 * needs no Azure account. We drive Azurite through its public `azurite-table` command line:
 * its internals have no stable programmatic API.
 */
export interface EmbeddedAzurite {
  connectionString: string;
  port: number;
  stop(): Promise<void>;
}

const ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export function azuriteConnectionString(port: number, host = "127.0.0.1"): string {
  return `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${ACCOUNT_KEY};TableEndpoint=http://${host}:${port}/devstoreaccount1;`;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

function azuriteTableBin(): string {
  const pkgPath = require.resolve("azurite/package.json");
  const bin = (require(pkgPath) as { bin: Record<string, string> }).bin["azurite-table"];
  return join(dirname(pkgPath), bin);
}

async function waitForPort(port: number, child: ChildProcess, stderr: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Azurite exited with code ${child.exitCode}: ${stderr()}`);
    const ok = await new Promise<boolean>((res) => {
      const sock = connect(port, "127.0.0.1", () => { sock.end(); res(true); });
      sock.once("error", () => res(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Azurite did not start listening on port ${port} within ${timeoutMs} ms. ${stderr()}`);
}

/**
 * Starts Azurite's table server. With a data folder, the port is written to
 * `<dataDir>/azurite.port` while it runs, so the command-line scripts (demo data, CSV import)
 * use the same server instead of starting a second one on the same files.
 */
export async function startEmbeddedAzurite(opts: { dataDir?: string; inMemory?: boolean; port?: number } = {}): Promise<EmbeddedAzurite> {
  const port = opts.port ?? (await freePort());
  const args = ["--tableHost", "127.0.0.1", "--tablePort", String(port), "--skipApiVersionCheck", "--disableTelemetry", "--silent"];
  let portFile: string | undefined;
  if (opts.inMemory) args.push("--inMemoryPersistence");
  else {
    const dataDir = resolve(opts.dataDir ?? ".data");
    const location = join(dataDir, "azurite");
    mkdirSync(location, { recursive: true });
    args.push("--location", location);
    portFile = join(dataDir, "azurite.port");
  }
  const child = spawn(process.execPath, [azuriteTableBin(), ...args], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr?.on("data", (d: Buffer) => { err = (err + d.toString()).slice(-2000); });
  await waitForPort(port, child, () => err, 20_000);
  if (portFile) writeFileSync(portFile, String(port));
  return {
    connectionString: azuriteConnectionString(port),
    port,
    // SIGINT, not SIGTERM: Azurite's table server writes its database to disk only on SIGINT
    // (otherwise every 5 s), so SIGTERM would lose the last seconds of answers.
    stop: () =>
      new Promise<void>((res) => {
        if (portFile) rmSync(portFile, { force: true });
        if (child.exitCode !== null || child.signalCode !== null) return res();
        const force = setTimeout(() => child.kill("SIGKILL"), 15_000);
        child.once("exit", () => { clearTimeout(force); res(); });
        child.kill("SIGINT");
      }),
  };
}
