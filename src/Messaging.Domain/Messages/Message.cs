using Messaging.Domain.Attachments;
using Messaging.Domain.Common;

namespace Messaging.Domain.Messages;

/// <summary>
/// A message in a conversation. Deleting leaves a tombstone in history: empty text, no
/// attachments, <see cref="DeletedAt"/> set.
/// </summary>
public sealed class Message
{
    private List<AttachmentInfo> _attachments;

    private Message(
        string id,
        string conversationId,
        string senderId,
        long sequence,
        string text,
        List<AttachmentInfo> attachments,
        string? clientMessageId,
        DateTimeOffset createdAt,
        DateTimeOffset? editedAt,
        DateTimeOffset? deletedAt,
        MessageAddenda? addenda)
    {
        Id = id;
        ConversationId = conversationId;
        SenderId = senderId;
        Sequence = sequence;
        Text = text;
        _attachments = attachments;
        ClientMessageId = clientMessageId;
        CreatedAt = createdAt;
        EditedAt = editedAt;
        DeletedAt = deletedAt;
        ReplyToId = addenda?.ReplyToId;
        ReplyTo = addenda?.ReplyTo;
        ReplyCount = addenda?.ReplyCount ?? 0;
        Mentions = addenda?.Mentions ?? [];
        Metadata = addenda?.Metadata ?? Metadata.Empty;
    }

    public string Id { get; }

    public string ConversationId { get; }

    public string SenderId { get; }

    /// <summary>Position in the conversation: 1, 2, 3 … without gaps; assigned by the store when the message is appended.</summary>
    public long Sequence { get; private set; }

    public string Text { get; private set; }

    public IReadOnlyList<AttachmentInfo> Attachments => _attachments;

    public string? ClientMessageId { get; }

    public DateTimeOffset CreatedAt { get; }

    public DateTimeOffset? EditedAt { get; private set; }

    public DateTimeOffset? DeletedAt { get; private set; }

    public bool IsDeleted => DeletedAt is not null;

    // Replies, mentions and metadata (issue 16).

    /// <summary>The message this one answers, if any; kept by a tombstone.</summary>
    public string? ReplyToId { get; }

    /// <summary>The preview of <see cref="ReplyToId"/>'s message, read by the store with this one.</summary>
    public ReplyPreview? ReplyTo { get; }

    /// <summary>How many live messages answer this one: a counter the store moves with each reply sent or deleted.</summary>
    public int ReplyCount { get; }

    public IReadOnlyList<string> Mentions { get; private set; }

    public Metadata Metadata { get; private set; }

    /// <summary>Validates and builds a message that is not yet appended (sequence 0).</summary>
    public static Result<Message> Compose(
        string conversationId,
        string senderId,
        string? text,
        IReadOnlyList<AttachmentInfo> attachments,
        string? clientMessageId,
        DateTimeOffset now,
        MessagingLimits limits,
        MessageAddenda? addenda = null)
    {
        var normalized = NormalizeText(text, allowEmpty: attachments.Count > 0, limits);
        if (!normalized.IsSuccess)
        {
            return normalized.Error;
        }

        if (clientMessageId is not null && (clientMessageId.Length == 0 || clientMessageId.Length > limits.MaxClientMessageIdLength || clientMessageId.Any(char.IsControl)))
        {
            return Error.Invalid("clientMessageId", $"clientMessageId must be 1 to {limits.MaxClientMessageIdLength} characters without control characters.");
        }

        return new Message(Ids.New(), conversationId, senderId, 0, normalized.Value, [.. attachments], clientMessageId, now, null, null, addenda);
    }

    public static Message Restore(
        string id,
        string conversationId,
        string senderId,
        long sequence,
        string text,
        IEnumerable<AttachmentInfo> attachments,
        string? clientMessageId,
        DateTimeOffset createdAt,
        DateTimeOffset? editedAt,
        DateTimeOffset? deletedAt,
        MessageAddenda? addenda = null) =>
        new(id, conversationId, senderId, sequence, text, [.. attachments], clientMessageId, createdAt, editedAt, deletedAt, addenda);

    /// <summary>Text rules shared by sending and editing: trimmed, 1 to the maximum length, no NUL.</summary>
    public static Result<string> NormalizeText(string? text, bool allowEmpty, MessagingLimits limits)
    {
        var trimmed = (text ?? "").Trim();
        if (trimmed.Length == 0 && !allowEmpty)
        {
            return Error.Invalid("text", "text must not be empty (unless attachments are given).");
        }

        if (trimmed.Length > limits.MaxMessageLength)
        {
            return Error.Invalid("text", $"text must be at most {limits.MaxMessageLength} characters.");
        }

        if (trimmed.Contains('\0', StringComparison.Ordinal))
        {
            return Error.Invalid("text", "text must not contain NUL characters.");
        }

        return trimmed;
    }

    /// <summary>Called by the store when it appends the message.</summary>
    public void AssignSequence(long sequence)
    {
        if (Sequence != 0)
        {
            throw new InvalidOperationException("The message already has a sequence.");
        }

        Sequence = sequence;
    }

    /// <summary>Only the sender edits, and never a tombstone: asked before an edit's content is checked.</summary>
    public Outcome CanBeEditedBy(string actorId)
    {
        if (actorId != SenderId)
        {
            return Error.Forbidden("Only the sender may edit a message.");
        }

        return IsDeleted ? Error.Conflict("The message was deleted and can no longer be edited.") : Outcome.Success;
    }

    public Outcome Edit(string actorId, string? text, DateTimeOffset now, MessagingLimits limits) =>
        Edit(actorId, new MessageEdit(text, null, null), now, limits);

    /// <summary>Changes what the edit gives (text, mentions, metadata), leaving the rest; the mentions were checked against the participants.</summary>
    public Outcome Edit(string actorId, MessageEdit edit, DateTimeOffset now, MessagingLimits limits)
    {
        var editable = CanBeEditedBy(actorId);
        if (!editable.IsSuccess)
        {
            return editable;
        }

        var text = Text;
        if (edit.Text is not null)
        {
            var normalized = NormalizeText(edit.Text, allowEmpty: _attachments.Count > 0, limits);
            if (!normalized.IsSuccess)
            {
                return normalized.Error;
            }

            text = normalized.Value;
        }

        Text = text;
        Mentions = edit.Mentions ?? Mentions;
        Metadata = edit.Metadata ?? Metadata;
        EditedAt = now;
        return Outcome.Success;
    }

    /// <summary>
    /// Turns the message into a tombstone. The sender or an owner of the conversation may do it;
    /// returns the attachments whose files must go.
    /// </summary>
    public Result<IReadOnlyList<AttachmentInfo>> Delete(string actorId, bool actorIsOwner, DateTimeOffset now)
    {
        if (actorId != SenderId && !actorIsOwner)
        {
            return Error.Forbidden("Only the sender or an owner of the conversation may delete a message.");
        }

        if (IsDeleted)
        {
            return Result<IReadOnlyList<AttachmentInfo>>.Success([]);
        }

        var removed = _attachments;
        _attachments = [];
        Text = "";
        Mentions = [];
        Metadata = Metadata.Empty;
        DeletedAt = now;
        return Result<IReadOnlyList<AttachmentInfo>>.Success(removed);
    }
}

/// <summary>What a message carries beyond the seed's fields (issue 16); every part optional.</summary>
public sealed record MessageAddenda(
    string? ReplyToId = null,
    ReplyPreview? ReplyTo = null,
    int ReplyCount = 0,
    IReadOnlyList<string>? Mentions = null,
    Metadata? Metadata = null);

/// <summary>An edit: each part given replaces what the message had; a null part stays as it was.</summary>
public sealed record MessageEdit(string? Text, IReadOnlyList<string>? Mentions, Metadata? Metadata)
{
    public bool IsEmpty => Text is null && Mentions is null && Metadata is null;
}
