// Function App on the Flex Consumption plan (Linux, .NET 10 isolated). The deployment package lives in
// a blob container of its own storage account, written and read with a deployment-only identity.
// App settings are set by appsettings.bicep.
param planName string
param name string
param location string
param tags object
@description('Tags of the site only: azd finds the app to deploy to by its azd-service-name tag, which must be on one resource.')
param siteTags object
@description('Resource id of the user-assigned identity the app runs as.')
param identityId string
@description('Resource id of the identity the platform uses for the deployment package (the app\'s own identity has no right on it).')
param deploymentIdentityId string
@description('URL of the blob container that holds the deployment package.')
param deploymentContainerUrl string
param instanceMemoryMB int
param maximumInstanceCount int
param alwaysReady array

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, siteTags)
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
      '${deploymentIdentityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: deploymentIdentityId
          }
        }
      }
      scaleAndConcurrency: {
        alwaysReady: alwaysReady
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

// Basic-auth publishing credentials off: azd deploys with Entra ID.
resource scm 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftp 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

output name string = site.name
output id string = site.id
output defaultHostName string = site.properties.defaultHostName
