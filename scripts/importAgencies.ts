/**
 * npm run import-agencies -- agencies.csv [--port <azurite port>]
 *
 * Registers agencies and their safeguarding leads and senior officers from a CSV file, the same
 * import an admin gets by sending the file to the bot, and prints one line per row. Columns:
 * agency_name, sector, partnerships, lead_email, lead_name, officer_email, officer_name (header
 * row required; partnerships separated by ";"). Storage is chosen like the bot does (see
 * scripts/storage.ts). Exit code 0: every row imported; 2: some rows not imported; 1: nothing
 * imported (unreadable file, bad header, storage down).
 */
import { SYSTEM_ACTOR } from "../src/compose";
import type { ImportRowOutcome } from "../src/admin/importAgencies";
import { plainText } from "../src/cards/text";
import { CSV_COLUMNS_TEXT } from "../src/admin/csvImport";
import { runScript, withFileAndAdmin } from "./storage";

const RESULT_TEXT: Record<ImportRowOutcome["result"], string> = { registered: "registered", people_added: "people added", rejected: "REJECTED", failed: "FAILED" };

function table(rows: ImportRowOutcome[]): string {
  const cells = rows.map((r) => [String(r.line), RESULT_TEXT[r.result], r.agencyName.length > 48 ? r.agencyName.slice(0, 47) + "…" : r.agencyName, r.detail]);
  const head = ["line", "result", "agency", "detail"];
  const width = [0, 1, 2].map((i) => Math.max(head[i].length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => [c[0].padStart(width[0]), c[1].padEnd(width[1]), c[2].padEnd(width[2]), c[3]].join("  ");
  return [line(head), line(width.map((w) => "-".repeat(w)).concat("------")), ...cells.map(line)].join("\n");
}

async function main(): Promise<number> {
  return withFileAndAdmin(`Usage: npm run import-agencies -- <file.csv> [--port <azurite port>]\nColumns: ${CSV_COLUMNS_TEXT}`, async (text, admin) => {
    const { report, rows } = await admin.importer.run(SYSTEM_ACTOR, text, async (done, total) => {
      if (done % 50 === 0 && done < total) console.log(`  ${done} of ${total} rows…`);
    });
    if (rows.length) console.log(`\n${table(rows)}\n`);
    console.log(`${plainText(report.title)}. ${plainText(report.summaryText)}`);
    if (!rows.length) return 1;
    const bad = rows.filter((r) => r.result === "rejected" || r.result === "failed").length;
    return bad === 0 ? 0 : bad === rows.length ? 1 : 2;
  });
}

runScript(main, "Import stopped");
