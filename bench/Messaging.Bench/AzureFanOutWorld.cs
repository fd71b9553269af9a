using System.Diagnostics;
using Messaging.Domain.Realtime;
using Messaging.Functions.Hosting;
using Messaging.Functions.Realtime.SignalRService;
using Messaging.Functions.Storage.Sqlite;
using Messaging.Testing.SignalRService;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Messaging.Bench;

/// <summary>A committed change and when it was committed (a <see cref="Stopwatch"/> timestamp).</summary>
internal readonly record struct TimedChange(CommittedChange Change, long CommittedAt);

/// <summary>
/// One Functions instance's real-time path, in process: the embedded store (SQLite), the real
/// <see cref="ChangeFanOut"/> and <see cref="ChangeBatch"/>, and the real Azure SignalR Service
/// publisher, wired by <see cref="MessagingServices.AddMessaging"/> as the Functions host wires them,
/// publishing over loopback HTTP to <see cref="FakeSignalRService"/>. No host runs: the bench is the
/// change feed, and hands the fan-out its batches.
/// </summary>
internal sealed class AzureFanOutWorld : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly ChangeFanOut _fanOut;
    private long _failures;

    private AzureFanOutWorld(FakeSignalRService service, ServiceProvider services, string databasePath)
    {
        Service = service;
        _services = services;
        _fanOut = services.GetRequiredService<ChangeFanOut>();
        DatabasePath = databasePath;
    }

    public FakeSignalRService Service { get; }

    public string DatabasePath { get; }

    /// <summary>The publisher's lowest layer: one REST call each, for the floor.</summary>
    public SignalRGroups Groups => _services.GetRequiredService<SignalRGroups>();

    /// <summary>Changes the fan-out gave up on (after its retries).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Starts the fake service with <paramref name="latency"/> per call and the instance's services; the store's schema is created.</summary>
    public static async Task<AzureFanOutWorld> StartAsync(string dataPath, TimeSpan latency)
    {
        var service = await FakeSignalRService.StartAsync();
        service.RecordsRequests = false;
        service.AddedLatency = latency;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:DataPath"] = dataPath,
            ["AzureSignalRConnectionString"] = service.ConnectionString,
        }).Build();
        var services = new ServiceCollection().AddLogging().AddMessaging(configuration, MessagingHost.Functions).BuildServiceProvider();
        var database = services.GetRequiredService<SqliteDatabase>();
        return new AzureFanOutWorld(service, services, database.DatabasePath);
    }

    /// <summary>
    /// Hands one batch to the fan-out as the change feed handlers do (<see cref="ChangeBatch.HandleAsync"/>),
    /// and records for each change the time from its commit to the service's acceptance of its
    /// last call, in <paramref name="acceptance"/>, or in <paramref name="largeAcceptance"/> for the
    /// large conversation's changes. Returns the changes handled (read receipts coalesced away are not).
    /// </summary>
    public async Task<int> HandleBatchAsync(IReadOnlyList<TimedChange> batch, string largeConversationId, Samples? acceptance, Samples? largeAcceptance)
    {
        var handled = 0;
        await ChangeBatch.HandleAsync(batch, item => item.Change, async (item, token) =>
        {
            if (await _fanOut.HandleWithRetriesAsync(item.Change, token) is not null)
            {
                Interlocked.Increment(ref _failures);
                return;
            }

            Interlocked.Increment(ref handled);
            var samples = item.Change.ConversationId == largeConversationId ? largeAcceptance : acceptance;
            samples?.Add(Stopwatch.GetElapsedTime(item.CommittedAt).TotalMilliseconds);
        }, CancellationToken.None);
        return handled;
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Service.DisposeAsync();
    }
}
