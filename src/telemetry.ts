/**
 * Application Insights, through OpenTelemetry, only when APPLICATIONINSIGHTS_CONNECTION_STRING is
 * set. src/index.ts calls this before it loads the rest of the app, so the instrumentations see
 * http, restify and the Azure SDK load; without the variable nothing here loads at all (tests and
 * local mode never start it).
 *
 * Request and dependency telemetry carries URLs. Table Storage URLs hold entity keys and query
 * filters, and some keys are e-mail addresses (the People e-mail index, grants waiting for someone
 * to first talk to the bot), so every span's URL is cut to scheme, host and path with entity keys
 * and the query string removed before it is exported. As in the logs: ids and outcomes, no
 * personal data.
 *
 * The Application Insights resource accepts only telemetry signed with Entra ID (local
 * authentication is disabled in infra/resources.bicep), so the exporter is given a credential: the
 * app's user-assigned managed identity when AZURE_CLIENT_ID names it (as in App Service), otherwise
 * DefaultAzureCredential (a developer's `az login`, say). Telemetry is never worth a bot that does
 * not start: if it cannot be set up, a warning is logged and the bot runs without it.
 */
import type { DefaultAzureCredential, ManagedIdentityCredential } from "@azure/identity";
import type { useAzureMonitor as UseAzureMonitor } from "@azure/monitor-opentelemetry";

export interface Telemetry {
  /** Flushes what is buffered and stops the exporters; call after the server has closed. */
  shutdown(): Promise<void>;
}

type SpanProcessor = NonNullable<NonNullable<Parameters<typeof UseAzureMonitor>[0]>["spanProcessors"]>[number];

export async function startTelemetry(
  connectionString: string | undefined,
  env: Record<string, string | undefined> = process.env,
): Promise<Telemetry | undefined> {
  if (!connectionString?.trim()) return undefined;
  try {
    const { useAzureMonitor, shutdownAzureMonitor } = await import("@azure/monitor-opentelemetry");
    const credential = await telemetryCredential(env.AZURE_CLIENT_ID);
    useAzureMonitor({ azureMonitorExporterOptions: { connectionString: connectionString.trim(), credential }, spanProcessors: [urlScrubber] });
    return { shutdown: () => shutdownAzureMonitor() };
  } catch (e) {
    // Imported only here: index.ts loads this module before the instrumentations are in place, so it has no static imports.
    const { createLogger, errorFields } = await import("./log");
    const level = env.LOG_LEVEL?.trim() ?? "";
    createLogger(LOG_LEVELS.includes(level) ? level : "info").warn(errorFields(e), "telemetry could not start: running without Application Insights");
    return undefined;
  }
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/**
 * Constructing either credential contacts nothing: a token is first asked for when the exporter
 * sends, in the background, so start-up does not wait on Entra ID.
 */
export async function telemetryCredential(clientId: string | undefined): Promise<ManagedIdentityCredential | DefaultAzureCredential> {
  const identity = await import("@azure/identity");
  return clientId?.trim() ? new identity.ManagedIdentityCredential({ clientId: clientId.trim() }) : new identity.DefaultAzureCredential();
}

/** `https://acct.table.core.windows.net/People(PartitionKey='email',RowKey='a%40b.org')?$select=x` → `https://acct.table.core.windows.net/People(…)` */
export function scrubUrl(value: string): string {
  const cut = (path: string) => path.replace(/\?.*$/s, "").replace(/\(.*$/s, "(…)");
  try {
    const u = new URL(value);
    return `${u.protocol}//${u.host}${cut(u.pathname)}`;
  } catch {
    return cut(value);
  }
}

const URL_ATTRIBUTES = ["url.full", "http.url", "http.target", "url.path"];
const QUERY_ATTRIBUTES = ["url.query"];

/** Rewrites URL attributes when a span starts (where the HTTP and Azure SDK instrumentations set them) and again as it ends. */
const scrub = (span: Parameters<SpanProcessor["onStart"]>[0]) => {
  const attributes = span.attributes ?? {};
  for (const name of URL_ATTRIBUTES) if (typeof attributes[name] === "string") span.setAttribute(name, scrubUrl(attributes[name] as string));
  for (const name of QUERY_ATTRIBUTES) if (typeof attributes[name] === "string") span.setAttribute(name, "");
};
const urlScrubber: SpanProcessor = {
  onStart: (span) => scrub(span),
  onEnding: (span) => scrub(span),
  onEnd() {},
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};
