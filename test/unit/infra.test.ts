import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The security properties the Azure deployment promises (docs/deploy.md), checked on the text of
 * the Bicep files. There is no Bicep compiler or Azure account here, so this cannot prove the
 * templates compile or deploy (`az bicep build --file infra/main.bicep` and
 * `azd provision --preview` do that); it catches a property quietly dropped or weakened in an edit.
 * Comments are stripped first, so a property only mentioned in a comment does not count.
 */
const infra = (file: string) => readFileSync(join(__dirname, "../../infra", file), "utf8");
const stripComments = (bicep: string) => bicep.replace(/^\s*\/\/.*$/gm, "").replace(/\s\/\/ .*$/gm, "");
const main = stripComments(infra("main.bicep"));
const resources = stripComments(infra("resources.bicep"));

interface Resource {
  symbol: string;
  type: string;
  apiVersion: string;
  body: string;
}

/** Each `resource name 'Type@version' = [if (...)] { ... }` with its body, by brace matching. */
function resourcesOf(bicep: string): Resource[] {
  const found: Resource[] = [];
  const head = /^resource\s+(\w+)\s+'([^'@]+)@([^']+)'\s*(?:existing\s*)?=[^{]*\{/gm;
  for (let m = head.exec(bicep); m; m = head.exec(bicep)) {
    let depth = 1;
    let i = head.lastIndex;
    for (; i < bicep.length && depth > 0; i++) {
      if (bicep[i] === "{") depth++;
      else if (bicep[i] === "}") depth--;
    }
    found.push({ symbol: m[1], type: m[2], apiVersion: m[3], body: bicep.slice(m.index, i) });
  }
  return found;
}

const all = resourcesOf(resources);
const one = (type: string) => {
  const matches = all.filter((r) => r.type === type);
  expect(matches).toHaveLength(1);
  return matches[0];
};
const variable = (name: string) => new RegExp(`^var\\s+${name}\\s*=\\s*'([^']*)'`, "m").exec(resources)?.[1];
/** The app settings named `name` in the web app's settings arrays, with their value expressions. */
const appSettings = (name: string) =>
  [...resources.matchAll(new RegExp(`name:\\s*'${name}'\\s*\\n\\s*value:\\s*(.+)`, "g"))].map((m) => m[1].trim());

const ROLE = {
  storageTableDataReader: "76199698-9eea-4c19-bc75-cec21354c6b6",
  storageTableDataContributor: "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
  monitoringMetricsPublisher: "3913510d-42f4-4e42-8a64-420c390055eb",
  keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
};

test("the role ids are Azure's built-in ones", () => {
  for (const [name, id] of Object.entries(ROLE)) expect(variable(name)).toBe(id);
});

test("storage: Entra ID only, and a firewall that admits the app's subnet and nothing else by default", () => {
  const storage = one("Microsoft.Storage/storageAccounts").body;
  expect(storage).toMatch(/allowSharedKeyAccess:\s*false/);
  expect(storage).toMatch(/allowBlobPublicAccess:\s*false/);
  expect(storage).toMatch(/networkAcls:\s*\{[^]*defaultAction:\s*'Deny'/);
  expect(storage).toMatch(/bypass:\s*'None'/);
  expect(storage).toMatch(/virtualNetworkRules:\s*\[\s*\{\s*id:\s*appSubnetId/);
  // The operator's address is the only IP rule, and only when given.
  expect(storage).toMatch(/ipRules:\s*empty\(operatorIpAddress\)\s*\?\s*\[\]\s*:/);
  expect(main).toMatch(/^param operatorIpAddress string = ''$/m);

  const vnet = one("Microsoft.Network/virtualNetworks").body;
  expect(vnet).toMatch(/serviceName:\s*'Microsoft\.Web\/serverFarms'/);
  expect(vnet).toMatch(/service:\s*'Microsoft\.Storage'/);
  const web = one("Microsoft.Web/sites").body;
  expect(web).toMatch(/virtualNetworkSubnetId:\s*appSubnetId/);
  expect(web).toMatch(/vnetRouteAllEnabled:\s*true/);
});

test("the deployer reads the tables and cannot change them; the app's identity can", () => {
  const assignments = all.filter((r) => r.type === "Microsoft.Authorization/roleAssignments");
  const operator = assignments.filter((r) => /principalId:\s*operatorPrincipalId/.test(r.body));
  expect(operator).toHaveLength(1);
  expect(operator[0].body).toMatch(/roleDefinitions',\s*storageTableDataReader\)/);
  expect(operator[0].body).not.toMatch(/Contributor/);

  const app = assignments.filter((r) => /principalId:\s*identity\.properties\.principalId/.test(r.body));
  const roleOf = (r: Resource) => /roleDefinitions',\s*(\w+)\)/.exec(r.body)?.[1];
  const scopeOf = (r: Resource) => /scope:\s*(\w+)/.exec(r.body)?.[1];
  expect(app.map((r) => `${roleOf(r)} on ${scopeOf(r)}`).sort()).toEqual([
    "keyVaultSecretsUser on vault",
    "monitoringMetricsPublisher on appInsights",
    "storageTableDataContributor on storage",
  ]);
});

test("the bot's identity is the user-assigned managed identity unless told otherwise", () => {
  expect(main).toMatch(/^param msaAppType string = 'UserAssignedMSI'$/m);
  const parameters = JSON.parse(infra("main.parameters.json")).parameters;
  expect(parameters.msaAppType.value).toBe("${BOT_APP_TYPE=UserAssignedMSI}");

  const bot = one("Microsoft.BotService/botServices").body;
  expect(bot).toMatch(/msaAppType:\s*msaAppType/);
  expect(bot).toMatch(/msaAppMSIResourceId:\s*isMsi \? identity\.id : null/);
  expect(resources).toMatch(/^var botAppId = isMsi \? identity\.properties\.clientId : microsoftAppId$/m);
  expect(appSettings("MicrosoftAppId")).toEqual(["botAppId"]);
  expect(appSettings("MicrosoftAppType")).toEqual(["msaAppType"]);
  expect(appSettings("AZURE_CLIENT_ID")).toEqual(["identity.properties.clientId"]);
});

test("a client secret, when there is one, reaches the app only as a Key Vault reference", () => {
  const password = appSettings("MicrosoftAppPassword");
  expect(password).toHaveLength(1);
  expect(password[0]).toMatch(/^'@Microsoft\.KeyVault\(SecretUri=https:\/\/\$\{vaultName\}[^']*\/secrets\/\$\{botSecretName\}\/\)'$/);
  expect(resources).toMatch(/^var secretSettings = isMsi \? \[\] : \[/m);
  expect(one("Microsoft.Web/sites").body).toMatch(/keyVaultReferenceIdentity:\s*identity\.id/);

  // The secure parameter is used in exactly one place: the value of the vault's secret.
  const uses = resources.split("\n").filter((line) => /\bmicrosoftAppPassword\b/.test(line) && !/^param /.test(line.trim()));
  expect(uses.map((l) => l.trim())).toEqual([
    "resource botSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!isMsi && !empty(microsoftAppPassword)) {",
    "value: microsoftAppPassword",
  ]);
  expect(one("Microsoft.KeyVault/vaults").body).toMatch(/enableRbacAuthorization:\s*true/);
});

test("Application Insights accepts only telemetry signed with Entra ID", () => {
  expect(one("Microsoft.Insights/components").body).toMatch(/DisableLocalAuth:\s*true/);
});

test("every resource names a dated API version, and the module gets every parameter it declares", () => {
  for (const r of [...all, ...resourcesOf(main)]) expect(`${r.type}@${r.apiVersion}`).toMatch(/@\d{4}-\d{2}-\d{2}(-preview)?$/);

  const declared = [...resources.matchAll(/^param (\w+) /gm)].map((m) => m[1]).sort();
  const moduleBlock = /module resources 'resources\.bicep' = \{[^]*?\n {2}params: \{([^}]*)\}/.exec(main)?.[1] ?? "";
  const passed = [...moduleBlock.matchAll(/^\s*(\w+):/gm)].map((m) => m[1]).sort();
  expect(passed).toEqual(declared);

  const mainParams = new Set([...main.matchAll(/^param (\w+) /gm)].map((m) => m[1]));
  for (const name of Object.keys(JSON.parse(infra("main.parameters.json")).parameters)) expect(mainParams).toContain(name);
});

test("a registered bot gets every setting it refuses to start without: the evaluation secrets from the vault, its public address", () => {
  // The names src/config.ts requires once MicrosoftAppId is set (besides the identity settings above).
  const config = readFileSync(join(__dirname, "../../src/config.ts"), "utf8");
  const required = [...config.matchAll(/problems\.push\("(\w+): is required for a registered bot/g)].map((m) => m[1]).sort();
  expect(required).toEqual(["EVALUATION_LINK_SECRET", "EVALUATION_PSEUDONYM_SECRET", "PUBLIC_BASE_URL"]);

  expect(appSettings("PUBLIC_BASE_URL")).toEqual(["publicBaseUrl"]);
  expect(resources).toMatch(/^var publicBaseUrl = empty\(publicHostName\) \? 'https:\/\/\$\{webAppName\}\.azurewebsites\.net' : 'https:\/\/\$\{publicHostName\}'$/m);
  for (const [setting, secret] of [["EVALUATION_LINK_SECRET", "evaluationLinkSecretName"], ["EVALUATION_PSEUDONYM_SECRET", "evaluationPseudonymSecretName"]]) {
    const value = appSettings(setting);
    expect(value).toHaveLength(1);
    expect(value[0]).toBe(`'@Microsoft.KeyVault(SecretUri=https://\${vaultName}\${environment().suffixes.keyvaultDns}/secrets/\${${secret}}/)'`);
    expect(resources).not.toMatch(new RegExp(`var secretSettings = isMsi \\? \\[\\] : \\[[^\\]]*'${setting}'`));
  }
  // The vault is there whatever the bot's identity, and only the app's identity reads it.
  expect(one("Microsoft.KeyVault/vaults").body).not.toMatch(/= if \(/);
  const access = all.filter((r) => r.type === "Microsoft.Authorization/roleAssignments" && /scope:\s*vault/.test(r.body));
  expect(access).toHaveLength(1);
  expect(access[0].body).not.toMatch(/= if \(/);

  // The secure parameters only ever become vault secrets, written when given so a later provision keeps them.
  for (const param of ["evaluationLinkSecret", "evaluationPseudonymSecret"]) {
    expect(main).toMatch(new RegExp(`@secure\\(\\)\\n@description\\([^\\n]*\\)\\nparam ${param} string = ''`));
    const uses = resources.split("\n").filter((line) => new RegExp(`\\b${param}\\b`).test(line) && !/^param /.test(line.trim())).map((l) => l.trim());
    expect(uses).toEqual([expect.stringMatching(new RegExp(`^resource \\w+ 'Microsoft\\.KeyVault/vaults/secrets@[\\d-]+' = if \\(!empty\\(${param}\\)\\) \\{$`)), `value: ${param}`]);
  }
  const parameters = JSON.parse(infra("main.parameters.json")).parameters;
  expect(parameters.evaluationLinkSecret.value).toBe("${EVALUATION_LINK_SECRET=}");
  expect(parameters.evaluationPseudonymSecret.value).toBe("${EVALUATION_PSEUDONYM_SECRET=}");
});
