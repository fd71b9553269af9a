// Alerts on what breaks the chat for users, each to one action group that sends an email.
param location string
param tags object
param actionGroupName string
@description('Address that receives the alert emails.')
param alertEmail string
param workspaceId string
param cosmosId string
param signalRId string
@description('Change feed lag (ms, the app\'s messaging.changefeed.lag) above which events are late enough to alert.')
param changeFeedLagThresholdMs int

// https://learn.microsoft.com/azure/azure-monitor/alerts/action-groups
resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: actionGroupName
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'messaging'
    enabled: true
    emailReceivers: [
      {
        name: 'operator'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

var actions = [
  {
    actionGroupId: actionGroup.id
  }
]

// Cosmos DB throttling: TotalRequests split by StatusCode 429.
// https://learn.microsoft.com/azure/cosmos-db/create-alerts
resource cosmosThrottled 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'cosmos-429'
  location: 'global'
  tags: tags
  properties: {
    description: 'Cosmos DB answered 429 (request rate too large) more than 10 times in 5 minutes.'
    severity: 2
    enabled: true
    scopes: [
      cosmosId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'throttled'
          metricName: 'TotalRequests'
          metricNamespace: 'Microsoft.DocumentDB/databaseAccounts'
          dimensions: [
            {
              name: 'StatusCode'
              operator: 'Include'
              values: [
                '429'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 10
          timeAggregation: 'Count'
        }
      ]
    }
    actions: actions
  }
}

// SignalR Service: share of failed connections and messages caused by the service (System Errors).
// https://learn.microsoft.com/azure/azure-signalr/concept-metrics
resource signalRErrors 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'signalr-system-errors'
  location: 'global'
  tags: tags
  properties: {
    description: 'More than 1% of SignalR Service operations failed with a system error over 15 minutes.'
    severity: 2
    enabled: true
    scopes: [
      signalRId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'systemErrors'
          metricName: 'SystemErrors'
          metricNamespace: 'Microsoft.SignalRService/SignalR'
          operator: 'GreaterThan'
          threshold: 1
          timeAggregation: 'Maximum'
        }
      ]
    }
    actions: actions
  }
}

// Log alerts on the workspace: the app's requests (AppRequests) and its own metrics (AppMetrics).
// https://learn.microsoft.com/azure/azure-monitor/alerts/alerts-create-log-alert-rule
var logAlerts = [
  {
    name: 'api-5xx-rate'
    description: 'More than 5% of API requests answered 5xx in 5 minutes (with at least 20 requests).'
    query: 'AppRequests | summarize total = count(), failed = countif(toint(ResultCode) >= 500) | where total >= 20 and failed * 100.0 / total > 5'
  }
  {
    name: 'changefeed-lag'
    description: 'Events reached clients more than ${changeFeedLagThresholdMs} ms after their commit (messaging.changefeed.lag).'
    query: 'AppMetrics | where Name == "messaging.changefeed.lag" | summarize worst = max(Max) | where worst > ${changeFeedLagThresholdMs}'
  }
]

resource logAlertRules 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = [
  for alert in logAlerts: {
    name: alert.name
    location: location
    tags: tags
    properties: {
      description: alert.description
      severity: 2
      enabled: true
      scopes: [
        workspaceId
      ]
      evaluationFrequency: 'PT5M'
      windowSize: 'PT5M'
      criteria: {
        allOf: [
          {
            query: alert.query
            timeAggregation: 'Count'
            operator: 'GreaterThan'
            threshold: 0
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      actions: {
        actionGroups: [
          actionGroup.id
        ]
      }
    }
  }
]
