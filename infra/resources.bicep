// The bot's resources, deployed by main.bicep into one resource group.
//
//   Teams -> Azure Bot (F0, Teams channel) -> https://<web app>/api/messages
//   Web App (Linux B1, Node) runs as the user-assigned identity, which
//     - reads and writes Azure Tables (role "Storage Table Data Contributor"; TABLES_ENDPOINT + AZURE_CLIENT_ID)
//     - sends telemetry to Application Insights with Entra ID (role "Monitoring Metrics Publisher")
//     - is also the bot's identity when msaAppType is UserAssignedMSI (the default: no secret anywhere)
//     - reads its secrets from Key Vault: the evaluation link and pseudonym secrets, and the bot's
//       client secret when msaAppType is SingleTenant/MultiTenant
//   Web App -> (VNet integration, Microsoft.Storage service endpoint) -> Storage, whose firewall
//     admits only that subnet and, optionally, one operator IP address
//   Web App -> Application Insights (local authentication disabled) -> Log Analytics workspace
//
// Why App Service rather than Container Apps: the bot deploys as plain Node code (no container
// registry, no image build to own); a B1 plan with Always On keeps the process warm, so a card
// action after a quiet spell answers within Teams' few seconds instead of waiting for a cold start;
// B1 includes the VNet integration the storage firewall relies on; and a fixed plan costs the same
// every month (about £10), which suits a partnership budget better than per-use billing.

param location string
param tags object
param resourceToken string
param msaAppType string
param microsoftAppId string
@secure()
param microsoftAppPassword string
param microsoftAppTenantId string
param allowedTenantIds string
param adminAadObjectIds string
param operatorPrincipalId string
param operatorIpAddress string
param nodeVersion string
param logDailyCapGb string
@secure()
param evaluationLinkSecret string
@secure()
param evaluationPseudonymSecret string
param publicHostName string

var isMsi = msaAppType == 'UserAssignedMSI'
// Built-in roles, by id (the same in every tenant).
// "Storage Table Data Contributor": read, write and delete tables and entities.
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
// "Storage Table Data Reader": read tables and entities, nothing else.
var storageTableDataReader = '76199698-9eea-4c19-bc75-cec21354c6b6'
// "Monitoring Metrics Publisher": despite the name, what Application Insights requires to accept
// any telemetry authenticated with Entra ID.
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'
// "Key Vault Secrets User": read secret values.
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

// ---------------------------------------------------------------- identity

// One identity for everything the app does in Azure: Table storage (via DefaultAzureCredential,
// selected by AZURE_CLIENT_ID), telemetry (src/telemetry.ts signs in as it), the Key Vault
// reference of a client secret if there is one, and, with msaAppType UserAssignedMSI, the bot's
// own identity.
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-${resourceToken}'
  location: location
  tags: tags
}

// ---------------------------------------------------------------- network

// The virtual network exists only so that the storage firewall can tell the app's traffic from
// everyone else's. The web app joins the subnet (regional VNet integration, included in B1) and the
// subnet's Microsoft.Storage service endpoint makes its requests arrive at storage as coming from
// that subnet. Service endpoints and VNet integration cost nothing extra. A private endpoint would
// let storage switch its public endpoint off entirely, but costs about £6 a month plus a private
// DNS zone and changes little about who gets in: either way only the app's subnet passes the
// network check, and every request still needs an Entra ID token with a role on the account
// (see docs/deploy.md).
// Nothing else is in this network and it is peered with nothing, so the address range only has
// to be private: change it if the partnership ever peers this network with its own.
var appSubnetName = 'snet-app'

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: 'vnet-${resourceToken}'
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        '10.80.0.0/24'
      ]
    }
    // Declared inside the network, not as a child resource: a redeployment of the network then
    // keeps the subnet instead of trying to remove it while the web app is attached.
    subnets: [
      {
        name: appSubnetName
        properties: {
          // /26 is Microsoft's advice for integration subnets: scaling and platform upgrades
          // briefly need twice the addresses in use.
          addressPrefix: '10.80.0.0/26'
          delegations: [
            {
              name: 'app-service'
              properties: {
                serviceName: 'Microsoft.Web/serverFarms'
              }
            }
          ]
          serviceEndpoints: [
            {
              service: 'Microsoft.Storage'
            }
          ]
        }
      }
    ]
  }
}

// Through vnet.name, so that storage and the web app wait for the network: the storage firewall
// refuses a subnet whose service endpoint is not in place yet.
var appSubnetId = resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, appSubnetName)

// ---------------------------------------------------------------- storage

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: 'st${resourceToken}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    // Entra ID only: no account keys, no SAS. The app and operators use role assignments.
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowCrossTenantReplication: false
    // 'Enabled' only because service endpoints arrive at the public endpoint; the firewall below
    // turns everyone away but the app's subnet (and the operator's address, if given).
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Deny'
      // No exception for "trusted Azure services": nothing but the app reads these tables.
      bypass: 'None'
      virtualNetworkRules: [
        {
          id: appSubnetId
          action: 'Allow'
        }
      ]
      ipRules: empty(operatorIpAddress) ? [] : [
        {
          value: operatorIpAddress
          action: 'Allow'
        }
      ]
    }
  }
}

// The app creates its own tables at start-up (names may carry TABLE_PREFIX).
resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource appTableAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// For the person who deploys: read only, enough to export an agency or check what is stored
// (docs/deploy.md). Deleting data is rare and deliberate, so write access is granted by hand for
// the occasion and removed afterwards, never left standing on a deployer's everyday account.
resource operatorTableAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(operatorPrincipalId)) {
  name: guid(storage.id, operatorPrincipalId, storageTableDataReader)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataReader)
    principalId: operatorPrincipalId
  }
}

// ---------------------------------------------------------------- monitoring

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${resourceToken}'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
    workspaceCapping: {
      dailyQuotaGb: json(logDailyCapGb)
    }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${resourceToken}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    IngestionMode: 'LogAnalytics'
    // Only telemetry signed with Entra ID is accepted: the connection string alone, which is not
    // treated as a secret (anyone who can read the app settings has it), no longer lets anyone
    // write into it.
    DisableLocalAuth: true
  }
}

resource appTelemetryPublish 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identity.id, monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---------------------------------------------------------------- secrets

// Secrets are kept in a vault that only the app's identity can read, and the web app sees them
// through Key Vault references, so none is ever stored as a plain app setting: the evaluation link
// and pseudonym secrets always, the bot's client secret with SingleTenant/MultiTenant (with the
// default UserAssignedMSI the bot itself has no secret at all).
// The vault keeps its public endpoint: it uses Azure RBAC only, nobody else is granted anything
// on it, and the deployment writes the secrets through Azure Resource Manager.
var botSecretName = 'MicrosoftAppPassword'
var evaluationLinkSecretName = 'evaluation-link-secret'
var evaluationPseudonymSecretName = 'evaluation-pseudonym-secret'
var vaultName = 'kv-${resourceToken}'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: vaultName
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    // The shortest allowed, so that `azd down --purge` and a new `azd up` are not held up for long.
    softDeleteRetentionInDays: 7
  }
}

// Each secret is written only when a value is given, so a later `azd provision` without it keeps
// the stored secret; a new value becomes a new version, which the versionless reference picks up.
resource botSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!isMsi && !empty(microsoftAppPassword)) {
  parent: vault
  name: botSecretName
  properties: {
    value: microsoftAppPassword
  }
}

// Changing it stops links already sent from working: rotate only between evaluation rounds.
resource evaluationLinkSecretValue 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(evaluationLinkSecret)) {
  parent: vault
  name: evaluationLinkSecretName
  properties: {
    value: evaluationLinkSecret
  }
}

// Changing it while evaluations are open breaks the match between a person's two answers.
resource evaluationPseudonymSecretValue 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(evaluationPseudonymSecret)) {
  parent: vault
  name: evaluationPseudonymSecretName
  properties: {
    value: evaluationPseudonymSecret
  }
}

resource appSecretAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---------------------------------------------------------------- web app

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: 'plan-${resourceToken}'
  location: location
  tags: tags
  kind: 'linux'
  sku: {
    name: 'B1'
    tier: 'Basic'
    capacity: 1
  }
  properties: {
    reserved: true // Linux
  }
}

var webAppName = 'app-${resourceToken}'
// Personal evaluation links point here. Computed from the name rather than read from the site,
// which cannot name itself in its own settings.
var publicBaseUrl = empty(publicHostName) ? 'https://${webAppName}.azurewebsites.net' : 'https://${publicHostName}'
var tablesEndpoint = 'https://${storage.name}.table.${environment().suffixes.storage}'
var botAppId = isMsi ? identity.properties.clientId : microsoftAppId

var baseSettings = [
  {
    name: 'MicrosoftAppId'
    value: botAppId
  }
  {
    name: 'MicrosoftAppType'
    value: msaAppType
  }
  {
    name: 'MicrosoftAppTenantId'
    value: msaAppType == 'MultiTenant' ? '' : microsoftAppTenantId
  }
  {
    name: 'TABLES_ENDPOINT'
    value: tablesEndpoint
  }
  {
    name: 'AZURE_CLIENT_ID'
    value: identity.properties.clientId
  }
  {
    name: 'ALLOWED_TENANT_IDS'
    value: allowedTenantIds
  }
  {
    name: 'ADMIN_AAD_OBJECT_IDS'
    value: adminAadObjectIds
  }
  {
    name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
    value: appInsights.properties.ConnectionString
  }
  {
    name: 'PUBLIC_BASE_URL'
    value: publicBaseUrl
  }
  {
    name: 'EVALUATION_LINK_SECRET'
    value: '@Microsoft.KeyVault(SecretUri=https://${vaultName}${environment().suffixes.keyvaultDns}/secrets/${evaluationLinkSecretName}/)'
  }
  {
    name: 'EVALUATION_PSEUDONYM_SECRET'
    value: '@Microsoft.KeyVault(SecretUri=https://${vaultName}${environment().suffixes.keyvaultDns}/secrets/${evaluationPseudonymSecretName}/)'
  }
  {
    name: 'LOG_LEVEL'
    value: 'info'
  }
  // azd uploads the source without node_modules; Oryx runs `npm install` and `npm run build` on the server.
  {
    name: 'SCM_DO_BUILD_DURING_DEPLOYMENT'
    value: 'true'
  }
]

// The client secret only exists for SingleTenant/MultiTenant. Every secret reaches the app as a
// reference that App Service resolves with the identity named in keyVaultReferenceIdentity.
// Versionless, so a rotated secret is picked up within a day, or at once when the app's settings
// change. A reference App Service cannot resolve stays as its literal text, which the bot refuses
// at start (src/config.ts).
var secretSettings = isMsi ? [] : [
  {
    name: 'MicrosoftAppPassword'
    value: '@Microsoft.KeyVault(SecretUri=https://${vaultName}${environment().suffixes.keyvaultDns}/secrets/${botSecretName}/)'
  }
]

resource web 'Microsoft.Web/sites@2023-12-01' = {
  name: webAppName
  location: location
  // azd finds the service to deploy by this tag (service "bot" in azure.yaml).
  tags: union(tags, {
    'azd-service-name': 'bot'
  })
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false
    // Regional VNet integration: the app's calls to storage leave through the subnet the storage
    // firewall admits.
    virtualNetworkSubnetId: appSubnetId
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      linuxFxVersion: 'NODE|${nodeVersion}'
      alwaysOn: true // keeps the process warm: no cold start when a card action arrives after a quiet spell
      // Everything the app sends goes through the subnet, so a network security group added there
      // later governs all of it. Internet-bound calls (Bot Framework, Entra ID, telemetry) still
      // leave from the app's usual outbound addresses: no NAT gateway is needed.
      vnetRouteAllEnabled: true
      appCommandLine: 'npm run start:bot' // package.json knows where the compiled entry point is
      healthCheckPath: '/api/health'
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: concat(baseSettings, secretSettings)
    }
  }
  dependsOn: [
    appTableAccess // so the first start can create its tables
    appTelemetryPublish
    appSecretAccess // so the first start can resolve the secrets' references
    botSecret
    evaluationLinkSecretValue
    evaluationPseudonymSecretValue
  ]
}

// Deployments use Entra ID (azd / az login), never basic publishing credentials.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
  parent: web
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
  parent: web
  name: 'ftp'
  properties: {
    allow: false
  }
}

// ---------------------------------------------------------------- Azure Bot

// The bot registration is global; F0 is free and the Teams channel is a standard channel
// (no message charges).
resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: 'bot-${resourceToken}'
  location: 'global'
  tags: tags
  kind: 'azurebot'
  sku: {
    name: 'F0'
  }
  properties: {
    displayName: 'Safeguarding Assurance'
    endpoint: 'https://${web.properties.defaultHostName}/api/messages'
    msaAppId: botAppId
    msaAppType: msaAppType
    msaAppTenantId: msaAppType == 'MultiTenant' ? null : microsoftAppTenantId
    msaAppMSIResourceId: isMsi ? identity.id : null
    publicNetworkAccess: 'Enabled'
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
    }
  }
}

output botAppId string = botAppId
output webAppName string = web.name
output webAppHostName string = web.properties.defaultHostName
output botServiceName string = bot.name
output storageAccountName string = storage.name
output tablesEndpoint string = tablesEndpoint
