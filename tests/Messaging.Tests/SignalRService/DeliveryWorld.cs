using Messaging.Domain.Application;
using Messaging.Domain.Conversations;
using Messaging.Domain.Realtime;
using Messaging.Functions.Hosting;
using Messaging.Functions.Realtime.SignalRService;
using Messaging.Functions.Storage.Sqlite;
using Messaging.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Messaging.Tests.SignalRService;

/// <summary>
/// The application's real pieces, wired as the hosts wire them (embedded store, Azure SignalR
/// Service publisher), without a host: the test drives the change feed itself, one batch at a time,
/// with the lag, batch boundaries and redeliveries it chooses.
/// </summary>
public sealed class DeliveryWorld : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly string _folder;
    private long _cursor;
    private IReadOnlyList<(long Position, CommittedChange Change, long? RecordedAt)> _lastBatch = [];

    private DeliveryWorld(ServiceProvider services, string folder)
    {
        _services = services;
        _folder = folder;
    }

    public ConversationService Conversations => _services.GetRequiredService<ConversationService>();

    public MessageService Messages => _services.GetRequiredService<MessageService>();

    public IConversationRepository Store => _services.GetRequiredService<IConversationRepository>();

    public MembershipHealer Healer => _services.GetRequiredService<MembershipHealer>();

    public MembershipReconciler Reconciler => _services.GetRequiredService<MembershipReconciler>();

    /// <param name="service">The fake service to publish to.</param>
    /// <param name="publisher">Replaces the configured publisher, to check that the model can tell a wrong one.</param>
    public static DeliveryWorld Create(FakeSignalRService service, Func<IServiceProvider, IRealtimePublisher>? publisher = null)
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
            sp.GetRequiredService<ILogger<SignalRRestClient>>()) { Backoff = [TimeSpan.Zero] });
        if (publisher is not null)
        {
            services.AddSingleton<IRealtimePublisher>(publisher);
        }

        return new DeliveryWorld(services.BuildServiceProvider(), folder);
    }

    /// <summary>Hands the next <paramref name="count"/> committed changes to the fan-out as one batch.</summary>
    public async Task DeliverAsync(int count)
    {
        var database = _services.GetRequiredService<SqliteDatabase>();
        var batch = await database.ReadAsync(connection => SqliteChangeLog.ReadAfterAsync(connection, _cursor, count, CancellationToken.None), CancellationToken.None);
        if (batch.Count == 0)
        {
            return;
        }

        _cursor = batch[^1].Position;
        _lastBatch = batch;
        await HandleAsync(batch);
    }

    /// <summary>Hands the last batch over again, as a change feed does after a lease moves before its checkpoint.</summary>
    public Task RedeliverAsync() => HandleAsync(_lastBatch);

    public async Task DeliverAllAsync()
    {
        long before;
        do
        {
            before = _cursor;
            await DeliverAsync(64);
        }
        while (_cursor != before);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        TemporaryFolder.DeleteQuietly(_folder);
    }

    private Task HandleAsync(IReadOnlyList<(long Position, CommittedChange Change, long? RecordedAt)> batch)
    {
        var fanOut = _services.GetRequiredService<ChangeFanOut>();
        return ChangeBatch.HandleAsync(batch, item => item.Change, (item, token) => fanOut.HandleWithRetriesAsync(item.Change, token), CancellationToken.None);
    }
}
