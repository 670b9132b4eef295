/**
 * Builds the Teams app package: `npm run package` -> build/appPackage.zip
 * (manifest.json + color.png + outline.png), ready to upload in the Teams admin centre
 * or to sideload.
 *
 * Reads the environment (and `.env` in the working directory if present; variables already
 * set win), fills the `${{NAME}}` placeholders of manifest.template.json, builds the bot's
 * commandLists from BOT_COMMANDS, validates the result offline against the manifest's JSON
 * schema (bundled in @microsoft/app-manifest) and exits non-zero with a readable list of
 * problems if anything is wrong.
 *
 * Environment:
 *   MicrosoftAppId         required, GUID: the bot's Microsoft Entra app (client) id
 *   BOT_DOMAIN             required, host name only, e.g. sa-bot-x1y2.azurewebsites.net
 *   APP_VERSION            default: package.json version; must be major.minor.patch and go up on every upload
 *   TEAMS_APP_ID           default: MicrosoftAppId; the Teams app's own id (GUID)
 *   DEVELOPER_NAME         default: "Safeguarding Partnership" (32 characters at most)
 *   DEVELOPER_WEBSITE_URL  default: https://<BOT_DOMAIN>/
 *   DEVELOPER_PRIVACY_URL  default: DEVELOPER_WEBSITE_URL (set it to the partnership's privacy notice)
 *   DEVELOPER_TERMS_URL    default: DEVELOPER_WEBSITE_URL
 *   AAD_APP_ID_URI         optional, e.g. api://botid-<MicrosoftAppId>: webApplicationInfo's resource (SSO); default api://botid-<MicrosoftAppId>
 *
 * Under the Azure Developer CLI (AZURE_ENV_NAME set) a missing MicrosoftAppId/BOT_DOMAIN skips
 * instead of failing: azd runs `npm run package` while packaging the web app, possibly before
 * provisioning has produced those values (they are outputs of infra/main.bicep).
 */
import AdmZip from "adm-zip";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { AppManifestUtils, type AppManifest } from "@microsoft/app-manifest";
import { manifestCommandLists } from "./commands";

const MANIFEST_DIR = __dirname;
const TEMPLATE_PATH = join(MANIFEST_DIR, "manifest.template.json");
const ICONS = { color: { file: "color.png", size: 192 }, outline: { file: "outline.png", size: 32 } } as const;

const GUID = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

export type PackageEnv = Record<string, string | undefined>;

/** Thrown for anything that stops the package being built; `problems` is the list to show the user. */
export class AppPackageError extends Error {
  constructor(readonly problems: string[]) {
    super(`Cannot build the Teams app package:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "AppPackageError";
  }
}

export interface AppPackageResult {
  zipPath: string;
  manifestPath: string;
  manifest: Record<string, unknown>;
  /** Things that work but deserve attention (defaults used for developer URLs and so on). */
  warnings: string[];
}

/** Turns the environment into placeholder values, collecting every problem rather than stopping at the first. */
export function resolvePlaceholders(env: PackageEnv): { values: Record<string, string>; problems: string[]; warnings: string[] } {
  const problems: string[] = [];
  const warnings: string[] = [];
  const get = (name: string) => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };

  const appId = get("MicrosoftAppId");
  if (!appId) problems.push("MicrosoftAppId is not set: give the bot's Microsoft Entra app (client) id, a GUID like 00000000-0000-0000-0000-000000000000.");
  else if (!GUID.test(appId)) problems.push(`MicrosoftAppId "${appId}" is not a GUID (expected 8-4-4-4-12 hexadecimal digits).`);

  const teamsAppId = get("TEAMS_APP_ID") ?? appId ?? "";
  if (get("TEAMS_APP_ID") && !GUID.test(teamsAppId)) problems.push(`TEAMS_APP_ID "${teamsAppId}" is not a GUID.`);

  let domain = get("BOT_DOMAIN");
  if (!domain) problems.push("BOT_DOMAIN is not set: give the host name the bot is served from, e.g. sa-bot-x1y2.azurewebsites.net (no https://, no path).");
  else if (/^[a-z]+:\/\//i.test(domain) || domain.includes("/")) {
    problems.push(`BOT_DOMAIN "${domain}" must be a host name only, without scheme or path: try "${domain.replace(/^[a-z]+:\/\//i, "").split("/")[0]}".`);
    domain = undefined;
  } else if (!HOST_NAME.test(domain)) {
    problems.push(`BOT_DOMAIN "${domain}" is not a valid host name.`);
    domain = undefined;
  }

  let version = get("APP_VERSION");
  if (!version) version = readPackageVersion();
  if (!version || !VERSION.test(version)) problems.push(`APP_VERSION "${version ?? ""}" must be major.minor.patch, e.g. 1.0.3 (Teams needs a higher version for every update).`);

  const developerName = get("DEVELOPER_NAME") ?? "Safeguarding Partnership";
  if (developerName.length > 32) problems.push(`DEVELOPER_NAME is ${developerName.length} characters; Teams allows 32.`);

  const website = get("DEVELOPER_WEBSITE_URL") ?? (domain ? `https://${domain}/` : "");
  const urls: Record<string, string> = {
    DEVELOPER_WEBSITE_URL: website,
    DEVELOPER_PRIVACY_URL: get("DEVELOPER_PRIVACY_URL") ?? website,
    DEVELOPER_TERMS_URL: get("DEVELOPER_TERMS_URL") ?? website,
  };
  for (const [name, url] of Object.entries(urls)) {
    if (!url) continue; // only empty when BOT_DOMAIN is missing, already reported
    if (!isHttpsUrl(url)) problems.push(`${name} "${url}" must be an https:// URL.`);
    else if (!get(name)) warnings.push(`${name} not set; using ${url}. Point it at the partnership's own page before publishing.`);
  }

  const appIdUri = get("AAD_APP_ID_URI");
  if (appIdUri && !/^(api|https):\/\/\S+$/.test(appIdUri)) problems.push(`AAD_APP_ID_URI "${appIdUri}" should look like api://botid-<MicrosoftAppId>.`);

  return {
    values: {
      MicrosoftAppId: appId ?? "",
      TEAMS_APP_ID: teamsAppId,
      BOT_DOMAIN: domain ?? "",
      APP_VERSION: version ?? "",
      DEVELOPER_NAME: developerName,
      ...urls,
      AAD_APP_ID_URI: appIdUri ?? "",
    },
    problems,
    warnings,
  };
}

/** Replaces `${{NAME}}` in the template text, JSON-escaping each value; unknown names are problems. */
export function fillTemplate(template: string, values: Record<string, string>): { json: string; problems: string[] } {
  const problems: string[] = [];
  const json = template.replace(/\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_m, name: string) => {
    if (!(name in values)) {
      problems.push(`manifest.template.json uses \${{${name}}}, which package.ts does not know.`);
      return "";
    }
    return JSON.stringify(values[name]).slice(1, -1);
  });
  return { json, problems };
}

/** Fills the template and adds the parts built in code (command lists, optional webApplicationInfo). */
export function buildManifest(env: PackageEnv): { manifest: Record<string, any>; problems: string[]; warnings: string[] } {
  const { values, problems, warnings } = resolvePlaceholders(env);
  const filled = fillTemplate(readFileSync(TEMPLATE_PATH, "utf8"), values);
  problems.push(...filled.problems);
  const manifest = JSON.parse(filled.json) as Record<string, any>;
  const bot = manifest.bots?.[0];
  if (bot) bot.commandLists = manifestCommandLists();
  // Resource-specific consent (reading a private channel's members) needs webApplicationInfo; its
  // resource only matters for SSO, so without AAD_APP_ID_URI any value will do.
  manifest.webApplicationInfo = { id: values.MicrosoftAppId, resource: values.AAD_APP_ID_URI || `api://botid-${values.MicrosoftAppId}` };
  return { manifest, problems, warnings };
}

/** Width and height from a PNG's IHDR chunk, or undefined if the bytes are not a PNG. */
export function pngSize(png: Buffer): { width: number; height: number } | undefined {
  const signature = "89504e470d0a1a0a";
  if (png.length < 24 || png.subarray(0, 8).toString("hex") !== signature || png.toString("ascii", 12, 16) !== "IHDR") return undefined;
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/**
 * Builds, validates and writes `<outDir>/appPackage.zip` (and `<outDir>/manifest.json` to inspect).
 * Throws AppPackageError listing every problem found; writes nothing in that case.
 */
export async function buildAppPackage(env: PackageEnv, outDir: string): Promise<AppPackageResult> {
  const { manifest, problems, warnings } = buildManifest(env);
  if (problems.length > 0) throw new AppPackageError(problems);

  const schemaProblems = await AppManifestUtils.validateAgainstSchema(manifest as unknown as AppManifest);
  if (schemaProblems.length > 0) throw new AppPackageError(schemaProblems.map((p) => `manifest.json${p.trim().startsWith("/") ? "" : " "}${p.trim()}`));

  const icons: Record<string, Buffer> = {};
  for (const { file, size } of Object.values(ICONS)) {
    const png = readFileSync(join(MANIFEST_DIR, file));
    const dims = pngSize(png);
    if (!dims) problems.push(`${file} is not a PNG.`);
    else if (dims.width !== size || dims.height !== size) problems.push(`${file} is ${dims.width}x${dims.height}; Teams needs ${size}x${size}.`);
    icons[file] = png;
  }
  if (problems.length > 0) throw new AppPackageError(problems);

  const manifestJson = JSON.stringify(manifest, null, 2) + "\n";
  const zip = new AdmZip();
  zip.addFile("manifest.json", Buffer.from(manifestJson, "utf8"));
  for (const [file, png] of Object.entries(icons)) zip.addFile(file, png);

  mkdirSync(outDir, { recursive: true });
  const zipPath = resolve(outDir, "appPackage.zip");
  const manifestPath = resolve(outDir, "manifest.json");
  zip.writeZip(zipPath);
  writeFileSync(manifestPath, manifestJson);
  return { zipPath, manifestPath, manifest, warnings };
}

function readPackageVersion(): string | undefined {
  try {
    return JSON.parse(readFileSync(join(MANIFEST_DIR, "..", "package.json"), "utf8")).version;
  } catch {
    return undefined;
  }
}

function isHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "https:" && !!url.hostname;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  // Optional .env; variables already in the environment take precedence (node's own loader, no dotenv).
  const envFile = resolve(".env");
  if (existsSync(envFile)) process.loadEnvFile(envFile);

  // `azd package`/`azd up` run this script (npm's "package") before the first provisioning, when the
  // bot's id and domain do not exist yet. Skip then; azure.yaml's postprovision hook builds the package.
  const missing = ["MicrosoftAppId", "BOT_DOMAIN"].filter((n) => !process.env[n]?.trim());
  if (process.env.AZURE_ENV_NAME && missing.length > 0) {
    console.warn(`Teams app package skipped: ${missing.join(" and ")} not in the azd environment yet (built after \`azd provision\`).`);
    return;
  }

  try {
    const result = await buildAppPackage(process.env, resolve("build"));
    for (const w of result.warnings) console.warn(`warning: ${w}`);
    console.log(`Teams app package written: ${result.zipPath}`);
    const m = result.manifest as { version?: string; id?: string; bots?: { botId?: string }[]; validDomains?: string[] };
    console.log(`  app version ${m.version}, Teams app id ${m.id}, bot id ${m.bots?.[0]?.botId}, domain ${m.validDomains?.[0]}`);
  } catch (e) {
    if (e instanceof AppPackageError) {
      console.error(e.message);
      process.exitCode = 1;
    } else throw e;
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
