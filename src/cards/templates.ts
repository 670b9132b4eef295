import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Template } from "adaptivecards-templating";

/** The Adaptive Card templates in cards/*.json at the repository root, loaded once. */

/** Walks up from this file to the folder holding both cards/ and package.json (works from src/ and dist/). */
export function findCardsDir(start: string = __dirname): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, "cards")) && existsSync(join(dir, "package.json"))) return join(dir, "cards");
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No cards/ folder next to a package.json above ${start}`);
    dir = parent;
  }
}

let loaded: Map<string, Template> | undefined;

export function cardTemplate(name: string): Template {
  if (!loaded) {
    const dir = findCardsDir();
    loaded = new Map();
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
      loaded.set(file.slice(0, -".json".length), new Template(JSON.parse(readFileSync(join(dir, file), "utf8")) as object));
    }
  }
  const t = loaded.get(name);
  if (!t) throw new Error(`No card template cards/${name}.json`);
  return t;
}

/** Every template's name, for tests that bind them all. */
export function cardTemplateNames(): string[] {
  return readdirSync(findCardsDir()).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -".json".length)).sort();
}
