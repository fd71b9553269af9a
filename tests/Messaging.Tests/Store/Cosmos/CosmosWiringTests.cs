using Messaging.Domain.Attachments;
using Messaging.Domain.Conversations;
using Messaging.Domain.Messages;
using Messaging.Functions.Hosting;
using Messaging.Functions.Storage;
using Messaging.Functions.Storage.Cosmos;
using Messaging.Functions.Storage.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Messaging.Tests.Store.Cosmos;

public sealed class CosmosWiringTests
{
    // The local emulator's well-known, public development key: constructing the client contacts nothing.
    private const string EmulatorConnectionString =
        "AccountEndpoint=https://localhost:8081/;AccountKey=C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        settings["Messaging:DataPath"] = Path.Combine(Path.GetTempPath(), "messaging-tests", Guid.NewGuid().ToString("N"));
        settings["Auth:SigningKey"] = "test-signing-key-that-is-at-least-32-bytes-long";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddMessaging(configuration, MessagingHost.Functions);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void A_connection_string_selects_the_cosmos_store_its_change_feed_and_its_purger()
    {
        using var provider = Build(new() { ["CosmosDb:ConnectionString"] = EmulatorConnectionString, ["CosmosDb:Database"] = "chat" });

        Assert.IsType<CosmosConversationRepository>(provider.GetRequiredService<IConversationRepository>());
        Assert.IsType<CosmosMessageRepository>(provider.GetRequiredService<IMessageRepository>());
        Assert.IsType<CosmosAttachmentRepository>(provider.GetRequiredService<IAttachmentRepository>());
        Assert.IsType<CosmosStoreHealth>(provider.GetRequiredService<IStoreHealth>());
        var hosted = provider.GetServices<IHostedService>().ToList();
        Assert.Contains(hosted, h => h is CosmosChangeFeedService);
        Assert.Contains(hosted, h => h is CosmosPurgeService);
        Assert.DoesNotContain(hosted, h => h is SqliteChangeDispatcher);
        Assert.Null(provider.GetService<SqliteDatabase>());
        Assert.Same(provider.GetRequiredService<CosmosStore>(), provider.GetRequiredService<CosmosStore>());
        Assert.Equal("chat", provider.GetRequiredService<CosmosStore>().Database.Id);
    }

    [Fact]
    public void Without_cosmos_settings_the_embedded_store_stays()
    {
        using var provider = Build(new() { ["CosmosDb:ConnectionString"] = "", ["CosmosDb:Endpoint"] = "" });

        Assert.IsType<SqliteConversationRepository>(provider.GetRequiredService<IConversationRepository>());
        Assert.Contains(provider.GetServices<IHostedService>(), h => h is SqliteChangeDispatcher);
    }

    [Fact]
    public void Options_have_the_documented_defaults_and_read_the_managed_identity_client_id()
    {
        var defaults = CosmosOptions.FromConfiguration(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["CosmosDb:Endpoint"] = "https://acct.documents.azure.com:443/", ["AZURE_CLIENT_ID"] = "client-1" })
            .Build())!;
        Assert.Equal("messaging", defaults.Database);
        Assert.Equal("leases", defaults.LeaseContainer);
        Assert.Equal(TimeSpan.FromMilliseconds(250), defaults.ChangeFeedPollInterval);
        Assert.False(defaults.CreateIfNotExists);
        Assert.Equal("client-1", defaults.ManagedIdentityClientId);
        Assert.Null(defaults.ConnectionString);

        var set = CosmosOptions.FromConfiguration(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["CosmosDb:ConnectionString"] = EmulatorConnectionString,
                ["CosmosDb:LeaseContainer"] = "leases2",
                ["CosmosDb:ChangeFeedPollIntervalMs"] = "1000",
                ["CosmosDb:CreateIfNotExists"] = "true",
            })
            .Build())!;
        Assert.Equal("leases2", set.LeaseContainer);
        Assert.Equal(TimeSpan.FromSeconds(1), set.ChangeFeedPollInterval);
        Assert.True(set.CreateIfNotExists);

        Assert.Null(CosmosOptions.FromConfiguration(new ConfigurationBuilder().Build()));
    }
}
