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
@description('Identity the service uses to get upstream tokens.')
param identityId string
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
  properties: {
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
    cors: {
      allowedOrigins: corsAllowedOrigins
    }
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
  }
}

output name string = signalR.name
output hostName string = signalR.properties.hostName
