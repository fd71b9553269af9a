using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Messaging.Functions.Storage.Cosmos;
using Messaging.Tests.Store.Cosmos.Double.Sql;
using Microsoft.Azure.Cosmos;

namespace Messaging.Tests.Store.Cosmos.Double;

/// <summary>One stored version of an item: its body (system properties included), ETag and change feed position.</summary>
public sealed record StoredItem(string Id, string PartitionKey, JsonObject Body, string ETag, long Lsn, long TimestampSeconds);

/// <summary>One point operation, alone or inside a transactional batch.</summary>
public sealed record ItemOperation(ItemOperationKind Kind, string? Id, JsonObject? Body = null, string? IfMatch = null, IReadOnlyList<PatchOperation>? Patch = null, string? Filter = null, bool? ContentOnWrite = null);

public enum ItemOperationKind
{
    Create,
    Read,
    Replace,
    Upsert,
    Delete,
    Patch,
}

/// <summary>What an operation answered.</summary>
public sealed record ItemOutcome(HttpStatusCode Status, StoredItem? Item = null, string? Error = null, TimeSpan? RetryAfter = null)
{
    /// <summary>The marker of <see cref="CosmosFault.LostResponse"/>: the container applies the operation, then throws.</summary>
    internal static readonly ItemOutcome ResponseLost = new(HttpStatusCode.RequestTimeout, Error: "The response was lost (injected fault).");

    public bool IsSuccess => (int)Status is >= 200 and < 300;
}

/// <summary>
/// The items of one container and the Cosmos DB rules on them. Each rule names the page that documents it.
/// </summary>
public sealed class DoubleItems(string partitionKeyPath, int? defaultTimeToLive, TimeProvider clock)
{
    /// <summary>https://learn.microsoft.com/azure/cosmos-db/concepts-limits#per-item-limits: an item is at most 2 MB (413 beyond).</summary>
    public const int MaxItemBytes = 2 * 1024 * 1024;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Dictionary<string, StoredItem>> _partitions = new(StringComparer.Ordinal);
    private long _lsn;

    public string PartitionKeyPath { get; } = partitionKeyPath;

    /// <summary>Where evaluated queries and patch predicates are recorded for the independent check, when set.</summary>
    public QueryLog? QueryLog { get; set; }

    /// <summary>Applies one operation atomically.</summary>
    public ItemOutcome Apply(string partitionKey, ItemOperation operation)
    {
        lock (_gate)
        {
            var partition = Partition(partitionKey);
            return Apply(partitionKey, partition, operation);
        }
    }

    /// <summary>
    /// A transactional batch: every operation on one partition key, all or nothing, in order; when one fails,
    /// it answers its own status and every other operation 424 Failed Dependency
    /// (https://learn.microsoft.com/azure/cosmos-db/transactional-batch,
    /// https://learn.microsoft.com/rest/api/cosmos-db/http-status-codes-for-cosmosdb).
    /// </summary>
    public IReadOnlyList<ItemOutcome> ApplyBatch(string partitionKey, IReadOnlyList<ItemOperation> operations)
    {
        lock (_gate)
        {
            var working = new Dictionary<string, StoredItem>(Partition(partitionKey), StringComparer.Ordinal);
            var outcomes = new List<ItemOutcome>(operations.Count);
            foreach (var operation in operations)
            {
                var outcome = Apply(partitionKey, working, operation);
                if (!outcome.IsSuccess)
                {
                    var failed = outcomes.Count;
                    return [.. operations.Select((_, i) => i == failed ? outcome : new ItemOutcome(HttpStatusCode.FailedDependency, Error: "Failed dependency."))];
                }

                outcomes.Add(outcome);
            }

            _partitions[partitionKey] = working;
            return outcomes;
        }
    }

    /// <summary>The live (unexpired) items of one partition, or of all partitions when <paramref name="partitionKey"/> is null.</summary>
    public IReadOnlyList<JsonObject> Snapshot(string? partitionKey)
    {
        lock (_gate)
        {
            var items = partitionKey is null ? _partitions.Values.SelectMany(p => p.Values) : Partition(partitionKey).Values;
            return [.. items.Where(i => !IsExpired(i)).OrderBy(i => i.Lsn).Select(i => (JsonObject)i.Body.DeepClone())];
        }
    }

    /// <summary>
    /// Latest-version change feed: items written after <paramref name="after"/>, each once in its newest
    /// version, in modification order; deletes (and expired items) are not shown
    /// (https://learn.microsoft.com/azure/cosmos-db/change-feed-modes#latest-version-change-feed-mode).
    /// </summary>
    public (IReadOnlyList<JsonObject> Items, long Continuation) ReadChangeFeed(long after, int maxItems = int.MaxValue)
    {
        lock (_gate)
        {
            var changed = _partitions.Values.SelectMany(p => p.Values).Where(i => i.Lsn > after && !IsExpired(i)).OrderBy(i => i.Lsn).Take(maxItems).ToList();
            return ([.. changed.Select(i => (JsonObject)i.Body.DeepClone())], changed.Count > 0 ? changed[^1].Lsn : after);
        }
    }

    /// <summary>The id rules (https://learn.microsoft.com/azure/cosmos-db/concepts-limits#per-item-limits): a string of at most 1,023 bytes without '/', '\', '?' or '#'.</summary>
    public static string? InvalidId(string? id) =>
        string.IsNullOrEmpty(id) ? "The item has no id."
        : id.IndexOfAny(['/', '\\', '?', '#']) >= 0 ? $"The id '{id}' contains a character that is not allowed ('/', '\\', '?', '#')."
        : Encoding.UTF8.GetByteCount(id) > 1023 ? "The id is longer than 1,023 bytes."
        : null;

    private Dictionary<string, StoredItem> Partition(string partitionKey)
    {
        if (!_partitions.TryGetValue(partitionKey, out var partition))
        {
            partition = new Dictionary<string, StoredItem>(StringComparer.Ordinal);
            _partitions[partitionKey] = partition;
        }

        return partition;
    }

    private ItemOutcome Apply(string partitionKey, Dictionary<string, StoredItem> partition, ItemOperation operation)
    {
        var id = operation.Id ?? operation.Body?["id"]?.GetValue<string>();
        if (InvalidId(id) is { } invalid)
        {
            return new ItemOutcome(HttpStatusCode.BadRequest, Error: invalid);
        }

        var current = partition.TryGetValue(id!, out var found) && !IsExpired(found) ? found : null;
        if (operation.Body is { } body)
        {
            if (body["id"]?.GetValue<string>() != id)
            {
                return new ItemOutcome(HttpStatusCode.BadRequest, Error: "The id in the body differs from the id of the request.");
            }

            // https://learn.microsoft.com/rest/api/cosmos-db/http-status-codes-for-cosmosdb: 400 when the body's partition key differs from the request's.
            if (PartitionKeyOf(body) != partitionKey)
            {
                return new ItemOutcome(HttpStatusCode.BadRequest, Error: "PartitionKey extracted from document doesn't match the one specified in the header.");
            }
        }

        // Optimistic concurrency: a write with IfMatch on another ETag is refused with 412
        // (https://learn.microsoft.com/azure/cosmos-db/nosql/database-transactions-optimistic-concurrency).
        if (operation.IfMatch is { } ifMatch && operation.Kind != ItemOperationKind.Create && current is not null && current.ETag != ifMatch)
        {
            return new ItemOutcome(HttpStatusCode.PreconditionFailed, Error: "One of the specified pre-condition is not met.");
        }

        switch (operation.Kind)
        {
            case ItemOperationKind.Create:
                // 409 when the (partition key, id) is taken (https://learn.microsoft.com/rest/api/cosmos-db/http-status-codes-for-cosmosdb).
                return current is not null
                    ? new ItemOutcome(HttpStatusCode.Conflict, Error: "Entity with the specified id already exists in the system.")
                    : Write(partitionKey, partition, operation.Body!, HttpStatusCode.Created);
            case ItemOperationKind.Read:
                return current is null ? NotFound() : new ItemOutcome(HttpStatusCode.OK, current);
            case ItemOperationKind.Replace:
                return current is null ? NotFound() : Write(partitionKey, partition, operation.Body!, HttpStatusCode.OK);
            case ItemOperationKind.Upsert:
                return operation.IfMatch is not null && current is null
                    ? NotFound()
                    : Write(partitionKey, partition, operation.Body!, current is null ? HttpStatusCode.Created : HttpStatusCode.OK);
            case ItemOperationKind.Delete:
                if (current is null)
                {
                    return NotFound();
                }

                partition.Remove(id!);
                return new ItemOutcome(HttpStatusCode.NoContent);
            case ItemOperationKind.Patch:
                return current is null ? NotFound() : Patch(partitionKey, partition, current, operation);
            default:
                throw new NotSupportedException(operation.Kind.ToString());
        }
    }

    /// <summary>
    /// Partial document update: a filter predicate (<c>FROM c WHERE …</c>) that does not hold answers 412
    /// (https://learn.microsoft.com/dotnet/api/microsoft.azure.cosmos.patchitemrequestoptions.filterpredicate,
    /// https://learn.microsoft.com/azure/cosmos-db/partial-document-update).
    /// </summary>
    private ItemOutcome Patch(string partitionKey, Dictionary<string, StoredItem> partition, StoredItem current, ItemOperation operation)
    {
        var body = (JsonObject)current.Body.DeepClone();
        if (operation.Filter is { } filter)
        {
            var predicate = CosmosSqlParser.ParsePredicate(filter);
            var matched = CosmosSqlEvaluator.Execute(predicate, [body], new Dictionary<string, JsonNode?>());
            QueryLog?.Record("SELECT * " + filter, [], [(JsonObject)current.Body.DeepClone()], matched);
            if (matched.Count == 0)
            {
                return new ItemOutcome(HttpStatusCode.PreconditionFailed, Error: "The filter predicate of the patch is not satisfied.");
            }
        }

        foreach (var patch in operation.Patch ?? [])
        {
            if (!DoublePatch.Apply(body, patch))
            {
                return new ItemOutcome(HttpStatusCode.BadRequest, Error: $"The patch path {patch.Path} cannot be applied.");
            }
        }

        return Write(partitionKey, partition, body, HttpStatusCode.OK);
    }

    private ItemOutcome Write(string partitionKey, Dictionary<string, StoredItem> partition, JsonObject body, HttpStatusCode status)
    {
        var stored = (JsonObject)body.DeepClone();
        stored.Remove("_etag");
        stored.Remove("_ts");
        stored.Remove("_lsn");
        if (Encoding.UTF8.GetByteCount(stored.ToJsonString()) > MaxItemBytes)
        {
            return new ItemOutcome(HttpStatusCode.RequestEntityTooLarge, Error: "The item is larger than 2 MB.");
        }

        var etag = "\"" + Guid.NewGuid().ToString() + "\"";
        var seconds = clock.GetUtcNow().ToUnixTimeSeconds();
        var lsn = ++_lsn;
        stored["_etag"] = etag;
        stored["_ts"] = seconds;
        stored["_lsn"] = lsn;
        var item = new StoredItem(stored["id"]!.GetValue<string>(), partitionKey, stored, etag, lsn, seconds);
        partition[item.Id] = item;
        return new ItemOutcome(status, item);
    }

    /// <summary>
    /// Time to live (https://learn.microsoft.com/azure/cosmos-db/time-to-live): off when the container has no
    /// default (item <c>ttl</c> ignored); otherwise the item's <c>ttl</c> overrides the container default, -1
    /// never expires, and an expired item is gone for reads and queries at once, counted from its last write.
    /// </summary>
    private bool IsExpired(StoredItem item)
    {
        if (defaultTimeToLive is null)
        {
            return false;
        }

        var ttl = item.Body["ttl"] is JsonValue value && value.GetValueKind() == JsonValueKind.Number ? (long)(double)CosmosSqlEvaluator.FromNode(value)! : defaultTimeToLive.Value;
        return ttl > 0 && clock.GetUtcNow().ToUnixTimeSeconds() >= item.TimestampSeconds + ttl;
    }

    private string? PartitionKeyOf(JsonObject body)
    {
        JsonNode? node = body;
        foreach (var segment in PartitionKeyPath.Trim('/').Split('/'))
        {
            node = node is JsonObject o && o.TryGetPropertyValue(segment, out var child) ? child : null;
        }

        return node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
    }

    private static ItemOutcome NotFound() => new(HttpStatusCode.NotFound, Error: "Entity with the specified id does not exist in the system.");

    /// <summary>The string value of a single-value partition key.</summary>
    public static string KeyOf(PartitionKey partitionKey) =>
        JsonNode.Parse(partitionKey.ToString()) is JsonArray { Count: 1 } array && array[0] is JsonValue value && value.GetValueKind() == JsonValueKind.String
            ? value.GetValue<string>()
            : throw new NotSupportedException($"The Cosmos DB double models single string partition keys, not {partitionKey}.");

    /// <summary>A document as the client's serializer writes it.</summary>
    public static JsonObject Serialize<T>(T item) =>
        JsonSerializer.SerializeToNode(item, CosmosJson.Options) as JsonObject ?? throw new ArgumentException("An item is a JSON object.", nameof(item));
}
