using System.Text.Json;
using Messaging.Functions.Diagnostics;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// One attempt at starting the change feed: creates the containers when allowed, then builds and
/// starts the two processors (conversations, messages) over one lease container. It throws when the
/// account does not answer yet (403 while a role assignment propagates, 503, a network error): the
/// processor's StartAsync reads the monitored and lease containers before it returns.
/// </summary>
internal sealed class CosmosChangeFeedProcessors(CosmosStore store, CosmosChangeBatchHandler handler, string instance, ILogger logger)
{
    public const string ConversationsProcessor = "fanout-conversations";
    public const string MessagesProcessor = "fanout-messages";

    /// <summary>Starts both processors; returns what stops them. A failed attempt stops what it started.</summary>
    public async Task<Func<Task>> StartAsync(CancellationToken cancellationToken)
    {
        if (store.Options.CreateIfNotExists)
        {
            await store.EnsureCreatedAsync(cancellationToken);
            Log.CosmosContainersEnsured(logger, store.Options.Database);
        }

        var started = new List<ChangeFeedProcessor>();
        try
        {
            foreach (var processor in new[]
            {
                Build(store.Conversations, ConversationsProcessor, handler.HandleConversationsAsync),
                Build(store.Messages, MessagesProcessor, handler.HandleMessagesAsync),
            })
            {
                cancellationToken.ThrowIfCancellationRequested();
                await processor.StartAsync();
                started.Add(processor);
            }
        }
        catch
        {
            await StopAsync(started);
            throw;
        }

        return () => StopAsync(started);
    }

    /// <summary>
    /// Stops the processors. ChangeFeedProcessor.StopAsync cancels every partition's work, waits for
    /// it, and releases each lease it owns (sets its owner to null), so another instance acquires it
    /// at its next acquire interval instead of waiting for it to expire. Read in
    /// github.com/Azure/azure-cosmos-dotnet-v3 (commit 8c53d35): ChangeFeedProcessorCore.StopAsync →
    /// PartitionManagerCore.StopAsync → PartitionControllerCore.ShutdownAsync (cancels, awaits each
    /// ProcessPartitionAsync, which ends in RemoveLeaseAsync) → DocumentServiceLeaseManagerCosmos.ReleaseAsync.
    /// </summary>
    private static async Task StopAsync(List<ChangeFeedProcessor> processors)
    {
        await Task.WhenAll(processors.Select(processor => processor.StopAsync()));
        processors.Clear();
    }

    private ChangeFeedProcessor Build(Container monitored, string name, Func<string, IEnumerable<JsonElement>, CancellationToken, Task> handle)
    {
        var options = store.Options;
        return monitored
            .GetChangeFeedProcessorBuilder(name, (ChangeFeedProcessorContext context, Stream changes, CancellationToken cancellationToken) =>
                handle(context.LeaseToken, CosmosChangeMapper.ReadDocuments(changes), cancellationToken))
            .WithInstanceName(instance)
            .WithLeaseContainer(store.Leases)
            .WithPollInterval(options.ChangeFeedPollInterval)
            .WithLeaseConfiguration(
                acquireInterval: options.LeaseAcquireInterval,
                expirationInterval: options.LeaseExpirationInterval,
                renewInterval: options.LeaseRenewInterval)
            .WithErrorNotification((leaseToken, exception) =>
            {
                Log.ChangeFeedError(logger, exception, name, leaseToken);
                return Task.CompletedTask;
            })
            .Build();
    }
}
