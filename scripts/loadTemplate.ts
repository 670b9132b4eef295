/**
 * npm run load-template -- my-template.json [--port <azurite port>]
 *
 * Stores a partnership's own Section 11 (or education audit) template as the next version of its
 * id, the same as an admin sending the .json file to the bot. The format is in docs/templates.md;
 * src/section11/templates/default.json is a complete example. Exit code 0 when stored, 1 otherwise.
 */
import { SYSTEM_ACTOR } from "../src/compose";
import { plainText } from "../src/cards/text";
import { runScript, withFileAndAdmin } from "./storage";

async function main(): Promise<number> {
  return withFileAndAdmin("Usage: npm run load-template -- <template.json> [--port <azurite port>]\nFormat: docs/templates.md", async (text, admin) => {
    const result = await admin.templates.load(SYSTEM_ACTOR, text);
    console.log(`${plainText(result.title)}. ${plainText(result.text)}`);
    for (const f of result.facts) console.log(`  ${plainText(f.title)}: ${plainText(f.value)}`);
    return result.color === "good" ? 0 : 1;
  });
}

runScript(main, "Template not loaded");
