#nullable disable
using System.Net;
using System.Text;
using Microsoft.Azure.Cosmos;

namespace Messaging.Tests.Store.Cosmos.Double;

/// <summary>
/// A transactional batch on one partition key: collected operations run all-or-nothing
/// (<see cref="DoubleItems.ApplyBatch"/>). The service takes at most 100 operations and 2 MB per
/// batch (https://learn.microsoft.com/azure/cosmos-db/transactional-batch#limitations): more
/// operations answer 400 Bad Request, a larger payload 413 Request Entity Too Large, nothing written.
/// Each operation's result carries its item for a read, and for a write when content on write is on:
/// the client's EnableContentResponseOnWrite "can be overriden by similar property in ItemRequestOptions
/// and TransactionalBatchItemRequestOptions"
/// (https://learn.microsoft.com/dotnet/api/microsoft.azure.cosmos.cosmosclientoptions.enablecontentresponseonwrite);
/// a patch (Increment included) can run inside the batch
/// (https://learn.microsoft.com/azure/cosmos-db/partial-document-update-getting-started, "Run patch operation as part of a transaction").
/// </summary>
public sealed class DoubleBatch(DoubleContainer container, string partitionKey) : UnmodelledTransactionalBatch
{
    public const int MaxOperations = 100;
    public const int MaxPayloadBytes = 2 * 1024 * 1024;

    private readonly List<ItemOperation> _operations = [];

    public override TransactionalBatch CreateItem<T>(T item, TransactionalBatchItemRequestOptions requestOptions = null) =>
        Add(new ItemOperation(ItemOperationKind.Create, null, DoubleItems.Serialize(item), ContentOnWrite: requestOptions?.EnableContentResponseOnWrite));

    public override TransactionalBatch ReadItem(string id, TransactionalBatchItemRequestOptions requestOptions = null) =>
        Add(new ItemOperation(ItemOperationKind.Read, id, IfMatch: requestOptions?.IfMatchEtag));

    public override TransactionalBatch UpsertItem<T>(T item, TransactionalBatchItemRequestOptions requestOptions = null) =>
        Add(new ItemOperation(ItemOperationKind.Upsert, null, DoubleItems.Serialize(item), requestOptions?.IfMatchEtag, ContentOnWrite: requestOptions?.EnableContentResponseOnWrite));

    public override TransactionalBatch ReplaceItem<T>(string id, T item, TransactionalBatchItemRequestOptions requestOptions = null) =>
        Add(new ItemOperation(ItemOperationKind.Replace, id, DoubleItems.Serialize(item), requestOptions?.IfMatchEtag, ContentOnWrite: requestOptions?.EnableContentResponseOnWrite));

    public override TransactionalBatch DeleteItem(string id, TransactionalBatchItemRequestOptions requestOptions = null) =>
        Add(new ItemOperation(ItemOperationKind.Delete, id, IfMatch: requestOptions?.IfMatchEtag));

    public override TransactionalBatch PatchItem(string id, IReadOnlyList<PatchOperation> patchOperations, TransactionalBatchPatchItemRequestOptions requestOptions = null) =>
        Add(new ItemOperation(ItemOperationKind.Patch, id, IfMatch: requestOptions?.IfMatchEtag, Patch: patchOperations, Filter: requestOptions?.FilterPredicate, ContentOnWrite: requestOptions?.EnableContentResponseOnWrite));

    public override Task<TransactionalBatchResponse> ExecuteAsync(CancellationToken cancellationToken = default) => ExecuteAsync(null, cancellationToken);

    public override async Task<TransactionalBatchResponse> ExecuteAsync(TransactionalBatchRequestOptions requestOptions, CancellationToken cancellationToken = default)
    {
        if (_operations.Count > MaxOperations)
        {
            return new DoubleBatchResponse(HttpStatusCode.BadRequest, [], $"A batch takes at most {MaxOperations} operations.", null);
        }

        if (_operations.Sum(o => Encoding.UTF8.GetByteCount(o.Body?.ToJsonString() ?? "")) > MaxPayloadBytes)
        {
            return new DoubleBatchResponse(HttpStatusCode.RequestEntityTooLarge, [], "A batch takes at most 2 MB.", null);
        }

        var outcomes = await container.ExecuteBatchAsync(partitionKey, _operations, cancellationToken);
        var failed = outcomes.FirstOrDefault(o => !o.IsSuccess && o.Status != HttpStatusCode.FailedDependency);
        return failed is null
            ? new DoubleBatchResponse(HttpStatusCode.OK, outcomes, null, null, [.. _operations.Select(container.AnswersWithContent)])
            : new DoubleBatchResponse(failed.Status, outcomes.Count == _operations.Count ? outcomes : [], failed.Error, failed.RetryAfter);
    }

    private DoubleBatch Add(ItemOperation operation)
    {
        _operations.Add(operation);
        return this;
    }
}
