using System.Globalization;
using System.Net;
using Messaging.Domain.Common;
using Messaging.Domain.Messages;
using Microsoft.Azure.Cosmos;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// Replies (issue 16): the parent's <c>replyCount</c> moves by a patch in the same transactional batch as the
/// reply's creation or deletion (all in the conversation's partition); a reply's preview is read from its parent
/// when the reply is read (one point read, or one ReadMany per page), so deleting a parent is one write.
/// </summary>
public sealed partial class CosmosMessageRepository
{
    // A reply counts only on a live message; a parent of another conversation is not in this partition (404).
    private const string LiveMessage = "FROM c WHERE c.type = 'message' AND IS_NULL(c.deletedAt)";

    public async Task<Result<Page<Message>>> ListRepliesAsync(string conversationId, string parentId, int limit, string? continuationToken, CancellationToken cancellationToken)
    {
        var after = 0L;
        if (continuationToken is not null
            && (!ContinuationToken.TryDecode(continuationToken, out var position)
                || !long.TryParse(position, NumberStyles.None, CultureInfo.InvariantCulture, out after)))
        {
            return Error.Invalid("continuationToken", "The continuation token is not valid.");
        }

        var query = new QueryDefinition(
                "SELECT TOP @n * FROM c WHERE c.conversationId = @c AND c.type = @type AND c.replyToId = @p AND IS_NULL(c.deletedAt) AND c.sequence > @after ORDER BY c.sequence ASC")
            .WithParameter("@n", limit + 1).WithParameter("@c", conversationId).WithParameter("@type", DocumentTypes.Message)
            .WithParameter("@p", parentId).WithParameter("@after", after);
        var rows = await QueryMessagesAsync(conversationId, query, limit + 1, cancellationToken);
        var items = rows.Take(limit).ToList();
        var next = rows.Count > limit ? ContinuationToken.Encode(items[^1].Sequence.ToString(CultureInfo.InvariantCulture)) : null;
        return Result<Page<Message>>.Success(new Page<Message>(items, next));
    }

    private static TransactionalBatch CountReply(TransactionalBatch batch, Message message) =>
        message.ReplyToId is null
            ? batch
            : batch.PatchItem(
                message.ReplyToId,
                [PatchOperation.Increment("/replyCount", 1)],
                new TransactionalBatchPatchItemRequestOptions { FilterPredicate = LiveMessage });

    /// <summary>A reply that becomes a tombstone no longer counts on its parent (which keeps its counter even as a tombstone).</summary>
    private static TransactionalBatch UncountReply(TransactionalBatch batch, Message message) =>
        message.IsDeleted && message.ReplyToId is not null
            ? batch.PatchItem(message.ReplyToId, [PatchOperation.Increment("/replyCount", -1)])
            : batch;

    private static bool ReplyTargetFailed(TransactionalBatchResponse response, Message message)
    {
        var index = message.ClientMessageId is null ? 2 : 3;
        return message.ReplyToId is not null
            && response.Count > index
            && response[index].StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound;
    }

    private async Task<Message> ToMessageAsync(MessageDocument document, CancellationToken cancellationToken)
    {
        if (document.ReplyToId is null)
        {
            return document.ToMessage();
        }

        var (parent, _) = await store.Messages.TryReadAsync<MessageDocument>(document.ReplyToId, document.ConversationId, cancellationToken);
        return document.ToMessage(parent);
    }

    /// <summary>The messages of a page with their previews: parents on the page are used as they are, the others come in one ReadMany.</summary>
    private async Task<List<Message>> ToMessagesAsync(string conversationId, IReadOnlyList<MessageDocument> documents, CancellationToken cancellationToken)
    {
        var parents = documents.ToDictionary(d => d.Id, StringComparer.Ordinal);
        var missing = documents.Select(d => d.ReplyToId).OfType<string>().Where(id => !parents.ContainsKey(id)).Distinct(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            var read = await store.Messages.ReadManyItemsAsync<MessageDocument>(
                [.. missing.Select(id => (id, new PartitionKey(conversationId)))], cancellationToken: cancellationToken);
            foreach (var parent in read.Resource)
            {
                parents[parent.Id] = parent;
            }
        }

        return [.. documents.Select(d => d.ToMessage(d.ReplyToId is null ? null : parents.GetValueOrDefault(d.ReplyToId)))];
    }
}
