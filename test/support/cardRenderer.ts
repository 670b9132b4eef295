/**
 * Validates a bound Adaptive Card with Microsoft's own renderer (the `adaptivecards` package), in Node.
 *
 *   const problems = validateCard(renderCard("overview", view));   // [] when the card is clean
 *
 * The package's main entry fails in Node; its UMD bundle (dist/adaptivecards.js) loads once a DOM is
 * there, so a jsdom window's globals are copied onto `global` first (only names Node does not already
 * define). Version 3 of the renderer registers Action.Execute (Universal Actions, card version 1.4+),
 * so it is parsed like any other action, and unknown action or element types are reported.
 *
 * jsdom 29 pulls in ESM-only dependencies (@exodus/bytes), which jest's CommonJS runtime refuses to
 * load ("Must use import to load ES Module"). Node 20.19+ itself can require() them, so when the plain
 * require fails, jsdom is loaded with the host Node's own require (reached through vm.runInThisContext,
 * outside jest's module registry). Only jsdom is loaded that way; the renderer bundle goes through the
 * normal require and sees the DOM globals copied onto the test's global.
 *
 * What it reports: parse events (unknown element or action types, invalid enum values, versions the
 * renderer does not support, unsupported properties) and validation failures (duplicate ids, too many
 * actions in one set for the default host config, required inputs without label or error message,
 * empty collections...). Each becomes "<phase>/<event>: <message>".
 */
import { runInThisContext } from "node:vm";
import type * as JsdomModule from "jsdom";
import type * as AdaptiveCardsModule from "adaptivecards";

type AC = typeof AdaptiveCardsModule;

let ac: AC | undefined;

function loadJsdom(): typeof JsdomModule {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("jsdom") as typeof JsdomModule;
  } catch {
    const hostProcess = runInThisContext("process") as NodeJS.Process;
    const hostModule = hostProcess.getBuiltinModule("module") as typeof import("node:module");
    return hostModule.createRequire(__filename)("jsdom") as typeof JsdomModule;
  }
}

function installDomGlobals(): void {
  const g = globalThis as unknown as Record<string, unknown>;
  if (g.document && g.window) return;
  const { JSDOM } = loadJsdom();
  const { window } = new JSDOM("<!doctype html><html><head></head><body></body></html>", { pretendToBeVisual: true });
  const w = window as unknown as Record<string, unknown>;
  for (const key of Object.getOwnPropertyNames(window)) {
    if (key in g) continue;
    try {
      g[key] = w[key];
    } catch {
      // a few window getters throw outside a browsing context; the renderer does not need them
    }
  }
  g.window = window;
  g.document = window.document;
}

/** The renderer module, loaded once with DOM globals in place. */
export function adaptiveCards(): AC {
  if (!ac) {
    installDomGlobals();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ac = require("adaptivecards/dist/adaptivecards.js") as AC;
    // No markdown library here: TextBlocks render as plain text, without the "markdown not enabled" warning.
    ac.AdaptiveCard.onProcessMarkdown = (_text, result) => {
      result.didProcess = false;
    };
  }
  return ac;
}

/** Parses and validates the card; returns every warning and error as a string ([] when clean). */
export function validateCard(json: object): string[] {
  const AC = adaptiveCards();
  const card = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext();
  card.parse(json, ctx);
  const out: string[] = [];
  const describe = (e: { phase: number; event: number; message: string }) =>
    `${AC.ValidationPhase[e.phase]}/${AC.ValidationEvent[e.event]}: ${e.message}`;
  for (let i = 0; i < ctx.eventCount; i++) out.push(describe(ctx.getEventAt(i)));
  for (const e of card.validateProperties().validationEvents) out.push(describe(e));
  return out;
}

/** Renders the card to an HTML element (jsdom) with the default host config; for tests that inspect output. */
export function renderToElement(json: object): HTMLElement | undefined {
  const AC = adaptiveCards();
  const card = new AC.AdaptiveCard();

  card.parse(json, new AC.SerializationContext());
  return card.render();
}
