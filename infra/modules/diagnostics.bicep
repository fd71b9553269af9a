// Resource logs and platform metrics of every data-path resource to the Log Analytics workspace.
// Category group allLogs follows each service's own list of log categories:
// https://learn.microsoft.com/azure/azure-monitor/essentials/diagnostic-settings#category-groups
param workspaceId string
param cosmosName string
param signalRName string
param storageName string
param functionAppName string

resource cosmos 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' existing = {
  name: cosmosName
}

resource signalR 'Microsoft.SignalRService/signalR@2024-03-01' existing = {
  name: signalRName
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageName

  resource blobService 'blobServices' existing = {
    name: 'default'
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

var allLogs = [
  {
    categoryGroup: 'allLogs'
    enabled: true
  }
]
var allMetrics = [
  {
    category: 'AllMetrics'
    enabled: true
  }
]

// Cosmos DB into resource-specific tables, which Microsoft recommends over AzureDiagnostics:
// https://learn.microsoft.com/azure/cosmos-db/monitor-resource-logs
// Not DataPlaneRequests: it logs every request, and the change feed polls alone are about 21 M a
// month idle (docs/cosmos-data-model.md), some 20 GB of logs. Throttling is watched on the metrics.
resource cosmosDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: cosmos
  properties: {
    workspaceId: workspaceId
    logAnalyticsDestinationType: 'Dedicated'
    logs: [
      {
        category: 'ControlPlaneRequests'
        enabled: true
      }
      {
        category: 'PartitionKeyStatistics'
        enabled: true
      }
    ]
    metrics: allMetrics
  }
}

// Connectivity and messaging logs (the resource turns on EnableConnectivityLogs):
// https://learn.microsoft.com/azure/azure-signalr/signalr-howto-diagnostic-logs
resource signalRDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: signalR
  properties: {
    workspaceId: workspaceId
    logs: allLogs
    metrics: allMetrics
  }
}

// Blob service: reads, writes and deletes of attachments and runtime blobs (StorageBlobLogs).
// https://learn.microsoft.com/azure/storage/blobs/monitor-blob-storage
resource blobDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: storage::blobService
  properties: {
    workspaceId: workspaceId
    logs: allLogs
    metrics: [
      {
        category: 'Transaction'
        enabled: true
      }
    ]
  }
}

// Function app: FunctionAppLogs (host and worker) and the platform metrics.
// https://learn.microsoft.com/azure/azure-functions/functions-monitor-log-analytics
resource siteDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: site
  properties: {
    workspaceId: workspaceId
    logs: allLogs
    metrics: allMetrics
  }
}
