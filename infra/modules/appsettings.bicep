// The app settings of the function app (replaces the whole set on every deployment).
param functionAppName string
@description('Setting name -> value. Identity-based connections only: no keys or passwords.')
param appSettings object

resource site 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: appSettings
}
