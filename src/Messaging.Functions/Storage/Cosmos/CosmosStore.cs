using System.Collections.Concurrent;
using System.Net;
using Azure.Identity;
using Microsoft.Azure.Cosmos;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// The one <see cref="CosmosClient"/> of the process (a singleton: it owns connections and
/// caches) and the containers provisioned by infra/modules/cosmos.bicep.
/// </summary>
public sealed class CosmosStore : IDisposable
{
    public const string ConversationsContainer = "conversations";

    /// <summary>
    /// A conversation and its change records share a partition (its id), so they commit in one
    /// transactional batch; a claim is its own partition. Every document carries <c>pk</c>.
    /// </summary>
    public const string ConversationsPartitionKeyPath = "/pk";

    /// <summary>The paths each container indexes: only what its queries filter and sort on (<c>id</c> is always indexed). infra/modules/cosmos.bicep says the same (CosmosIndexingTests).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> IndexedPaths = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        [ConversationsContainer] = ["/type/?", "/deleted/?", "/purge/phase/?", "/role/?", "/joinedAt/?", "/userId/?", "/nextCheckAt/?"],
        [MembershipsContainer] = ["/userId/?", "/updatedAt/?", "/large/?"],
        [MessagesContainer] = ["/conversationId/?", "/type/?", "/sequence/?", "/senderId/?", "/deletedAt/?", "/replyToId/?", "/reactsTo/?", "/reactor/?"],
        [AttachmentsContainer] = ["/conversationId/?"],
    };

    /// <summary>The composite indexes of each container's ORDER BY queries; infra/modules/cosmos.bicep says the same.</summary>
    public static readonly IReadOnlyDictionary<string, (string Path, CompositePathSortOrder Order)[][]> CompositeIndexes =
        new Dictionary<string, (string Path, CompositePathSortOrder Order)[][]>(StringComparer.Ordinal)
        {
            [ConversationsContainer] = [[("/joinedAt", CompositePathSortOrder.Ascending), ("/userId", CompositePathSortOrder.Ascending)]],
            [MembershipsContainer] = [[("/updatedAt", CompositePathSortOrder.Descending), ("/id", CompositePathSortOrder.Descending)]],
            [MessagesContainer] =
            [
                [("/conversationId", CompositePathSortOrder.Ascending), ("/sequence", CompositePathSortOrder.Descending)],
                [("/conversationId", CompositePathSortOrder.Ascending), ("/sequence", CompositePathSortOrder.Ascending)],
            ],
            [AttachmentsContainer] = [],
        };

    public const string MembershipsContainer = "memberships";
    public const string MessagesContainer = "messages";
    public const string AttachmentsContainer = "attachments";

    /// <summary>How long a soft-deleted document stays for the change feed to see it (seconds).</summary>
    public const int SoftDeleteTtlSeconds = 24 * 60 * 60;

    public CosmosStore(CosmosOptions options)
        : this(options, CreateClient(options))
    {
    }

    public CosmosStore(CosmosOptions options, CosmosClient client)
        : this(options, client.GetDatabase(options.Database))
    {
        Client = client;
    }

    /// <summary>A store over a given database (its containers by the names above), with no client of its own: tests pass an in-process double.</summary>
    internal CosmosStore(CosmosOptions options, Database database)
    {
        Options = options;
        Database = database;
        Conversations = Database.GetContainer(ConversationsContainer);
        Memberships = Database.GetContainer(MembershipsContainer);
        Messages = Database.GetContainer(MessagesContainer);
        Attachments = Database.GetContainer(AttachmentsContainer);
        Leases = Database.GetContainer(options.LeaseContainer);
    }

    public CosmosOptions Options { get; }

    /// <summary>The client this store owns; null when it was built over a given database.</summary>
    public CosmosClient? Client { get; }

    public Database Database { get; }

    public Container Conversations { get; }

    public Container Memberships { get; }

    public Container Messages { get; }

    public Container Attachments { get; }

    public Container Leases { get; }

    /// <summary>Where a message lives (message id → conversation id), so a lookup by id is a point read when known.</summary>
    internal MessageLocator Locator { get; } = new();

    /// <summary>Wakes this process's purger when a conversation was deleted here (other instances find it on their next poll).</summary>
    internal PurgeWakeup PurgeRequests { get; } = new();

    public static CosmosClient CreateClient(CosmosOptions options)
    {
        var clientOptions = new CosmosClientOptions
        {
            ApplicationName = "messaging",
            UseSystemTextJsonSerializerWithOptions = CosmosJson.Options,
            EnableContentResponseOnWrite = false,
            // Spans of the "Azure.Cosmos.Operation" source, exported when telemetry is on (Diagnostics/Telemetry.cs).
            CosmosClientTelemetryOptions = new CosmosClientTelemetryOptions { DisableDistributedTracing = false },
            ConnectionMode = options.ConnectionMode,
        };
        if (options.AllowsEmulatorCertificate)
        {
            // The emulator serves a self-signed certificate; accepted for a loopback endpoint only (CosmosOptions.AllowsEmulatorCertificate).
            clientOptions.ServerCertificateCustomValidationCallback = (_, _, _) => true;
        }

        if (options.ConnectionString is { } connectionString)
        {
            return new CosmosClient(connectionString, clientOptions);
        }

        var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = options.ManagedIdentityClientId });
        return new CosmosClient(options.Endpoint, credential, clientOptions);
    }

    /// <summary>Creates the database and containers when missing (the emulator; in Azure the infrastructure does it).</summary>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        var client = Client ?? throw new InvalidOperationException("Creating the database needs the store's own CosmosClient.");
        var database = (await client.CreateDatabaseIfNotExistsAsync(Options.Database, cancellationToken: cancellationToken)).Database;
        foreach (var (name, partitionKey, ttl) in new[] { (ConversationsContainer, ConversationsPartitionKeyPath, true), (MembershipsContainer, "/userId", false), (MessagesContainer, "/conversationId", true), (AttachmentsContainer, "/id", true) })
        {
            await database.CreateContainerIfNotExistsAsync(Properties(name, partitionKey, ttl, IndexedPaths[name], CompositeIndexes[name]), cancellationToken: cancellationToken);
        }

        // TTL on without a default: leases never expire, change feed dead letters carry their own ttl (CosmosDeadLetters).
        var leases = new ContainerProperties(Options.LeaseContainer, "/id") { DefaultTimeToLive = -1 };
        leases.IndexingPolicy.ExcludedPaths.Add(new ExcludedPath { Path = "/\"_etag\"/?" });
        await database.CreateContainerIfNotExistsAsync(leases, cancellationToken: cancellationToken);
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        // A metadata read: no request units, and it fails when the account, the database or the credential does.
        var response = await Database.ReadStreamAsync(cancellationToken: cancellationToken);
        return response.IsSuccessStatusCode;
    }

    public void Dispose() => Client?.Dispose();

    private static ContainerProperties Properties(
        string name, string partitionKey, bool ttl, string[] indexed, (string Path, CompositePathSortOrder Order)[][] composites)
    {
        var properties = new ContainerProperties(name, partitionKey) { DefaultTimeToLive = ttl ? -1 : null };
        properties.IndexingPolicy.ExcludedPaths.Add(new ExcludedPath { Path = "/*" });
        foreach (var path in indexed)
        {
            properties.IndexingPolicy.IncludedPaths.Add(new IncludedPath { Path = path });
        }

        foreach (var composite in composites)
        {
            properties.IndexingPolicy.CompositeIndexes.Add(
                new System.Collections.ObjectModel.Collection<CompositePath>([.. composite.Select(c => new CompositePath { Path = c.Path, Order = c.Order })]));
        }

        return properties;
    }
}

/// <summary>A bounded memory of message id → conversation id, filled by this process's sends, reads and change feed.</summary>
internal sealed class MessageLocator
{
    private const int Capacity = 100_000;
    private readonly ConcurrentDictionary<string, string> _conversationOf = new(StringComparer.Ordinal);

    public void Remember(string messageId, string conversationId)
    {
        if (_conversationOf.Count >= Capacity)
        {
            _conversationOf.Clear();
        }

        _conversationOf[messageId] = conversationId;
    }

    public string? ConversationOf(string messageId) => _conversationOf.TryGetValue(messageId, out var conversationId) ? conversationId : null;
}

/// <summary>Point operations that answer "not found" and "precondition failed" without exceptions.</summary>
internal static class CosmosOperations
{
    public static async Task<(T? Document, string? ETag)> TryReadAsync<T>(this Container container, string id, string partitionKey, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            var response = await container.ReadItemAsync<T>(id, new PartitionKey(partitionKey), cancellationToken: cancellationToken);
            return (response.Resource, response.ETag);
        }
        catch (CosmosException exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            return (null, null);
        }
    }

    /// <summary>Sets a timestamp field only when it moves forward (a conditional patch); false when the document is missing or newer.</summary>
    public static async Task<bool> AdvanceTimestampAsync(this Container container, string id, string partitionKey, string field, long value, CancellationToken cancellationToken)
    {
        using var response = await container.PatchItemStreamAsync(
            id,
            new PartitionKey(partitionKey),
            [PatchOperation.Set("/" + field, value)],
            new PatchItemRequestOptions { FilterPredicate = $"FROM c WHERE c.{field} < {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}" },
            cancellationToken);
        return response.StatusCode switch
        {
            _ when response.IsSuccessStatusCode => true,
            HttpStatusCode.NotFound or HttpStatusCode.PreconditionFailed => false,
            _ => throw CosmosRequestFailedException.Of(response, $"Patching {field} of {id}"),
        };
    }

    /// <summary>
    /// Commits a state write and the change record that announces it, all or nothing, in one
    /// transactional batch on their shared partition. Answers OK, or the status of the state write
    /// when it was refused on a condition (412 ETag, 404 gone, 409 exists); throws on anything else
    /// (a 429 included, which the API answers with Retry-After).
    /// </summary>
    public static async Task<HttpStatusCode> CommitWithRecordAsync(
        this Container container, string partitionKey, Func<TransactionalBatch, TransactionalBatch> write, ChangeRecordDocument record, CancellationToken cancellationToken)
    {
        var batch = write(container.CreateTransactionalBatch(new PartitionKey(partitionKey))).CreateItem(record);
        using var response = await batch.ExecuteAsync(cancellationToken);
        return StatusOf(response, partitionKey);
    }

    /// <summary>200 for a batch that committed; the state conflict (412, 404, 409) that refused it; throws on any other failure.</summary>
    public static HttpStatusCode StatusOf(TransactionalBatchResponse response, string partitionKey)
    {
        if (response.IsSuccessStatusCode)
        {
            return HttpStatusCode.OK;
        }

        // The failing operation carries its own status, wherever it sits; the others answer 424 Failed Dependency.
        var stateStatus = Enumerable.Range(0, response.Count).Select(i => response[i].StatusCode)
            .FirstOrDefault(status => status != HttpStatusCode.FailedDependency, response.StatusCode);
        return stateStatus is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound or HttpStatusCode.Conflict
            ? stateStatus
            : throw CosmosRequestFailedException.Of(response, $"A batch in partition {partitionKey}");
    }

    public static async Task DeleteIfExistsAsync(this Container container, string id, string partitionKey, CancellationToken cancellationToken)
    {
        using var response = await container.DeleteItemStreamAsync(id, new PartitionKey(partitionKey), cancellationToken: cancellationToken);
        if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.NotFound)
        {
            throw CosmosRequestFailedException.Of(response, $"Deleting {id}");
        }
    }

    public static async Task<List<T>> QueryAsync<T>(this Container container, QueryDefinition query, string? partitionKey, CancellationToken cancellationToken, int? maxItemCount = null)
    {
        var options = new QueryRequestOptions { MaxItemCount = maxItemCount };
        if (partitionKey is not null)
        {
            options.PartitionKey = new PartitionKey(partitionKey);
        }

        var results = new List<T>();
        using var iterator = container.GetItemQueryIterator<T>(query, requestOptions: options);
        while (iterator.HasMoreResults)
        {
            results.AddRange(await iterator.ReadNextAsync(cancellationToken));
        }

        return results;
    }
}

/// <summary>The health endpoint's check: the account answers and the database exists.</summary>
public sealed class CosmosStoreHealth(CosmosStore store) : IStoreHealth
{
    public Task<bool> IsAvailableAsync(CancellationToken cancellationToken) => store.PingAsync(cancellationToken);
}
