/**
 * The bot's commands: the single source for the Teams manifest's `commandLists`
 * (built by `manifest/package.ts`) and for the bot's own help text.
 *
 * Plain data with no imports, so `src/bot` can use it without pulling in packaging code.
 * Teams shows at most 10 commands per scope; the title is what the user types.
 */

/** Scope names exactly as the Teams manifest spells them. */
export type BotScope = "personal" | "team" | "groupChat";

export interface BotCommand {
  readonly command: string;
  readonly description: string;
  readonly scopes: readonly BotScope[];
}

export const BOT_COMMANDS = [
  { command: "help", description: "Show what you can do", scopes: ["personal", "team", "groupChat"] },
  { command: "audit", description: "Open your agency's Section 11 return", scopes: ["personal"] },
  { command: "continue", description: "Resume where you left off", scopes: ["personal"] },
  { command: "review", description: "Review the whole return before sign-off", scopes: ["personal"] },
  { command: "signoffs", description: "Returns waiting for your sign-off", scopes: ["personal"] },
  { command: "admin", description: "Partnership admin: cycles, agencies, people", scopes: ["personal"] },
  { command: "status", description: "Admin: where every agency stands", scopes: ["personal"] },
  { command: "whoami", description: "Show your roles", scopes: ["personal"] },
  { command: "digest", description: "Section 11 digest: post one here now (admins: registered channels)", scopes: ["personal", "team"] },
  { command: "training", description: "Training officer: courses, sessions, evaluations", scopes: ["personal"] },
  { command: "add delegates", description: "Training officer: book this chat's members on a session", scopes: ["team", "groupChat"] },
] as const satisfies readonly BotCommand[];

export type BotCommandName = (typeof BOT_COMMANDS)[number]["command"];

/** The commands offered in one scope, in the order above. */
export function commandsForScope(scope: BotScope): BotCommand[] {
  return BOT_COMMANDS.filter((c) => (c.scopes as readonly BotScope[]).includes(scope));
}

/** One manifest command list per distinct set of commands: scopes that offer the same commands share a list. */
export function manifestCommandLists(): { scopes: BotScope[]; commands: { title: string; description: string }[] }[] {
  const lists: { scopes: BotScope[]; commands: { title: string; description: string }[] }[] = [];
  const allScopes: BotScope[] = ["personal", "team", "groupChat"];
  for (const scope of allScopes) {
    const commands = commandsForScope(scope).map((c) => ({ title: c.command, description: c.description }));
    if (commands.length === 0) continue;
    const same = lists.find((l) => JSON.stringify(l.commands) === JSON.stringify(commands));
    if (same) same.scopes.push(scope);
    else lists.push({ scopes: [scope], commands });
  }
  return lists;
}
