import { existsSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { join, resolve } from "node:path";
import { ConfigError, loadConfig, type Config } from "../src/config";
import { composeServices, withSystemAdmin, type Services } from "../src/compose";
import { createLogger } from "../src/log";
import { azuriteConnectionString, startEmbeddedAzurite } from "../src/storage/embeddedAzurite";
import { TableStore } from "../src/storage/tableStore";

/**
 * Storage for the command-line scripts, chosen like the bot chooses it:
 *   1. TABLES_CONNECTION_STRING or TABLES_ENDPOINT when set (Azure, or an Azurite you run);
 *   2. `--port N`: an Azurite (e.g. the bot's embedded one) already listening on 127.0.0.1:N;
 *   3. `<DATA_DIR>/azurite.port`, when the running bot has written it: the bot's embedded Azurite;
 *   4. otherwise an Azurite of our own on `<DATA_DIR>/azurite` (the bot's folder), stopped when
 *      done.
 * Two Azurite processes must never share one data folder (each keeps the tables in memory and
 * overwrites the other's file), so case 4 refuses when the bot answers on its port.
 */

export interface ScriptStorage {
  store: TableStore;
  description: string;
  close(): Promise<void>;
}

export function argValue(args: string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === `--${name}`) return args[i + 1];
    if (args[i].startsWith(`--${name}=`)) return args[i].slice(name.length + 3);
  }
  return undefined;
}

export const positionalArgs = (args: string[], withValue: string[] = ["port"]) =>
  args.filter((a, i) => !a.startsWith("--") && !(i > 0 && withValue.some((n) => args[i - 1] === `--${n}`)));

function listening(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((res) => {
    const sock = connect(port, host, () => {
      sock.end();
      res(true);
    });
    sock.once("error", () => res(false));
    sock.setTimeout(1000, () => {
      sock.destroy();
      res(false);
    });
  });
}

function parsePort(raw: string, where: string): number {
  const port = Number(raw.trim());
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${where}: "${raw.trim()}" is not a port number.`);
  return port;
}

/** Reads the file named on the command line; prints why not and returns undefined when it cannot. */
export function readTextFile(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    console.error(`Cannot read ${file}: ${(e as Error).message}`);
    return undefined;
  }
}

/** Runs a script's main and exits with its code; a failure prints one readable line, never a stack. */
export function runScript(main: () => Promise<number>, failure: string): void {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e instanceof ConfigError ? e.message : `${failure}: ${(e as Error)?.message ?? e}`);
      process.exit(1);
    },
  );
}

export async function openScriptStorage(config: Config, args: string[]): Promise<ScriptStorage> {
  const prefix = config.TABLE_PREFIX;
  const none = async () => undefined;
  if (config.TABLES_CONNECTION_STRING) {
    return { store: new TableStore({ connectionString: config.TABLES_CONNECTION_STRING, prefix }), description: "TABLES_CONNECTION_STRING", close: none };
  }
  if (config.TABLES_ENDPOINT) {
    return { store: new TableStore({ endpoint: config.TABLES_ENDPOINT, prefix }), description: `${config.TABLES_ENDPOINT} (managed identity / az login)`, close: none };
  }

  const portArg = argValue(args, "port");
  if (portArg !== undefined) {
    const port = parsePort(portArg, "--port");
    if (!(await listening(port))) throw new Error(`Nothing answers on 127.0.0.1:${port}. Start the bot (npm start) or leave out --port to use a private Azurite.`);
    return { store: new TableStore({ connectionString: azuriteConnectionString(port), prefix }), description: `Azurite on port ${port}`, close: none };
  }

  const portFile = join(resolve(config.DATA_DIR), "azurite.port");
  if (existsSync(portFile)) {
    const port = parsePort(readFileSync(portFile, "utf8"), portFile);
    if (await listening(port)) {
      return { store: new TableStore({ connectionString: azuriteConnectionString(port), prefix }), description: `the bot's embedded Azurite (port ${port}, from ${portFile})`, close: none };
    }
  }

  if (await listening(config.PORT)) {
    throw new Error(
      [
        `Something answers on 127.0.0.1:${config.PORT}: the bot seems to be running with its embedded Azurite on ${resolve(config.DATA_DIR, "azurite")}.`,
        "Two Azurite processes on the same folder would overwrite each other's data, so nothing was changed. Either:",
        "  - stop the bot (Ctrl+C), run this command again, then start the bot; or",
        "  - pass the port of the bot's Azurite: --port <port> (the bot logs it as \"embedded Azurite started\").",
      ].join("\n"),
    );
  }
  const azurite = await startEmbeddedAzurite({ dataDir: config.DATA_DIR });
  return {
    store: new TableStore({ connectionString: azurite.connectionString, prefix }),
    description: `embedded Azurite on ${resolve(config.DATA_DIR, "azurite")} (stopped when done)`,
    close: () => azurite.stop(),
  };
}

/**
 * The common shape of a script that takes one file and acts as the partnership's system admin:
 * read the file, open storage as the bot would, run, close storage whatever happens.
 */
export async function withFileAndAdmin(usage: string, run: (text: string, admin: Services["admin"]) => Promise<number>): Promise<number> {
  const args = process.argv.slice(2);
  const [file] = positionalArgs(args);
  if (!file) {
    console.error(usage);
    return 1;
  }
  const text = readTextFile(file);
  if (text === undefined) return 1;
  const config = withSystemAdmin(loadConfig());
  const storage = await openScriptStorage(config, args);
  try {
    console.log(`Storage: ${storage.description}`);
    await storage.store.ensureTables();
    return await run(text, composeServices(config, storage.store, createLogger("warn")).admin);
  } finally {
    await storage.close();
  }
}
