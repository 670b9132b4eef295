/**
 * Text commands shown on the help card but not in the Teams manifest, whose personal command list
 * is full (Teams allows 10 per scope). They work when typed like any other command.
 */
export const HELP_ONLY_COMMANDS: ReadonlyArray<{ command: string; description: string; scopes: readonly ("personal" | "groupChat" | "channel")[] }> = [
  { command: "compare", description: "Your agency's ratings per standard against the previous cycle (admins: any agency)", scopes: ["personal"] },
  { command: "deadlines", description: "Admin: deadlines and reminders of the open cycles; extend a deadline", scopes: ["personal"] },
];
