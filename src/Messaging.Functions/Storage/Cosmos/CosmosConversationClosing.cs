using System.Net;
using Messaging.Domain.Conversations;
using Microsoft.Azure.Cosmos;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// What a deleted conversation needs closed: sends refused, its direct/task claim released, the
/// participant documents the soft delete's batch had no room for deleted, and its members' memberships
/// gone. The delete request runs it after the soft delete (only <see cref="StopAsync"/> for a group
/// over 98), and the purger runs it all first (every step is idempotent).
/// </summary>
internal static class CosmosConversationClosing
{
    private const int MaxAttempts = 10;

    public static async Task CloseAsync(CosmosStore store, ConversationDocument deleted, bool participantsLeft, CancellationToken cancellationToken)
    {
        await StopAsync(store, deleted, cancellationToken);
        if (participantsLeft)
        {
            await DeleteParticipantsAsync(store.Conversations, deleted.Id, cancellationToken);
        }

        await Task.WhenAll((deleted.FormerParticipantIds ?? []).Select(userId => store.Memberships.DeleteIfExistsAsync(deleted.Id, userId, cancellationToken)));
    }

    /// <summary>
    /// What a delete needs at once in a bounded number of calls: sends refused and the direct/task claim
    /// released. The delete of a group too large for one batch does only this in the request: its
    /// participant documents and memberships are the purger's (the header is invisible already).
    /// </summary>
    public static async Task StopAsync(CosmosStore store, ConversationDocument deleted, CancellationToken cancellationToken)
    {
        await CloseCounterAsync(store.Messages, deleted.Id, cancellationToken);
        if (ClaimIdOf(deleted) is { } claimId)
        {
            await ReleaseClaimAsync(store.Conversations, claimId, deleted.Id, cancellationToken);
        }
    }

    /// <summary>
    /// Marks the sequence counter deleted, keeping its last sequence and giving it no <c>ttl</c>: a send
    /// racing this fails its ETag check (or its create) and then reads <c>deleted</c>. The counter
    /// expires only once the purge has removed every message, so sequences never restart next to old ones.
    /// </summary>
    public static async Task CloseCounterAsync(Container messages, string conversationId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            using (var patched = await messages.PatchItemStreamAsync(
                CosmosIds.CounterId, new PartitionKey(conversationId), [PatchOperation.Set("/deleted", true)], cancellationToken: cancellationToken))
            {
                if (patched.IsSuccessStatusCode)
                {
                    return;
                }

                if (patched.StatusCode != HttpStatusCode.NotFound)
                {
                    throw Failure(patched, $"Closing the counter of conversation {conversationId}");
                }
            }

            // No message was ever sent: a closed counter stops the first send (its create answers 409).
            var closed = new CounterDocument { ConversationId = conversationId, LastSequence = 0, Deleted = true };
            using var created = await messages.CreateItemStreamAsync(
                new MemoryStream(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(closed, CosmosJson.Options)), new PartitionKey(conversationId), cancellationToken: cancellationToken);
            if (created.IsSuccessStatusCode)
            {
                return;
            }

            if (created.StatusCode != HttpStatusCode.Conflict)
            {
                throw Failure(created, $"Closing the counter of conversation {conversationId}");
            }

            // A first send created the counter meanwhile: patch it.
        }

        throw new CosmosException($"The counter of conversation {conversationId} kept changing while it was being closed.", HttpStatusCode.PreconditionFailed, 0, string.Empty, 0);
    }

    /// <summary>Deletes the conversation's participant documents, 100 per transactional batch.</summary>
    private static async Task DeleteParticipantsAsync(Container conversations, string conversationId, CancellationToken cancellationToken)
    {
        var page = new QueryDefinition("SELECT TOP @n c.id FROM c WHERE c.type = @t")
            .WithParameter("@n", CosmosParticipants.MaxBatchOperations).WithParameter("@t", DocumentTypes.Participant);
        while (await conversations.QueryAsync<IdRow>(page, conversationId, cancellationToken, CosmosParticipants.MaxBatchOperations) is { Count: > 0 } rows)
        {
            await conversations.ExecuteChunkedAsync(
                conversationId, rows, (b, row) => b.DeleteItem(row.Id), $"Deleting the participants of conversation {conversationId}", cancellationToken, goneIsDone: true);
        }
    }

    public static string? ClaimIdOf(ConversationDocument document) =>
        document.DirectKey is { } directKey ? CosmosIds.Direct(directKey)
        : document.Kind == WireNames.Task && document.TaskId is { } taskId ? CosmosIds.Task(taskId)
        : null;

    /// <summary>Deletes the claim only while it still names this conversation: a new conversation of the same pair or task may own it by now.</summary>
    private static async Task ReleaseClaimAsync(Container conversations, string claimId, string conversationId, CancellationToken cancellationToken)
    {
        var (claim, etag) = await conversations.TryReadAsync<ClaimDocument>(claimId, claimId, cancellationToken);
        if (claim is null || claim.ConversationId != conversationId)
        {
            return;
        }

        using var response = await conversations.DeleteItemStreamAsync(claimId, new PartitionKey(claimId), new ItemRequestOptions { IfMatchEtag = etag }, cancellationToken);
        if (!response.IsSuccessStatusCode && response.StatusCode is not (HttpStatusCode.NotFound or HttpStatusCode.PreconditionFailed))
        {
            throw Failure(response, $"Releasing the claim {claimId}");
        }
    }

    private sealed record IdRow(string Id);

    private static CosmosException Failure(ResponseMessage response, string what) => CosmosRequestFailedException.Of(response, what);
}
