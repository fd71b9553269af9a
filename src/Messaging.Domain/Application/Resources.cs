using System.Text.Json.Serialization;

namespace Messaging.Domain.Application;

// The public shapes of docs/api.md ("Resources"). Services return them; the hosts serialize them (camelCase) and the
// real-time fan-out sends the same shapes as event payloads.

public sealed record ParticipantResource(string UserId, string Role, DateTimeOffset JoinedAt, string? LastReadMessageId, DateTimeOffset? LastReadAt);

public sealed record ConversationResource(
    string Id,
    string Type,
    string? Title,
    string? TaskId,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<ParticipantResource> Participants,
    int ParticipantCount,
    MessageResource? LastMessage,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? UnreadCount)
{
    // Metadata (issue 16)
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = Domain.Common.Metadata.Empty.Values;
}

public sealed record AttachmentResource(
    string Id,
    string FileName,
    string ContentType,
    long Size,
    string UploadedBy,
    DateTimeOffset CreatedAt,
    string? ConversationId,
    string? MessageId,
    string DownloadUrl);

public sealed record ReadReceipt(string UserId, DateTimeOffset ReadAt);

public sealed record MessageResource(
    string Id,
    string ConversationId,
    string SenderId,
    long Sequence,
    string Text,
    IReadOnlyList<AttachmentResource> Attachments,
    string? ClientMessageId,
    DateTimeOffset CreatedAt,
    DateTimeOffset? EditedAt,
    DateTimeOffset? DeletedAt)
{
    /// <summary>Only on <c>GET /messages/{id}/</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ReadReceipt>? ReadBy { get; init; }

    /// <summary>Only on <c>GET /messages/{id}/</c>: how many other participants have read it; <see cref="ReadBy"/> lists at most <see cref="MaxReadByListed"/> of them.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ReadByCount { get; init; }

    public const int MaxReadByListed = 20;

    // Replies, mentions and metadata (issue 16)
    public ReplyPreviewResource? ReplyTo { get; init; }

    public int ReplyCount { get; init; }

    public IReadOnlyList<string> Mentions { get; init; } = [];

    public IReadOnlyDictionary<string, string> Metadata { get; init; } = Domain.Common.Metadata.Empty.Values;

    // Reactions
    /// <summary>Each distinct reaction with how many gave it, most given first (ties: first given first); empty on a tombstone.</summary>
    public IReadOnlyList<ReactionCountResource> Reactions { get; init; } = [];

    /// <summary>The caller's own reactions: on REST answers and hub results only, never in events (null there, so not written).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? MyReactions { get; init; }
}

public sealed record ReplyPreviewResource(string Id, string SenderId, string Text, DateTimeOffset? DeletedAt);

public sealed record ReactionCountResource(string Reaction, int Count);

public sealed record ReadPosition(string ConversationId, string? LastReadMessageId, DateTimeOffset? LastReadAt);

public sealed record MarkReadResult(IReadOnlyList<ReadPosition> Updated);

public sealed record ConversationUnread(string ConversationId, int UnreadCount)
{
    // Mentions (issue 16): the unread messages that mention the caller.
    public int MentionCount { get; init; }
}

public sealed record UnreadSummary(int Total, IReadOnlyList<ConversationUnread> Conversations)
{
    // Mentions (issue 16)
    public int Mentions { get; init; }
}

/// <summary>A resource and whether the call created it (201) or found it (200).</summary>
public sealed record GetOrCreated<T>(T Resource, bool Created);
