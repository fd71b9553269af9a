using System.Net;
using System.Text.Json;
using Messaging.Tests.Store.Cosmos.Double;
using Microsoft.Azure.Cosmos;

namespace Messaging.Tests.Store.Cosmos.DoubleRules;

/// <summary>Patch operations inside a transactional batch, and what a batch operation answers: one rule per test.</summary>
public sealed class DoubleBatchPatchRulesTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly DoubleContainer _items = new DoubleDatabase("rules").AddContainer("items", "/pk", defaultTimeToLive: -1);

    private sealed record Item(string Id, string Pk, int N = 0);

    private static PartitionKey Pk(string value) => new(value);

    private static async Task<int> NOf(Stream stream) =>
        (await JsonSerializer.DeserializeAsync<Item>(stream, Messaging.Functions.Storage.Cosmos.CosmosJson.Options, Ct))!.N;

    // https://learn.microsoft.com/azure/cosmos-db/partial-document-update (Increment adds a positive or negative value to a number)
    // and https://learn.microsoft.com/azure/cosmos-db/partial-document-update-getting-started ("Run patch operation as part of a transaction").
    [Fact]
    public async Task An_increment_patch_in_a_batch_adds_to_the_number_without_an_etag_and_commits_with_the_rest()
    {
        await _items.CreateItemAsync(new Item("counter", "p", 5), Pk("p"), cancellationToken: Ct);

        using var up = await _items.CreateTransactionalBatch(Pk("p"))
            .PatchItem("counter", [PatchOperation.Increment("/n", 3)]).CreateItem(new Item("a", "p")).ExecuteAsync(Ct);
        using var down = await _items.CreateTransactionalBatch(Pk("p"))
            .PatchItem("counter", [PatchOperation.Increment("/n", -1)]).CreateItem(new Item("b", "p")).ExecuteAsync(Ct);

        Assert.True(up.IsSuccessStatusCode && down.IsSuccessStatusCode);
        Assert.Equal(7, (await _items.ReadItemAsync<Item>("counter", Pk("p"), cancellationToken: Ct)).Resource.N);
    }

    // https://learn.microsoft.com/dotnet/api/microsoft.azure.cosmos.transactionalbatchpatchitemrequestoptions.filterpredicate:
    // a conditional patch whose predicate fails is 412, and a batch is all or nothing (https://learn.microsoft.com/azure/cosmos-db/transactional-batch).
    [Fact]
    public async Task A_batch_patch_whose_filter_predicate_fails_is_412_and_the_batch_writes_nothing()
    {
        await _items.CreateItemAsync(new Item("counter", "p", 5), Pk("p"), cancellationToken: Ct);

        using var refused = await _items.CreateTransactionalBatch(Pk("p"))
            .PatchItem("counter", [PatchOperation.Increment("/n", 1)], new TransactionalBatchPatchItemRequestOptions { FilterPredicate = "FROM c WHERE c.n = 4" })
            .CreateItem(new Item("a", "p"))
            .ExecuteAsync(Ct);

        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        Assert.Equal(5, (await _items.ReadItemAsync<Item>("counter", Pk("p"), cancellationToken: Ct)).Resource.N);
        Assert.Single(_items.Items.Snapshot("p"));
    }

    // https://learn.microsoft.com/dotnet/api/microsoft.azure.cosmos.cosmosclientoptions.enablecontentresponseonwrite: off, a write answers no
    // item; the option "can be overriden by similar property in ItemRequestOptions and TransactionalBatchItemRequestOptions". A read answers its item.
    [Fact]
    public async Task A_batch_write_answers_its_item_only_when_content_on_write_is_asked_for_and_a_read_always()
    {
        await _items.CreateItemAsync(new Item("counter", "p", 1), Pk("p"), cancellationToken: Ct);

        using var response = await _items.CreateTransactionalBatch(Pk("p"))
            .PatchItem("counter", [PatchOperation.Increment("/n", 1)], new TransactionalBatchPatchItemRequestOptions { EnableContentResponseOnWrite = true })
            .PatchItem("counter", [PatchOperation.Increment("/n", 1)])
            .ReadItem("counter")
            .ExecuteAsync(Ct);

        Assert.Equal(2, await NOf(response[0].ResourceStream));
        Assert.Null(response[1].ResourceStream);
        Assert.Equal(3, await NOf(response[2].ResourceStream));
    }
}
