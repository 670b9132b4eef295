/**
 * npm run export-agency -- <agencyId> [--out file.json] [--delete --confirm <agencyId>] [--port <azurite port>]
 *
 * Writes everything stored about one agency (its row, its grants, and every cycle's return with
 * all answers, their history, access rows and the first-submission copy) to one JSON file, by
 * default exports/<agencyId>-<yyyy-mm-dd>.json, and prints a summary. With --delete (and the id
 * repeated after --confirm) it then deletes the agency's returns, grants and row; People rows
 * are kept (a person may work for other agencies). An existing file is never overwritten.
 * Storage is chosen like the bot does (see scripts/storage.ts). Exit code 0: done; 1: nothing
 * deleted (bad arguments, unknown agency, storage down) or the delete stopped part-way (run it
 * again: it carries on).
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { loadConfig } from "../src/config";
import { deleteAgency, exportAgency, UnknownAgencyError, type AgencyDataProgress, type AgencyExport } from "../src/admin/agencyData";
import { GrantsRepo, holderPrincipal } from "../src/storage/grantsRepo";
import { argValue, openScriptStorage, positionalArgs, runScript } from "./storage";

const USAGE = "Usage: npm run export-agency -- <agencyId> [--out file.json] [--delete --confirm <agencyId>] [--port <azurite port>]";

/** A file name part from an agency id: ids may hold characters a file system does not like. */
const safeName = (id: string) => id.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._]+/, "").slice(0, 80) || "agency";

function defaultPath(agencyId: string, date: string): string {
  const base = join("exports", `${safeName(agencyId)}-${date}`);
  for (let n = 1; ; n++) {
    const path = n === 1 ? `${base}.json` : `${base}-${n}.json`;
    if (!existsSync(path)) return path;
  }
}

function progressLine(p: AgencyDataProgress): string | undefined {
  const verb = p.action === "export" ? "read" : "deleted";
  if (p.step === "return") return `  [${p.done}/${p.total}] return ${p.returnId}: ${p.rows} rows ${verb}`;
  if (p.step === "grants") return `  ${p.side === "agency" ? "agency-side" : "holder-side"} grants: ${p.rows} rows ${verb}`;
  return p.action === "delete" ? `  agency row: ${p.rows} ${verb}` : undefined;
}

function summary(x: AgencyExport): string[] {
  const c = x.counts;
  const lines = [
    `Agency: ${x.agency.name} (${x.agency.agencyId}), ${x.agency.sector}; partnerships ${x.agency.partnerships.join(", ") || "none"}`,
    `Returns: ${c.returns} (${c.submittedReturns} submitted at least once)`,
  ];
  for (const r of x.returns) {
    const answered = r.answers.filter((a) => a.updatedAt !== "" || a.rating !== null).length;
    const extra = r.otherRows.length ? `, ${r.otherRows.length} other rows kept verbatim` : "";
    lines.push(`  ${r.cycle?.name ?? `${r.cycleId} (cycle row gone)`}: ${r.header?.status ?? "no header"}, ${answered}/${r.answers.length} answered, ${r.access.length} access rows${r.firstSubmission ? ", first submission kept" : ""}${extra}`);
  }
  const people = new Set(x.grants.agencySide.concat(x.grants.holderSide).map((g) => g.holder));
  lines.push(`Answers: ${c.answered} answered of ${c.answerRows}, ${c.historyEntries} history entries`);
  lines.push(`Grants: ${c.grants.agencySide} agency-side + ${c.grants.holderSide} holder-side rows (${people.size === 1 ? "1 person or e-mail address" : `${people.size} people or e-mail addresses`})`);
  lines.push(`Rows: ${c.storedRows} stored rows in this export`);
  return lines;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const [agencyId, ...extra] = positionalArgs(args, ["port", "out", "confirm"]);
  const wantDelete = args.includes("--delete");
  const confirm = argValue(args, "confirm");
  const out = argValue(args, "out");
  const unknownFlags = args.filter((a) => a.startsWith("--") && !/^--(delete|confirm|out|port)(=|$)/.test(a));
  if (!agencyId || extra.length || unknownFlags.length) {
    if (extra.length) console.error(`Unexpected argument${extra.length > 1 ? "s" : ""}: ${extra.join(" ")}`);
    if (unknownFlags.length) console.error(`Unknown option${unknownFlags.length > 1 ? "s" : ""}: ${unknownFlags.join(" ")}`);
    console.error(USAGE);
    return 1;
  }
  if (confirm !== undefined && !wantDelete) {
    console.error("--confirm only goes with --delete. Nothing was exported or deleted.");
    return 1;
  }
  if (wantDelete && confirm !== agencyId) {
    console.error(`To delete, repeat the agency id exactly: --delete --confirm ${agencyId}${confirm !== undefined ? ` (you gave "${confirm}")` : ""}. Nothing was exported or deleted.`);
    return 1;
  }
  if (out !== undefined && (!out || out.startsWith("--"))) {
    console.error(`--out needs a file name. ${USAGE}`);
    return 1;
  }
  if (out && existsSync(out)) {
    console.error(`${out} already exists: choose another --out file (exports are never overwritten). Nothing was exported or deleted.`);
    return 1;
  }

  const config = loadConfig();
  const storage = await openScriptStorage(config, args);
  try {
    console.log(`Storage: ${storage.description}${config.TABLE_PREFIX ? `, table prefix ${config.TABLE_PREFIX}` : ""}`);
    const deps = { store: storage.store };

    let data: AgencyExport;
    try {
      data = await exportAgency(deps, agencyId, { onProgress: (p) => { const l = progressLine(p); if (l) console.log(l); } });
    } catch (e) {
      if (!(e instanceof UnknownAgencyError)) throw e;
      console.error(e.message);
      if (e.suggestions.length) {
        console.error("Did you mean:");
        for (const a of e.suggestions) console.error(`  ${a.agencyId}    (${a.name})`);
      } else {
        console.error('No registered agency has a similar id or name. An agency id is its name in lower case with dashes: "Westmere Borough Council" is westmere-borough-council.');
      }
      console.error("Nothing was exported or deleted.");
      return 1;
    }

    const path = out ?? defaultPath(agencyId, data.exportedAt.slice(0, 10));
    mkdirSync(dirname(resolve(path)), { recursive: true });
    // "wx": never overwrite; 0600: the file holds personal data.
    writeFileSync(path, JSON.stringify(data, null, 2) + "\n", { flag: "wx", mode: 0o600 });
    // Read it back before anything is deleted: the file on disk must be the whole export.
    const back = JSON.parse(readFileSync(path, "utf8")) as AgencyExport;
    if (back.counts.storedRows !== data.counts.storedRows || back.returns.length !== data.returns.length) throw new Error(`${path} does not read back as written; nothing was deleted.`);

    console.log("");
    for (const line of summary(data)) console.log(line);
    console.log("");
    console.log(`Written: ${resolve(path)} (${statSync(path).size.toLocaleString("en-GB")} bytes)`);
    console.log("WARNING: this file contains personal data (names, e-mail addresses, identifiers and the agency's safeguarding evidence).");
    console.log("Keep it only in the partnership's records system, and delete local copies when it is filed.");

    if (!wantDelete) return 0;

    console.log("");
    console.log(`Deleting ${data.agency.name} (${agencyId})…`);
    let counts;
    try {
      counts = await deleteAgency(deps, agencyId, { confirm, onProgress: (p) => { const l = progressLine(p); if (l) console.log(l); } });
    } catch (e) {
      console.error(`Delete stopped part-way: ${(e as Error)?.message ?? e}`);
      console.error(`The export above is complete. Run the same command again to finish (it exports what is left to a new file, then deletes it).`);
      return 1;
    }
    console.log(`Deleted: ${counts.returnRows} rows of ${counts.returns} return${counts.returns === 1 ? "" : "s"}, ${counts.grantRows.agencySide + counts.grantRows.holderSide} grant rows (${counts.grantRows.agencySide} agency-side, ${counts.grantRows.holderSide} holder-side), ${counts.agencyRows} agency row.`);

    // People rows are kept; say who no longer has any role, for a leaver request.
    const grants = new GrantsRepo(storage.store);
    const holders = new Map(data.grants.agencySide.concat(data.grants.holderSide).map((g) => [g.holder, g]));
    if (holders.size) console.log("People rows were kept. Roles left for the people who had one here:");
    for (const [holder, g] of holders) {
      const left = await grants.forHolder(holder);
      const who = `${g.personName || "(no name)"} <${g.email || holder}>`;
      const p = holderPrincipal(holder);
      const where = left.map((x) => (x.agencyId === "*" ? "partnership admin" : `${x.role} at ${x.name || x.agencyId}`)).join("; ");
      console.log(`  ${who}: ${left.length ? where : `no role left${p ? ` (People row: PartitionKey ${p.tenantId}, RowKey ${p.aadObjectId})` : ""}`}`);
    }
    return 0;
  } finally {
    await storage.close();
  }
}

runScript(main, "Export stopped");
