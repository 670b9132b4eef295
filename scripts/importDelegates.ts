/**
 * npm run import-delegates -- <sessionId> <delegates.csv> [--port <azurite port>]
 *
 * Books the delegates in a CSV file on a training session, the same import a training officer gets
 * by sending the file in chat, and prints the report (added, merged with the same e-mail, or not
 * added and why, per line). Columns: name, email, agency, manager_name, manager_email (header row
 * required). Without arguments it lists the sessions and their ids. Storage is chosen like the bot
 * does (see scripts/storage.ts). Exit code 0: every row added or merged; 2: some rows not added;
 * 1: nothing added (unreadable file, bad header, unknown session, storage down).
 */
import { composeServices, SYSTEM_ACTOR } from "../src/compose";
import { loadConfig } from "../src/config";
import { createLogger } from "../src/log";
import { plainText } from "../src/cards/text";
import { DELEGATE_COLUMNS_TEXT } from "../src/training/delegateCsv";
import { formatSessionTime } from "../src/training/ukTime";
import { openScriptStorage, positionalArgs, readTextFile, runScript } from "./storage";

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const [sessionId, file] = positionalArgs(args);
  const config = loadConfig();
  const storage = await openScriptStorage(config, args);
  try {
    console.log(`Storage: ${storage.description}`);
    await storage.store.ensureTables();
    const t = composeServices(config, storage.store, createLogger("warn")).training;
    if (!sessionId || !file) {
      console.error(`Usage: npm run import-delegates -- <sessionId> <file.csv> [--port <azurite port>]\nColumns: ${DELEGATE_COLUMNS_TEXT}\n\nSessions:`);
      for (const s of (await t.deps.repo.listSessions()).sort((a, b) => a.startsAt.localeCompare(b.startsAt))) console.error(`  ${s.sessionId}  ${formatSessionTime(s.startsAt)}  ${s.courseTitle}${s.state === "closed" ? " (closed)" : ""}`);
      return 1;
    }
    const text = readTextFile(file);
    if (text === undefined) return 1;
    if (!(await t.deps.repo.getSession(sessionId))) {
      console.error(`No session ${sessionId}: run without arguments to list them.`);
      return 1;
    }
    const report = await t.delegates.importFile(SYSTEM_ACTOR, sessionId, text);
    console.log(`${plainText(report.title)}. ${plainText(report.summaryText)}`);
    for (const a of report.added) console.log(`  added   ${plainText(a)}`);
    for (const r of report.rejected) console.log(`  ${plainText(r.line)}: ${plainText(r.reason)}`);
    if (!report.moreText.isEmpty) console.log(`  ${plainText(report.moreText)}`);
    if (report.color === "attention") return 1;
    return report.color === "warning" ? 2 : 0;
  } finally {
    await storage.close();
  }
}

runScript(main, "Import stopped");
