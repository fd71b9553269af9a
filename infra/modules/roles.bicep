// Data-plane rights, each granted to the one identity that uses it at the narrowest scope that works.
// Nothing is granted to SignalR Service's own identity: it only obtains upstream tokens.
@description('Principal id of the app\'s identity.')
param appPrincipalId string
@description('Principal id of the deployment-package identity.')
param deploymentPrincipalId string
param storageName string
param packageStorageName string
param packageContainerName string
param cosmosName string
param databaseName string
param signalRName string
param appInsightsName string

// Built-in Azure role definition ids (identical in every tenant):
// https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
var roleIds = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  signalRRestApiOwner: 'fd53cd77-2268-407a-8f46-7e7863d0f521'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

// Cosmos DB built-in data-plane role "Cosmos DB Built-in Data Contributor".
var cosmosDataContributorRoleId = '00000000-0000-0000-0000-000000000002'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageName
}

resource packageStorage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: packageStorageName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource packageContainer 'containers' existing = {
      name: packageContainerName
    }
  }
}

resource cosmos 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' existing = {
  name: cosmosName
}

resource signalR 'Microsoft.SignalRService/signalR@2024-03-01' existing = {
  name: signalRName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

// App, runtime + attachments account: Storage Blob Data Owner is what identity-based AzureWebJobsStorage
// needs (host locks, keys, creating its containers), and it includes generateUserDelegationKey for the
// attachment download SAS, so no Storage Blob Delegator. No queue or table role: the app has HTTP
// triggers only, and no extension of it uses queues or tables.
// https://learn.microsoft.com/azure/azure-functions/functions-reference#connecting-to-host-storage-with-an-identity
// https://learn.microsoft.com/rest/api/storageservices/get-user-delegation-key#authorization
resource appBlobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appPrincipalId, roleIds.storageBlobDataOwner)
  scope: storage
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageBlobDataOwner)
  }
}

// Deployment identity, package container only: Flex Consumption's one deploy writes the package there
// with the identity named in functionAppConfig.deployment.storage and reads it at every cold start.
// The app's identity has no right on that account, so the app cannot overwrite its own code with it.
// https://learn.microsoft.com/azure/azure-functions/flex-consumption-how-to#configure-deployment-settings
resource deploymentBlobContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(packageStorage::blobService::packageContainer.id, deploymentPrincipalId, roleIds.storageBlobDataContributor)
  scope: packageStorage::blobService::packageContainer
  properties: {
    principalId: deploymentPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageBlobDataContributor)
  }
}

// App: SignalR REST API Owner has auth/clientToken/action (the :generateToken call of negotiate) and
// hub/group/user/clientConnection (sends and group membership): every call the app makes. SignalR App
// Server (server connections, access keys) serves the SignalR SDK's server mode, which serverless does not use.
// https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/web-and-mobile#signalr-rest-api-owner
resource appSignalRRestApiOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(signalR.id, appPrincipalId, roleIds.signalRRestApiOwner)
  scope: signalR
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.signalRRestApiOwner)
  }
}

// App: sends telemetry with Entra ID (local auth is off on Application Insights).
// https://learn.microsoft.com/azure/azure-monitor/app/azure-ad-authentication
resource appMonitoringPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, appPrincipalId, roleIds.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.monitoringMetricsPublisher)
  }
}

resource cosmosDataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleDefinitions@2024-11-15' existing = {
  parent: cosmos
  name: cosmosDataContributorRoleId
}

// App: read/write items and read the change feed of the one database, not the whole account.
// https://learn.microsoft.com/azure/cosmos-db/nosql/security/how-to-grant-data-plane-role-based-access
resource cosmosRoleAssignment 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = {
  parent: cosmos
  name: guid(cosmos.id, appPrincipalId, cosmosDataContributorRoleId, databaseName)
  properties: {
    principalId: appPrincipalId
    roleDefinitionId: cosmosDataContributor.id
    scope: '${cosmos.id}/dbs/${databaseName}'
  }
}
