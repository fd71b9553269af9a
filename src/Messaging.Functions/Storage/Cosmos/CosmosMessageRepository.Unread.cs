using System.Collections.Concurrent;
using Messaging.Domain.Conversations;
using Messaging.Domain.Messages;
using Microsoft.Azure.Cosmos;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>Unread counts: from the counters' last sequence first, a COUNT query only where something is unread.</summary>
public sealed partial class CosmosMessageRepository
{
    public async Task<int> CountUnreadAsync(string conversationId, string userId, long afterSequence, CancellationToken cancellationToken)
    {
        var counts = await store.Messages.QueryAsync<int>(
            new QueryDefinition(
                    "SELECT VALUE COUNT(1) FROM c WHERE c.conversationId = @c AND c.type = @type AND c.sequence > @after AND c.senderId != @u AND IS_NULL(c.deletedAt)")
                .WithParameter("@c", conversationId).WithParameter("@type", DocumentTypes.Message).WithParameter("@after", afterSequence).WithParameter("@u", userId),
            conversationId,
            cancellationToken);
        return counts.Sum();
    }

    /// <summary>
    /// Reads the counters of the user's conversations with one ReadMany and counts only where the last
    /// sequence is past the user's read position (decision 0010); every other conversation has none unread.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, UnreadCounts>> CountUnreadAsync(string userId, IReadOnlyCollection<Membership> memberships, CancellationToken cancellationToken)
    {
        var counts = new ConcurrentDictionary<string, UnreadCounts>(memberships.Select(m => KeyValuePair.Create(m.ConversationId, default(UnreadCounts))), StringComparer.Ordinal);
        if (memberships.Count == 0)
        {
            return counts;
        }

        var counters = await store.Messages.ReadManyItemsAsync<CounterDocument>(
            [.. memberships.Select(m => (CosmosIds.CounterId, new PartitionKey(m.ConversationId)))], cancellationToken: cancellationToken);
        var lastSequence = counters.Resource.ToDictionary(c => c.ConversationId, c => c.LastSequence, StringComparer.Ordinal);
        await Parallel.ForEachAsync(
            memberships.Where(m => lastSequence.GetValueOrDefault(m.ConversationId) > m.LastReadSequence),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (membership, token) => counts[membership.ConversationId] = await CountUnreadAndMentionsAsync(membership.ConversationId, userId, membership.LastReadSequence, token));
        return counts;
    }

    /// <summary>The unread messages and, in the same query, how many of them mention the user (issue 16).</summary>
    private async Task<UnreadCounts> CountUnreadAndMentionsAsync(string conversationId, string userId, long afterSequence, CancellationToken cancellationToken)
    {
        var rows = await store.Messages.QueryAsync<UnreadRow>(
            new QueryDefinition(
                    """
                    SELECT COUNT(1) AS unread, SUM(ARRAY_CONTAINS(c.mentions, @u) ? 1 : 0) AS mentioned FROM c
                    WHERE c.conversationId = @c AND c.type = @type AND c.sequence > @after AND c.senderId != @u AND IS_NULL(c.deletedAt)
                    """)
                .WithParameter("@c", conversationId).WithParameter("@type", DocumentTypes.Message).WithParameter("@after", afterSequence).WithParameter("@u", userId),
            conversationId,
            cancellationToken);
        return new UnreadCounts(rows.Sum(r => r.Unread), rows.Sum(r => r.Mentioned ?? 0));
    }

    private sealed record UnreadRow(int Unread, int? Mentioned);
}
