// Log Analytics workspace + workspace-based Application Insights. Local (instrumentation key) auth is
// disabled: telemetry is accepted only with an Entra token (APPLICATIONINSIGHTS_AUTHENTICATION_STRING).
param logAnalyticsName string
param appInsightsName string
param location string
param tags object

@description('Days the workspace keeps data (30 = no extra retention charge).')
param retentionInDays int = 30

@description('Daily ingestion cap in GB (-1 = none). The Functions host does not sample its own spans in OpenTelemetry mode, so this is the bound on what a traffic burst costs.')
param dailyQuotaGb int

// The cap stops ingestion for the rest of the day once reached:
// https://learn.microsoft.com/azure/azure-monitor/logs/daily-cap
resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    workspaceCapping: {
      dailyQuotaGb: dailyQuotaGb
    }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    IngestionMode: 'LogAnalytics'
    DisableLocalAuth: true
  }
}

output appInsightsName string = appInsights.name
output logAnalyticsName string = workspace.name
output workspaceId string = workspace.id
output appInsightsId string = appInsights.id
// The connection string only locates the ingestion endpoint; with local auth disabled it grants nothing.
output appInsightsConnectionString string = appInsights.properties.ConnectionString
