using Messaging.Domain.Realtime;
using Messaging.Functions.Diagnostics;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// Creates the containers when allowed, then runs two change feed processors (conversations and
/// messages) that feed <see cref="ChangeFanOut"/>. Leases in the lease container spread the
/// partitions over every running instance; a batch is checkpointed after it was handed over, so
/// delivery is at-least-once, and in order within a partition key (one conversation).
/// </summary>
public sealed class CosmosChangeFeedService(CosmosStore store, ChangeFanOut fanOut, ILogger<CosmosChangeFeedService> logger) : IHostedService
{
    private readonly CosmosChangeBatchHandler _handler = new(new CosmosChangeMapper(store.Locator), fanOut, logger);
    private readonly List<ChangeFeedProcessor> _processors = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Log.CosmosStore(logger, store.Options.Database, store.Client?.Endpoint.Host ?? "(given database)");
        if (store.Options.CreateIfNotExists)
        {
            await store.EnsureCreatedAsync(cancellationToken);
            Log.CosmosContainersEnsured(logger, store.Options.Database);
        }

        var instance = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";
        _processors.Add(Build(store.Conversations, "fanout-conversations", instance, _handler.HandleConversationsAsync));
        _processors.Add(Build(store.Messages, "fanout-messages", instance, _handler.HandleMessagesAsync));
        foreach (var processor in _processors)
        {
            await processor.StartAsync();
        }

        Log.ChangeFeedStarted(logger, instance, (long)store.Options.ChangeFeedPollInterval.TotalMilliseconds);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var processor in _processors)
        {
            await processor.StopAsync();
        }

        _processors.Clear();
    }

    private ChangeFeedProcessor Build(Container monitored, string name, string instance, Func<string, IEnumerable<System.Text.Json.JsonElement>, CancellationToken, Task> handle) =>
        monitored
            .GetChangeFeedProcessorBuilder(name, (ChangeFeedProcessorContext context, Stream changes, CancellationToken cancellationToken) =>
                handle(context.LeaseToken, CosmosChangeMapper.ReadDocuments(changes), cancellationToken))
            .WithInstanceName(instance)
            .WithLeaseContainer(store.Leases)
            .WithPollInterval(store.Options.ChangeFeedPollInterval)
            .WithErrorNotification((leaseToken, exception) =>
            {
                Log.ChangeFeedError(logger, exception, name, leaseToken);
                return Task.CompletedTask;
            })
            .Build();
}
