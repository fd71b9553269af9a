using System.Text.Json.Serialization;
using Messaging.Domain.Realtime;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// One change that produces an event, written as its own immutable document in the same
/// transactional batch and partition as the state it describes (decision 0008). The change feed
/// shows only the newest version of a document, and a record is never rewritten, so the feed can
/// lag or coalesce without losing one; within a partition it hands records over in commit order.
/// </summary>
internal sealed class ChangeRecordDocument
{
    /// <summary>
    /// A record is only needed until the change feed processor has passed it. A day is far beyond any
    /// lag we accept (the processor is alerted on long before); after that, clients resynchronise
    /// from the store on reconnect in any case.
    /// </summary>
    public const int TtlSeconds = 24 * 60 * 60;

    public required string Id { get; set; }

    public string Type { get; set; } = DocumentTypes.Change;

    /// <summary>The partition: the conversation. In the conversations container this is the <c>pk</c> path; in messages it is <c>conversationId</c>.</summary>
    [JsonPropertyName("pk")]
    public required string PartitionKey { get; set; }

    public required string ConversationId { get; set; }

    public required string Kind { get; set; }

    public string? MessageId { get; set; }

    public string? UserId { get; set; }

    public List<string>? Added { get; set; }

    public List<string>? Removed { get; set; }

    public long At { get; set; }

    /// <summary>Reaction changes only: the reaction and how many gave it after the change (absent: read when the event is sent).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reaction { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Count { get; set; }

    public int Ttl { get; set; } = TtlSeconds;

    public static ChangeRecordDocument ConversationCreated(string conversationId, long at) => New(conversationId, ChangeRecordKinds.ConversationCreated, at);

    public static ChangeRecordDocument ConversationChanged(string conversationId, IEnumerable<string> added, IEnumerable<string> removed, long at)
    {
        var record = New(conversationId, ChangeRecordKinds.ConversationChanged, at);
        record.Added = [.. added];
        record.Removed = [.. removed];
        return record;
    }

    public static ChangeRecordDocument ConversationRemoved(string conversationId, IEnumerable<string> formerParticipants, long at)
    {
        var record = New(conversationId, ChangeRecordKinds.ConversationRemoved, at);
        record.Removed = [.. formerParticipants];
        return record;
    }

    public static ChangeRecordDocument Read(string conversationId, string userId, long at)
    {
        var record = New(conversationId, ChangeRecordKinds.Read, at);
        record.UserId = userId;
        return record;
    }

    public static ChangeRecordDocument ForMessage(string conversationId, string kind, string messageId, long at)
    {
        var record = New(conversationId, kind, at);
        record.MessageId = messageId;
        return record;
    }

    public static ChangeRecordDocument ForReaction(ReactionChanged change, long at)
    {
        var record = New(change.ConversationId, change.Added ? ChangeRecordKinds.ReactionAdded : ChangeRecordKinds.ReactionRemoved, at);
        record.MessageId = change.MessageId;
        record.UserId = change.UserId;
        record.Reaction = change.Reaction;
        record.Count = change.Count;
        return record;
    }

    /// <summary>The change this record announces, or null for a kind this build does not know (a newer writer).</summary>
    public CommittedChange? ToChange() => Kind switch
    {
        ChangeRecordKinds.ConversationCreated => new ConversationCreated(ConversationId),
        ChangeRecordKinds.ConversationChanged => new ConversationChanged(ConversationId, Added ?? [], Removed ?? []),
        ChangeRecordKinds.ConversationRemoved => new ConversationRemoved(ConversationId, Removed ?? []),
        ChangeRecordKinds.Read when UserId is not null => new ReadWatermarkMoved(ConversationId, UserId),
        ChangeRecordKinds.MessageCreated when MessageId is not null => new MessageCreated(ConversationId, MessageId),
        ChangeRecordKinds.MessageEdited when MessageId is not null => new MessageEdited(ConversationId, MessageId),
        ChangeRecordKinds.MessageDeleted when MessageId is not null => new MessageDeleted(ConversationId, MessageId),
        ChangeRecordKinds.ReactionAdded or ChangeRecordKinds.ReactionRemoved when MessageId is not null && UserId is not null && Reaction is not null =>
            new ReactionChanged(ConversationId, MessageId, UserId, Reaction, Count, Kind == ChangeRecordKinds.ReactionAdded),
        _ => null,
    };

    private static ChangeRecordDocument New(string conversationId, string kind, long at) => new()
    {
        Id = "change-" + Guid.NewGuid().ToString("N"),
        PartitionKey = conversationId,
        ConversationId = conversationId,
        Kind = kind,
        At = at,
    };
}

/// <summary>The kinds of <see cref="ChangeRecordDocument"/>: stored names, kept stable across releases.</summary>
internal static class ChangeRecordKinds
{
    public const string ConversationCreated = "conversationCreated";
    public const string ConversationChanged = "conversationChanged";
    public const string ConversationRemoved = "conversationRemoved";
    public const string Read = "read";
    public const string MessageCreated = "messageCreated";
    public const string MessageEdited = "messageEdited";
    public const string MessageDeleted = "messageDeleted";
    public const string ReactionAdded = "reactionAdded";
    public const string ReactionRemoved = "reactionRemoved";
}
