import type { TurnContext } from "botbuilder";
import { BOT_COMMANDS } from "../../manifest/commands";
import type { ActionView, WelcomeView } from "../cards/views";
import type { Actor } from "../people/actor";
import { ROLE_LABELS } from "../storage/grantsRepo";
import type { BotServices } from "./services";
import { messageReply, reply, type Reply } from "./reply";

const submit = (title: string, command: string, style: ActionView["style"] = "default"): ActionView => ({ title, verb: "cmd", data: { command }, kind: "submit", style });

/** Text commands, as typed or picked from the Teams command menu (see manifest/commands.ts). */
export function commandRunner(s: BotServices) {
  const chooseReturn = async (actor: Actor, verb: "s11.overview" | "s11.step" | "s11.review"): Promise<Reply> => {
    const mine = await s.returns.returnsFor(actor);
    const leadOf = mine.filter((m) => m.roles.includes("lead") || m.roles.includes("officer"));
    if (!leadOf.length) {
      return messageReply("No return for you yet", "You are not registered as a safeguarding lead or senior officer of an agency in an open Section 11 cycle. If you should be, ask your partnership's business manager to add you with the e-mail address you use in Teams.", "warning");
    }
    if (leadOf.length === 1) {
      const only = leadOf[0].returnId;
      if (verb === "s11.step") return reply("indicatorStep", await s.returns.step(actor, only));
      if (verb === "s11.review") return reply("review", await s.returns.review(actor, only));
      return reply("overview", await s.returns.overview(actor, only));
    }
    return messageReply("Which return?", "You work on more than one return. Pick one:", "default", {
      actions: leadOf.map((m) => ({ title: `${m.agencyName} (${m.cycle.name})`, verb, data: { returnId: m.returnId } })),
    });
  };

  const welcome = async (actor: Actor): Promise<Reply> => {
    const roles = await s.access.rolesOf(actor);
    const view: WelcomeView = {
      name: actor.name,
      intro: "I run your safeguarding partnership's assurance work here in Teams: the Section 11 self-assessment, sign-off and submission. Your answers save as you go, so you can stop and carry on from any device.",
      roles: [
        ...(roles.admin ? [{ label: ROLE_LABELS.admin, detail: "Open cycles, register agencies and their leads, see where every agency stands." }] : []),
        ...[...roles.agencies.values()].flatMap((a) => [...a.roles].map((r) => ({ label: ROLE_LABELS[r], detail: a.agencyName }))),
      ],
      actions: [],
    };
    if (roles.agencies.size) view.actions.push(submit("Open my Section 11 return", "audit", "positive"));
    if ([...roles.agencies.values()].some((a) => a.roles.has("officer"))) view.actions.push(submit("Returns waiting for my sign-off", "signoffs"));
    if (roles.admin) view.actions.push(submit("Partnership admin", "admin", roles.agencies.size ? "default" : "positive"));
    view.actions.push(submit("Help", "help"));
    if (!view.roles.length) view.roles.push({ label: "Not registered yet", detail: "Ask your partnership's business manager to add you as your agency's safeguarding lead or senior officer, using the e-mail address you use in Teams." });
    if (s.config.localMode) view.localHint = "Local mode: you are a partnership admin. Open Partnership admin and choose \"Make me lead and senior officer of a demo agency\" to try the whole audit yourself (or run npm run demo-data first for a full partnership).";
    return reply("welcome", view);
  };

  const commands: Record<string, (turn: TurnContext, actor: Actor) => Promise<Reply>> = {
    help: async () => reply("help", { commands: BOT_COMMANDS.filter((c) => (c.scopes as readonly string[]).includes("personal")).map((c) => ({ command: c.command, description: c.description })) }),
    hi: async (_t, actor) => welcome(actor),
    audit: async (_t, actor) => chooseReturn(actor, "s11.overview"),
    continue: async (_t, actor) => chooseReturn(actor, "s11.step"),
    review: async (_t, actor) => chooseReturn(actor, "s11.review"),
    signoffs: async (_t, actor) => {
      const mine = (await s.returns.returnsFor(actor)).filter((m) => m.roles.includes("officer"));
      for (const m of mine) {
        const card = await s.returns.signoffCard(actor, m.returnId);
        if (card.open) return reply("signoffRequest", card);
      }
      return messageReply("Nothing to sign off", mine.length ? "No return of your agency is waiting for your sign-off." : "You are not registered as a senior officer of an agency.", "default");
    },
    admin: async (_t, actor) => reply("adminMenu", await s.admin.menu(actor)),
    status: async (_t, actor) => reply("status", await s.admin.status(actor)),
    whoami: async (_t, actor) => {
      const roles = await s.access.rolesOf(actor);
      const facts = [
        ...(roles.admin ? [{ title: "Partnership", value: ROLE_LABELS.admin }] : []),
        ...[...roles.agencies.values()].map((a) => ({ title: a.agencyName, value: [...a.roles].map((r) => ROLE_LABELS[r]).join(", ") })),
      ];
      return messageReply("Your roles", facts.length ? "" : "You have no roles yet.", "default", { facts });
    },
  };
  const aliases: Record<string, string> = { hello: "hi", start: "hi", menu: "help", overview: "audit", resume: "continue", "sign off": "signoffs", signoff: "signoffs", "?": "help" };

  return {
    welcome,
    run: async (turn: TurnContext, actor: Actor, text: string): Promise<Reply> => {
      const word = text.trim().toLowerCase().replace(/[.!]+$/, "");
      const handler = commands[word] ?? commands[aliases[word] ?? ""];
      if (handler) return handler(turn, actor);
      const said = text.trim().slice(0, 40);
      return reply("help", {
        intro: said ? `I didn't recognise "${said}${text.trim().length > 40 ? "…" : ""}".` : undefined,
        commands: BOT_COMMANDS.filter((c) => (c.scopes as readonly string[]).includes("personal")).map((c) => ({ command: c.command, description: c.description })),
      });
    },
    isKnown: (text: string) => {
      const word = text.trim().toLowerCase().replace(/[.!]+$/, "");
      return word in commands || word in aliases;
    },
  };
}
