// The app settings of the function app. The resource replaces the whole set, so the settings already
// on the site are passed in and kept under the template's: a setting added in the portal survives
// `azd provision`; one the template writes is the template's. A setting removed from the template
// stays until it is deleted on the site.
// https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-resource#list
param functionAppName string
@description('Setting name -> value. Identity-based connections only: no keys or passwords.')
param appSettings object
@secure()
@description('The settings on the site before this deployment (secure: they may hold values added by hand, kept out of the deployment history).')
param existingAppSettings object

resource site 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: union(existingAppSettings, appSettings)
}
