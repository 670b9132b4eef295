import { spawn, type ChildProcess } from "node:child_process";
import { createServer, connect } from "node:net";
import { mkdirSync } from "node:fs";
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

export async function startEmbeddedAzurite(opts: { dataDir?: string; inMemory?: boolean; port?: number } = {}): Promise<EmbeddedAzurite> {
  const port = opts.port ?? (await freePort());
  const args = ["--tableHost", "127.0.0.1", "--tablePort", String(port), "--skipApiVersionCheck", "--disableTelemetry", "--silent"];
  if (opts.inMemory) args.push("--inMemoryPersistence");
  else {
    const location = resolve(opts.dataDir ?? ".data", "azurite");
    mkdirSync(location, { recursive: true });
    args.push("--location", location);
  }
  const child = spawn(process.execPath, [azuriteTableBin(), ...args], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr?.on("data", (d: Buffer) => { err = (err + d.toString()).slice(-2000); });
  await waitForPort(port, child, () => err, 20_000);
  return {
    connectionString: azuriteConnectionString(port),
    port,
    stop: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null) return res();
        child.once("exit", () => res());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 3000).unref();
      }),
  };
}
