using System.Text.Json;
using System.Text.RegularExpressions;

namespace Messaging.Infrastructure.Tests;

/// <summary>Asserts on the ARM template compiled from infra/main.bicep.</summary>
public sealed partial class TemplateTests(CompiledTemplateFixture fixture) : IClassFixture<CompiledTemplateFixture>
{
    /// <summary>Every setting the app reads when it runs in Azure (see docs/api.md "Configuration").</summary>
    private static readonly string[] SettingsTheAppReads =
    [
        "Auth__Issuers",
        "Auth__Audiences",
        "Auth__Authority",
        "Auth__RequiredScope",
        "Auth__UserIdClaim",
        "CosmosDb__Endpoint",
        "CosmosDb__Database",
        "CosmosDb__LeaseContainer",
        "Attachments__BlobServiceUri",
        "Attachments__Container",
        "AzureSignalRConnectionString",
        "AzureSignalR__UpstreamAuthResource",
        "AzureSignalR__UpstreamTenantId",
        "AzureSignalR__UpstreamClientId",
        "Telemetry__TraceSampleRatio",
        "AzureWebJobsStorage__accountName",
        "AzureWebJobsStorage__credential",
        "AzureWebJobsStorage__clientId",
        "Cors__AllowedOrigins",
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
        "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
        "AZURE_CLIENT_ID",
        "Messaging__MaxMessageLength",
        "Messaging__MaxAttachmentBytes",
    ];

    /// <summary>
    /// Settings of local.settings.sample.json that Azure provides another way or must not get:
    /// name → why.
    /// </summary>
    private static readonly Dictionary<string, string> LocalOnlySettings = new(StringComparer.Ordinal)
    {
        ["FUNCTIONS_WORKER_RUNTIME"] = "Flex Consumption takes the runtime from functionAppConfig.runtime (the setting is rejected)",
        ["AzureWebJobsStorage"] = "identity-based AzureWebJobsStorage__accountName/__credential/__clientId instead of a connection string",
        ["Auth__Issuer"] = "Azure writes the list setting Auth__Issuers (the app accepts both)",
        ["Auth__Audience"] = "Azure writes the list setting Auth__Audiences (the app accepts both)",
        ["AzureSignalR__UpstreamAudiences"] = "Azure asks SignalR for a token whose aud is the client id, which is the upstream resource itself",
        ["Auth__SigningKey"] = "Azure validates tokens against Auth__Authority (OIDC); no shared secret",
        ["CosmosDb__ConnectionMode"] = "the default (Direct) applies on Azure; Gateway is for the Linux emulator in a container",
        ["CosmosDb__ConnectionString"] = "CosmosDb__Endpoint with the managed identity; no account key",
        ["Messaging__DataPath"] = "standalone host only",
        ["Attachments__ConnectionString"] = "Attachments__BlobServiceUri with the managed identity; no account key",
        ["Attachments__CreateContainer"] = "the template creates the container; the default (false without the emulator) applies",
        ["Attachments__DownloadUrlMinutes"] = "the default lifetime of download URLs (15 minutes) applies",
        ["Messaging__MaxParticipants"] = "the default limit applies (docs: README, Limits)",
        ["Messaging__SendsPerSecond"] = "the default limit applies (docs: README, Limits)",
        ["Messaging__SendBurst"] = "the default limit applies (docs: README, Limits)",
        ["Messaging__UploadsPerMinute"] = "the default limit applies (docs: README, Limits)",
        ["Messaging__UploadBurst"] = "the default limit applies (docs: README, Limits)",
        ["Messaging__ReactionsPerSecond"] = "the default limit applies (docs: README, Limits)",
        ["Messaging__ReactionBurst"] = "the default limit applies (docs: README, Limits)",
        ["Messaging__MaxConnectionsPerUser"] = "the standalone hub's limit; Azure SignalR Service has its own connection quotas",
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "Azure exports to Application Insights (APPLICATIONINSIGHTS_CONNECTION_STRING); OTLP is for local collectors",
    };

    private CompiledTemplate Template => fixture.Template;

    [Fact]
    public void Compiled_template_provides_every_setting_the_app_reads()
    {
        var settings = Template.AppSettings();

        var missing = SettingsTheAppReads.Where(name => !settings.ContainsKey(name)).ToList();
        Assert.True(missing.Count == 0, "app settings missing: " + string.Join(", ", missing));
        foreach (var name in SettingsTheAppReads)
        {
            Assert.Equal(JsonValueKind.String, settings[name].ValueKind);
        }

        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"].GetString());
        Assert.Contains("'Authorization=AAD;ClientId={0}'", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"].GetString(), StringComparison.Ordinal);
        Assert.Equal("messaging", settings["CosmosDb__Database"].GetString());
        Assert.Equal("leases", ResolveOutput(settings["CosmosDb__LeaseContainer"]));
    }

    [Fact]
    public void Compiled_template_covers_every_setting_of_the_local_sample()
    {
        var sample = Path.Combine(BicepCli.RepositoryRoot, "local.settings.sample.json");
        Assert.True(File.Exists(sample), $"{sample} not found");
        using var document = JsonDocument.Parse(File.ReadAllText(sample));
        var settings = Template.AppSettings();

        var uncovered = document.RootElement.GetProperty("Values").EnumerateObject()
            .Select(p => p.Name)
            .Where(name => !settings.ContainsKey(name) && !LocalOnlySettings.ContainsKey(name))
            .ToList();

        Assert.True(uncovered.Count == 0,
            "settings of local.settings.sample.json neither set in infra/main.bicep nor listed as local-only: "
            + string.Join(", ", uncovered));
        Assert.DoesNotContain("FUNCTIONS_WORKER_RUNTIME", settings.Keys);
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);
    }

    [Fact]
    public void No_app_setting_carries_a_key_or_password()
    {
        var settings = Template.AppSettings();

        foreach (var (name, value) in settings)
        {
            Assert.False(SecretName().IsMatch(name), $"app setting {name} looks like a secret");
            var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
            Assert.False(SecretValue().IsMatch(text), $"app setting {name} carries a key or password: {text}");
        }

        Assert.Contains("AuthType=azure.msi", settings["AzureSignalRConnectionString"].GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("AccessKey", settings["AzureSignalRConnectionString"].GetString(), StringComparison.OrdinalIgnoreCase);

        // Nothing in the whole template reads keys back from a resource.
        Assert.False(SecretValue().IsMatch(Template.Json), "the template lists keys or connection strings");
    }

    [Fact]
    public void Function_app_runs_on_flex_consumption_with_dotnet_isolated_10()
    {
        var plan = Template.Single("Microsoft.Web/serverfarms");
        Assert.Equal("FC1", plan.Element.GetProperty("sku").GetProperty("name").GetString());
        Assert.Equal("FlexConsumption", plan.Element.GetProperty("sku").GetProperty("tier").GetString());

        var site = Template.Single("Microsoft.Web/sites");
        Assert.Equal("functionapp,linux", site.Element.GetProperty("kind").GetString());
        Assert.Equal("UserAssigned", site.Element.GetProperty("identity").GetProperty("type").GetString());
        Assert.True(site.Properties.GetProperty("httpsOnly").GetBoolean());

        var config = site.Properties.GetProperty("functionAppConfig");
        var runtime = config.GetProperty("runtime");
        Assert.Equal("dotnet-isolated", runtime.GetProperty("name").GetString());
        Assert.Equal("10.0", runtime.GetProperty("version").GetString());

        var storage = config.GetProperty("deployment").GetProperty("storage");
        Assert.Equal("blobContainer", storage.GetProperty("type").GetString());
        Assert.Equal("UserAssignedIdentity", storage.GetProperty("authentication").GetProperty("type").GetString());
        Assert.True(storage.GetProperty("authentication").TryGetProperty("userAssignedIdentityResourceId", out _));

        var scale = config.GetProperty("scaleAndConcurrency");
        Assert.True(scale.TryGetProperty("instanceMemoryMB", out _));
        Assert.True(scale.TryGetProperty("maximumInstanceCount", out _));
        var alwaysReady = site.Resolve(scale.GetProperty("alwaysReady"));
        Assert.Equal(JsonValueKind.Array, alwaysReady.ValueKind);
        Assert.Contains(alwaysReady.EnumerateArray(), entry => entry.GetProperty("instanceCount").GetInt32() >= 1);

        // Instance memory and maximum instances are parameters of main.bicep.
        var parameters = Template.Root.GetProperty("parameters");
        Assert.True(parameters.TryGetProperty("instanceMemoryMB", out _));
        Assert.True(parameters.TryGetProperty("maximumInstanceCount", out _));
    }

    [Fact]
    public void Only_the_site_carries_the_azd_service_name_tag()
    {
        var site = Template.Single("Microsoft.Web/sites");
        var plan = Template.Single("Microsoft.Web/serverfarms");

        // azd deploys to the one resource tagged azd-service-name: api.
        Assert.Equal("[union(parameters('tags'), parameters('siteTags'))]", site.Element.GetProperty("tags").GetString());
        Assert.Equal("api", site.Scope.Parameter("siteTags").GetProperty("azd-service-name").GetString());
        Assert.Equal("[parameters('tags')]", plan.Element.GetProperty("tags").GetString());
        Assert.DoesNotContain("azd-service-name", site.Scope.Parameter("tags").ToString(), StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(Template.Json, "\"azd-service-name\":"));
    }

    [Fact]
    public void Cosmos_is_serverless_with_every_container_and_its_partition_key()
    {
        var account = Template.Single("Microsoft.DocumentDB/databaseAccounts");
        Assert.Contains(account.Properties.GetProperty("capabilities").EnumerateArray(),
            c => c.GetProperty("name").GetString() == "EnableServerless");
        Assert.True(account.Properties.GetProperty("disableLocalAuth").GetBoolean());

        var database = Template.Single("Microsoft.DocumentDB/databaseAccounts/sqlDatabases");
        Assert.Equal("messaging", database.Scope.Parameter("databaseName").GetString());

        var containers = Containers();
        var expected = new Dictionary<string, string>
        {
            ["conversations"] = "/pk",
            ["memberships"] = "/userId",
            ["messages"] = "/conversationId",
            ["attachments"] = "/id",
            ["leases"] = "/id",
        };
        foreach (var (name, partitionKey) in expected)
        {
            Assert.True(containers.ContainsKey(name), $"container {name} missing");
            Assert.Equal(partitionKey, containers[name].GetProperty("partitionKey").GetString());
            Assert.Equal("consistent", containers[name].GetProperty("indexingPolicy").GetProperty("indexingMode").GetString());
        }

        // Keyset paging indexes.
        AssertCompositeIndex(containers["messages"], ("/conversationId", "ascending"), ("/sequence", "descending"));
        AssertCompositeIndex(containers["memberships"], ("/updatedAt", "descending"), ("/id", "descending"));
        AssertCompositeIndex(containers["conversations"], ("/joinedAt", "ascending"), ("/userId", "ascending"));

        // TTL is explicit: off (null) or on without a default (-1); nothing expires by default.
        foreach (var (name, container) in containers)
        {
            var ttl = container.GetProperty("defaultTtl");
            Assert.True(ttl.ValueKind == JsonValueKind.Null || ttl.GetInt32() == -1, $"{name}: unexpected defaultTtl {ttl}");
        }
    }

    [Fact]
    public void Cosmos_containers_index_only_the_paths_their_queries_filter_and_sort_on()
    {
        // The adapter's queries (Storage/Cosmos): memberships by user, small ones ordered by activity, large
        // ones apart; messages by conversation, type, sequence, sender and deletion, reactions by message and user; attachments by
        // conversation. Conversations are read by id and queried for unfinished purges, and their
        // participant documents by role and join order (decision 0010); presence documents by when they
        // are next due (decision 0012). Everything else is excluded:
        // each indexed path costs RU on every write.
        var expected = new Dictionary<string, string[]>
        {
            ["conversations"] = ["/type/?", "/deleted/?", "/purge/phase/?", "/role/?", "/joinedAt/?", "/userId/?", "/nextCheckAt/?"],
            ["memberships"] = ["/userId/?", "/updatedAt/?", "/large/?"],
            ["messages"] = ["/conversationId/?", "/type/?", "/sequence/?", "/senderId/?", "/deletedAt/?", "/replyToId/?", "/reactsTo/?", "/reactor/?"],
            ["attachments"] = ["/conversationId/?"],
        };
        var containers = Containers();
        foreach (var (name, paths) in expected)
        {
            var policy = containers[name].GetProperty("indexingPolicy");
            Assert.Equal(paths, policy.GetProperty("includedPaths").EnumerateArray().Select(p => p.GetProperty("path").GetString()!).ToArray());
            Assert.Contains(policy.GetProperty("excludedPaths").EnumerateArray(), p => p.GetProperty("path").GetString() == "/*");
        }
    }

    [Fact]
    public void Storage_blocks_public_blob_access_and_requires_tls12()
    {
        // One module, deployed twice: runtime + attachments, and the deployment package.
        var accounts = Template.OfType("Microsoft.Storage/storageAccounts");
        Assert.Equal(2, accounts.Count);
        foreach (var storage in accounts)
        {
            Assert.False(storage.Properties.GetProperty("allowBlobPublicAccess").GetBoolean());
            Assert.Equal("TLS1_2", storage.Properties.GetProperty("minimumTlsVersion").GetString());
            Assert.False(storage.Properties.GetProperty("allowSharedKeyAccess").GetBoolean());
            Assert.True(storage.Properties.GetProperty("supportsHttpsTrafficOnly").GetBoolean());
        }

        foreach (var containers in Template.OfType("Microsoft.Storage/storageAccounts/blobServices/containers"))
        {
            Assert.Equal("None", containers.Properties.GetProperty("publicAccess").GetString());
        }
    }

    [Fact]
    public void SignalR_is_serverless_with_upstream_to_the_app()
    {
        var signalR = Template.Single("Microsoft.SignalRService/signalR");
        // The properties are one expression (the cors block is added only when there are origins).
        var properties = signalR.Properties.GetString()!;

        Assert.Contains("createObject('flag', 'ServiceMode', 'value', 'Serverless')", properties, StringComparison.Ordinal);
        Assert.Contains("'disableLocalAuth', true()", properties, StringComparison.Ordinal);
        Assert.Contains("createObject('hubPattern', parameters('hubName'), 'categoryPattern', '*', 'eventPattern', '*', 'urlTemplate', parameters('upstreamUrlTemplate')", properties, StringComparison.Ordinal);
        Assert.Equal("messaging", signalR.Scope.Parameter("hubName").GetString());
        // format('https://{0}/api/messaging/upstream/{{hub}}/...', <the function app's defaultHostName>)
        var url = signalR.Scope.Parameter("upstreamUrlTemplate").GetString()!;
        Assert.StartsWith("[format('https://{0}/api/messaging/upstream/{{hub}}/{{category}}/{{event}}',", url, StringComparison.Ordinal);
        Assert.Contains("'functionapp'", url, StringComparison.Ordinal);
        Assert.EndsWith(".outputs.defaultHostName.value)]", url, StringComparison.Ordinal);
    }

    [Fact]
    public void Application_insights_sends_to_a_log_analytics_workspace()
    {
        Template.Single("Microsoft.OperationalInsights/workspaces");
        var appInsights = Template.Single("Microsoft.Insights/components");
        Assert.Contains("Microsoft.OperationalInsights/workspaces",
            appInsights.Properties.GetProperty("WorkspaceResourceId").GetString(), StringComparison.Ordinal);
        Assert.True(appInsights.Properties.GetProperty("DisableLocalAuth").GetBoolean());
    }

    [Fact]
    public void Outputs_give_the_api_base_url_and_resource_names_and_no_secrets()
    {
        var outputs = Template.Root.GetProperty("outputs");
        foreach (var name in new[] { "API_BASE_URL", "FUNCTION_APP_NAME", "COSMOS_ACCOUNT_NAME", "STORAGE_ACCOUNT_NAME", "SIGNALR_NAME", "APPLICATIONINSIGHTS_NAME", "AZURE_RESOURCE_GROUP" })
        {
            Assert.True(outputs.TryGetProperty(name, out _), $"output {name} missing");
        }

        var baseUrl = outputs.GetProperty("API_BASE_URL").GetProperty("value").GetString()!;
        Assert.StartsWith("[format('https://{0}/api',", baseUrl, StringComparison.Ordinal);
        Assert.EndsWith(".outputs.defaultHostName.value)]", baseUrl, StringComparison.Ordinal);
        foreach (var output in outputs.EnumerateObject())
        {
            var type = output.Value.GetProperty("type").GetString()!;
            Assert.False(type.StartsWith("secure", StringComparison.OrdinalIgnoreCase), $"output {output.Name} is {type}");
            Assert.False(SecretName().IsMatch(output.Name), $"output {output.Name} looks like a secret");
        }
    }

    [Fact]
    public void Azd_parameters_file_matches_the_template()
    {
        var path = Path.Combine(BicepCli.RepositoryRoot, "infra", "main.parameters.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var given = document.RootElement.GetProperty("parameters").EnumerateObject().Select(p => p.Name).ToHashSet();
        var declared = Template.Root.GetProperty("parameters");

        foreach (var name in given)
        {
            Assert.True(declared.TryGetProperty(name, out _), $"main.parameters.json sets {name}, which main.bicep does not declare");
        }

        foreach (var parameter in declared.EnumerateObject().Where(p => !p.Value.TryGetProperty("defaultValue", out _)))
        {
            Assert.True(given.Contains(parameter.Name), $"required parameter {parameter.Name} is not in main.parameters.json");
        }

        var azureYaml = File.ReadAllText(Path.Combine(BicepCli.RepositoryRoot, "azure.yaml"));
        Assert.Contains("project: ./src/Messaging.Functions", azureYaml, StringComparison.Ordinal);
        Assert.Contains("host: function", azureYaml, StringComparison.Ordinal);
        Assert.Contains("language: dotnet", azureYaml, StringComparison.Ordinal);
    }

    private Dictionary<string, JsonElement> Containers()
    {
        var resource = Template.Single("Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers");
        return resource.Scope.LoopItems(resource.Element)
            .ToDictionary(c => resource.Resolve(c.GetProperty("name")).GetString()!, c => c, StringComparer.Ordinal);
    }

    private static void AssertCompositeIndex(JsonElement container, params (string Path, string Order)[] expected)
    {
        var composites = container.GetProperty("indexingPolicy").GetProperty("compositeIndexes").EnumerateArray()
            .Select(index => index.EnumerateArray()
                .Select(p => (p.GetProperty("path").GetString()!, p.GetProperty("order").GetString()!))
                .ToArray());
        Assert.Contains(composites, index => index.SequenceEqual(expected));
    }

    private string? ResolveOutput(JsonElement value) =>
        value.GetString()!.Contains(".outputs.leaseContainerName.value", StringComparison.Ordinal)
            ? Template.OfType("Microsoft.Resources/deployments")
                .Select(d => d.Element.GetProperty("properties").GetProperty("template"))
                .Where(t => t.TryGetProperty("outputs", out var o) && o.TryGetProperty("leaseContainerName", out _))
                .Select(t => new TemplateScope(t, new Dictionary<string, JsonElement>())
                    .Resolve(t.GetProperty("outputs").GetProperty("leaseContainerName").GetProperty("value")).GetString())
                .Single()
            : value.GetString();

    [GeneratedRegex(@"(password|secret|signingkey|accountkey|accesskey|sharedaccess)", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    [GeneratedRegex(@"(AccountKey=|AccessKey=|SharedAccessKey|SharedAccessSignature=|Password=|Pwd=|listKeys\(|listConnectionStrings\(|listCredentials\(|listAccountSas\(|listServiceSas\(|primaryMasterKey)", RegexOptions.IgnoreCase)]
    private static partial Regex SecretValue();

}
