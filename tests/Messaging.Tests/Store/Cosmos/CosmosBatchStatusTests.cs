using System.Net;
using Messaging.Functions.Storage.Cosmos;
using Messaging.Tests.Store.Cosmos.Double;
using Microsoft.Azure.Cosmos;

namespace Messaging.Tests.Store.Cosmos;

/// <summary>
/// What a refused state-and-record batch reports. The operation that failed carries its own status and
/// the others answer 424 (https://learn.microsoft.com/azure/cosmos-db/nosql/transactional-batch), so the
/// status that decides a retry is the failing operation's, wherever it sits in the batch.
/// </summary>
public sealed class CosmosBatchStatusTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly DoubleContainer _items = new DoubleDatabase("batches", new ManualClock(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero)))
        .AddContainer("items", "/pk", defaultTimeToLive: -1);

    private sealed record Item(string Id, string Pk);

    [Fact]
    public async Task A_batch_whose_later_operation_finds_its_document_gone_answers_not_found_so_the_caller_can_retry()
    {
        await _items.CreateItemAsync(new Item("header", "c1"), new PartitionKey("c1"), cancellationToken: Ct);

        var status = await _items.CommitWithRecordAsync(
            "c1",
            batch => batch.UpsertItem(new Item("header", "c1")).PatchItem("p-gone", [PatchOperation.Set("/role", "owner")]),
            ChangeRecordDocument.ConversationCreated("c1", 1),
            Ct);

        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task A_batch_whose_later_operation_conflicts_answers_conflict_and_writes_nothing()
    {
        await _items.CreateItemAsync(new Item("p-taken", "c1"), new PartitionKey("c1"), cancellationToken: Ct);

        var status = await _items.CommitWithRecordAsync(
            "c1",
            batch => batch.CreateItem(new Item("header", "c1")).CreateItem(new Item("p-taken", "c1")),
            ChangeRecordDocument.ConversationCreated("c1", 1),
            Ct);

        Assert.Equal(HttpStatusCode.Conflict, status);
        using var header = await _items.ReadItemStreamAsync("header", new PartitionKey("c1"), cancellationToken: Ct);
        Assert.Equal(HttpStatusCode.NotFound, header.StatusCode);
    }
}
