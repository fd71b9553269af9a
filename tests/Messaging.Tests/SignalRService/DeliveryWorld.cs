using Messaging.Domain.Application;
using Messaging.Domain.Attachments;
using Messaging.Domain.Conversations;
using Messaging.Domain.Messages;
using Messaging.Domain.Realtime;
using Messaging.Functions.Hosting;
using Messaging.Functions.Realtime.SignalRService;
using Messaging.Functions.Storage.Cosmos;
using Messaging.Functions.Storage.Sqlite;
using Messaging.Tests.Store.Cosmos.Double;
using Messaging.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Messaging.Tests.SignalRService;

/// <summary>
/// The application's real pieces, wired as the hosts wire them (embedded store or Cosmos DB adapter,
/// Azure SignalR Service publisher), without a host: the test drives the change feed itself, one batch at a time,
/// with the lag, batch boundaries and redeliveries it chooses.
/// </summary>
public sealed class DeliveryWorld : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly string _folder;
    private readonly IDeliveryFeed _feed;

    private DeliveryWorld(ServiceProvider services, string folder, Func<IServiceProvider, IDeliveryFeed> feed)
    {
        _services = services;
        _folder = folder;
        _feed = feed(services);
    }

    public ConversationService Conversations => _services.GetRequiredService<ConversationService>();

    public MessageService Messages => _services.GetRequiredService<MessageService>();

    public IConversationRepository Store => _services.GetRequiredService<IConversationRepository>();

    public MembershipHealer Healer => _services.GetRequiredService<MembershipHealer>();

    public MembershipReconciler Reconciler => _services.GetRequiredService<MembershipReconciler>();

    public SignalRRestClient Rest => _services.GetRequiredService<SignalRRestClient>();

    /// <param name="service">The fake service to publish to.</param>
    /// <param name="store">The embedded store with its outbox, or the Cosmos DB adapter over the double with its change feeds.</param>
    /// <param name="publisher">Replaces the configured publisher, to check that the model can tell a wrong one.</param>
    public static DeliveryWorld Create(FakeSignalRService service, DeliveryStore store, Func<IServiceProvider, IRealtimePublisher>? publisher = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "messaging-delivery", Guid.NewGuid().ToString("N"));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:DataPath"] = folder,
            ["Messaging:SendsPerSecond"] = "0",
            ["AzureSignalRConnectionString"] = service.ConnectionString,
        }).Build();
        var services = new ServiceCollection().AddLogging(logging => logging.SetMinimumLevel(LogLevel.Critical));
        services.AddMessaging(configuration, MessagingHost.Functions);

        // One quick retry of a refused call, so that an injected failure of two calls or more is a real failure.
        services.AddSingleton(sp => new SignalRRestClient(
            sp.GetRequiredService<SignalRConnectionString>(), sp.GetRequiredService<SignalRTokens>(), sp.GetRequiredService<IHttpClientFactory>(),
            sp.GetRequiredService<ILogger<SignalRRestClient>>())
        { Backoff = [TimeSpan.Zero] });
        if (publisher is not null)
        {
            services.AddSingleton<IRealtimePublisher>(publisher);
        }

        if (store == DeliveryStore.Cosmos)
        {
            var options = new CosmosOptions { Database = "messaging-delivery" };
            var database = DoubleDatabase.ForStore(options, null, new QueryLog());
            var cosmos = new CosmosStore(options, database);
            services.AddSingleton<IConversationRepository>(new CosmosConversationRepository(cosmos, TimeProvider.System));
            services.AddSingleton<IMessageRepository>(new CosmosMessageRepository(cosmos));
            services.AddSingleton<IAttachmentRepository>(new CosmosAttachmentRepository(cosmos));
            return new DeliveryWorld(services.BuildServiceProvider(), folder, sp => new CosmosDeliveryFeed(database, sp.GetRequiredService<ChangeFanOut>()));
        }

        return new DeliveryWorld(services.BuildServiceProvider(), folder, sp => new SqliteDeliveryFeed(sp.GetRequiredService<SqliteDatabase>(), sp.GetRequiredService<ChangeFanOut>()));
    }

    /// <summary>Hands the next <paramref name="count"/> committed changes to the fan-out as one batch.</summary>
    public Task DeliverAsync(int count) => _feed.DeliverAsync(count);

    /// <summary>Hands the last batch over again, as a change feed does after a lease moves before its checkpoint.</summary>
    public Task RedeliverAsync() => _feed.RedeliverAsync();

    public async Task DeliverAllAsync()
    {
        while (await _feed.DeliverAsync(64))
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        TemporaryFolder.DeleteQuietly(_folder);
    }
}

public enum DeliveryStore
{
    Sqlite,
    Cosmos,
}
