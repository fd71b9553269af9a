#nullable disable
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Messaging.Tests.Store.Cosmos.Double.Sql;
using Microsoft.Azure.Cosmos;

namespace Messaging.Tests.Store.Cosmos.Double;

/// <summary>
/// A Cosmos DB container in memory behind the SDK's own <see cref="Container"/> type: the point
/// operations (typed and stream), ReadMany, transactional batches and queries the adapter uses, with
/// the service's rules (<see cref="DoubleItems"/>) and injectable faults (<see cref="DoubleFaults"/>).
/// Signatures are the SDK's (nullable-oblivious), hence <c>#nullable disable</c>.
/// </summary>
public sealed class DoubleContainer : UnmodelledContainer
{
    private readonly DoubleDatabase _database;

    internal DoubleContainer(DoubleDatabase database, string id, string partitionKeyPath, int? defaultTimeToLive)
    {
        _database = database;
        Id = id;
        Items = new DoubleItems(partitionKeyPath, defaultTimeToLive, database.Clock) { QueryLog = database.QueryLog };
    }

    public override string Id { get; }

    public override Database Database => _database;

    public DoubleItems Items { get; }

    public override async Task<ItemResponse<T>> CreateItemAsync<T>(T item, PartitionKey? partitionKey = null, ItemRequestOptions requestOptions = null, CancellationToken cancellationToken = default)
    {
        var body = DoubleItems.Serialize(item);
        return Typed<T>(await RunAsync(CosmosOperation.Create, partitionKey, new ItemOperation(ItemOperationKind.Create, null, body), cancellationToken), requestOptions, read: false);
    }

    public override async Task<ResponseMessage> CreateItemStreamAsync(Stream streamPayload, PartitionKey partitionKey, ItemRequestOptions requestOptions = null, CancellationToken cancellationToken = default) =>
        Stream(await RunAsync(CosmosOperation.Create, partitionKey, new ItemOperation(ItemOperationKind.Create, null, Parse(streamPayload)), cancellationToken), requestOptions, read: false);

    public override async Task<ItemResponse<T>> ReadItemAsync<T>(string id, PartitionKey partitionKey, ItemRequestOptions requestOptions = null, CancellationToken cancellationToken = default) =>
        Typed<T>(await RunAsync(CosmosOperation.Read, partitionKey, new ItemOperation(ItemOperationKind.Read, id), cancellationToken), requestOptions, read: true);

    public override async Task<ResponseMessage> ReadItemStreamAsync(string id, PartitionKey partitionKey, ItemRequestOptions requestOptions = null, CancellationToken cancellationToken = default) =>
        Stream(await RunAsync(CosmosOperation.Read, partitionKey, new ItemOperation(ItemOperationKind.Read, id), cancellationToken), requestOptions, read: true);

    public override async Task<ItemResponse<T>> ReplaceItemAsync<T>(T item, string id, PartitionKey? partitionKey = null, ItemRequestOptions requestOptions = null, CancellationToken cancellationToken = default) =>
        Typed<T>(await RunAsync(CosmosOperation.Replace, partitionKey, new ItemOperation(ItemOperationKind.Replace, id, DoubleItems.Serialize(item), requestOptions?.IfMatchEtag), cancellationToken), requestOptions, read: false);

    public override async Task<ResponseMessage> ReplaceItemStreamAsync(Stream streamPayload, string id, PartitionKey partitionKey, ItemRequestOptions requestOptions = null, CancellationToken cancellationToken = default) =>
        Stream(await RunAsync(CosmosOperation.Replace, partitionKey, new ItemOperation(ItemOperationKind.Replace, id, Parse(streamPayload), requestOptions?.IfMatchEtag), cancellationToken), requestOptions, read: false);

    public override async Task<ItemResponse<T>> UpsertItemAsync<T>(T item, PartitionKey? partitionKey = null, ItemRequestOptions requestOptions = null, CancellationToken cancellationToken = default) =>
        Typed<T>(await RunAsync(CosmosOperation.Upsert, partitionKey, new ItemOperation(ItemOperationKind.Upsert, null, DoubleItems.Serialize(item), requestOptions?.IfMatchEtag), cancellationToken), requestOptions, read: false);

    public override async Task<ResponseMessage> UpsertItemStreamAsync(Stream streamPayload, PartitionKey partitionKey, ItemRequestOptions requestOptions = null, CancellationToken cancellationToken = default) =>
        Stream(await RunAsync(CosmosOperation.Upsert, partitionKey, new ItemOperation(ItemOperationKind.Upsert, null, Parse(streamPayload), requestOptions?.IfMatchEtag), cancellationToken), requestOptions, read: false);

    public override async Task<ItemResponse<T>> DeleteItemAsync<T>(string id, PartitionKey partitionKey, ItemRequestOptions requestOptions = null, CancellationToken cancellationToken = default) =>
        Typed<T>(await RunAsync(CosmosOperation.Delete, partitionKey, new ItemOperation(ItemOperationKind.Delete, id, IfMatch: requestOptions?.IfMatchEtag), cancellationToken), requestOptions, read: false);

    public override async Task<ResponseMessage> DeleteItemStreamAsync(string id, PartitionKey partitionKey, ItemRequestOptions requestOptions = null, CancellationToken cancellationToken = default) =>
        Stream(await RunAsync(CosmosOperation.Delete, partitionKey, new ItemOperation(ItemOperationKind.Delete, id, IfMatch: requestOptions?.IfMatchEtag), cancellationToken), requestOptions, read: false);

    public override async Task<ItemResponse<T>> PatchItemAsync<T>(string id, PartitionKey partitionKey, IReadOnlyList<PatchOperation> patchOperations, PatchItemRequestOptions requestOptions = null, CancellationToken cancellationToken = default) =>
        Typed<T>(await RunAsync(CosmosOperation.Patch, partitionKey, PatchOf(id, patchOperations, requestOptions), cancellationToken), requestOptions, read: false);

    public override async Task<ResponseMessage> PatchItemStreamAsync(string id, PartitionKey partitionKey, IReadOnlyList<PatchOperation> patchOperations, PatchItemRequestOptions requestOptions = null, CancellationToken cancellationToken = default) =>
        Stream(await RunAsync(CosmosOperation.Patch, partitionKey, PatchOf(id, patchOperations, requestOptions), cancellationToken), requestOptions, read: false);

    /// <summary>ReadMany answers the items that exist (missing ones are left out, not an error).</summary>
    public override async Task<FeedResponse<T>> ReadManyItemsAsync<T>(IReadOnlyList<(string id, PartitionKey partitionKey)> items, ReadManyRequestOptions readManyRequestOptions = null, CancellationToken cancellationToken = default)
    {
        if (await _database.FaultAsync(CosmosOperation.ReadMany, cancellationToken) is { } fault)
        {
            throw DoubleResponses.Exception(fault);
        }

        var found = new List<T>();
        foreach (var (id, partitionKey) in items)
        {
            var outcome = Items.Apply(DoubleItems.KeyOf(partitionKey), new ItemOperation(ItemOperationKind.Read, id));
            if (outcome.Status == HttpStatusCode.NotFound)
            {
                continue;
            }

            found.Add(outcome.IsSuccess ? DoubleResponses.Deserialize<T>(outcome.Item!.Body) : throw DoubleResponses.Exception(outcome));
        }

        return new DoubleFeedResponse<T>(found, null);
    }

    public override TransactionalBatch CreateTransactionalBatch(PartitionKey partitionKey) => new DoubleBatch(this, DoubleItems.KeyOf(partitionKey));

    public override FeedIterator<T> GetItemQueryIterator<T>(QueryDefinition queryDefinition, string continuationToken = null, QueryRequestOptions requestOptions = null)
    {
        var query = CosmosSqlParser.Parse(queryDefinition.QueryText);
        var parameters = queryDefinition.GetQueryParameters().Select(p => (p.Name, JsonSerializer.SerializeToNode(p.Value, Messaging.Functions.Storage.Cosmos.CosmosJson.Options))).ToList();
        var partitionKey = requestOptions?.PartitionKey is { } key ? DoubleItems.KeyOf(key) : null;
        return new DoubleFeedIterator<T>(
            async cancellationToken =>
            {
                if (await _database.FaultAsync(CosmosOperation.Query, cancellationToken) is { } fault)
                {
                    throw DoubleResponses.Exception(fault);
                }

                var documents = Items.Snapshot(partitionKey);
                var results = CosmosSqlEvaluator.Execute(query, documents, parameters.ToDictionary(p => p.Name, p => p.Item2, StringComparer.Ordinal));
                _database.QueryLog?.Record(queryDefinition.QueryText, parameters, documents, results);
                return results;
            },
            requestOptions?.MaxItemCount);
    }

    /// <summary>Changes after <paramref name="continuation"/> as the latest-version change feed serves them (see <see cref="DoubleItems.ReadChangeFeed"/>).</summary>
    public (IReadOnlyList<JsonElement> Documents, long Continuation) ReadChangeFeed(long continuation, int maxItems = int.MaxValue)
    {
        var (items, next) = Items.ReadChangeFeed(continuation, maxItems);
        return ([.. items.Select(i => JsonSerializer.SerializeToElement(i))], next);
    }

    internal async Task<IReadOnlyList<ItemOutcome>> ExecuteBatchAsync(string partitionKey, IReadOnlyList<ItemOperation> operations, CancellationToken cancellationToken)
    {
        if (await _database.FaultAsync(CosmosOperation.Batch, cancellationToken) is { } fault)
        {
            if (ReferenceEquals(fault, ItemOutcome.ResponseLost))
            {
                _database.CountWrites(operations, Items.ApplyBatch(partitionKey, operations));
                throw LostResponse();
            }

            return [fault];
        }

        var outcomes = Items.ApplyBatch(partitionKey, operations);
        _database.CountWrites(operations, outcomes);
        return outcomes;
    }

    private async Task<ItemOutcome> RunAsync(CosmosOperation kind, PartitionKey? partitionKey, ItemOperation operation, CancellationToken cancellationToken)
    {
        var fault = await _database.FaultAsync(kind, cancellationToken);
        if (fault is not null && !ReferenceEquals(fault, ItemOutcome.ResponseLost))
        {
            return fault;
        }

        var key = partitionKey is { } given
            ? DoubleItems.KeyOf(given)
            : throw new NotSupportedException("The Cosmos DB double needs the partition key on every point operation (the adapter always passes it).");
        var outcome = Items.Apply(key, operation);
        _database.CountWrites([operation], [outcome]);
        return fault is null ? outcome : throw LostResponse();
    }

    /// <summary>Whether a batch operation's result carries its item: always for a read, for a write as the operation or the client says.</summary>
    internal bool AnswersWithContent(ItemOperation operation) =>
        operation.Kind == ItemOperationKind.Read || (operation.ContentOnWrite ?? _database.ContentResponseOnWrite);

    private static OperationCanceledException LostResponse() => new("The operation was applied, but its response did not arrive before the client gave up (injected fault).");

    private static ItemOperation PatchOf(string id, IReadOnlyList<PatchOperation> operations, PatchItemRequestOptions options) =>
        new(ItemOperationKind.Patch, id, IfMatch: options?.IfMatchEtag, Patch: operations, Filter: options?.FilterPredicate);

    private ItemResponse<T> Typed<T>(ItemOutcome outcome, ItemRequestOptions options, bool read) =>
        outcome.IsSuccess ? new DoubleItemResponse<T>(outcome, read || ContentOnWrite(options)) : throw DoubleResponses.Exception(outcome);

    private ResponseMessage Stream(ItemOutcome outcome, ItemRequestOptions options, bool read) => DoubleResponses.Message(outcome, read || ContentOnWrite(options));

    // The store's client turns content on write off (CosmosStore.CreateClient); a request may turn it back on.
    private bool ContentOnWrite(ItemRequestOptions options) => options?.EnableContentResponseOnWrite ?? _database.ContentResponseOnWrite;

    private static JsonObject Parse(Stream stream) => JsonNode.Parse(stream) as JsonObject ?? throw new ArgumentException("An item is a JSON object.", nameof(stream));
}
