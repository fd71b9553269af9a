using System.Net;
using Microsoft.Azure.Cosmos;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>Operations on one partition in transactional batches of at most <see cref="CosmosParticipants.MaxBatchOperations"/>, each all or nothing.</summary>
internal static class CosmosBatches
{
    /// <summary>Runs the batches one after the other; throws on the first that fails (a 404 too, unless <paramref name="goneIsDone"/>).</summary>
    public static async Task ExecuteChunkedAsync<T>(
        this Container container, string partitionKey, IEnumerable<T> items, Func<TransactionalBatch, T, TransactionalBatch> add, string what, CancellationToken cancellationToken, bool goneIsDone = false)
    {
        foreach (var chunk in items.Chunk(CosmosParticipants.MaxBatchOperations))
        {
            using var response = await chunk.Aggregate(container.CreateTransactionalBatch(new PartitionKey(partitionKey)), add).ExecuteAsync(cancellationToken);
            if (!response.IsSuccessStatusCode && !(goneIsDone && response.StatusCode == HttpStatusCode.NotFound))
            {
                throw new CosmosException($"{what} answered {response.StatusCode}.", response.StatusCode, 0, response.ActivityId, response.RequestCharge);
            }
        }
    }
}
