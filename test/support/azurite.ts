/**
 * Test-only Azurite (Table service) launcher. Independent of src/storage/embeddedAzurite.ts.
 *
 *   const azurite = await startAzurite({ inMemory: true });
 *   TableClient.fromConnectionString(azurite.connectionString, "t1", { allowInsecureConnection: true });
 *   await azurite.stop();
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { canConnect, getFreePort } from "./freePort";

export const AZURITE_ACCOUNT_NAME = "devstoreaccount1";
export const AZURITE_ACCOUNT_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface StartAzuriteOptions {
  /** Keep all data in memory (`--inMemoryPersistence`). Default true. */
  inMemory?: boolean;
  /** Data folder when `inMemory` is false (a fresh temp dir if omitted). */
  location?: string;
  /** How long to wait for the port to accept connections. Default 20 000 ms. */
  timeoutMs?: number;
  /** Fixed port; by default a free port is picked (and re-picked if it was taken meanwhile). */
  port?: number;
}

export interface AzuriteHandle {
  connectionString: string;
  port: number;
  /** Child process pid (useful to keep on globalThis across jest global setup/teardown). */
  pid: number | undefined;
  /** Kills the child (SIGTERM, then SIGKILL after 3 s) and resolves once it has exited. Idempotent. */
  stop(): Promise<void>;
}

export function azuriteConnectionString(port: number, host = "127.0.0.1"): string {
  return (
    `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT_NAME};` +
    `AccountKey=${AZURITE_ACCOUNT_KEY};` +
    `TableEndpoint=http://${host}:${port}/${AZURITE_ACCOUNT_NAME};`
  );
}

/** Absolute path of the `azurite-table` bin script, read from azurite/package.json's `bin` field. */
export function resolveAzuriteTableBin(): string {
  const pkgJsonPath = require.resolve("azurite/package.json");
  const pkg = JSON.parse(fs.readFileSync(pkgJsonPath, "utf8")) as { bin?: string | Record<string, string> };
  const rel = typeof pkg.bin === "string" ? pkg.bin : pkg.bin?.["azurite-table"];
  if (!rel) throw new Error(`azurite/package.json (${pkgJsonPath}) has no "azurite-table" bin entry`);
  return path.resolve(path.dirname(pkgJsonPath), rel);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The `Server` response header at 127.0.0.1:port (e.g. "Azurite-Table/3.35.0"), or undefined. */
function probeServerHeader(port: number, timeoutMs = 1000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: `/${AZURITE_ACCOUNT_NAME}/Tables`, agent: false }, (res) => {
      res.resume();
      resolve(typeof res.headers.server === "string" ? res.headers.server : "");
    });
    req.setTimeout(timeoutMs, () => req.destroy());
    req.once("error", () => resolve(undefined));
  });
}

export async function startAzurite(options: StartAzuriteOptions = {}): Promise<AzuriteHandle> {
  const attempts = options.port ? 1 : 3;
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await startOnce(options);
    } catch (err) {
      lastError = err;
      // Only retry when the port was taken between picking and binding (Azurite logs EADDRINUSE).
      if (!(err instanceof Error && /EADDRINUSE/.test(err.message))) throw err;
    }
  }
  throw lastError;
}

async function startOnce(options: StartAzuriteOptions): Promise<AzuriteHandle> {
  const inMemory = options.inMemory ?? true;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const port = options.port ?? (await getFreePort());
  const bin = resolveAzuriteTableBin();

  // Run in a private temp dir so Azurite never writes debug logs / db files into the repo.
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "azurite-test-"));
  const args = [
    bin,
    "--tableHost",
    "127.0.0.1",
    "--tablePort",
    String(port),
    "--skipApiVersionCheck",
    "--disableTelemetry",
    "--silent",
  ];
  if (inMemory) args.push("--inMemoryPersistence");
  else args.push("--location", options.location ?? workDir);

  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: workDir,
    stdio: ["ignore", "pipe", "pipe"],
    windowsHide: true,
  });

  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => {
    if (stdout.length < 20_000) stdout += d;
  });
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    if (stderr.length < 20_000) stderr += d;
  });

  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    child.once("exit", (code, signal) => {
      exited = { code, signal };
      resolve();
    });
  });
  let spawnError: Error | undefined;
  child.once("error", (e) => (spawnError = e));

  const cleanupDir = () => {
    try {
      fs.rmSync(workDir, { recursive: true, force: true });
    } catch {
      /* ignore */
    }
  };

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (!exited && child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const killTimer = setTimeout(() => child.kill("SIGKILL"), 3_000);
        await exitPromise;
        clearTimeout(killTimer);
      }
      child.stdout?.destroy();
      child.stderr?.destroy();
      cleanupDir();
    })();
    return stopping;
  };

  const describe = () =>
    `azurite-table (${bin}) on 127.0.0.1:${port}` +
    (exited ? ` exited with code ${exited.code} signal ${exited.signal}` : "") +
    (spawnError ? `; spawn error: ${spawnError.message}` : "") +
    `\n--- stderr ---\n${stderr.trim() || "(empty)"}\n--- stdout ---\n${stdout.trim() || "(empty)"}`;

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (spawnError || exited) {
      await stop();
      throw new Error(`Azurite failed to start: ${describe()}`);
    }
    if (await canConnect(port)) {
      // Make sure it is our Azurite answering, not another process that holds the port.
      const server = await probeServerHeader(port);
      if (server !== undefined && !exited) {
        if (server.startsWith("Azurite-Table")) break;
        await stop();
        throw new Error(`Azurite failed to start: EADDRINUSE 127.0.0.1:${port} is served by "${server}". ${describe()}`);
      }
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Azurite did not accept TCP connections within ${timeoutMs} ms: ${describe()}`);
    }
    await sleep(100);
  }

  return { connectionString: azuriteConnectionString(port), port, pid: child.pid, stop };
}
