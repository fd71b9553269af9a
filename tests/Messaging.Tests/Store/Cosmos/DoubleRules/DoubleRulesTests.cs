using System.Net;
using System.Text.Json;
using Messaging.Tests.Store.Cosmos.Double;
using Microsoft.Azure.Cosmos;

namespace Messaging.Tests.Store.Cosmos.DoubleRules;

/// <summary>The Cosmos DB rules the double enforces, one test each, through the SDK's own types.</summary>
public sealed class DoubleRulesTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly DoubleDatabase _database;
    private readonly DoubleContainer _items;

    public DoubleRulesTests()
    {
        _database = new DoubleDatabase("rules", _clock);
        _items = _database.AddContainer("items", "/pk", defaultTimeToLive: -1);
    }

    private sealed record Item(string Id, string Pk, int N = 0, int? Ttl = null);

    private static PartitionKey Pk(string value) => new(value);

    private static MemoryStream Json(object item) => new(JsonSerializer.SerializeToUtf8Bytes(item, Messaging.Functions.Storage.Cosmos.CosmosJson.Options));

    private async Task<int> ReadN(string id, string pk) => (await _items.ReadItemAsync<Item>(id, Pk(pk), cancellationToken: Ct)).Resource.N;

    // https://learn.microsoft.com/azure/cosmos-db/transactional-batch: a batch is charged the sum of its operations, so each counts;
    // a refused write (409, 412, a failed batch) and a read write nothing.
    [Fact]
    public async Task Writes_count_each_committed_item_write_and_batch_operation_and_nothing_refused_or_read()
    {
        await _items.CreateItemAsync(new Item("a", "p1"), Pk("p1"), cancellationToken: Ct);
        await _items.ReadItemAsync<Item>("a", Pk("p1"), cancellationToken: Ct);
        await Assert.ThrowsAnyAsync<CosmosException>(() => _items.CreateItemAsync(new Item("a", "p1"), Pk("p1"), cancellationToken: Ct));
        using (var committed = await _items.CreateTransactionalBatch(Pk("p1")).CreateItem(new Item("b", "p1")).UpsertItem(new Item("c", "p1")).ReadItem("a").ExecuteAsync(Ct))
        {
            Assert.True(committed.IsSuccessStatusCode);
        }

        using (var refused = await _items.CreateTransactionalBatch(Pk("p1")).CreateItem(new Item("d", "p1")).CreateItem(new Item("a", "p1")).ExecuteAsync(Ct))
        {
            Assert.False(refused.IsSuccessStatusCode);
        }

        using (var patched = await _items.PatchItemStreamAsync("a", Pk("p1"), [PatchOperation.Set("/n", 1)], cancellationToken: Ct))
        {
            Assert.True(patched.IsSuccessStatusCode);
        }

        Assert.Equal(4, _database.Writes);
    }

    // https://learn.microsoft.com/rest/api/cosmos-db/http-status-codes-for-cosmosdb: 409 when the id is taken in the partition.
    [Fact]
    public async Task Create_of_a_taken_id_is_409_and_the_same_id_in_another_partition_is_another_item()
    {
        await _items.CreateItemAsync(new Item("a", "p1"), Pk("p1"), cancellationToken: Ct);
        var conflict = await Assert.ThrowsAnyAsync<CosmosException>(() => _items.CreateItemAsync(new Item("a", "p1"), Pk("p1"), cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        using var stream = await _items.CreateItemStreamAsync(Json(new Item("a", "p1")), Pk("p1"), cancellationToken: Ct);
        Assert.Equal(HttpStatusCode.Conflict, stream.StatusCode);
        await _items.CreateItemAsync(new Item("a", "p2"), Pk("p2"), cancellationToken: Ct);
    }

    // https://learn.microsoft.com/rest/api/cosmos-db/http-status-codes-for-cosmosdb: 404 on a missing item.
    [Fact]
    public async Task Read_replace_delete_and_patch_of_a_missing_item_are_404()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAnyAsync<CosmosException>(() => _items.ReadItemAsync<Item>("x", Pk("p"), cancellationToken: Ct))).StatusCode);
        using var replace = await _items.ReplaceItemStreamAsync(Json(new Item("x", "p")), "x", Pk("p"), cancellationToken: Ct);
        using var delete = await _items.DeleteItemStreamAsync("x", Pk("p"), cancellationToken: Ct);
        using var patch = await _items.PatchItemStreamAsync("x", Pk("p"), [PatchOperation.Set("/n", 1)], cancellationToken: Ct);
        Assert.All([replace.StatusCode, delete.StatusCode, patch.StatusCode], s => Assert.Equal(HttpStatusCode.NotFound, s));
        Assert.ThrowsAny<CosmosException>(() => replace.EnsureSuccessStatusCode());
    }

    // https://learn.microsoft.com/azure/cosmos-db/nosql/database-transactions-optimistic-concurrency: IfMatch on a stale ETag is 412.
    [Fact]
    public async Task A_write_with_a_stale_etag_is_412_and_changes_nothing()
    {
        await _items.CreateItemAsync(new Item("a", "p"), Pk("p"), cancellationToken: Ct);
        var read = await _items.ReadItemAsync<Item>("a", Pk("p"), cancellationToken: Ct);
        await _items.ReplaceItemAsync(new Item("a", "p", 1), "a", Pk("p"), new ItemRequestOptions { IfMatchEtag = read.ETag }, Ct);

        using var stale = await _items.ReplaceItemStreamAsync(Json(new Item("a", "p", 2)), "a", Pk("p"), new ItemRequestOptions { IfMatchEtag = read.ETag }, Ct);
        using var staleDelete = await _items.DeleteItemStreamAsync("a", Pk("p"), new ItemRequestOptions { IfMatchEtag = read.ETag }, Ct);

        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, staleDelete.StatusCode);
        Assert.Equal(1, await ReadN("a", "p"));
    }

    // https://learn.microsoft.com/azure/cosmos-db/transactional-batch: all operations commit or none; the others answer 424.
    [Fact]
    public async Task A_batch_with_one_failing_operation_writes_nothing()
    {
        await _items.CreateItemAsync(new Item("taken", "p"), Pk("p"), cancellationToken: Ct);
        using var response = await _items.CreateTransactionalBatch(Pk("p")).CreateItem(new Item("new", "p")).CreateItem(new Item("taken", "p")).ExecuteAsync(Ct);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(HttpStatusCode.FailedDependency, response[0].StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, response[1].StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAnyAsync<CosmosException>(() => _items.ReadItemAsync<Item>("new", Pk("p"), cancellationToken: Ct))).StatusCode);
    }

    // https://learn.microsoft.com/azure/cosmos-db/transactional-batch#limitations: one partition key per batch.
    [Fact]
    public async Task A_batch_item_of_another_partition_key_fails_the_batch()
    {
        using var response = await _items.CreateTransactionalBatch(Pk("p")).CreateItem(new Item("a", "p")).CreateItem(new Item("b", "other")).ExecuteAsync(Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(_items.Items.Snapshot(null));
    }

    // https://learn.microsoft.com/azure/cosmos-db/transactional-batch#limitations: at most 100 operations and 2 MB.
    [Fact]
    public async Task A_batch_over_100_operations_or_2_mb_is_refused_whole()
    {
        var tooMany = _items.CreateTransactionalBatch(Pk("p"));
        for (var i = 0; i <= DoubleBatch.MaxOperations; i++)
        {
            tooMany.CreateItem(new Item("i" + i, "p"));
        }

        using var many = await tooMany.ExecuteAsync(Ct);
        var big = new string('x', 1024 * 1024);
        using var large = await _items.CreateTransactionalBatch(Pk("p"))
            .CreateItem(new { id = "l1", pk = "p", big }).CreateItem(new { id = "l2", pk = "p", big }).ExecuteAsync(Ct);

        Assert.Equal(HttpStatusCode.BadRequest, many.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
        Assert.Empty(_items.Items.Snapshot(null));
    }

    // https://learn.microsoft.com/dotnet/api/microsoft.azure.cosmos.patchitemrequestoptions.filterpredicate: a failing predicate is 412.
    [Fact]
    public async Task A_conditional_patch_applies_only_when_its_predicate_holds()
    {
        await _items.CreateItemAsync(new Item("a", "p", 5), Pk("p"), cancellationToken: Ct);
        using var refused = await _items.PatchItemStreamAsync("a", Pk("p"), [PatchOperation.Set("/n", 3)], new PatchItemRequestOptions { FilterPredicate = "FROM c WHERE c.n < 3" }, Ct);
        using var applied = await _items.PatchItemStreamAsync("a", Pk("p"), [PatchOperation.Set("/n", 9)], new PatchItemRequestOptions { FilterPredicate = "FROM c WHERE c.n < 9" }, Ct);

        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        Assert.Equal(9, await ReadN("a", "p"));
    }

    // https://learn.microsoft.com/azure/cosmos-db/time-to-live: item ttl overrides the container default; -1 never expires.
    [Fact]
    public async Task An_item_with_a_ttl_disappears_once_it_elapsed_since_its_last_write()
    {
        await _items.CreateItemAsync(new Item("short", "p", Ttl: 10), Pk("p"), cancellationToken: Ct);
        await _items.CreateItemAsync(new Item("forever", "p"), Pk("p"), cancellationToken: Ct);
        _clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(0, await ReadN("short", "p"));
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAnyAsync<CosmosException>(() => _items.ReadItemAsync<Item>("short", Pk("p"), cancellationToken: Ct))).StatusCode);
        Assert.Equal(["forever"], _items.Items.Snapshot("p").Select(d => d["id"]!.GetValue<string>()));
        await _items.CreateItemAsync(new Item("short", "p"), Pk("p"), cancellationToken: Ct);
    }

    // https://learn.microsoft.com/azure/cosmos-db/time-to-live: with no container default, item ttl has no effect.
    [Fact]
    public async Task Item_ttl_is_ignored_when_the_container_has_no_default()
    {
        var noTtl = _database.AddContainer("plain", "/pk", defaultTimeToLive: null);
        await noTtl.CreateItemAsync(new Item("a", "p", Ttl: 1), Pk("p"), cancellationToken: Ct);
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal("a", (await noTtl.ReadItemAsync<Item>("a", Pk("p"), cancellationToken: Ct)).Resource.Id);
    }

    // https://learn.microsoft.com/azure/cosmos-db/change-feed-modes#latest-version-change-feed-mode: newest version once, in modification order, no deletes.
    [Fact]
    public async Task The_change_feed_shows_each_changed_item_once_in_its_newest_version_in_modification_order()
    {
        await _items.CreateItemAsync(new Item("a", "p"), Pk("p"), cancellationToken: Ct);
        var (first, position) = _items.ReadChangeFeed(0);
        await _items.CreateItemAsync(new Item("b", "p"), Pk("p"), cancellationToken: Ct);
        await _items.CreateItemAsync(new Item("gone", "p"), Pk("p"), cancellationToken: Ct);
        await _items.ReplaceItemAsync(new Item("a", "p", 1), "a", Pk("p"), cancellationToken: Ct);
        await _items.ReplaceItemAsync(new Item("a", "p", 2), "a", Pk("p"), cancellationToken: Ct);
        await _items.DeleteItemStreamAsync("gone", Pk("p"), cancellationToken: Ct);

        var (lagged, _) = _items.ReadChangeFeed(position);

        Assert.Equal(["a"], first.Select(d => d.GetProperty("id").GetString()));
        Assert.Equal(["b:0", "a:2"], lagged.Select(d => $"{d.GetProperty("id").GetString()}:{d.GetProperty("n").GetInt32()}"));
    }

    // https://learn.microsoft.com/azure/cosmos-db/concepts-limits#per-item-limits: '/', '\', '?', '#' are not allowed in ids.
    [Theory]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a?b")]
    [InlineData("a#b")]
    public async Task An_id_with_a_reserved_character_is_400(string id)
    {
        using var create = await _items.CreateItemStreamAsync(Json(new Item(id, "p")), Pk("p"), cancellationToken: Ct);
        using var read = await _items.ReadItemStreamAsync(id, Pk("p"), cancellationToken: Ct);
        Assert.Equal(HttpStatusCode.BadRequest, create.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, read.StatusCode);
    }

    [Fact]
    public async Task An_injected_429_surfaces_as_a_cosmos_exception_with_retry_after_then_the_call_succeeds()
    {
        _database.Faults.Inject(CosmosOperation.Create, new CosmosFault.Throttled(TimeSpan.FromMilliseconds(1500)), times: 2);
        var typed = await Assert.ThrowsAnyAsync<CosmosException>(() => _items.CreateItemAsync(new Item("a", "p"), Pk("p"), cancellationToken: Ct));
        using var stream = await _items.CreateItemStreamAsync(Json(new Item("a", "p")), Pk("p"), cancellationToken: Ct);
        var fromStream = Assert.ThrowsAny<CosmosException>(() => stream.EnsureSuccessStatusCode());

        Assert.Equal((HttpStatusCode)429, typed.StatusCode);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), typed.RetryAfter);
        Assert.Equal((HttpStatusCode)429, fromStream.StatusCode);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), fromStream.RetryAfter);
        await _items.CreateItemAsync(new Item("a", "p"), Pk("p"), cancellationToken: Ct);
    }

    [Fact]
    public async Task Injected_faults_apply_by_operation_kind_after_a_count()
    {
        await _items.CreateItemAsync(new Item("a", "p"), Pk("p"), cancellationToken: Ct);
        _database.Faults.Inject(CosmosOperation.Read, new CosmosFault.Unavailable(), skip: 1);
        _database.Faults.Inject(CosmosOperation.Batch, new CosmosFault.RequestTimeout());

        Assert.Equal(0, await ReadN("a", "p"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await Assert.ThrowsAnyAsync<CosmosException>(() => ReadN("a", "p"))).StatusCode);
        using var batch = await _items.CreateTransactionalBatch(Pk("p")).CreateItem(new Item("b", "p")).ExecuteAsync(Ct);
        Assert.Equal(HttpStatusCode.RequestTimeout, batch.StatusCode);
        Assert.Equal(0, await ReadN("a", "p"));
    }

    [Fact]
    public async Task A_hung_call_ends_when_its_token_is_cancelled_and_a_cancelled_call_throws_at_once()
    {
        _database.Faults.Inject(CosmosOperation.Query, new CosmosFault.Hang());
        _database.Faults.Inject(CosmosOperation.Patch, new CosmosFault.Cancelled());
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        using var iterator = _items.GetItemQueryIterator<Item>(new QueryDefinition("SELECT * FROM c"));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => iterator.ReadNextAsync(timeout.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _items.PatchItemStreamAsync("a", Pk("p"), [PatchOperation.Set("/n", 1)], cancellationToken: Ct));
    }

    [Fact]
    public void Sdk_members_the_double_does_not_model_refuse_loudly()
    {
        var error = Assert.Throws<NotSupportedException>(() => _items.GetItemLinqQueryable<Item>());
        Assert.Contains("GetItemLinqQueryable", error.Message, StringComparison.Ordinal);
    }

    // https://learn.microsoft.com/azure/cosmos-db/nosql/conceptual-resilient-sdk-applications: after a timeout a write may have been processed.
    [Fact]
    public async Task A_lost_response_applies_the_write_and_the_caller_sees_a_cancellation()
    {
        _database.Faults.Inject(CosmosOperation.Create, new CosmosFault.LostResponse());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _items.CreateItemAsync(new Item("a", "p", 1), Pk("p"), cancellationToken: Ct));
        Assert.Equal(1, await ReadN("a", "p"));

        _database.Faults.Inject(CosmosOperation.Batch, new CosmosFault.LostResponse());
        var batch = _items.CreateTransactionalBatch(Pk("p")).CreateItem(new Item("b", "p", 2)).ReplaceItem("a", new Item("a", "p", 3));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => batch.ExecuteAsync(Ct));
        Assert.Equal(2, await ReadN("b", "p"));
        Assert.Equal(3, await ReadN("a", "p"));
    }
}
