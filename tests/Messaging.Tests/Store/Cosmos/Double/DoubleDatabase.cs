#nullable disable
using System.Net;
using Messaging.Functions.Storage.Cosmos;
using Microsoft.Azure.Cosmos;

namespace Messaging.Tests.Store.Cosmos.Double;

/// <summary>
/// An in-process stand-in for one Cosmos DB database, built on the SDK's abstract types so the
/// adapter runs unchanged over it. Its clock, faults and query log are shared by its containers.
/// </summary>
public sealed class DoubleDatabase : UnmodelledDatabase
{
    private readonly Dictionary<string, DoubleContainer> _containers = new(StringComparer.Ordinal);
    private int _calls;
    private int _writes;

    public DoubleDatabase(string id, TimeProvider clock = null, QueryLog queryLog = null)
    {
        Id = id;
        Clock = clock ?? TimeProvider.System;
        QueryLog = queryLog;
    }

    public override string Id { get; }

    public TimeProvider Clock { get; }

    public DoubleFaults Faults { get; } = new();

    public QueryLog QueryLog { get; }

    /// <summary>How many calls reached the database (every item, batch, ReadMany and query call).</summary>
    public int Calls => _calls;

    /// <summary>
    /// How many item writes succeeded: creates, replaces, upserts, deletes and patches, each operation of a
    /// committed transactional batch counted on its own (the service charges each one,
    /// https://learn.microsoft.com/azure/cosmos-db/transactional-batch: "the RU charge ... is the sum of the individual operations").
    /// </summary>
    public int Writes => _writes;

    /// <summary>Whether writes answer the item (the store's client sets EnableContentResponseOnWrite = false).</summary>
    public bool ContentResponseOnWrite { get; init; }

    /// <summary>The containers <see cref="CosmosStore.EnsureCreatedAsync"/> makes (and infra/modules/cosmos.bicep), with their partition keys and TTL.</summary>
    public static DoubleDatabase ForStore(CosmosOptions options, TimeProvider clock = null, QueryLog queryLog = null)
    {
        var database = new DoubleDatabase(options.Database, clock, queryLog);
        database.AddContainer(CosmosStore.ConversationsContainer, CosmosStore.ConversationsPartitionKeyPath, defaultTimeToLive: -1);
        database.AddContainer(CosmosStore.MembershipsContainer, "/userId", defaultTimeToLive: null);
        database.AddContainer(CosmosStore.MessagesContainer, "/conversationId", defaultTimeToLive: -1);
        database.AddContainer(CosmosStore.AttachmentsContainer, "/id", defaultTimeToLive: -1);
        database.AddContainer(options.LeaseContainer, "/id", defaultTimeToLive: -1);
        return database;
    }

    public DoubleContainer AddContainer(string id, string partitionKeyPath, int? defaultTimeToLive)
    {
        var container = new DoubleContainer(this, id, partitionKeyPath, defaultTimeToLive);
        _containers.Add(id, container);
        return container;
    }

    public override Container GetContainer(string id) => Container(id);

    public DoubleContainer Container(string id) =>
        _containers.TryGetValue(id, out var container) ? container : throw new InvalidOperationException($"The double has no container '{id}'.");

    public override Task<ResponseMessage> ReadStreamAsync(RequestOptions requestOptions = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(new ResponseMessage(HttpStatusCode.OK));

    public override Task<ResponseMessage> DeleteStreamAsync(RequestOptions requestOptions = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(new ResponseMessage(HttpStatusCode.NoContent));

    internal void CountWrites(IEnumerable<ItemOperation> applied, IEnumerable<ItemOutcome> outcomes) =>
        Interlocked.Add(ref _writes, applied.Zip(outcomes).Count(pair => pair.First.Kind != ItemOperationKind.Read && pair.Second.IsSuccess));

    /// <summary>The injected fault for this call, if any: a status to answer, or a hang / cancellation thrown here.</summary>
    internal async Task<ItemOutcome> FaultAsync(CosmosOperation operation, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _calls);
        var fault = Faults.Next(operation);
        switch (fault)
        {
            case null:
                // Every call completes asynchronously, as a network call does.
                await Task.Yield();
                return null;
            case CosmosFault.Hang:
                await Task.Delay(Timeout.Infinite, cancellationToken);
                throw new OperationCanceledException(cancellationToken);
            case CosmosFault.Interleave interleave:
                await interleave.Action();
                return null;
            case CosmosFault.LostResponse:
                await Task.Yield();
                return ItemOutcome.ResponseLost;
            case CosmosFault.Cancelled:
                throw new OperationCanceledException("The request was cancelled (injected fault).");
            default:
                return new ItemOutcome(fault.Status!.Value, Error: $"Injected fault: {fault}", RetryAfter: (fault as CosmosFault.Throttled)?.RetryAfter);
        }
    }
}
