import type { BotCommand } from "../../manifest/commands";

/**
 * Commands the help card lists but the Teams manifest does not: its personal command list is full
 * (10 per scope). They work when typed, like every command.
 */
export const HELP_ONLY_COMMANDS: readonly BotCommand[] = [
  { command: "panels", description: "Challenge panels: members read their agencies' submitted returns and challenge; admins create panels", scopes: ["personal"] },
  { command: "actions", description: "Your agency's actions: close one saying what was done (admins: every agency's open actions, export)", scopes: ["personal"] },
  { command: "compare", description: "Your agency's ratings per standard against the previous cycle (admins: any agency)", scopes: ["personal"] },
  { command: "delegate data", description: "Training officer: everything held about a delegate, as a file (type the e-mail address after it)", scopes: ["personal"] },
  { command: "erase delegate", description: "Training officer: erase a delegate's data, after confirming what goes (type the e-mail address after it)", scopes: ["personal"] },
  { command: "deadlines", description: "Admin: deadlines and reminders of the open cycles; extend a deadline", scopes: ["personal"] },
];
