using Messaging.Domain.Attachments;
using Messaging.Domain.Common;
using Messaging.Domain.Conversations;
using Messaging.Domain.Messages;

namespace Messaging.Domain.Application;

/// <summary>Use cases of messages: send, read one, edit, delete, mark read, count unread.</summary>
public sealed partial class MessageService(
    IConversationRepository conversations,
    IMessageRepository messages,
    IAttachmentRepository attachments,
    IAttachmentContentStore contentStore,
    ConversationService conversationService,
    ResourceMapper mapper,
    TimeProvider time,
    MessagingLimits limits,
    UserRateLimiter rateLimiter)
{
    public const int MaxMarkReadIds = 1000;

    public Task<Result<GetOrCreated<MessageResource>>> SendAsync(
        string userId, string? conversationId, string? text, IReadOnlyList<string>? attachmentIds, string? clientMessageId, CancellationToken cancellationToken) =>
        SendAsync(userId, conversationId, text, attachmentIds, clientMessageId, null, cancellationToken);

    public async Task<Result<GetOrCreated<MessageResource>>> SendAsync(
        string userId, string? conversationId, string? text, IReadOnlyList<string>? attachmentIds, string? clientMessageId, SendAddenda? addenda, CancellationToken cancellationToken)
    {
        if (!Ids.IsWellFormed(conversationId))
        {
            return Error.Invalid("conversationId", "conversationId is required.");
        }

        var admitted = rateLimiter.TryAcquire(RateLimitedAction.Send, userId);
        if (!admitted.IsSuccess)
        {
            return admitted.Error;
        }

        // Only the sender's own place is read (one point read), whatever the size of the group.
        if (await conversationService.FindParticipantAsync(userId, conversationId!, cancellationToken) is null)
        {
            return Error.ConversationNotFound;
        }

        if (clientMessageId is not null
            && await messages.FindByClientMessageIdAsync(conversationId!, userId, clientMessageId, cancellationToken) is { } earlier)
        {
            return new GetOrCreated<MessageResource>(await mapper.ToResourceAsync(earlier, userId, cancellationToken), false);
        }

        var claimed = await ResolveAttachmentsAsync(userId, conversationId!, attachmentIds, cancellationToken);
        if (!claimed.IsSuccess)
        {
            return claimed.Error;
        }

        var extras = await ResolveAddendaAsync(conversationId!, addenda, cancellationToken);
        if (!extras.IsSuccess)
        {
            return extras.Error;
        }

        var composed = Message.Compose(conversationId!, userId, text, claimed.Value, clientMessageId, time.Now(), limits, extras.Value);
        if (!composed.IsSuccess)
        {
            return composed.Error;
        }

        var appended = await messages.AppendAsync(composed.Value, cancellationToken);
        return appended.Status switch
        {
            AppendStatus.Created => new GetOrCreated<MessageResource>(await mapper.ToNewResourceAsync(appended.Message!, userId, cancellationToken), true),
            AppendStatus.Duplicate => new GetOrCreated<MessageResource>(await mapper.ToResourceAsync(appended.Message!, userId, cancellationToken), false),
            AppendStatus.AttachmentUnavailable => Error.Invalid("attachmentIds", "An attachment was used by another message meanwhile."),
            AppendStatus.ReplyTargetUnavailable => ReplyTargetInvalid,
            _ => Error.ConversationNotFound,
        };
    }

    public async Task<Result<MessageResource>> GetAsync(string userId, string messageId, CancellationToken cancellationToken)
    {
        var (message, _) = await FindVisibleAsync(userId, messageId, cancellationToken);
        if (message is null)
        {
            return Error.MessageNotFound;
        }

        // Bounded whatever the group's size: the latest readers and how many there are (docs/decisions/0011).
        var (readers, count) = await conversations.ListReadersAsync(
            message.ConversationId, message.Sequence, message.SenderId, MessageResource.MaxReadByListed, cancellationToken);
        return await mapper.ToResourceAsync(message, userId, cancellationToken) with
        {
            ReadBy = [.. readers.Select(p => new ReadReceipt(p.UserId, p.Watermark!.ReadAt))],
            ReadByCount = count,
        };
    }

    public Task<Result<MessageResource>> EditAsync(string userId, string messageId, string? text, CancellationToken cancellationToken) =>
        EditAsync(userId, messageId, new SendAddenda(null, null, null), text, cancellationToken);

    /// <summary>Changes the text, mentions and metadata given (each optional, at least one); <paramref name="addenda"/>'s reply target is ignored.</summary>
    public async Task<Result<MessageResource>> EditAsync(string userId, string messageId, SendAddenda addenda, string? text, CancellationToken cancellationToken)
    {
        var (message, _) = await FindVisibleAsync(userId, messageId, cancellationToken);
        if (message is null)
        {
            return Error.MessageNotFound;
        }

        var editable = message.CanBeEditedBy(userId);
        if (!editable.IsSuccess)
        {
            return editable.Error;
        }

        var edit = await ResolveEditAsync(message.ConversationId, text, addenda, cancellationToken);
        if (!edit.IsSuccess)
        {
            return edit.Error;
        }

        var edited = message.Edit(userId, edit.Value, time.Now(), limits);
        if (!edited.IsSuccess)
        {
            return edited.Error;
        }

        if (await messages.UpdateAsync(message, cancellationToken) == UpdateStatus.AlreadyDeleted)
        {
            // Deleted between this request's read and its write.
            return Error.Conflict("The message was deleted and can no longer be edited.");
        }

        return await mapper.ToResourceAsync(message, userId, cancellationToken);
    }

    public async Task<Result<MessageResource>> DeleteAsync(string userId, string messageId, CancellationToken cancellationToken)
    {
        var (message, participant) = await FindVisibleAsync(userId, messageId, cancellationToken);
        if (message is null || participant is null)
        {
            return Error.MessageNotFound;
        }

        var alreadyDeleted = message.IsDeleted;
        var deleted = message.Delete(userId, participant.Role == ParticipantRole.Owner, time.Now());
        if (!deleted.IsSuccess)
        {
            return deleted.Error;
        }

        if (alreadyDeleted)
        {
            return await mapper.ToResourceAsync(message, userId, cancellationToken);
        }

        // The tombstone is committed first; a file whose deletion fails afterwards is an orphan, never a dangling reference.
        if (await messages.UpdateAsync(message, cancellationToken) == UpdateStatus.AlreadyDeleted)
        {
            // Another delete won meanwhile; it removes the files.
            return await mapper.ToResourceAsync(message, userId, cancellationToken);
        }

        foreach (var attachment in deleted.Value)
        {
            await contentStore.DeleteAsync(AttachmentStorageKey.For(attachment.Id), cancellationToken);
        }

        return await mapper.ToResourceAsync(message, userId, cancellationToken);
    }

    /// <summary>
    /// Moves the caller's read watermark to the newest of the given messages in each conversation,
    /// or to the newest message of the given conversation. Nothing changes unless every id is valid.
    /// </summary>
    public async Task<Result<MarkReadResult>> MarkReadAsync(string userId, IReadOnlyList<string>? messageIds, string? conversationId, CancellationToken cancellationToken)
    {
        var targets = new Dictionary<string, Message>(StringComparer.Ordinal);
        if (messageIds is not null && conversationId is not null)
        {
            return Error.Invalid("messageIds", "Give either messageIds or conversationId, not both.");
        }

        if (messageIds is not null)
        {
            if (messageIds.Count == 0 || messageIds.Count > MaxMarkReadIds)
            {
                return Error.Invalid("messageIds", $"messageIds must list 1 to {MaxMarkReadIds} message ids.");
            }

            foreach (var id in messageIds.Distinct(StringComparer.Ordinal))
            {
                var (message, _) = await FindVisibleAsync(userId, id, cancellationToken);
                if (message is null)
                {
                    return Error.MessageNotFound;
                }

                if (!targets.TryGetValue(message.ConversationId, out var newest) || message.Sequence > newest.Sequence)
                {
                    targets[message.ConversationId] = message;
                }
            }
        }
        else if (conversationId is not null)
        {
            if (await conversationService.FindParticipantAsync(userId, conversationId, cancellationToken) is null)
            {
                return Error.ConversationNotFound;
            }

            if (await messages.GetLatestAsync(conversationId, cancellationToken) is { } latest)
            {
                targets[conversationId] = latest;
            }
            else
            {
                return new MarkReadResult([new ReadPosition(conversationId, null, null)]);
            }
        }
        else
        {
            return Error.Invalid("messageIds", "Give messageIds or conversationId.");
        }

        var now = time.Now();
        var updated = new List<ReadPosition>(targets.Count);
        foreach (var (targetConversation, message) in targets)
        {
            var (watermark, _) = await conversations.AdvanceWatermarkAsync(
                targetConversation, userId, new ReadWatermark(message.Id, message.Sequence, now), cancellationToken);
            updated.Add(new ReadPosition(targetConversation, watermark?.MessageId, watermark?.ReadAt));
        }

        return new MarkReadResult(updated);
    }

    public async Task<UnreadSummary> CountUnreadAsync(string userId, CancellationToken cancellationToken)
    {
        if (await messages.CountUnreadForUserAsync(userId, cancellationToken) is { } byConversation)
        {
            return Summarize(byConversation);
        }

        var memberships = await conversations.ListMembershipsAsync(userId, cancellationToken);
        var unread = await messages.CountUnreadAsync(userId, memberships, cancellationToken);
        return Summarize(memberships.ToDictionary(m => m.ConversationId, m => unread.GetValueOrDefault(m.ConversationId), StringComparer.Ordinal));
    }

    private static UnreadSummary Summarize(IReadOnlyDictionary<string, UnreadCounts> byConversation)
    {
        var found = byConversation
            .Where(c => c.Value.Unread > 0)
            .Select(c => new ConversationUnread(c.Key, c.Value.Unread) { MentionCount = c.Value.Mentions })
            .ToList();
        return new UnreadSummary(found.Sum(c => c.UnreadCount), found) { Mentions = found.Sum(c => c.MentionCount) };
    }

    /// <summary>The message and the caller's place in its conversation, when the caller may see it.</summary>
    private async Task<(Message? Message, Participant? Participant)> FindVisibleAsync(string userId, string messageId, CancellationToken cancellationToken)
    {
        if (!Ids.IsWellFormed(messageId))
        {
            return (null, null);
        }

        var message = await messages.GetAsync(messageId, cancellationToken);
        if (message is null)
        {
            return (null, null);
        }

        var participant = await conversationService.FindParticipantAsync(userId, message.ConversationId, cancellationToken);
        return participant is null ? (null, null) : (message, participant);
    }
}
