// Safeguarding Assurance bot: everything it needs in Azure, in one resource group.
//
// Entry point for the Azure Developer CLI (`azd up`, see azure.yaml) and for
// `az deployment sub create --template-file infra/main.bicep ...` (see docs/deploy.md).
// Subscription scope so that the resource group is created too; the resources are in resources.bicep.
//
// No Bicep compiler was available where this was written: `az bicep build --file infra/main.bicep`
// (or `azd provision --preview`) is the first check to run on a machine with the Azure CLI.

targetScope = 'subscription'

@minLength(1)
@maxLength(40)
@description('Name of the environment (e.g. "prod", "test"): names the resource group and seeds unique resource names. azd sets it from AZURE_ENV_NAME.')
param environmentName string

@minLength(1)
@description('Azure region for every regional resource. UK South keeps partnership data in the UK.')
param location string

@allowed([
  'UserAssignedMSI'
  'SingleTenant'
  'MultiTenant'
])
@description('How the bot proves its identity. UserAssignedMSI: the managed identity created here, no secret (users in the partnership tenant, including guests). SingleTenant: an Entra app registration you create (make the registration multitenant to serve agencies in their own tenants). MultiTenant: only for an existing legacy registration; Azure refuses to create new multi-tenant bots since 31 July 2025.')
param msaAppType string = 'UserAssignedMSI'

@description('SingleTenant/MultiTenant only: the Entra app registration\'s application (client) id. Ignored for UserAssignedMSI.')
param microsoftAppId string = ''

@secure()
@description('SingleTenant/MultiTenant only: a client secret of that app registration. Ignored for UserAssignedMSI.')
param microsoftAppPassword string = ''

@description('Tenant of the bot identity (SingleTenant/UserAssignedMSI). Defaults to the tenant you deploy into.')
param microsoftAppTenantId string = tenant().tenantId

@description('Comma-separated Entra tenant ids whose users may talk to the bot. Empty: only the tenant of the deployment.')
param allowedTenantIds string = ''

@description('Comma-separated partnership admins: tenantId:objectId, or a bare object id for the bot\'s home tenant.')
param adminAadObjectIds string = ''

@description('Object id of the person deploying (azd fills AZURE_PRINCIPAL_ID). Gets Storage Table Data Reader (read only) so they can export an agency with `npm run export-agency` or `az storage entity ... --auth-mode login`. Empty: no such assignment.')
param operatorPrincipalId string = ''

@description('Public IPv4 address (or CIDR range, /30 or wider) from which an operator reaches the tables: `npm run export-agency`, the Azure CLI, Storage Explorer, the portal\'s storage browser. Empty: only the web app gets through the storage firewall.')
param operatorIpAddress string = ''

@description('App Service Node.js runtime. Node 20 reached end of life on 30 April 2026; use 22-lts once App Service stops offering 20-lts.')
param nodeVersion string = '20-lts'

@secure()
@description('Signs the personal evaluation links sent to delegates outside Teams: 32+ random characters (openssl rand -base64 48). Kept in the Key Vault; written only when given, so a later provision without it keeps the stored one. Required before the first start.')
param evaluationLinkSecret string = ''

@secure()
@description('Keys the pseudonym evaluation answers are stored under: 32+ random characters, different from the link secret. Written only when given; never change it while evaluations are open (answers of the same person would no longer match). Required before the first start.')
param evaluationPseudonymSecret string = ''

@description('A custom host name the bot is reached at, if any (evaluation links point there). Empty: the web app\'s own azurewebsites.net name.')
param publicHostName string = ''

@description('Daily ingestion cap of the Log Analytics workspace in GB, a safety net for cost (the first 5 GB a month are free).')
param logDailyCapGb string = '0.5'

var tags = {
  'azd-env-name': environmentName
  app: 'safeguarding-assurance'
}

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module resources 'resources.bicep' = {
  name: 'resources'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: toLower(uniqueString(subscription().id, environmentName, location))
    msaAppType: msaAppType
    microsoftAppId: microsoftAppId
    microsoftAppPassword: microsoftAppPassword
    microsoftAppTenantId: microsoftAppTenantId
    allowedTenantIds: empty(allowedTenantIds) ? tenant().tenantId : allowedTenantIds
    adminAadObjectIds: adminAadObjectIds
    operatorPrincipalId: operatorPrincipalId
    operatorIpAddress: operatorIpAddress
    nodeVersion: nodeVersion
    logDailyCapGb: logDailyCapGb
    evaluationLinkSecret: evaluationLinkSecret
    evaluationPseudonymSecret: evaluationPseudonymSecret
    publicHostName: publicHostName
  }
}

// azd stores these outputs in .azure/<env>/.env. MicrosoftAppId and BOT_DOMAIN are what
// `npm run package` needs, so the postprovision hook in azure.yaml can build the Teams app package.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output MicrosoftAppId string = resources.outputs.botAppId
output MicrosoftAppType string = msaAppType
output BOT_DOMAIN string = resources.outputs.webAppHostName
output BOT_ENDPOINT string = 'https://${resources.outputs.webAppHostName}/api/messages'
output BOT_SERVICE_NAME string = resources.outputs.botServiceName
output WEB_APP_NAME string = resources.outputs.webAppName
output STORAGE_ACCOUNT_NAME string = resources.outputs.storageAccountName
output TABLES_ENDPOINT string = resources.outputs.tablesEndpoint
