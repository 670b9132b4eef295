import { md, text, trusted } from "../cards/text";
import { messageReply, reply, type Reply } from "../cards/reply";
import type { ActionView, WelcomeView } from "../cards/views";
import type { Config } from "../config";
import type { AccessService } from "../people/accessService";
import type { Actor } from "../people/actor";
import { ROLE_LABELS } from "../people/roles";
import { COMMAND_VERB, type FeatureRoutes, type Scope } from "../routes";
import { BOT_COMMANDS, type BotScope } from "../../manifest/commands";
import { HELP_ONLY_COMMANDS } from "./helpOnlyCommands";
import { isOneOf } from "../oneOf";

const submit = (title: string, command: string, style: ActionView["style"] = "default"): ActionView => ({ title, verb: COMMAND_VERB, data: { command }, kind: "submit", style });

const manifestScope = (s: Scope): BotScope => (s === "channel" ? "team" : s);

/** The commands that work in a scope, as the help card lists them (the manifest offers the same). */
export function helpFor(scope: Scope, intro?: string): Reply {
  return reply("help", {
    intro: intro === undefined ? undefined : text(intro),
    commands: [...BOT_COMMANDS, ...HELP_ONLY_COMMANDS].filter((c) => isOneOf(c.scopes, manifestScope(scope))).map((c) => ({ command: c.command, description: text(c.description) })),
  });
}

/** Greeting, help and "who am I": what everyone can do, in any scope where it is safe. */
export function homeRoutes(s: { config: Config; access: AccessService }): FeatureRoutes & { welcome(actor: Actor): Promise<Reply> } {
  const welcome = async (actor: Actor): Promise<Reply> => {
    const roles = await s.access.rolesOf(actor);
    const local = s.config.localMode && s.config.LOCAL_USERS_ARE_ADMINS;
    const view: WelcomeView = {
      name: text(actor.name),
      intro: md`I run your safeguarding partnership's assurance work here in Teams: the Section 11 self-assessment, sign-off and submission. Your answers save as you go, so you can stop and carry on from any device.`,
      roles: [
        ...(roles.admin ? [{ label: text(ROLE_LABELS.admin), detail: md`Open cycles, register agencies and their leads, see where every agency stands.` }] : []),
        ...(roles.trainer ? [{ label: text(ROLE_LABELS.trainer), detail: md`Courses, sessions and delegates; evaluations sent, chased and reported.` }] : []),
        ...[...roles.agencies.values()].flatMap((a) => [...a.roles].map((r) => ({ label: text(ROLE_LABELS[r]), detail: text(a.agencyName) }))),
      ],
      actions: [],
    };
    if (roles.agencies.size) view.actions.push(submit("Open my Section 11 return", "audit", "positive"));
    if ([...roles.agencies.values()].some((a) => a.roles.has("officer"))) view.actions.push(submit("Returns waiting for my sign-off", "signoffs"));
    if (roles.admin) view.actions.push(submit("Partnership admin", "admin", roles.agencies.size ? "default" : "positive"));
    if (roles.trainer) view.actions.push(submit("Training", "training", roles.agencies.size || roles.admin ? "default" : "positive"));
    view.actions.push(submit("Help", "help"));
    if (!view.roles.length) view.roles.push({ label: text("Not registered yet"), detail: md`Ask your partnership's business manager to add you as your agency's safeguarding lead or senior officer, using the e-mail address you use in Teams.` });
    if (local) {
      view.localHint = roles.agencies.size
        ? md`Local mode: everyone here is a partnership admin. You already hold roles at an agency: open your return to try the audit.`
        : md`Local mode: everyone here is a partnership admin. To try the whole audit yourself: Partnership admin, open a cycle, register an agency, then "Make me lead and senior officer of a demo agency" (or run npm run demo-data first for a full partnership).`;
    }
    return reply("welcome", view);
  };

  return {
    welcome,
    commands: [
      { name: "help", aliases: ["menu", "?"], scopes: ["personal", "groupChat", "channel"], run: async (ctx) => helpFor(ctx.place.scope) },
      { name: "hi", aliases: ["hello", "start"], run: async (ctx) => welcome(ctx.actor) },
      {
        name: "whoami",
        run: async (ctx) => {
          const roles = await s.access.rolesOf(ctx.actor);
          const facts = [
            ...(roles.admin ? [{ title: text("Partnership"), value: text(ROLE_LABELS.admin) }] : []),
            ...(roles.trainer ? [{ title: text("Training"), value: text(ROLE_LABELS.trainer) }] : []),
            ...[...roles.agencies.values()].map((a) => ({ title: text(a.agencyName), value: text([...a.roles].map((r) => ROLE_LABELS[r]).join(", ")) })),
          ];
          return messageReply("Your roles", facts.length ? trusted("") : md`You have no roles yet.`, "default", { facts });
        },
      },
    ],
  };
}
