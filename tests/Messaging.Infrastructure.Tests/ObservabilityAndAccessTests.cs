using System.Text.Json;

namespace Messaging.Infrastructure.Tests;

/// <summary>Diagnostics, alerts, the ingestion cap, browser access and sign-in settings of the compiled template.</summary>
public sealed class ObservabilityAndAccessTests(CompiledTemplateFixture fixture) : IClassFixture<CompiledTemplateFixture>
{
    private CompiledTemplate Template => fixture.Template;

    [Fact]
    public void Cosmos_sends_control_plane_and_partition_logs_but_not_every_request()
    {
        var setting = Assert.Single(Template.OfType("Microsoft.Insights/diagnosticSettings"),
            d => d.Element.GetProperty("scope").GetString() == "[resourceId('Microsoft.DocumentDB/databaseAccounts', parameters('cosmosName'))]");

        Assert.Equal("[parameters('workspaceId')]", setting.Properties.GetProperty("workspaceId").GetString());
        Assert.Equal(["ControlPlaneRequests", "PartitionKeyStatistics"],
            setting.Properties.GetProperty("logs").EnumerateArray().Select(l => l.GetProperty("category").GetString()));
        Assert.Equal("Dedicated", setting.Properties.GetProperty("logAnalyticsDestinationType").GetString());
    }

    [Theory]
    [InlineData("[resourceId('Microsoft.SignalRService/signalR', parameters('signalRName'))]")]
    [InlineData("[resourceId('Microsoft.Storage/storageAccounts/blobServices', parameters('storageName'), 'default')]")]
    [InlineData("[resourceId('Microsoft.Web/sites', parameters('functionAppName'))]")]
    public void Each_data_path_resource_sends_all_logs_to_the_workspace(string scope)
    {
        var setting = Assert.Single(Template.OfType("Microsoft.Insights/diagnosticSettings"), d => d.Element.GetProperty("scope").GetString() == scope);

        Assert.Equal("[parameters('workspaceId')]", setting.Properties.GetProperty("workspaceId").GetString());
        Assert.Contains(setting.Resolve(setting.Properties.GetProperty("logs")).EnumerateArray(),
            l => l.GetProperty("categoryGroup").GetString() == "allLogs" && l.GetProperty("enabled").GetBoolean());
        Assert.True(Modules.RefersToOutput(Template.Module("diagnostics").Argument("workspaceId"), "monitoring", "workspaceId"));
    }

    [Fact]
    public void Alerts_mail_the_address_azd_asks_for()
    {
        var group = Template.Single("Microsoft.Insights/actionGroups");
        var receiver = Assert.Single(group.Properties.GetProperty("emailReceivers").EnumerateArray());
        Assert.Equal("[parameters('alertEmail')]", receiver.GetProperty("emailAddress").GetString());
        Assert.Equal("[parameters('alertEmail')]", Template.Module("alerts").Argument("alertEmail"));
        Assert.False(Template.Root.GetProperty("parameters").GetProperty("alertEmail").TryGetProperty("defaultValue", out _));
        Assert.Equal("${ALERT_EMAIL}", ParametersFile().GetProperty("alertEmail").GetProperty("value").GetString());
    }

    [Fact]
    public void Cosmos_throttling_and_signalr_system_errors_raise_metric_alerts()
    {
        var resources = Template.OfType("Microsoft.Insights/metricAlerts");
        var alerts = resources.ToDictionary(a => a.Element.GetProperty("name").GetString()!, a => a.Properties);

        var throttled = Assert.Single(alerts["cosmos-429"].GetProperty("criteria").GetProperty("allOf").EnumerateArray());
        Assert.Equal("TotalRequests", throttled.GetProperty("metricName").GetString());
        Assert.Equal(["429"], Assert.Single(throttled.GetProperty("dimensions").EnumerateArray()).GetProperty("values").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal("[parameters('cosmosId')]", Assert.Single(alerts["cosmos-429"].GetProperty("scopes").EnumerateArray()).GetString());

        var systemErrors = Assert.Single(alerts["signalr-system-errors"].GetProperty("criteria").GetProperty("allOf").EnumerateArray());
        Assert.Equal("SystemErrors", systemErrors.GetProperty("metricName").GetString());
        Assert.Equal("Microsoft.SignalRService/SignalR", systemErrors.GetProperty("metricNamespace").GetString());

        Assert.All(resources, a => Assert.Contains("Microsoft.Insights/actionGroups",
            a.Resolve(a.Properties.GetProperty("actions"))[0].GetProperty("actionGroupId").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public void The_5xx_rate_and_the_apps_change_feed_lag_metric_raise_log_alerts()
    {
        var rules = Template.Single("Microsoft.Insights/scheduledQueryRules");
        var queries = rules.Scope.LoopItems(rules.Element).ToDictionary(
            r => r.GetProperty("name").GetString()!, r => r.GetProperty("query").GetString()!);

        Assert.Contains("countif(toint(ResultCode) >= 500)", queries["api-5xx-rate"], StringComparison.Ordinal);
        // The histogram the app records in src/Messaging.Functions/Diagnostics/MessagingMetrics.cs.
        Assert.Contains("Name == \"messaging.changefeed.lag\"", queries["changefeed-lag"], StringComparison.Ordinal);
        Assert.Equal("[parameters('workspaceId')]", Assert.Single(rules.Properties.GetProperty("scopes").EnumerateArray()).GetString());
    }

    [Fact]
    public void The_workspace_has_a_daily_ingestion_cap()
    {
        var workspace = Template.Single("Microsoft.OperationalInsights/workspaces");

        Assert.Equal("[parameters('dailyQuotaGb')]", workspace.Properties.GetProperty("workspaceCapping").GetProperty("dailyQuotaGb").GetString());
        Assert.Equal(1, Template.Root.GetProperty("parameters").GetProperty("logDailyQuotaGb").GetProperty("defaultValue").GetInt32());
    }

    [Fact]
    public void Cors_origins_are_asked_for_and_reach_the_app_signalr_and_blobs()
    {
        Assert.False(Template.Root.GetProperty("parameters").GetProperty("corsAllowedOrigins").TryGetProperty("defaultValue", out _));
        Assert.Equal("${CORS_ALLOWED_ORIGINS}", ParametersFile().GetProperty("corsAllowedOrigins").GetProperty("value").GetString());

        Assert.Equal("[join(variables('origins'), ',')]", Template.AppSettings()["Cors__AllowedOrigins"].GetString());
        Assert.Equal("[variables('origins')]", Template.Module("signalr").Argument("corsAllowedOrigins"));
        Assert.Equal("[variables('origins')]", Template.Module("storage").Argument("corsAllowedOrigins"));
        Assert.Equal("[]", Template.Module("package-storage").Argument("corsAllowedOrigins"));

        // With no origin, SignalR gets no cors block at all (not an empty allow list).
        var signalR = Template.Single("Microsoft.SignalRService/signalR");
        Assert.StartsWith("[union(if(empty(parameters('corsAllowedOrigins')), createObject(), createObject('cors', createObject('allowedOrigins', parameters('corsAllowedOrigins')))),",
            signalR.Properties.GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_in_defaults_to_entra_v2_tokens_for_the_registered_api()
    {
        var settings = Template.AppSettings();

        Assert.Equal("${AUTH_CLIENT_ID}", ParametersFile().GetProperty("authClientId").GetProperty("value").GetString());
        Assert.Equal("[format('{0}{1}/v2.0', environment().authentication.loginEndpoint, variables('tenantId'))]",
            Template.Root.GetProperty("variables").GetProperty("entraV2Issuer").GetString());
        Assert.Equal("[if(empty(parameters('authIssuers')), variables('entraV2Issuer'), parameters('authIssuers'))]", settings["Auth__Issuers"].GetString());
        Assert.Equal("[if(empty(parameters('authAuthority')), variables('entraV2Issuer'), parameters('authAuthority'))]", settings["Auth__Authority"].GetString());
        Assert.Equal("[if(empty(parameters('authAudiences')), parameters('authClientId'), parameters('authAudiences'))]", settings["Auth__Audiences"].GetString());
        Assert.Equal("chat", settings["Auth__RequiredScope"].GetString());
        Assert.Equal("oid", Template.Root.GetProperty("parameters").GetProperty("authUserIdClaim").GetProperty("defaultValue").GetString());

        // SignalR asks for a token for the API's client id: its aud is the client id in v1.0 and v2.0 alike.
        Assert.Equal("[if(empty(parameters('signalRUpstreamAuthResource')), parameters('authClientId'), parameters('signalRUpstreamAuthResource'))]",
            Template.Root.GetProperty("variables").GetProperty("upstreamResource").GetString());
        Assert.Equal(Template.Root.GetProperty("variables").GetProperty("upstreamResource").GetString(), settings["AzureSignalR__UpstreamAuthResource"].GetString());
        Assert.Equal("[variables('upstreamResource')]", Template.Module("signalr").Argument("upstreamAuthResource"));
    }

    [Fact]
    public void Settings_on_the_site_are_kept_under_the_templates_own()
    {
        var config = Template.AppSettingsResource();

        // union: later arguments win, so the template's values override, and the site's other settings stay.
        Assert.Equal("[union(parameters('existingAppSettings'), parameters('appSettings'))]", config.Properties.GetString());
        // Secure: values added by hand stay out of the deployment history.
        Assert.Equal("secureObject", config.Scope.Template.GetProperty("parameters").GetProperty("existingAppSettings").GetProperty("type").GetString());
        Assert.Contains("'Microsoft.Web/sites/config', variables('names').functionApp, 'appsettings'), '2024-04-01').properties]",
            Template.Module("appsettings").Argument("existingAppSettings"), StringComparison.Ordinal);
    }

    private static JsonElement ParametersFile()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(BicepCli.RepositoryRoot, "infra", "main.parameters.json")));
        return document.RootElement.GetProperty("parameters").Clone();
    }
}
