using Messaging.Domain.Common;
using Messaging.Domain.Conversations;

namespace Messaging.Domain.Messages;

/// <summary>Where messages live, in per-conversation sequence order.</summary>
public interface IMessageRepository
{
    /// <summary>
    /// Appends the message: assigns the next gapless sequence of its conversation, marks the
    /// conversation active, and claims the given attachments for it, all or nothing. When the
    /// sender already sent a message with the same client message id, nothing is written and
    /// that message is returned with <c>Created = false</c>.
    /// </summary>
    Task<AppendOutcome> AppendAsync(Message message, CancellationToken cancellationToken);

    Task<Message?> GetAsync(string messageId, CancellationToken cancellationToken);

    Task<Message?> FindByClientMessageIdAsync(string conversationId, string senderId, string clientMessageId, CancellationToken cancellationToken);

    /// <summary>Newest first, keyset-paged on sequence.</summary>
    Task<Result<Page<Message>>> ListNewestFirstAsync(string conversationId, int limit, string? continuationToken, CancellationToken cancellationToken);

    /// <summary>Messages with a sequence above <paramref name="afterSequence"/>, oldest first.</summary>
    Task<IReadOnlyList<Message>> ListAfterAsync(string conversationId, long afterSequence, int limit, CancellationToken cancellationToken);

    Task<Message?> GetLatestAsync(string conversationId, CancellationToken cancellationToken);

    /// <summary>Messages after the watermark that others sent and that are not deleted.</summary>
    Task<int> CountUnreadAsync(string conversationId, string userId, long afterSequence, CancellationToken cancellationToken);

    /// <summary>
    /// The unread count of each of the user's memberships (others' undeleted messages after the
    /// membership's watermark) and how many of those mention the user, in as few round trips as the
    /// store allows, both from the same statement; zero counts included.
    /// </summary>
    Task<IReadOnlyDictionary<string, UnreadCounts>> CountUnreadAsync(string userId, IReadOnlyCollection<Membership> memberships, CancellationToken cancellationToken);

    /// <summary>
    /// Saves an edit or a tombstone; a tombstone also drops the records of its attachments. Answers
    /// <see cref="UpdateStatus.AlreadyDeleted"/> and writes nothing when the stored message was
    /// deleted (or is gone) since it was read: a delete wins over an edit, and the first tombstone stays.
    /// </summary>
    Task<UpdateStatus> UpdateAsync(Message message, CancellationToken cancellationToken);

    /// <summary>
    /// The user's unread and mention counts, only of conversations that have unread messages, found from the
    /// user alone in one read; null when the store cannot, and the caller counts by memberships.
    /// </summary>
    Task<IReadOnlyDictionary<string, UnreadCounts>?> CountUnreadForUserAsync(string userId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, UnreadCounts>?>(null);

    // Replies (issue 16)

    /// <summary>The live messages that answer <paramref name="parentId"/>, oldest first, keyset-paged on sequence.</summary>
    Task<Result<Page<Message>>> ListRepliesAsync(string conversationId, string parentId, int limit, string? continuationToken, CancellationToken cancellationToken);
}

public enum AppendStatus
{
    Created,
    Duplicate,
    ConversationMissing,
    AttachmentUnavailable,

    /// <summary>The message it answers was deleted (or is not in the conversation) when the append was committed.</summary>
    ReplyTargetUnavailable,
}

public enum UpdateStatus
{
    Saved,
    AlreadyDeleted,
}

/// <summary>Unread messages of one conversation and how many of them mention the reader.</summary>
public readonly record struct UnreadCounts(int Unread, int Mentions);

public sealed record AppendOutcome(AppendStatus Status, Message? Message);
