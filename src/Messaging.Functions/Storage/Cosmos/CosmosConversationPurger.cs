using System.Net;
using Messaging.Domain.Attachments;
using Microsoft.Azure.Cosmos;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>What one purge step did.</summary>
internal enum PurgeProgress
{
    /// <summary>A page (or a phase change) was done and checkpointed; there is more.</summary>
    More,

    /// <summary>Nothing of the conversation is left to purge (or it was not pending).</summary>
    Finished,

    /// <summary>Another purger instance holds the conversation's lease.</summary>
    HeldElsewhere,
}

/// <summary>
/// Purges deleted conversations in bounded steps: each step does one page of at most
/// <see cref="CosmosPurgeOptions.PageSize"/> deletes and then checkpoints the phase and counts on the
/// soft-deleted conversation document (an ETag-guarded replace that also renews the step's lease).
/// Every step is idempotent, so a step repeated after a crash only finds less to delete.
/// </summary>
internal sealed class CosmosConversationPurger(CosmosStore store, IAttachmentContentStore files, TimeProvider time, CosmosPurgeOptions options, string owner)
{
    public string Owner => owner;

    /// <summary>Deleted conversations whose purge is not done: one query across the conversations' partitions.</summary>
    public async Task<IReadOnlyList<string>> FindPendingAsync(CancellationToken cancellationToken)
    {
        var rows = await store.Conversations.QueryAsync<IdRow>(
            new QueryDefinition("SELECT TOP @n c.id FROM c WHERE c.type = @type AND c.deleted = true AND c.purge.phase != @done")
                .WithParameter("@n", options.PendingBatch).WithParameter("@type", DocumentTypes.Conversation).WithParameter("@done", PurgePhases.Done),
            null,
            cancellationToken,
            options.PendingBatch);
        return [.. rows.Select(r => r.Id)];
    }

    /// <summary>The conversation's purge state, or null when it is not pending.</summary>
    public async Task<PurgeState?> StateOfAsync(string conversationId, CancellationToken cancellationToken)
    {
        var (document, _) = await store.Conversations.TryReadAsync<ConversationDocument>(conversationId, conversationId, cancellationToken);
        return document is { Deleted: true, Purge: { Phase: not PurgePhases.Done } purge } ? purge : null;
    }

    /// <summary>The counts of a finished purge, while its document has not expired.</summary>
    public async Task<PurgeState?> DoneStateOfAsync(string conversationId, CancellationToken cancellationToken)
    {
        var (document, _) = await store.Conversations.TryReadAsync<ConversationDocument>(conversationId, conversationId, cancellationToken);
        return document is { Deleted: true, Purge: { Phase: PurgePhases.Done } purge } ? purge : null;
    }

    /// <summary>One bounded step of the conversation's purge.</summary>
    public async Task<PurgeProgress> StepAsync(string conversationId, CancellationToken cancellationToken)
    {
        var (document, etag) = await store.Conversations.TryReadAsync<ConversationDocument>(conversationId, conversationId, cancellationToken);
        if (document is not { Deleted: true, Purge: { Phase: not PurgePhases.Done } purge })
        {
            return PurgeProgress.Finished;
        }

        var now = Now();
        if (purge.Owner != owner)
        {
            if (purge.LeaseUntil > now)
            {
                return PurgeProgress.HeldElsewhere;
            }

            // Take the lease before doing anything, so two instances never delete the same page.
            purge.Owner = owner;
            purge.LeaseUntil = now + (long)options.Lease.TotalMilliseconds;
            return await CheckpointAsync(document, etag!, cancellationToken) is { } taken ? await RunPhaseAsync(document, taken, cancellationToken) : PurgeProgress.More;
        }

        return await RunPhaseAsync(document, etag!, cancellationToken);
    }

    private async Task<PurgeProgress> RunPhaseAsync(ConversationDocument document, string etag, CancellationToken cancellationToken)
    {
        var purge = document.Purge!;
        switch (purge.Phase)
        {
            case PurgePhases.Closing:
                await CosmosConversationClosing.CloseAsync(store, document, participantsLeft: true, cancellationToken);
                purge.Phase = PurgePhases.Messages;
                break;
            case PurgePhases.Messages:
                var messages = await DeleteMessagePageAsync(document.Id, cancellationToken);
                purge.MessagesDeleted += messages;
                purge.Phase = messages == 0 ? PurgePhases.Attachments : PurgePhases.Messages;
                break;
            case PurgePhases.Attachments:
                var attachments = await DeleteAttachmentPageAsync(document.Id, cancellationToken);
                purge.AttachmentsDeleted += attachments;
                purge.Phase = attachments == 0 ? PurgePhases.Finishing : PurgePhases.Attachments;
                break;
            default:
                // Nothing of the conversation is left: the closed counter and this document may expire now.
                await ExpireCounterAsync(document.Id, cancellationToken);
                purge.Phase = PurgePhases.Done;
                purge.Owner = null;
                purge.LeaseUntil = 0;
                document.Ttl = CosmosStore.SoftDeleteTtlSeconds;
                break;
        }

        purge.LeaseUntil = purge.Phase == PurgePhases.Done ? 0 : Now() + (long)options.Lease.TotalMilliseconds;
        await CheckpointAsync(document, etag, cancellationToken);
        return purge.Phase == PurgePhases.Done ? PurgeProgress.Finished : PurgeProgress.More;
    }

    /// <summary>
    /// Records the state; null when the document moved meanwhile (a late activity patch of a racing
    /// send): the work of the step is done and idempotent, the next step reads the document again.
    /// </summary>
    private async Task<string?> CheckpointAsync(ConversationDocument document, string etag, CancellationToken cancellationToken)
    {
        document.Purge!.CheckpointAt = Now();
        using var response = await store.Conversations.ReplaceItemStreamAsync(
            new MemoryStream(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(document, CosmosJson.Options)),
            document.Id, new PartitionKey(document.Id), new ItemRequestOptions { IfMatchEtag = etag }, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return response.Headers.ETag;
        }

        return response.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound ? null : throw Failure(response, $"Checkpointing the purge of {document.Id}");
    }

    /// <summary>Up to a page of the conversation's messages, client-message claims and reactions, deleted in one transactional batch on its partition.</summary>
    private async Task<int> DeleteMessagePageAsync(string conversationId, CancellationToken cancellationToken)
    {
        // Change records are left to expire with their own ttl; the counter stays until the end.
        var page = await store.Messages.QueryAsync<TypedIdRow>(
            new QueryDefinition(
                    "SELECT TOP @n c.id, c.type FROM c WHERE c.conversationId = @c AND (c.type = @message OR c.type = @claim OR c.type = @reaction OR c.type = @kinds OR c.type = @counter)")
                .WithParameter("@n", options.PageSize).WithParameter("@c", conversationId)
                .WithParameter("@message", DocumentTypes.Message).WithParameter("@claim", DocumentTypes.ClientMessage)
                .WithParameter("@reaction", DocumentTypes.Reaction).WithParameter("@kinds", DocumentTypes.ReactionKinds).WithParameter("@counter", DocumentTypes.ReactionCounter),
            conversationId,
            cancellationToken,
            options.PageSize);
        if (page.Count == 0)
        {
            return 0;
        }

        // Locators first (another partition each): a crash after them repeats the page, and deleting a locator twice is harmless.
        foreach (var message in page.Where(row => row.Type == DocumentTypes.Message))
        {
            var locatorId = MessageLocatorDocument.IdOf(message.Id);
            await store.Conversations.DeleteIfExistsAsync(locatorId, locatorId, cancellationToken);
        }

        var batch = store.Messages.CreateTransactionalBatch(new PartitionKey(conversationId));
        foreach (var row in page)
        {
            batch = batch.DeleteItem(row.Id);
        }

        using var response = await batch.ExecuteAsync(cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return page.Count;
        }

        if (response.StatusCode == HttpStatusCode.NotFound || response.Any(r => r.StatusCode == HttpStatusCode.NotFound))
        {
            // A document of the page went meanwhile (a step repeated after a crash): the rest one by one.
            return await DeleteOneByOneAsync(store.Messages, conversationId, [.. page.Select(row => new IdRow(row.Id))], cancellationToken);
        }

        throw new PurgeFailedException($"Purging messages of {conversationId} answered {response.StatusCode}: {response.ErrorMessage}", response.StatusCode, response.RetryAfter);
    }

    private static async Task<int> DeleteOneByOneAsync(Container container, string partitionKey, List<IdRow> page, CancellationToken cancellationToken)
    {
        foreach (var row in page)
        {
            await container.DeleteIfExistsAsync(row.Id, partitionKey, cancellationToken);
        }

        return page.Count;
    }

    /// <summary>Up to a page of the conversation's attachments (sent or only uploaded to it): the file first, then its record, so a failure in between is retried.</summary>
    private async Task<int> DeleteAttachmentPageAsync(string conversationId, CancellationToken cancellationToken)
    {
        var page = await store.Attachments.QueryAsync<IdRow>(
            new QueryDefinition("SELECT TOP @n c.id FROM c WHERE c.conversationId = @c").WithParameter("@n", options.PageSize).WithParameter("@c", conversationId),
            null,
            cancellationToken,
            options.PageSize);
        foreach (var row in page)
        {
            await files.DeleteAsync(AttachmentStorageKey.For(row.Id), cancellationToken);
            await store.Attachments.DeleteIfExistsAsync(row.Id, row.Id, cancellationToken);
        }

        return page.Count;
    }

    private async Task ExpireCounterAsync(string conversationId, CancellationToken cancellationToken)
    {
        using var response = await store.Messages.PatchItemStreamAsync(
            CosmosIds.CounterId, new PartitionKey(conversationId), [PatchOperation.Set("/ttl", CosmosStore.SoftDeleteTtlSeconds)], cancellationToken: cancellationToken);
        if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.NotFound)
        {
            throw Failure(response, $"Letting the counter of {conversationId} expire");
        }
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private static PurgeFailedException Failure(ResponseMessage response, string what) =>
        new($"{what} answered {response.StatusCode}: {response.ErrorMessage}", response.StatusCode, RetryAfterOf(response.Headers));

    private static TimeSpan? RetryAfterOf(Headers headers) =>
        long.TryParse(headers["x-ms-retry-after-ms"], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms) ? TimeSpan.FromMilliseconds(ms) : null;

    private sealed record IdRow(string Id);

    private sealed record TypedIdRow(string Id, string Type);
}

/// <summary>A refused purge request, keeping the service's retry interval of a 429 for the purger's back-off.</summary>
internal sealed class PurgeFailedException(string message, HttpStatusCode status, TimeSpan? retryAfter) : CosmosException(message, status, 0, string.Empty, 0)
{
    public override TimeSpan? RetryAfter => retryAfter;
}
