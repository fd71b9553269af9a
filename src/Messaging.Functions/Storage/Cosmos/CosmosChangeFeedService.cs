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
    private readonly CosmosChangeMapper _mapper = new(store.Locator);
    private readonly List<ChangeFeedProcessor> _processors = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Log.CosmosStore(logger, store.Options.Database, store.Client.Endpoint.Host);
        if (store.Options.CreateIfNotExists)
        {
            await store.EnsureCreatedAsync(cancellationToken);
            Log.CosmosContainersEnsured(logger, store.Options.Database);
        }

        var instance = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";
        _processors.Add(Build(store.Conversations, "fanout-conversations", instance, _mapper.MapConversations));
        _processors.Add(Build(store.Messages, "fanout-messages", instance, _mapper.MapMessages));
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

    private ChangeFeedProcessor Build(Container monitored, string name, string instance, Func<IEnumerable<System.Text.Json.JsonElement>, IReadOnlyList<CommittedChange>> map) =>
        monitored
            .GetChangeFeedProcessorBuilder(name, async (ChangeFeedProcessorContext context, Stream changes, CancellationToken cancellationToken) =>
            {
                // Each change keeps its document's record time; the batch is then handled by conversation, in parallel.
                var batch = new List<(CommittedChange Change, long? CommittedAtMs)>();
                foreach (var document in CosmosChangeMapper.ReadDocuments(changes))
                {
                    batch.AddRange(map([document]).Select(change => (change, MessagingMetrics.CosmosTimestampMs(document))));
                }

                await ChangeBatch.HandleAsync(batch, item => item.Change, (item, token) => PublishAsync(context.LeaseToken, item.Change, item.CommittedAtMs, token), cancellationToken);
            })
            .WithInstanceName(instance)
            .WithLeaseContainer(store.Leases)
            .WithPollInterval(store.Options.ChangeFeedPollInterval)
            .WithErrorNotification((leaseToken, exception) =>
            {
                Log.ChangeFeedError(logger, exception, name, leaseToken);
                return Task.CompletedTask;
            })
            .Build();

    private async Task PublishAsync(string leaseToken, CommittedChange change, long? committedAtMs, CancellationToken cancellationToken)
    {
        using var publication = MessagingMetrics.StartPublication(MessagingMetrics.Cosmos, change, committedAtMs);
        if (await fanOut.HandleWithRetriesAsync(change, cancellationToken) is { } failure)
        {
            Log.CosmosChangeDropped(logger, failure, leaseToken, change.GetType().Name, change.ConversationId);
            return;
        }

        publication.Succeeded();
    }
}
