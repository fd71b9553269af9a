using System.Net;
using Messaging.Domain.Presence;
using Microsoft.Azure.Cosmos;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// Presence in Cosmos DB: one document per user (<see cref="PresenceDocument"/>), point reads and
/// writes conditional on the ETag read, so that every Functions instance may handle any user's events
/// and sweep any user; the sweeper's query reads only index entries of <c>nextCheckAt</c>.
/// </summary>
public sealed class CosmosPresenceRepository(CosmosStore store) : IPresenceRepository
{
    /// <summary>Saves of one batch in flight at once: a sweep's 100 renewals take about 100 / 8 round trips, not 100.</summary>
    public const int MaxConcurrentSaves = 8;

    public async Task<VersionedPresence?> GetAsync(string userId, CancellationToken cancellationToken)
    {
        var (document, etag) = await store.Conversations.TryReadAsync<PresenceDocument>(
            PresenceDocument.DocumentId, PresenceDocument.PartitionOf(userId), cancellationToken);
        return document is null ? null : new VersionedPresence(document.ToState(), etag!);
    }

    public async Task<IReadOnlyList<PresenceState>> GetManyAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken)
    {
        if (userIds.Count == 0)
        {
            return [];
        }

        var read = await store.Conversations.ReadManyItemsAsync<PresenceDocument>(
            [.. userIds.Distinct(StringComparer.Ordinal).Select(u => (PresenceDocument.DocumentId, new PartitionKey(PresenceDocument.PartitionOf(u))))],
            cancellationToken: cancellationToken);
        return [.. read.Resource.Where(d => d.Type == DocumentTypes.Presence).Select(d => d.ToState())];
    }

    public async Task<bool> TrySaveAsync(PresenceState state, string? expectedVersion, CancellationToken cancellationToken)
    {
        var document = PresenceDocument.From(state);
        var partition = new PartitionKey(document.Pk);
        using var body = new MemoryStream(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(document, CosmosJson.Options));
        using var response = expectedVersion is null
            ? await store.Conversations.CreateItemStreamAsync(body, partition, cancellationToken: cancellationToken)
            : await store.Conversations.ReplaceItemStreamAsync(
                body, PresenceDocument.DocumentId, partition, new ItemRequestOptions { IfMatchEtag = expectedVersion }, cancellationToken);
        return response.StatusCode switch
        {
            _ when response.IsSuccessStatusCode => true,
            HttpStatusCode.Conflict or HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound => false,
            _ => throw CosmosRequestFailedException.Of(response, $"Saving the presence of {state.UserId}"),
        };
    }

    /// <summary>
    /// Each user is its own partition, so no transaction spans two: point writes, <see cref="MaxConcurrentSaves"/> at a
    /// time. A save that fails does not stop the others (each is its own write); the failures are reported together.
    /// </summary>
    public async Task<IReadOnlySet<string>> TrySaveManyAsync(IReadOnlyList<PresenceSave> saves, CancellationToken cancellationToken)
    {
        var saved = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        await Parallel.ForEachAsync(saves, new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentSaves, CancellationToken = cancellationToken }, async (save, token) =>
        {
            try
            {
                if (await TrySaveAsync(save.State, save.ExpectedVersion, token))
                {
                    saved[save.State.UserId] = true;
                }
            }
            catch (Exception exception) when (!token.IsCancellationRequested)
            {
                failures.Enqueue(exception);
            }
        });
        var savedUsers = saved.Keys.ToHashSet(StringComparer.Ordinal);
        return failures.IsEmpty ? savedUsers : throw new PresenceSavesFailedException(savedUsers, [.. failures]);
    }

    public async Task<IReadOnlyList<string>> ListDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        var rows = await store.Conversations.QueryAsync<DueRow>(
            new QueryDefinition("SELECT TOP @n c.userId FROM c WHERE c.type = @t AND c.nextCheckAt <= @now ORDER BY c.nextCheckAt ASC")
                .WithParameter("@n", limit).WithParameter("@t", DocumentTypes.Presence).WithParameter("@now", CosmosJson.Ms(now)),
            null, cancellationToken);
        return [.. rows.Select(r => r.UserId)];
    }

    private sealed record DueRow(string UserId);
}
