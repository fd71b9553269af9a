// Azure SignalR Service in Serverless mode: clients connect to it directly after negotiating with the
// app; the service forwards connect/disconnect events and client invocations to the app's upstream
// function. Access keys are disabled: the app authenticates with its managed identity.
param name string
param location string
param tags object
param sku string
param hubName string
@description('Upstream URL; {hub}, {category} and {event} are filled in by the service.')
param upstreamUrlTemplate string
@description('Resource (audience) of the managed-identity token the service attaches to upstream calls; empty = none.')
param upstreamAuthResource string
@description('SignalR Service\'s own identity, used only to get upstream tokens: it has no role anywhere, and the app accepts upstream tokens of this identity only.')
param identityId string
@description('Browser origins allowed to negotiate with the service; empty = the cors block is left out.')
param corsAllowedOrigins array

resource signalR 'Microsoft.SignalRService/signalR@2024-03-01' = {
  name: name
  location: location
  tags: tags
  kind: 'SignalR'
  sku: {
    name: sku
    capacity: 1
  }
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: union(empty(corsAllowedOrigins) ? {} : {
    cors: {
      allowedOrigins: corsAllowedOrigins
    }
  }, {
    features: [
      {
        flag: 'ServiceMode'
        value: 'Serverless'
      }
      {
        flag: 'EnableConnectivityLogs'
        value: 'True'
      }
    ]
    upstream: {
      templates: [
        {
          hubPattern: hubName
          categoryPattern: '*'
          eventPattern: '*'
          urlTemplate: upstreamUrlTemplate
          auth: empty(upstreamAuthResource)
            ? {
                type: 'None'
              }
            : {
                type: 'ManagedIdentity'
                managedIdentity: {
                  resource: upstreamAuthResource
                }
              }
        }
      ]
    }
    disableLocalAuth: true
    disableAadAuth: false
    publicNetworkAccess: 'Enabled'
    tls: {
      clientCertEnabled: false
    }
  })
}

output name string = signalR.name
output id string = signalR.id
output hostName string = signalR.properties.hostName
