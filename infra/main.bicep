// Messaging service on Azure: Functions (Flex Consumption, .NET 10 isolated) + Cosmos DB (serverless)
// + Blob storage + Azure SignalR Service (serverless) + Application Insights, wired with user-assigned
// identities: the app's, SignalR Service's (upstream tokens only) and the deployment package's. `azd up` deploys this file (see azure.yaml and docs/deploy.md).
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; used for the resource group name and to derive unique resource names.')
param environmentName string

@minLength(1)
@description('Azure region for every resource (must offer Flex Consumption and Cosmos DB serverless).')
param location string

@description('Resource group name; defaults to rg-<environmentName>.')
param resourceGroupName string = ''

@minLength(1)
@description('Application (client) id of the API\'s Entra ID app registration (docs/deploy.md, step 2). With its access tokens in the v2.0 format (docs/decisions/0005-entra-token-version.md) it is their `aud`.')
param authClientId string

@description('Tenant of that app registration; empty = the tenant of the deployment.')
param authTenantId string = ''

@description('Auth__Authority override (an OpenID Connect issuer other than Entra ID); empty = https://login.microsoftonline.com/<tenant>/v2.0.')
param authAuthority string = ''

@description('Auth__Issuers override, comma-separated; empty = the tenant\'s v2.0 issuer https://login.microsoftonline.com/<tenant>/v2.0 only.')
param authIssuers string = ''

@description('Auth__Audiences override, comma-separated; empty = authClientId only.')
param authAudiences string = ''

@description('Auth__RequiredScope: the delegated scope every token must carry (`scp`); the app registration exposes it. Empty = none (then any app of the tenant that gets a token for the API is let in).')
param authRequiredScope string = 'chat'

@allowed([
  'oid'
  'sub'
])
@description('Auth__UserIdClaim: oid (the user\'s object id, the same for every client app, which a person can look up to add a colleague) or sub (pairwise per app).')
param authUserIdClaim string = 'oid'

@minLength(1)
@description('Comma-separated browser origins allowed to call the API and to connect to SignalR (Cors__AllowedOrigins, SignalR CORS, blob CORS), e.g. https://chat.example.com,http://localhost:5173. On Azure the API is cross-origin to every page, so a browser client needs its origin here.')
param corsAllowedOrigins string

@minLength(3)
@description('Email address of the alert action group (5xx rate, Cosmos DB 429s, change feed lag, SignalR errors).')
param alertEmail string

@minValue(-1)
@description('Log Analytics daily ingestion cap in GB; -1 = none.')
param logDailyQuotaGb int = 1

@description('Telemetry__TraceSampleRatio: share of traces the app exports, 0 to 1 (metrics are never sampled).')
param traceSampleRatio string = '1'

@minValue(1000)
@description('Alert when the change feed lag (messaging.changefeed.lag) exceeds this many milliseconds.')
param changeFeedLagThresholdMs int = 10000

@allowed([
  512
  2048
  4096
])
@description('Memory of each Flex Consumption instance, in MB.')
param instanceMemoryMB int = 2048

@minValue(1)
@maxValue(1000)
@description('Upper bound of Flex Consumption scale-out.')
param maximumInstanceCount int = 40

@description('Always-ready instances. The default keeps one HTTP-group instance warm, which also keeps the in-process change feed processor running; if the change feed is handled by a Cosmos DB trigger function, use { name: \'function:<FunctionName>\', instanceCount: 1 }.')
param alwaysReady array = [
  {
    name: 'http'
    instanceCount: 1
  }
]

@allowed([
  'Free_F1'
  'Standard_S1'
  'Premium_P1'
])
@description('Azure SignalR Service SKU (Free_F1: 20 concurrent connections, 20k messages/day, no SLA).')
param signalRSku string = 'Standard_S1'

@description('Resource SignalR asks its upstream token for; empty = authClientId. A client id makes `aud` the client id in both token formats; an Application ID URI would be the `aud` of v1.0 tokens only.')
param signalRUpstreamAuthResource string = ''

@minValue(1)
@description('Messaging__MaxMessageLength: maximum message text length.')
param maxMessageLength int = 5000

@minValue(1)
@description('Messaging__MaxAttachmentBytes: maximum attachment size in bytes.')
param maxAttachmentBytes int = 26214400

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var names = {
  identity: 'id-${resourceToken}'
  signalRIdentity: 'id-sigr-${resourceToken}'
  deploymentIdentity: 'id-deploy-${resourceToken}'
  packageStorage: 'stpkg${resourceToken}'
  actionGroup: 'ag-${resourceToken}'
  logAnalytics: 'log-${resourceToken}'
  appInsights: 'appi-${resourceToken}'
  storage: 'st${resourceToken}'
  cosmos: 'cosmos-${resourceToken}'
  signalR: 'sigr-${resourceToken}'
  plan: 'plan-${resourceToken}'
  functionApp: 'func-${resourceToken}'
}
var databaseName = 'messaging'
var attachmentsContainerName = 'attachments'
var deploymentContainerName = 'app-package'
var signalRHubName = 'messaging'
var origins = map(filter(split(corsAllowedOrigins, ','), o => !empty(trim(o))), o => trim(o))
// Entra ID v2.0 access tokens: issuer https://login.microsoftonline.com/<tenant>/v2.0, aud = the API's client id.
// https://learn.microsoft.com/entra/identity-platform/access-tokens#token-formats
var tenantId = empty(authTenantId) ? tenant().tenantId : authTenantId
var entraV2Issuer = '${environment().authentication.loginEndpoint}${tenantId}/v2.0'
var upstreamResource = empty(signalRUpstreamAuthResource) ? authClientId : signalRUpstreamAuthResource

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: empty(resourceGroupName) ? 'rg-${environmentName}' : resourceGroupName
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

// SignalR Service's own identity: it only fetches upstream tokens, has no role assignment, and is the
// only caller the app's upstream check accepts (the app cannot mint a token that passes as SignalR).
module signalRIdentity 'modules/identity.bicep' = {
  name: 'signalr-identity'
  scope: rg
  params: {
    name: names.signalRIdentity
    location: location
    tags: tags
  }
}

// Writes and reads the deployment package; the app's identity has no right on the package account.
module deploymentIdentity 'modules/identity.bicep' = {
  name: 'deployment-identity'
  scope: rg
  params: {
    name: names.deploymentIdentity
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: names.logAnalytics
    appInsightsName: names.appInsights
    location: location
    tags: tags
    dailyQuotaGb: logDailyQuotaGb
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: names.storage
    location: location
    tags: tags
    containerNames: [
      attachmentsContainerName
    ]
    corsAllowedOrigins: origins
  }
}

module packageStorage 'modules/storage.bicep' = {
  name: 'package-storage'
  scope: rg
  params: {
    name: names.packageStorage
    location: location
    tags: tags
    containerNames: [
      deploymentContainerName
    ]
    corsAllowedOrigins: []
  }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  scope: rg
  params: {
    name: names.cosmos
    location: location
    tags: tags
    databaseName: databaseName
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: rg
  params: {
    planName: names.plan
    name: names.functionApp
    location: location
    tags: tags
    siteTags: {
      'azd-service-name': 'api'
    }
    identityId: identity.outputs.id
    deploymentIdentityId: deploymentIdentity.outputs.id
    deploymentContainerUrl: '${packageStorage.outputs.blobEndpoint}${deploymentContainerName}'
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    alwaysReady: alwaysReady
  }
}

module signalR 'modules/signalr.bicep' = {
  name: 'signalr'
  scope: rg
  params: {
    name: names.signalR
    location: location
    tags: tags
    sku: signalRSku
    hubName: signalRHubName
    upstreamUrlTemplate: 'https://${functionApp.outputs.defaultHostName}/api/messaging/upstream/{hub}/{category}/{event}'
    upstreamAuthResource: upstreamResource
    identityId: signalRIdentity.outputs.id
    corsAllowedOrigins: origins
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  scope: rg
  params: {
    appPrincipalId: identity.outputs.principalId
    deploymentPrincipalId: deploymentIdentity.outputs.principalId
    storageName: storage.outputs.name
    packageStorageName: packageStorage.outputs.name
    packageContainerName: deploymentContainerName
    cosmosName: cosmos.outputs.name
    databaseName: databaseName
    signalRName: signalR.outputs.name
    appInsightsName: monitoring.outputs.appInsightsName
  }
}

module diagnostics 'modules/diagnostics.bicep' = {
  name: 'diagnostics'
  scope: rg
  params: {
    workspaceId: monitoring.outputs.workspaceId
    cosmosName: cosmos.outputs.name
    signalRName: signalR.outputs.name
    storageName: storage.outputs.name
    functionAppName: functionApp.outputs.name
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    location: location
    tags: tags
    actionGroupName: names.actionGroup
    alertEmail: alertEmail
    workspaceId: monitoring.outputs.workspaceId
    cosmosId: cosmos.outputs.id
    signalRId: signalR.outputs.id
    changeFeedLagThresholdMs: changeFeedLagThresholdMs
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' existing = {
  name: names.functionApp
  scope: rg
}

resource siteAppSettings 'Microsoft.Web/sites/config@2024-04-01' existing = {
  parent: site
  name: 'appsettings'
}

// App settings are a separate resource so the SignalR upstream (which needs the app's host name)
// and the app (which needs the SignalR endpoint) do not depend on each other. Role assignments go
// first so the app starts with its permissions in place. No keys, no passwords: every connection
// uses the user-assigned identity. Settings added on the site by hand are kept (appsettings.bicep).
module appSettings 'modules/appsettings.bicep' = {
  name: 'appsettings'
  scope: rg
  dependsOn: [
    roles
  ]
  params: {
    functionAppName: functionApp.outputs.name
    existingAppSettings: siteAppSettings.list().properties
    appSettings: {
      AZURE_CLIENT_ID: identity.outputs.clientId
      AzureWebJobsStorage__accountName: storage.outputs.name
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identity.outputs.clientId
      APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.appInsightsConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${identity.outputs.clientId}'
      Auth__Authority: empty(authAuthority) ? entraV2Issuer : authAuthority
      Auth__Issuers: empty(authIssuers) ? entraV2Issuer : authIssuers
      Auth__Audiences: empty(authAudiences) ? authClientId : authAudiences
      Auth__RequiredScope: authRequiredScope
      Auth__UserIdClaim: authUserIdClaim
      CosmosDb__Endpoint: cosmos.outputs.endpoint
      CosmosDb__Database: databaseName
      CosmosDb__LeaseContainer: cosmos.outputs.leaseContainerName
      // Identity-based connection named "CosmosDb" for a Cosmos DB trigger binding, if one is used.
      CosmosDb__accountEndpoint: cosmos.outputs.endpoint
      CosmosDb__credential: 'managedidentity'
      CosmosDb__clientId: identity.outputs.clientId
      Attachments__BlobServiceUri: storage.outputs.blobEndpoint
      Attachments__Container: attachmentsContainerName
      AzureSignalRConnectionString: 'Endpoint=https://${signalR.outputs.hostName};AuthType=azure.msi;ClientId=${identity.outputs.clientId};Version=1.0;'
      // Upstream calls carry a token of SignalR's own identity for this resource; the app accepts that identity only.
      AzureSignalR__UpstreamAuthResource: upstreamResource
      AzureSignalR__UpstreamTenantId: tenant().tenantId
      AzureSignalR__UpstreamClientId: signalRIdentity.outputs.clientId
      Cors__AllowedOrigins: join(origins, ',')
      Messaging__MaxMessageLength: string(maxMessageLength)
      Messaging__MaxAttachmentBytes: string(maxAttachmentBytes)
      Telemetry__TraceSampleRatio: traceSampleRatio
    }
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output API_BASE_URL string = 'https://${functionApp.outputs.defaultHostName}/api'
output FUNCTION_APP_NAME string = functionApp.outputs.name
output COSMOS_ACCOUNT_NAME string = cosmos.outputs.name
output COSMOS_ENDPOINT string = cosmos.outputs.endpoint
output STORAGE_ACCOUNT_NAME string = storage.outputs.name
output SIGNALR_NAME string = signalR.outputs.name
output SIGNALR_HOST_NAME string = signalR.outputs.hostName
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.appInsightsName
output LOG_ANALYTICS_WORKSPACE_NAME string = monitoring.outputs.logAnalyticsName
output MANAGED_IDENTITY_NAME string = identity.outputs.name
output MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output SIGNALR_IDENTITY_CLIENT_ID string = signalRIdentity.outputs.clientId
output PACKAGE_STORAGE_ACCOUNT_NAME string = packageStorage.outputs.name
