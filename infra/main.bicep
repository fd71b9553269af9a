// Messaging service on Azure: Functions (Flex Consumption, .NET 10 isolated) + Cosmos DB (serverless)
// + Blob storage + Azure SignalR Service (serverless) + Application Insights, all wired with one
// user-assigned managed identity. `azd up` deploys this file (see azure.yaml and docs/deploy.md).
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
@description('OpenID Connect authority that issues the API\'s bearer tokens (Auth__Authority), e.g. https://login.microsoftonline.com/<tenant id>/v2.0.')
param authAuthority string

@minLength(1)
@description('Expected `aud` of bearer tokens (Auth__Audience), e.g. api://messaging or the app registration\'s client id.')
param authAudience string

@description('Expected `iss` of bearer tokens (Auth__Issuer); empty = same as authAuthority.')
param authIssuer string = ''

@description('Comma-separated browser origins allowed to call the API and to connect to SignalR (Cors__AllowedOrigins); empty = same origin only.')
param corsAllowedOrigins string = ''

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

@description('When set, SignalR signs upstream calls with a managed-identity token for this resource (app id URI or client id), which the app validates; empty = no upstream auth header, and the app refuses upstream calls (client invocations fail; events still flow).')
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

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: names.logAnalytics
    appInsightsName: names.appInsights
    location: location
    tags: tags
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
      deploymentContainerName
    ]
    corsAllowedOrigins: origins
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
    tags: union(tags, { 'azd-service-name': 'api' })
    identityId: identity.outputs.id
    deploymentContainerUrl: '${storage.outputs.blobEndpoint}${deploymentContainerName}'
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
    upstreamAuthResource: signalRUpstreamAuthResource
    identityId: identity.outputs.id
    corsAllowedOrigins: origins
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  scope: rg
  params: {
    principalId: identity.outputs.principalId
    storageName: storage.outputs.name
    cosmosName: cosmos.outputs.name
    signalRName: signalR.outputs.name
    appInsightsName: monitoring.outputs.appInsightsName
  }
}

// App settings are a separate resource so the SignalR upstream (which needs the app's host name)
// and the app (which needs the SignalR endpoint) do not depend on each other. Role assignments go
// first so the app starts with its permissions in place. No keys, no passwords: every connection
// uses the user-assigned identity.
module appSettings 'modules/appsettings.bicep' = {
  name: 'appsettings'
  scope: rg
  dependsOn: [
    roles
  ]
  params: {
    functionAppName: functionApp.outputs.name
    appSettings: {
      AZURE_CLIENT_ID: identity.outputs.clientId
      AzureWebJobsStorage__accountName: storage.outputs.name
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identity.outputs.clientId
      APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.appInsightsConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${identity.outputs.clientId}'
      Auth__Authority: authAuthority
      Auth__Audience: authAudience
      Auth__Issuer: empty(authIssuer) ? authAuthority : authIssuer
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
      // Upstream calls carry a managed-identity token for this resource (empty = none: the app then refuses them).
      AzureSignalR__UpstreamAuthResource: signalRUpstreamAuthResource
      AzureSignalR__UpstreamTenantId: tenant().tenantId
      Cors__AllowedOrigins: join(origins, ',')
      Messaging__MaxMessageLength: string(maxMessageLength)
      Messaging__MaxAttachmentBytes: string(maxAttachmentBytes)
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
