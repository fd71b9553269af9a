using System.Collections.Concurrent;
using Messaging.Domain.Conversations;
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
    public async Task<IReadOnlyDictionary<string, int>> CountUnreadAsync(string userId, IReadOnlyCollection<Membership> memberships, CancellationToken cancellationToken)
    {
        var counts = new ConcurrentDictionary<string, int>(memberships.Select(m => KeyValuePair.Create(m.ConversationId, 0)), StringComparer.Ordinal);
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
            async (membership, token) => counts[membership.ConversationId] = await CountUnreadAsync(membership.ConversationId, userId, membership.LastReadSequence, token));
        return counts;
    }
}
