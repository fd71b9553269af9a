// The TransactionalBatch surface the double does not model; see UnmodelledContainer.
#nullable disable
using Microsoft.Azure.Cosmos;

namespace Messaging.Tests.Store.Cosmos.Double;

public abstract class UnmodelledTransactionalBatch : TransactionalBatch
{
    protected static NotSupportedException Unsupported([System.Runtime.CompilerServices.CallerMemberName] string member = "") =>
        new($"The Cosmos DB double does not model TransactionalBatch.{member}; add it to the double (with a test of the rule it follows) before the adapter uses it.");

    public override TransactionalBatch CreateItem<T>(T item, TransactionalBatchItemRequestOptions requestOptions = null) => throw Unsupported();

    public override TransactionalBatch CreateItemStream(Stream streamPayload, TransactionalBatchItemRequestOptions requestOptions = null) => throw Unsupported();

    public override TransactionalBatch ReadItem(string id, TransactionalBatchItemRequestOptions requestOptions = null) => throw Unsupported();

    public override TransactionalBatch UpsertItem<T>(T item, TransactionalBatchItemRequestOptions requestOptions = null) => throw Unsupported();

    public override TransactionalBatch UpsertItemStream(Stream streamPayload, TransactionalBatchItemRequestOptions requestOptions = null) => throw Unsupported();

    public override TransactionalBatch ReplaceItem<T>(string id, T item, TransactionalBatchItemRequestOptions requestOptions = null) => throw Unsupported();

    public override TransactionalBatch ReplaceItemStream(string id, Stream streamPayload, TransactionalBatchItemRequestOptions requestOptions = null) => throw Unsupported();

    public override TransactionalBatch DeleteItem(string id, TransactionalBatchItemRequestOptions requestOptions = null) => throw Unsupported();

    public override TransactionalBatch PatchItem(string id, IReadOnlyList<PatchOperation> patchOperations, TransactionalBatchPatchItemRequestOptions requestOptions = null) => throw Unsupported();

    public override Task<TransactionalBatchResponse> ExecuteAsync(CancellationToken cancellationToken = default) => throw Unsupported();

    public override Task<TransactionalBatchResponse> ExecuteAsync(TransactionalBatchRequestOptions requestOptions, CancellationToken cancellationToken = default) => throw Unsupported();
}
