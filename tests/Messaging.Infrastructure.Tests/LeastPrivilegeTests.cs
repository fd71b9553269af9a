using System.Text.RegularExpressions;

namespace Messaging.Infrastructure.Tests;

/// <summary>Who holds which right, and where: asserted on the compiled template.</summary>
public sealed partial class LeastPrivilegeTests(CompiledTemplateFixture fixture) : IClassFixture<CompiledTemplateFixture>
{
    private const string BlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string BlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    private const string SignalRRestApiOwner = "fd53cd77-2268-407a-8f46-7e7863d0f521";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";

    private CompiledTemplate Template => fixture.Template;

    private IReadOnlyList<(string Role, string Principal, string Scope)> Assignments() =>
        [.. Template.OfType("Microsoft.Authorization/roleAssignments").Select(a => (
            Role: Guid().Match(string.Join(' ', a.Scope.ReferencedStrings(a.Properties.GetProperty("roleDefinitionId").GetString()!))).Value,
            Principal: a.Properties.GetProperty("principalId").GetString()!,
            Scope: a.Element.GetProperty("scope").GetString()!))];

    [Fact]
    public void The_app_holds_exactly_blob_owner_on_its_account_signalr_rest_api_owner_and_metrics_publisher()
    {
        var app = Assignments().Where(a => a.Principal == "[parameters('appPrincipalId')]").ToList();

        Assert.Equal(
            new[] { BlobDataOwner, MonitoringMetricsPublisher, SignalRRestApiOwner }.Order(),
            app.Select(a => a.Role).Order());
        Assert.Equal("[resourceId('Microsoft.Storage/storageAccounts', parameters('storageName'))]", app.Single(a => a.Role == BlobDataOwner).Scope);
        Assert.Equal("[resourceId('Microsoft.SignalRService/signalR', parameters('signalRName'))]", app.Single(a => a.Role == SignalRRestApiOwner).Scope);

        // The roles module gets the app's identity and the runtime account (not the package account).
        var roles = Template.Module("roles");
        Assert.True(Modules.RefersToOutput(roles.Argument("appPrincipalId"), "identity", "principalId"));
        Assert.True(Modules.RefersToOutput(roles.Argument("storageName"), "storage", "name"));
        Assert.True(Modules.RefersToOutput(roles.Argument("packageStorageName"), "package-storage", "name"));
    }

    [Theory]
    [InlineData("db58b8e5-c6ad-4a2a-8342-4190687cbf4a")] // Storage Blob Delegator: Blob Data Owner already grants the user delegation key
    [InlineData("974c5e8b-45b9-4653-ba55-5f855dd0fb88")] // Storage Queue Data Contributor: HTTP triggers only
    [InlineData("0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3")] // Storage Table Data Contributor: HTTP triggers only
    [InlineData("420fcaa2-552c-430f-98ca-3264be4806c7")] // SignalR App Server: no server connections in serverless mode
    [InlineData("7e4f1700-ea5a-4f59-8f37-079cfe29dce3")] // SignalR Service Owner
    [InlineData("8e3af657-a8ff-443c-a75c-2fe8c4bcb635")] // Owner
    [InlineData("b24988ac-6180-42a0-ab88-20f7382dd24c")] // Contributor
    [InlineData("17d1049b-9a84-46fb-8f53-869881c3d3ab")] // Storage Account Contributor
    public void Roles_the_app_does_not_use_are_assigned_to_nobody(string roleId)
    {
        Assert.DoesNotContain(Assignments(), a => a.Role == roleId);
    }

    [Fact]
    public void Only_the_deployment_identity_may_write_the_package_and_only_in_its_container()
    {
        var deployment = Assert.Single(Assignments(), a => a.Principal == "[parameters('deploymentPrincipalId')]");

        Assert.Equal(BlobDataContributor, deployment.Role);
        Assert.Equal("[resourceId('Microsoft.Storage/storageAccounts/blobServices/containers', parameters('packageStorageName'), 'default', parameters('packageContainerName'))]", deployment.Scope);
        Assert.DoesNotContain(Assignments(), a => a.Scope.Contains("packageStorageName", StringComparison.Ordinal) && a.Principal != deployment.Principal);
        Assert.True(Modules.RefersToOutput(Template.Module("roles").Argument("deploymentPrincipalId"), "deployment-identity", "principalId"));

        // The platform reads and writes the package with that identity, in the package account.
        var functionApp = Template.Module("functionapp");
        Assert.True(Modules.RefersToOutput(functionApp.Argument("deploymentIdentityId"), "deployment-identity", "id"));
        Assert.True(Modules.RefersToOutput(functionApp.Argument("deploymentContainerUrl"), "package-storage", "blobEndpoint"));
        var site = Template.Single("Microsoft.Web/sites");
        Assert.Equal("[parameters('deploymentIdentityId')]", site.Properties.GetProperty("functionAppConfig").GetProperty("deployment")
            .GetProperty("storage").GetProperty("authentication").GetProperty("userAssignedIdentityResourceId").GetString());
    }

    [Fact]
    public void SignalR_runs_as_its_own_identity_with_no_role_and_the_app_pins_it()
    {
        var signalR = Template.Single("Microsoft.SignalRService/signalR");
        var identities = signalR.Element.GetProperty("identity").GetProperty("userAssignedIdentities").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(["[format('{0}', parameters('identityId'))]"], identities);
        Assert.True(Modules.RefersToOutput(Template.Module("signalr").Argument("identityId"), "signalr-identity", "id"));

        // No role assignment refers to SignalR's identity.
        Assert.DoesNotContain(Template.OfType("Microsoft.Resources/deployments"),
            d => d.Element.GetProperty("properties").TryGetProperty("parameters", out var p) && p.EnumerateObject()
                .Any(a => a.Name.Contains("rincipal", StringComparison.Ordinal) && a.Value.GetRawText().Contains("'signalr-identity'", StringComparison.Ordinal)));

        var settings = Template.AppSettings();
        Assert.True(Modules.RefersToOutput(settings["AzureSignalR__UpstreamClientId"].GetString()!, "signalr-identity", "clientId"));
        Assert.True(Modules.RefersToOutput(settings["AZURE_CLIENT_ID"].GetString()!, "identity", "clientId"));
        Assert.Contains("ClientId={", settings["AzureSignalRConnectionString"].GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("signalr-identity", settings["AzureSignalRConnectionString"].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Cosmos_data_contributor_is_scoped_to_the_database()
    {
        var assignment = Template.Single("Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments");

        Assert.Equal("[format('{0}/dbs/{1}', resourceId('Microsoft.DocumentDB/databaseAccounts', parameters('cosmosName')), parameters('databaseName'))]",
            assignment.Properties.GetProperty("scope").GetString());
        Assert.Contains("00000000-0000-0000-0000-000000000002", string.Join(' ', assignment.Scope.ReferencedStrings(assignment.Properties.GetProperty("roleDefinitionId").GetString()!)), StringComparison.Ordinal);
        Assert.Equal("[parameters('appPrincipalId')]", assignment.Properties.GetProperty("principalId").GetString());
        Assert.Equal("[variables('databaseName')]", Template.Module("roles").Argument("databaseName"));
    }

    [Fact]
    public void Every_assignment_names_a_service_principal()
    {
        foreach (var assignment in Template.OfType("Microsoft.Authorization/roleAssignments"))
        {
            Assert.Equal("ServicePrincipal", assignment.Properties.GetProperty("principalType").GetString());
        }
    }

    [GeneratedRegex(@"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", RegexOptions.IgnoreCase)]
    private static partial Regex Guid();
}
