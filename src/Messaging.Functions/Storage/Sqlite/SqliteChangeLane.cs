using Messaging.Domain.Realtime;

namespace Messaging.Functions.Storage.Sqlite;

/// <summary>One conversation's changes waiting for <see cref="SqliteChangeDispatcher"/>, published in order by one task at a time.</summary>
internal sealed class SqliteChangeLane(string conversationId)
{
    public string ConversationId { get; } = conversationId;

    public Queue<(long Position, CommittedChange Change, long? RecordedAt)> Queue { get; } = new();

    public Task? Task { get; set; }
}
