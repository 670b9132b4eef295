/**
 * Builders for Bot Framework activities shaped the way Microsoft Teams sends them to a bot.
 *
 *   const connector = await startConnector();
 *   setDefaultServiceUrl(connector.serviceUrl);         // or pass { serviceUrl } to each builder
 *   const alice = newTeamsUser({ name: "Alice Smith" });
 *   await postActivity(botUrl, message(alice, "start audit"));
 *
 * Or bind once: `const teams = teamsActivities(connector.serviceUrl); teams.message(alice, "hi")`.
 */
import { randomUUID } from "node:crypto";
import type { ConnectorMember } from "./connector";

export const BOT_ID = "28:bot-app-id";
export const BOT_NAME = "Safeguarding Assurance";
export const TEST_TENANT_ID = "00000000-0000-4000-8000-00000000a11c";
export const FILE_DOWNLOAD_INFO_CONTENT_TYPE = "application/vnd.microsoft.teams.file.download.info";

export interface TeamsUser {
  aadObjectId: string;
  tenantId: string;
  name: string;
  /** Teams user id ("29:..."); defaults to `29:<aadObjectId>`. */
  id?: string;
  email?: string;
}

export interface ActivityOptions {
  /** Bot Connector base URL; defaults to setDefaultServiceUrl(). */
  serviceUrl?: string;
  /** Activity id; a unique one is generated. */
  id?: string;
  timestamp?: Date | string;
  replyToId?: string;
  /** Override conversation id (default `a:personal-<tenant>-<aad>`). */
  conversationId?: string;
  locale?: string;
  localTimezone?: string;
  botId?: string;
  botName?: string;
  /** Extra entities appended after Teams' clientInfo entity. */
  entities?: Array<Record<string, unknown>>;
  attachments?: TeamsAttachment[];
  /** Shallow-merged into channelData. */
  channelData?: Record<string, unknown>;
}

export interface TeamsAttachment {
  contentType: string;
  content?: unknown;
  contentUrl?: string;
  name?: string;
  [extra: string]: unknown;
}

export interface ChannelAccountJson {
  id: string;
  name?: string;
  aadObjectId?: string;
  [extra: string]: unknown;
}

/** A plain JSON activity as Teams posts it to /api/messages. */
export interface TeamsActivity {
  type: string;
  id: string;
  timestamp: string;
  localTimestamp: string;
  serviceUrl: string;
  channelId: "msteams";
  from: { id: string; name: string; aadObjectId: string };
  recipient: { id: string; name: string };
  conversation: {
    id: string;
    conversationType: "personal" | "channel" | "groupChat";
    tenantId: string;
    isGroup?: boolean;
    name?: string;
  };
  channelData: {
    tenant: { id: string };
    team?: { id: string; name?: string; aadGroupId?: string };
    channel?: { id: string; name?: string };
    [extra: string]: unknown;
  };
  locale: string;
  localTimezone: string;
  entities?: Array<Record<string, unknown>>;
  text?: string;
  textFormat?: string;
  value?: unknown;
  name?: string;
  replyToId?: string;
  action?: string;
  attachments?: TeamsAttachment[];
  membersAdded?: ChannelAccountJson[];
  membersRemoved?: ChannelAccountJson[];
  [extra: string]: unknown;
}

let defaultServiceUrl: string | undefined;

/** Sets the serviceUrl used when a builder gets no `serviceUrl` option (per test file module state). */
export function setDefaultServiceUrl(url: string | undefined): void {
  defaultServiceUrl = url;
}

let userCounter = 0;

/** A fresh Teams user with a random AAD object id (tenant defaults to TEST_TENANT_ID). */
export function newTeamsUser(overrides: Partial<TeamsUser> = {}): TeamsUser {
  const n = ++userCounter;
  const aadObjectId = overrides.aadObjectId ?? randomUUID();
  const name = overrides.name ?? `Test User ${n}`;
  return {
    aadObjectId,
    tenantId: overrides.tenantId ?? TEST_TENANT_ID,
    name,
    id: overrides.id ?? teamsUserId({ aadObjectId }),
    email: overrides.email ?? `${name.toLowerCase().replace(/[^a-z0-9]+/g, ".").replace(/^\.|\.$/g, "")}.${n}@example.org`,
  };
}

export function teamsUserId(user: Pick<TeamsUser, "aadObjectId" | "id">): string {
  return user.id ?? `29:${user.aadObjectId}`;
}

/** The personal (1:1) conversation id used by these builders: `a:personal-<tenant>-<aad>`. */
export function personalConversationId(user: Pick<TeamsUser, "tenantId" | "aadObjectId">): string {
  return `a:personal-${user.tenantId}-${user.aadObjectId}`;
}

/** The roster entry (TeamsChannelAccount) for `user`, ready for connector.setMember(). */
export function toConnectorMember(user: TeamsUser, extra: Partial<ConnectorMember> = {}): ConnectorMember {
  const [givenName, ...rest] = user.name.split(" ");
  return {
    id: teamsUserId(user),
    name: user.name,
    aadObjectId: user.aadObjectId,
    ...(user.email ? { email: user.email, userPrincipalName: user.email } : {}),
    tenantId: user.tenantId,
    givenName,
    surname: rest.join(" ") || undefined,
    userRole: "user",
    ...extra,
  };
}

function base(user: TeamsUser, type: string, opts: ActivityOptions): TeamsActivity {
  const serviceUrl = opts.serviceUrl ?? defaultServiceUrl;
  if (!serviceUrl) {
    throw new Error("teamsActivity: no serviceUrl (pass { serviceUrl } or call setDefaultServiceUrl(connector.serviceUrl))");
  }
  const ts = opts.timestamp === undefined ? new Date() : new Date(opts.timestamp);
  const locale = opts.locale ?? "en-GB";
  const localTimezone = opts.localTimezone ?? "Europe/London";
  const activity: TeamsActivity = {
    type,
    id: opts.id ?? newMessageId(),
    timestamp: ts.toISOString(),
    localTimestamp: ts.toISOString(),
    serviceUrl,
    channelId: "msteams",
    from: { id: teamsUserId(user), name: user.name, aadObjectId: user.aadObjectId },
    recipient: { id: opts.botId ?? BOT_ID, name: opts.botName ?? BOT_NAME },
    conversation: {
      id: opts.conversationId ?? personalConversationId(user),
      conversationType: "personal",
      tenantId: user.tenantId,
    },
    channelData: { tenant: { id: user.tenantId }, ...(opts.channelData ?? {}) },
    locale,
    localTimezone,
  };
  if (opts.replyToId !== undefined) activity.replyToId = opts.replyToId;
  if (opts.attachments) activity.attachments = opts.attachments;
  return activity;
}

let messageCounter = 0;
/** Unique Teams-like message id (epoch millis + counter). */
export function newMessageId(): string {
  return `${Date.now()}${String(++messageCounter).padStart(4, "0")}`;
}

function clientInfo(opts: ActivityOptions): Array<Record<string, unknown>> {
  return [
    {
      type: "clientInfo",
      locale: opts.locale ?? "en-GB",
      country: "GB",
      platform: "Web",
      timezone: opts.localTimezone ?? "Europe/London",
    },
    ...(opts.entities ?? []),
  ];
}

/** A personal-chat text message. */
export function message(user: TeamsUser, text: string, opts: ActivityOptions = {}): TeamsActivity {
  return { ...base(user, "message", opts), text, textFormat: "plain", entities: clientInfo(opts) };
}

/** An Action.Submit from an Adaptive Card: message with empty text and `value` = the submitted data. */
export function messageWithValue(
  user: TeamsUser,
  value: Record<string, unknown>,
  opts: ActivityOptions = {},
): TeamsActivity {
  const a = base(user, "message", { replyToId: newMessageId(), ...opts });
  a.channelData = { ...a.channelData, source: { name: "message" } };
  return { ...a, text: "", textFormat: "plain", value, entities: clientInfo(opts) };
}

/** An Adaptive Card Action.Execute (Universal Action) invoke. */
export function invokeAction(
  user: TeamsUser,
  verb: string,
  data: Record<string, unknown> = {},
  opts: ActivityOptions = {},
): TeamsActivity {
  const a = base(user, "invoke", { replyToId: newMessageId(), ...opts });
  a.channelData = { ...a.channelData, source: { name: "message" } };
  return {
    ...a,
    name: "adaptiveCard/action",
    value: { action: { type: "Action.Execute", verb, data }, trigger: "manual" },
    entities: clientInfo(opts),
  };
}

/** conversationUpdate sent when the bot is added to the user's personal scope. */
export function conversationUpdateMembersAdded(user: TeamsUser, opts: ActivityOptions = {}): TeamsActivity {
  const a = base(user, "conversationUpdate", opts);
  return { ...a, membersAdded: [{ id: a.recipient.id }] };
}

/** installationUpdate (action "add" | "remove" | "add-upgrade" | "remove-upgrade") in personal scope. */
export function installationUpdate(user: TeamsUser, action = "add", opts: ActivityOptions = {}): TeamsActivity {
  const a = base(user, "installationUpdate", opts);
  return { ...a, action };
}

export interface FileInfo {
  name: string;
  downloadUrl: string;
  /** Extension without dot, e.g. "csv", "xlsx". */
  fileType: string;
  uniqueId?: string;
  /** SharePoint/OneDrive URL; defaults to downloadUrl. */
  contentUrl?: string;
}

/** A personal-chat message carrying a file the user uploaded (file.download.info attachment). */
export function fileConsentOrFileMessage(user: TeamsUser, file: FileInfo, opts: ActivityOptions = {}): TeamsActivity {
  const attachment: TeamsAttachment = {
    contentType: FILE_DOWNLOAD_INFO_CONTENT_TYPE,
    contentUrl: file.contentUrl ?? file.downloadUrl,
    name: file.name,
    content: { downloadUrl: file.downloadUrl, uniqueId: file.uniqueId ?? randomUUID(), fileType: file.fileType },
  };
  return {
    ...base(user, "message", { ...opts, attachments: [attachment, ...(opts.attachments ?? [])] }),
    text: "",
    textFormat: "plain",
    entities: clientInfo(opts),
  };
}

export interface TeamMessageOptions extends ActivityOptions {
  /** Prefix text with `<at>Bot</at>` and add a mention entity, as Teams does for channel messages to bots. Default true. */
  mention?: boolean;
  teamName?: string;
  channelName?: string;
  aadGroupId?: string;
}

/** A message in a team channel (conversationType "channel"), by default @mentioning the bot. */
export function teamMessage(
  user: TeamsUser,
  teamId: string,
  channelId: string,
  text: string,
  opts: TeamMessageOptions = {},
): TeamsActivity {
  const id = opts.id ?? newMessageId();
  const a = base(user, "message", { ...opts, id, conversationId: opts.conversationId ?? `${channelId};messageid=${id}` });
  const botName = a.recipient.name;
  const mention = opts.mention ?? true;
  const mentionText = `<at>${botName}</at>`;
  a.conversation = { ...a.conversation, conversationType: "channel", isGroup: true };
  a.channelData = {
    ...a.channelData,
    teamsTeamId: teamId,
    teamsChannelId: channelId,
    team: { id: teamId, ...(opts.teamName ? { name: opts.teamName } : {}), ...(opts.aadGroupId ? { aadGroupId: opts.aadGroupId } : {}) },
    channel: { id: channelId, ...(opts.channelName ? { name: opts.channelName } : {}) },
  };
  const entities = clientInfo(opts);
  if (mention) {
    entities.unshift({ type: "mention", text: mentionText, mentioned: { id: a.recipient.id, name: botName } });
  }
  return { ...a, text: mention ? `${mentionText} ${text}` : text, textFormat: "plain", entities };
}

/** All builders bound to one serviceUrl (options still override). */
export function teamsActivities(serviceUrl: string) {
  const o = <T extends ActivityOptions>(opts?: T): T => ({ serviceUrl, ...(opts ?? ({} as T)) });
  return {
    serviceUrl,
    message: (user: TeamsUser, text: string, opts?: ActivityOptions) => message(user, text, o(opts)),
    messageWithValue: (user: TeamsUser, value: Record<string, unknown>, opts?: ActivityOptions) =>
      messageWithValue(user, value, o(opts)),
    invokeAction: (user: TeamsUser, verb: string, data?: Record<string, unknown>, opts?: ActivityOptions) =>
      invokeAction(user, verb, data, o(opts)),
    conversationUpdateMembersAdded: (user: TeamsUser, opts?: ActivityOptions) =>
      conversationUpdateMembersAdded(user, o(opts)),
    installationUpdate: (user: TeamsUser, action?: string, opts?: ActivityOptions) =>
      installationUpdate(user, action, o(opts)),
    fileConsentOrFileMessage: (user: TeamsUser, file: FileInfo, opts?: ActivityOptions) =>
      fileConsentOrFileMessage(user, file, o(opts)),
    teamMessage: (user: TeamsUser, teamId: string, channelId: string, text: string, opts?: TeamMessageOptions) =>
      teamMessage(user, teamId, channelId, text, o(opts)),
  };
}

export interface UploadInfo {
  contentUrl: string;
  name: string;
  uploadUrl: string;
  fileType: string;
  uniqueId: string;
}

/** The invoke Teams sends when a person answers a file consent card ("fileConsent/invoke"). */
export function fileConsentInvoke(user: TeamsUser, action: "accept" | "decline", context: unknown, uploadInfo?: UploadInfo, opts: ActivityOptions = {}): TeamsActivity {
  const a = base(user, "invoke", { replyToId: newMessageId(), ...opts });
  return { ...a, name: "fileConsent/invoke", value: { type: "fileUpload", action, context, ...(uploadInfo ? { uploadInfo } : {}) }, entities: clientInfo(opts) };
}
