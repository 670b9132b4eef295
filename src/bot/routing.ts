import { ZodError } from "zod/v4";
import { md } from "../cards/text";
import { messageReply, type Reply } from "../cards/reply";
import type { CommandRoute, FeatureRoutes, FileRoute, MessageBuilder, RouteContext, RouteResult, Scope, VerbRoute } from "../routes";
import { isHandled } from "../routes";
import { helpFor } from "../home/routes";

const DEFAULT_SCOPES: readonly Scope[] = ["personal"];

/** Typed text, normalised: "Audit." and " AUDIT " are the command "audit". */
export const commandWord = (s: string) => s.trim().toLowerCase().replace(/[.!]+$/, "");

/**
 * The features' tables composed into one: the edge knows nothing of any feature's rules, and a
 * feature adds its verbs by adding its table here. A name claimed twice stops the bot at start-up.
 */
export class RouteTable {
  private readonly verbs = new Map<string, VerbRoute>();
  private readonly commands = new Map<string, CommandRoute>();
  private readonly files = new Map<string, FileRoute[]>();
  readonly messages = new Map<string, MessageBuilder>();

  constructor(features: FeatureRoutes[]) {
    const claim = <T>(map: Map<string, T>, key: string, value: T, what: string) => {
      if (map.has(key)) throw new Error(`Two features claim the ${what} "${key}"`);
      map.set(key, value);
    };
    for (const f of features) {
      for (const v of f.verbs ?? []) claim(this.verbs, v.verb, v, "verb");
      for (const c of f.commands ?? []) for (const n of [c.name, ...(c.aliases ?? [])]) claim(this.commands, n, c, "command");
      for (const r of f.files ?? []) {
        for (const e of r.extensions) {
          const taken = this.files.get(e) ?? [];
          // Several features may share an extension when all but one tell their files by content.
          if (!r.accepts && taken.some((t) => !t.accepts)) throw new Error(`Two features claim the file type "${e}"`);
          this.files.set(e, [...taken, r]);
        }
      }
      for (const [k, b] of Object.entries(f.messages ?? {})) claim(this.messages, k, b, "message");
    }
  }

  verb(name: string): VerbRoute | undefined {
    return this.verbs.get(name);
  }

  command(typed: string): CommandRoute | undefined {
    return this.commandWithText(typed)?.route;
  }

  /** The command typed, and for a command that takes text, what follows its name (as typed, trimmed). */
  commandWithText(typed: string): { route: CommandRoute; after: string } | undefined {
    const exact = this.commands.get(commandWord(typed));
    if (exact) return { route: exact, after: "" };
    const trimmed = typed.trim();
    const lower = trimmed.toLowerCase();
    for (const [name, route] of this.commands) {
      if (route.takesText && lower.startsWith(`${name} `)) return { route, after: trimmed.slice(name.length).trim() };
    }
    return undefined;
  }

  file(extension: string): FileRoute | undefined {
    const routes = this.files.get(extension.toLowerCase());
    if (!routes || routes.length < 2) return routes?.[0];
    // One route for the extension: allowed only where every candidate is, then picked by content.
    const ordered = [...routes.filter((r) => r.accepts), ...routes.filter((r) => !r.accepts)];
    const scopes = (["personal", "groupChat", "channel"] as const).filter((sc) => routes.every((r) => allowedIn(r, sc)));
    return {
      extensions: [extension.toLowerCase()],
      scopes,
      run: (ctx, file, progress) => {
        const chosen = ordered.find((r) => !r.accepts || r.accepts(file));
        if (!chosen) return Promise.resolve(messageReply("I can't use that file", md`"${file.name}" is not a file I know what to do with.`, "warning"));
        return chosen.run(ctx, file, progress);
      },
    };
  }

  verbNames(): string[] {
    return [...this.verbs.keys()];
  }
}

export const allowedIn = (route: { scopes?: readonly Scope[] }, scope: Scope) => (route.scopes ?? DEFAULT_SCOPES).includes(scope);

/** The answer to something that only works in personal chat, asked for elsewhere: short, no data, a way there. */
export function personalOnly(chatLink: string, scope: Scope): Reply {
  return messageReply(md`That works in your personal chat with me`, md`Return, sign-off and admin details are only shown to you in personal chat${scope === "channel" ? ", never in a channel" : ", never in a group chat"}. Open our chat and ask there.`, "default", {
    links: [{ title: "Open my chat with the bot", url: chatLink }],
  });
}

/** Runs a verb route: scope, then the payload's schema, then the handler. */
export async function runVerb(table: RouteTable, ctx: RouteContext, name: string, data: Record<string, unknown>, chatLink: string): Promise<RouteResult> {
  const route = table.verb(name);
  if (!route) return messageReply("This button is not available", md`It may belong to an older card. Type **help** to see what you can do now.`, "warning");
  if (!allowedIn(route, ctx.place.scope)) return personalOnly(chatLink, ctx.place.scope);
  const parsed = route.input.safeParse(data);
  if (!parsed.success) throw parsed.error as ZodError;
  return route.run(ctx, parsed.data);
}

/** Runs a typed command; what is not recognised gets the help of this scope. */
export async function runCommand(table: RouteTable, ctx: RouteContext, typed: string, chatLink: string): Promise<RouteResult> {
  const found = table.commandWithText(typed);
  const route = found?.route;
  if (!route) {
    const said = typed.trim().slice(0, 40);
    return helpFor(ctx.place.scope, said ? `I didn't recognise "${said}${typed.trim().length > 40 ? "…" : ""}".` : undefined);
  }
  if (!allowedIn(route, ctx.place.scope)) return personalOnly(chatLink, ctx.place.scope);
  return route.run(ctx, found.after);
}

export const replyOf = (r: RouteResult): Reply => (isHandled(r) ? r.reply : r);

