import { z } from "zod/v4";
import { parseDuration } from "./training/duration";

/**
 * The environment, validated once at start-up. A bad value stops the bot with a list of every
 * problem and how to fix it, rather than failing later on the first request that needs it.
 */

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const csv = (item: z.ZodString, what: string) =>
  z
    .string()
    .optional()
    .transform((raw) => (raw ?? "").split(",").map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(item, { error: `each entry must be ${what}` }));

const emptyAsUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

/** `tenantId:objectId`, or a bare object id that means the bot's home tenant. */
const adminEntry = z
  .string()
  .regex(/^([0-9a-f-]{36}:)?[0-9a-f-]{36}$/i, "each entry must be an AAD object id, or tenantId:objectId");

export const configSchema = z
  .object({
    MicrosoftAppId: z.preprocess(emptyAsUndefined, z.string().regex(guid, "must be the bot's app (client) id, a GUID").optional()),
    MicrosoftAppPassword: z.preprocess(emptyAsUndefined, z.string().optional()),
    MicrosoftAppType: z.preprocess(
      emptyAsUndefined,
      z.enum(["MultiTenant", "SingleTenant", "UserAssignedMSI"], { error: "must be MultiTenant, SingleTenant or UserAssignedMSI" }).default("MultiTenant"),
    ),
    MicrosoftAppTenantId: z.preprocess(emptyAsUndefined, z.string().regex(guid, "must be a tenant id (GUID)").optional()),
    PORT: z.preprocess(emptyAsUndefined, z.coerce.number({ error: "must be a port number" }).int().min(0).max(65535).default(3978)),
    TABLES_CONNECTION_STRING: z.preprocess(emptyAsUndefined, z.string().includes("=", { error: "must be a storage connection string (Key=Value;...)" }).optional()),
    TABLES_ENDPOINT: z.preprocess(emptyAsUndefined, z.url({ error: "must be the Table service URL, e.g. https://myaccount.table.core.windows.net" }).optional()),
    TABLE_PREFIX: z.preprocess(emptyAsUndefined, z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,20}$/, "letters and digits only, starting with a letter, at most 21").default("")),
    DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default(".data")),
    /** Tenants whose users may use the bot; "*" admits every tenant (must be said explicitly outside local mode). */
    ALLOWED_TENANT_IDS: csv(z.string().regex(/^(\*|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i, "each entry must be a tenant id (GUID), or the list must be just *"), "a tenant id (GUID)"),
    ADMIN_AAD_OBJECT_IDS: csv(adminEntry, "an AAD object id or tenantId:objectId"),
    LOG_LEVEL: z.preprocess(emptyAsUndefined, z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info")),
    APPLICATIONINSIGHTS_CONNECTION_STRING: z.preprocess(emptyAsUndefined, z.string().optional()),
    /** How long an instance trusts its copy of someone's access to a return and of a cycle's state (seconds). */
    ACCESS_CACHE_SECONDS: z.preprocess(emptyAsUndefined, z.coerce.number({ error: "must be a number of seconds" }).int().min(0).max(300).default(30)),
    /** Hosts a file sent in chat may be downloaded from (Teams serves attachments from SharePoint/OneDrive); `*.` matches subdomains. */
    FILE_DOWNLOAD_HOSTS: csv(z.string().regex(/^(\*\.)?[A-Za-z0-9.-]+(:\d+)?$/, "each entry must be a host name, optionally starting with *."), "a host name").transform((l) => (l.length ? l : ["*.sharepoint.com", "*.sharepoint.us", "*.sharepoint-mil.us", "*.sharepoint.cn"])),
    /** Extra trusted certificate (PEM file) for file downloads: a TLS-inspecting proxy, or a test server. */
    FILE_DOWNLOAD_CA_FILE: z.preprocess(emptyAsUndefined, z.string().optional()),
    /** Where to open a 1:1 chat with someone the bot has no chat with yet (the Bot Connector of your region). */
    BOT_SERVICE_URL: z.preprocess(emptyAsUndefined, z.url({ error: "must be the Bot Connector service URL, e.g. https://smba.trafficmanager.net/uk/" }).default("https://smba.trafficmanager.net/uk/")),
    /** The Teams app's id (manifest "id"): links in e-mails open the app with it. */
    TEAMS_APP_ID: z.preprocess(emptyAsUndefined, z.string().regex(guid, "must be the Teams app id (a GUID)").optional()),
    /** E-mail through Microsoft Graph from a shared mailbox, for people Teams cannot reach. */
    MAIL_SENDER: z.preprocess(emptyAsUndefined, z.email({ error: "must be the shared mailbox's address" }).optional()),
    MAIL_TENANT_ID: z.preprocess(emptyAsUndefined, z.string().regex(guid, "must be a tenant id (GUID)").optional()),
    MAIL_CLIENT_ID: z.preprocess(emptyAsUndefined, z.string().regex(guid, "must be an app (client) id (GUID)").optional()),
    MAIL_CLIENT_SECRET: z.preprocess(emptyAsUndefined, z.string().optional()),
    GRAPH_BASE_URL: z.preprocess(emptyAsUndefined, z.url().default("https://graph.microsoft.com/v1.0")),
    GRAPH_AUTHORITY_HOST: z.preprocess(emptyAsUndefined, z.url().default("https://login.microsoftonline.com")),
    /** Teams' limits, applied per instance: requests per second to one tenant, messages per second to one chat. */
    DELIVERY_PER_TENANT_PER_SECOND: z.preprocess(emptyAsUndefined, z.coerce.number().positive().max(1000).default(50)),
    DELIVERY_PER_CONVERSATION_PER_SECOND: z.preprocess(emptyAsUndefined, z.coerce.number().positive().max(100).default(1)),
    /** How often each instance looks for due work (reminders, sends). */
    SCHEDULER_INTERVAL_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(50).max(60_000).default(2000)),
    /** Local mode only: everyone who talks to the bot is a partnership admin, so the playground user can set things up (see README). */
    LOCAL_USERS_ARE_ADMINS: z.preprocess(emptyAsUndefined, z.enum(["true", "false"]).default("true").transform((v) => v === "true")),
    /** E-mails per minute from the shared mailbox (Exchange Online allows a mailbox about 30). */
    DELIVERY_EMAIL_PER_MINUTE: z.preprocess(emptyAsUndefined, z.coerce.number().positive().max(10_000).optional()),
    /** Where people outside Teams open their evaluation (https://<bot host>); links are <this>/evaluate/<token>. Local mode: http://127.0.0.1:<PORT>. */
    PUBLIC_BASE_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/, error: "must be the bot's public address, e.g. https://sa-bot.azurewebsites.net" }).optional()),
    /** Signs personal evaluation links (HMAC-SHA256). Changing it invalidates every link already sent. */
    EVALUATION_LINK_SECRET: z.preprocess(emptyAsUndefined, z.string().min(32, "must be at least 32 characters (e.g. openssl rand -base64 48)").optional()),
    /** Keys the pseudonym that ties a person's end-of-session and follow-up answers together without naming them. Never change it while evaluations are open. */
    EVALUATION_PSEUDONYM_SECRET: z.preprocess(emptyAsUndefined, z.string().min(32, "must be at least 32 characters (e.g. openssl rand -base64 48)").optional()),
    /** How long a personal evaluation link works after the evaluation is sent. */
    EVALUATION_LINK_DAYS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(366).default(60)),
    /** Defaults for new courses (each course can change them): reminder after, then manager escalation after (e.g. "3 days", "10 minutes"). */
    TRAINING_REMINDER_AFTER: z.preprocess(emptyAsUndefined, z.string().default("3 days").transform((s, ctx) => parseDuration(s) ?? (ctx.addIssue({ code: "custom", message: 'must be a delay such as "3 days", "12 hours" or "10 minutes"' }), z.NEVER))),
    TRAINING_ESCALATION_AFTER: z.preprocess(emptyAsUndefined, z.string().default("7 days").transform((s, ctx) => parseDuration(s) ?? (ctx.addIssue({ code: "custom", message: 'must be a delay such as "7 days", "12 hours" or "10 minutes"' }), z.NEVER))),
    TRAINING_FOLLOW_UP_WEEKS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(52).default(8)),
  });

/** Rules across settings. Checked on the raw values so they are reported together with the per-setting problems. */
function crossChecks(env: Record<string, string | undefined>): string[] {
  const v = (k: string) => (env[k] ?? "").trim();
  const problems: string[] = [];
  const appType = v("MicrosoftAppType") || "MultiTenant";
  // App Service leaves a reference it cannot resolve (secret missing, identity not allowed) as its own
  // text; used as a secret that text would be known to anyone who reads the deployment.
  for (const key of Object.keys(configSchema.shape)) {
    if (/^@Microsoft\.KeyVault\(/i.test(v(key))) problems.push(`${key}: is a Key Vault reference App Service could not resolve: check the secret exists in the vault and the app's identity may read it (docs/deploy.md)`);
  }
  if (v("TABLES_CONNECTION_STRING") && v("TABLES_ENDPOINT")) problems.push("TABLES_ENDPOINT: set either TABLES_CONNECTION_STRING or TABLES_ENDPOINT, not both");
  if (v("MicrosoftAppId") && appType !== "UserAssignedMSI" && !v("MicrosoftAppPassword")) problems.push("MicrosoftAppPassword: is required with MicrosoftAppId (the bot's client secret)");
  if (v("MicrosoftAppId") && appType !== "MultiTenant" && !v("MicrosoftAppTenantId")) problems.push(`MicrosoftAppTenantId: is required when MicrosoftAppType is ${appType}`);
  const allowed = v("ALLOWED_TENANT_IDS").split(",").map((t) => t.trim()).filter(Boolean);
  if (v("MAIL_SENDER") && (!v("MAIL_TENANT_ID") || !v("MAIL_CLIENT_ID"))) problems.push("MAIL_TENANT_ID: MAIL_SENDER needs MAIL_TENANT_ID and MAIL_CLIENT_ID (the app allowed to send as that mailbox), and MAIL_CLIENT_SECRET unless the app runs with that managed identity");
  if (v("MicrosoftAppId")) {
    // Local mode has fixed, published values (see LOCAL_EVALUATION_SECRETS); a registered bot must have its own.
    if (!v("PUBLIC_BASE_URL")) problems.push("PUBLIC_BASE_URL: is required for a registered bot: evaluation links for people outside Teams point there (https://<the bot's host name>)");
    if (!v("EVALUATION_LINK_SECRET")) problems.push("EVALUATION_LINK_SECRET: is required for a registered bot: it signs the personal evaluation links (at least 32 random characters, e.g. openssl rand -base64 48)");
    if (!v("EVALUATION_PSEUDONYM_SECRET")) problems.push("EVALUATION_PSEUDONYM_SECRET: is required for a registered bot: it keys the pseudonym on evaluation answers (at least 32 random characters, different from EVALUATION_LINK_SECRET)");
  }
  if (v("EVALUATION_LINK_SECRET") && v("EVALUATION_LINK_SECRET") === v("EVALUATION_PSEUDONYM_SECRET")) problems.push("EVALUATION_PSEUDONYM_SECRET: must differ from EVALUATION_LINK_SECRET (a leaked link key must not also unmask answers)");
  if (allowed.includes("*") && allowed.length > 1) problems.push("ALLOWED_TENANT_IDS: use either * (every tenant) or a list of tenant ids, not both");
  if (v("MicrosoftAppId") && appType === "MultiTenant" && !allowed.length) {
    problems.push("ALLOWED_TENANT_IDS: is required for a multi-tenant bot: without it any Microsoft 365 organisation could use the bot and see what it offers. List the tenant ids of the partnership and its agencies (comma separated), or set it to * if you really mean every organisation");
  }
  if (v("MicrosoftAppId") && !v("MicrosoftAppTenantId") && (!allowed.length || allowed[0] === "*")) {
    problems.push("MicrosoftAppTenantId: set the partnership's own tenant id: people registered by e-mail for an agency without a tenant id are linked only when they sign in from it");
  }
  return problems;
}

export type Config = Omit<z.infer<typeof configSchema>, "DELIVERY_EMAIL_PER_MINUTE"> & {
  /** Set, or 30 (Exchange Online's mailbox limit); 600 in local mode without a mailbox (e-mails are files). */
  DELIVERY_EMAIL_PER_MINUTE: number;
  /** No Bot Framework authentication; listens on 127.0.0.1 only. */
  localMode: boolean;
  /** Where botbuilder's own settings (OpenID metadata URL and so on) are read from. */
  raw: Record<string, string | undefined>;
  /**
   * The partnership's own tenant: MicrosoftAppTenantId, else the first allowed tenant. People
   * registered by e-mail for an agency with no tenant of its own link only from here.
   */
  homeTenantId?: string;
  /** Every tenant may use the bot (ALLOWED_TENANT_IDS is * or, in local mode, empty). */
  anyTenant: boolean;
  /** PUBLIC_BASE_URL without a trailing slash (local mode: http://127.0.0.1:<PORT>). */
  publicBaseUrl: string;
  /** The evaluation secrets in force: configured, or in local mode the fixed local-only ones. */
  evaluationSecrets: { link: string; pseudonym: string };
};

/**
 * Local mode only (never accepted with MicrosoftAppId): fixed and published in the source, so links
 * and pseudonyms survive a restart of a local bot. They protect nothing; a registered bot must set its own.
 */
export const LOCAL_EVALUATION_SECRETS = { link: "local-only-evaluation-link-secret-not-for-production", pseudonym: "local-only-evaluation-pseudonym-secret-not-for-production" } as const;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`The bot cannot start: the configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join("\n")}\nSee .env.example for every setting.`);
    this.name = "ConfigError";
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = configSchema.safeParse(env);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((i) => `${String(i.path[0] ?? "environment")}: ${i.message}`)),
    ...crossChecks(env),
  ];
  if (!parsed.success || problems.length) throw new ConfigError(problems);
  const c = parsed.data;
  const localMode = !c.MicrosoftAppId;
  // In SingleTenant and managed-identity set-ups an empty list means the bot's own tenant only.
  const allowed = !c.ALLOWED_TENANT_IDS.length && !localMode && c.MicrosoftAppTenantId ? [c.MicrosoftAppTenantId] : c.ALLOWED_TENANT_IDS;
  const anyTenant = allowed.includes("*") || (localMode && !allowed.length);
  const homeTenantId = (c.MicrosoftAppTenantId ?? allowed.find((t) => t !== "*"))?.toLowerCase();
  const publicBaseUrl = (c.PUBLIC_BASE_URL ?? `http://127.0.0.1:${c.PORT}`).replace(/\/+$/, "");
  const evaluationSecrets = { link: c.EVALUATION_LINK_SECRET ?? LOCAL_EVALUATION_SECRETS.link, pseudonym: c.EVALUATION_PSEUDONYM_SECRET ?? LOCAL_EVALUATION_SECRETS.pseudonym };
  // Local e-mails are files: no mailbox limit to respect, so trying the evaluations locally is not held back.
  const DELIVERY_EMAIL_PER_MINUTE = c.DELIVERY_EMAIL_PER_MINUTE ?? (localMode && !c.MAIL_SENDER ? 600 : 30);
  return { ...c, DELIVERY_EMAIL_PER_MINUTE, ALLOWED_TENANT_IDS: allowed.filter((t) => t !== "*").map((t) => t.toLowerCase()), anyTenant, homeTenantId, localMode, LOCAL_USERS_ARE_ADMINS: localMode && c.LOCAL_USERS_ARE_ADMINS, raw: env, publicBaseUrl, evaluationSecrets };
}
