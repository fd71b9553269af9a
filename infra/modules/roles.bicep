// Least-privilege data-plane roles for the app's user-assigned identity, each scoped to its resource.
param principalId string
param storageName string
param cosmosName string
param signalRName string
param appInsightsName string

// Built-in Azure role definition ids (identical in every tenant).
var roleIds = {
  // Runtime host (AzureWebJobsStorage: leases, host keys), deployment package, attachment blobs.
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  // generateUserDelegationKey at account scope, for attachment download SAS URLs.
  storageBlobDelegator: 'db58b8e5-c6ad-4a2a-8342-4190687cbf4a'
  // Runtime host queues (blob trigger receipts, internal work items).
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  // Runtime host diagnostic events table.
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  // Server connections and client access tokens (negotiate).
  signalRAppServer: '420fcaa2-552c-430f-98ca-3264be4806c7'
  // Data-plane REST API: send to users/groups, manage group membership.
  signalRRestApiOwner: 'fd53cd77-2268-407a-8f46-7e7863d0f521'
  // Send telemetry to Application Insights with Entra ID.
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

// Cosmos DB built-in data-plane role "Cosmos DB Built-in Data Contributor".
var cosmosDataContributorRoleId = '00000000-0000-0000-0000-000000000002'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageName
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

var storageRoles = [
  roleIds.storageBlobDataOwner
  roleIds.storageBlobDelegator
  roleIds.storageQueueDataContributor
  roleIds.storageTableDataContributor
]

resource storageRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in storageRoles: {
    name: guid(storage.id, principalId, roleId)
    scope: storage
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    }
  }
]

var signalRRoles = [
  roleIds.signalRAppServer
  roleIds.signalRRestApiOwner
]

resource signalRRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in signalRRoles: {
    name: guid(signalR.id, principalId, roleId)
    scope: signalR
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    }
  }
]

resource monitoringPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, principalId, roleIds.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.monitoringMetricsPublisher)
  }
}

resource cosmosDataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleDefinitions@2024-11-15' existing = {
  parent: cosmos
  name: cosmosDataContributorRoleId
}

resource cosmosRoleAssignment 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = {
  parent: cosmos
  name: guid(cosmos.id, principalId, cosmosDataContributorRoleId)
  properties: {
    principalId: principalId
    roleDefinitionId: cosmosDataContributor.id
    scope: cosmos.id
  }
}
