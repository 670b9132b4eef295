/**
 * npm run load-template -- my-template.json [--port <azurite port>]
 *
 * Stores a partnership's own Section 11 (or education audit) template as the next version of its
 * id, the same as an admin sending the .json file to the bot. The format is in docs/templates.md;
 * src/section11/templates/default.json is a complete example. Exit code 0 when stored, 1 otherwise.
 */
import { loadConfig } from "../src/config";
import { buildAdminServices, SYSTEM_ACTOR, withSystemAdmin } from "../src/admin/compose";
import { openScriptStorage, positionalArgs, runScript, readTextFile } from "./storage";

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const [file] = positionalArgs(args);
  if (!file) {
    console.error("Usage: npm run load-template -- <template.json> [--port <azurite port>]\nFormat: docs/templates.md");
    return 1;
  }
  const text = readTextFile(file);
  if (text === undefined) return 1;
  const config = withSystemAdmin(loadConfig());
  const storage = await openScriptStorage(config, args);
  try {
    console.log(`Storage: ${storage.description}`);
    await storage.store.ensureTables();
    const { admin } = buildAdminServices(config, storage.store);
    const result = await admin.loadTemplate(SYSTEM_ACTOR, text);
    console.log(`${result.title}. ${result.text.replace(/\n\n/g, "\n")}`);
    for (const f of result.facts) console.log(`  ${f.title}: ${f.value}`);
    return result.color === "good" ? 0 : 1;
  } finally {
    await storage.close();
  }
}

runScript(main, "Template not loaded");
