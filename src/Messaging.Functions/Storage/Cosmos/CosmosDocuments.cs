using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Messaging.Domain.Attachments;
using Messaging.Domain.Messages;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// The documents of the Cosmos DB store (docs/cosmos-data-model.md). Timestamps are Unix
/// milliseconds (numbers sort and compare in queries); every document carries a <c>type</c>.
/// </summary>
internal static class CosmosJson
{
    /// <summary>The serializer of the CosmosClient and of the change feed mapping: camelCase, nulls written (queries test <c>= null</c>).</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static long Ms(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    public static long? Ms(DateTimeOffset? value) => value?.ToUnixTimeMilliseconds();

    public static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    public static DateTimeOffset? Time(long? ms) => ms is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;
}

/// <summary>Document ids the store derives, so that a create conflict (409) decides a race.</summary>
internal static class CosmosIds
{
    public const string CounterId = "counter";

    /// <summary>The claim id of a pair of users' direct conversation.</summary>
    public static string Direct(string directKey) => "d-" + Hash(directKey);

    /// <summary>The claim id of a task's conversation.</summary>
    public static string Task(string taskId) => "t-" + Hash(taskId);

    /// <summary>The idempotency claim of (sender, client message id) within a conversation's partition.</summary>
    public static string ClientMessage(string senderId, string clientMessageId) => "cmid-" + Hash(senderId + "\u001f" + clientMessageId);

    /// <summary>
    /// Whether an id from outside can name a document at all: Cosmos DB ids must not contain '/', '\',
    /// '?' or '#' (the request would address another resource or fail), so such ids are "not found"
    /// without a database call.
    /// </summary>
    public static bool CanBeDocumentId(string id) => id.Length is > 0 and <= 255 && id.IndexOfAny(['/', '\\', '?', '#']) < 0;

    /// <summary>Whether the id is one of the store's own claim documents (never a conversation the API can name).</summary>
    public static bool IsClaim(string id) =>
        id.Length == 42 && (id.StartsWith("d-", StringComparison.Ordinal) || id.StartsWith("t-", StringComparison.Ordinal)) && id[2..].All(char.IsAsciiHexDigitLower);

    // Ids must not contain '/', '\', '?' or '#' and are at most 255 characters: a hash of the key always fits.
    private static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..40];
}

internal static class DocumentTypes
{
    public const string Conversation = "conversation";
    public const string Participant = "participant";
    public const string Claim = "claim";
    public const string Membership = "membership";
    public const string Message = "message";
    public const string Counter = "counter";
    public const string ClientMessage = "clientMessage";
    public const string Attachment = "attachment";
    public const string Change = "change";
    public const string MessageLocator = "messageLocator";
}

/// <summary>
/// The one conversation of a direct pair or a task: a document in the conversations container whose id is
/// derived from the key (<see cref="CosmosIds"/>), so concurrent creates conflict and exactly one wins.
/// </summary>
internal sealed class ClaimDocument
{
    /// <summary>A claim whose conversation has not appeared after this long was left by a writer that died; it may be taken over.</summary>
    public const long AbandonedAfterMs = 10_000;

    public required string Id { get; set; }

    public string Type { get; set; } = DocumentTypes.Claim;

    /// <summary>A claim is its own partition.</summary>
    [JsonPropertyName("pk")]
    public string PartitionKey => Id;

    public required string ConversationId { get; set; }

    public long At { get; set; }
}

/// <summary>A message (or tombstone). Partition key /conversationId.</summary>
internal sealed class MessageDocument
{
    public required string Id { get; set; }

    public string Type { get; set; } = DocumentTypes.Message;

    public required string ConversationId { get; set; }

    public required string SenderId { get; set; }

    public long Sequence { get; set; }

    public string Text { get; set; } = "";

    public List<AttachmentInfoDocument> Attachments { get; set; } = [];

    public string? ClientMessageId { get; set; }

    public long CreatedAt { get; set; }

    public long? EditedAt { get; set; }

    public long? DeletedAt { get; set; }

    public static MessageDocument From(Message message, long sequence) => new()
    {
        Id = message.Id,
        ConversationId = message.ConversationId,
        SenderId = message.SenderId,
        Sequence = sequence,
        Text = message.Text,
        Attachments = [.. message.Attachments.Select(AttachmentInfoDocument.From)],
        ClientMessageId = message.ClientMessageId,
        CreatedAt = CosmosJson.Ms(message.CreatedAt),
        EditedAt = CosmosJson.Ms(message.EditedAt),
        DeletedAt = CosmosJson.Ms(message.DeletedAt),
    };

    public Message ToMessage() =>
        Message.Restore(
            Id, ConversationId, SenderId, Sequence, Text, Attachments.Select(a => a.ToInfo()), ClientMessageId,
            CosmosJson.Time(CreatedAt), CosmosJson.Time(EditedAt), CosmosJson.Time(DeletedAt));
}

internal sealed class AttachmentInfoDocument
{
    public required string Id { get; set; }

    public required string FileName { get; set; }

    public required string ContentType { get; set; }

    public long Size { get; set; }

    public required string UploadedBy { get; set; }

    public long CreatedAt { get; set; }

    public static AttachmentInfoDocument From(AttachmentInfo info) => new()
    {
        Id = info.Id,
        FileName = info.FileName,
        ContentType = info.ContentType,
        Size = info.Size,
        UploadedBy = info.UploadedBy,
        CreatedAt = CosmosJson.Ms(info.CreatedAt),
    };

    public AttachmentInfo ToInfo() => new(Id, FileName, ContentType, Size, UploadedBy, CosmosJson.Time(CreatedAt));
}

/// <summary>The per-conversation sequence counter, in the conversation's message partition (id <c>counter</c>).</summary>
internal sealed class CounterDocument
{
    public string Id { get; set; } = CosmosIds.CounterId;

    public string Type { get; set; } = DocumentTypes.Counter;

    public required string ConversationId { get; set; }

    public long LastSequence { get; set; }

    /// <summary>Set first when the conversation is deleted: a send racing the delete fails its ETag check and then sees this.</summary>
    public bool Deleted { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Ttl { get; set; }
}

/// <summary>Claims (sender, client message id) in the conversation's partition, created in the same batch as the message.</summary>
internal sealed class ClientMessageDocument
{
    public required string Id { get; set; }

    public string Type { get; set; } = DocumentTypes.ClientMessage;

    public required string ConversationId { get; set; }

    public required string MessageId { get; set; }
}

/// <summary>An attachment record. Partition key /pk, its id.</summary>
internal sealed class AttachmentDocument
{
    public required string Id { get; set; }

    public string Type { get; set; } = DocumentTypes.Attachment;

    public required string FileName { get; set; }

    public required string ContentType { get; set; }

    public long Size { get; set; }

    public required string UploadedBy { get; set; }

    public long CreatedAt { get; set; }

    public string? ConversationId { get; set; }

    public string? MessageId { get; set; }

    public static AttachmentDocument From(Attachment attachment) => new()
    {
        Id = attachment.Id,
        FileName = attachment.Info.FileName,
        ContentType = attachment.Info.ContentType,
        Size = attachment.Info.Size,
        UploadedBy = attachment.UploadedBy,
        CreatedAt = CosmosJson.Ms(attachment.Info.CreatedAt),
        ConversationId = attachment.ConversationId,
        MessageId = attachment.MessageId,
    };

    public Attachment ToAttachment() =>
        Attachment.Restore(new AttachmentInfo(Id, FileName, ContentType, Size, UploadedBy, CosmosJson.Time(CreatedAt)), ConversationId, MessageId);
}
