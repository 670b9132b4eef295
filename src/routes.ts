import type { z } from "zod/v4";
import type { Actor } from "./people/actor";
import type { Reply } from "./cards/reply";
import type { Principal } from "./storage/principal";
import type { JobHandler } from "./schedule/scheduler";

/**
 * What a feature gives the bot edge: its card verbs, text commands and file imports, each with
 * the schema of its input and a handler returning a typed view. Features know nothing of Teams;
 * the edge (src/bot) composes these tables, establishes the actor, checks the scope and renders.
 */

/** The verb of a button that runs a text command (welcome and help cards): `{ verb: "cmd", command }`. */
export const COMMAND_VERB = "cmd";

/** Where a turn happens. Anything about a person or an agency is answered only in "personal". */
export type Scope = "personal" | "groupChat" | "channel";

export interface TurnPlace {
  scope: Scope;
  /** The Teams team and channel, for a channel turn. */
  teamId?: string;
  channelId?: string;
}

/** A member of the chat or team a turn happens in, as Teams' roster gives them. */
export interface RosterMember {
  aadObjectId: string;
  tenantId: string;
  name: string;
  email?: string;
}

export interface RouteContext {
  actor: Actor;
  place: TurnPlace;
  /**
   * Channel turns only: the members of this channel as "tenantId:aadObjectId" (lower case), read
   * from Teams when called. A private or shared channel answers with its own roster, not the team's.
   */
  channelMembers?: () => Promise<Set<string>>;
  /** Channel turns only: how this channel is reached later (its Bot Connector URL can change). */
  channelAddress?: { serviceUrl: string; botId: string; tenantId: string; teamName?: string; channelName?: string };
  /** Outside personal chat: the members of this group chat, meeting chat or team (every page of Teams' roster). */
  roster?: () => Promise<RosterMember[]>;
}

/** Messages a handler asks the edge to send to other people once its own answer is decided. */
export interface Outbound {
  /** One purpose, e.g. "s11.signoff|<returnId>|<request number>": re-sending the same purpose to the same person is a no-op. */
  purpose: string;
  /** The message builder that draws the content for each recipient at send time. */
  kind: string;
  params: Record<string, string>;
  /** People (reached in their personal chat, else by e-mail) and addresses with no Teams identity yet. */
  to: Array<(Principal & { name: string; email?: string }) | { email: string; name: string }>;
  /** Told (in personal chat) if a message could not be delivered. */
  tellOnFailure?: Principal;
}

/** Cards already sent for a purpose, to be redrawn where they are (a request withdrawn, a decision made). */
export interface Redraw {
  purpose: string;
  kind: string;
}

/** A file for the person who asked (an export): offered in personal chat with Teams' file consent. */
export interface OutgoingFile {
  name: string;
  description: string;
  contentType: string;
  content: string;
  /** Binary content (an XLSX); when set it is sent instead of `content`. */
  bytes?: Buffer;
}

export interface Handled {
  reply: Reply;
  outbound?: Outbound[];
  redraw?: Redraw[];
  file?: OutgoingFile;
}

export type RouteResult = Reply | Handled;

export const isHandled = (r: RouteResult): r is Handled => "reply" in r;

export interface VerbRoute<S extends z.ZodType = z.ZodType> {
  verb: string;
  /** The card's data, validated: ids in it are only pointers, re-checked against stored rights. */
  input: S;
  /** Default ["personal"]: return, sign-off and admin data never appear in a channel or group chat. */
  scopes?: readonly Scope[];
  run(ctx: RouteContext, input: z.output<S>): Promise<RouteResult>;
}

export interface CommandRoute {
  /** As typed, lower case; the manifest's command list (manifest/commands.ts) names the same words. */
  name: string;
  aliases?: readonly string[];
  scopes?: readonly Scope[];
  /** When set, the command may be followed by text (`delegate data name@agency.org`), passed to `run` as typed. */
  takesText?: boolean;
  run(ctx: RouteContext, typedAfter?: string): Promise<RouteResult>;
}

export interface FileRoute {
  /** Lower-case extensions without the dot. */
  extensions: readonly string[];
  /**
   * When several features take one extension (a .csv of agencies, a .csv of delegates): whether
   * this file is theirs, from its content. The route without it takes what no other accepts.
   */
  accepts?: (file: { name: string; content: string }) => boolean;
  scopes?: readonly Scope[];
  run(ctx: RouteContext, file: { name: string; content: string }, progress: (note: string) => Promise<void>): Promise<RouteResult>;
}

/** Who an outgoing message is drawn for. */
export type MessageTarget =
  | { kind: "person"; actor: Actor; email?: string }
  | { kind: "email"; email: string; name?: string }
  | { kind: "channel"; teamId: string; channelId: string };

/** A message as sent: a card for Teams, and the same message as an e-mail for someone Teams cannot reach. */
export interface OutgoingMessage {
  reply?: Reply;
  email?: { subject: string; text: string; html: string };
}

/**
 * Draws a message for one recipient at send time (so it shows the state when it is delivered),
 * checking their rights like any handler. `skip` when it no longer applies. `refresh` is set when
 * a card already sent is being redrawn in place (a withdrawn request says so instead of skipping).
 */
export type MessageBuilder = (to: MessageTarget, params: Record<string, string>, opts?: { refresh?: boolean }) => Promise<OutgoingMessage | { skip: string }>;

/** A web page the bot's own HTTP server serves (the evaluation page reached by a personal link). No sign-in: the path carries what authorises it. */
export interface PageRoute {
  method: "GET" | "POST";
  /** restify-style path with named parameters, e.g. "/evaluate/:token". */
  path: string;
  handle(req: PageRequest): Promise<PageResponse>;
}

export interface PageRequest {
  params: Record<string, string>;
  query: Record<string, string>;
  /** A form post, parsed (application/x-www-form-urlencoded) into strings; repeated fields keep the last value. */
  form: Record<string, string>;
  headers: Record<string, string | undefined>;
}

export interface PageResponse {
  status: number;
  /** "text/html; charset=utf-8" unless said otherwise. */
  contentType?: string;
  headers?: Record<string, string>;
  body: string;
}

/** Scheduled work a feature owns: handlers by job kind (they must be idempotent: a job can run twice). */
export type JobHandlers = Record<string, JobHandler>;

export interface FeatureRoutes {
  verbs?: VerbRoute[];
  commands?: CommandRoute[];
  files?: FileRoute[];
  messages?: Record<string, MessageBuilder>;
  jobs?: JobHandlers;
  pages?: PageRoute[];
}

/** Keeps the schema's output type when a route is written inline in a table. */
export const verb = <S extends z.ZodType>(route: VerbRoute<S>): VerbRoute => route as unknown as VerbRoute;
