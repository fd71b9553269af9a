namespace Messaging.Domain.Realtime;

/// <summary>How a batch of committed changes is handed to the fan-out by either store's feed.</summary>
public static class ChangeBatch
{
    /// <summary>Conversations of one batch handled at once; the changes of one conversation stay in order.</summary>
    public const int MaxConcurrentConversations = 32;

    /// <summary>
    /// Keeps only the last read-watermark move of each user in each conversation. A
    /// <c>message.read</c> event carries the watermark in force when it is sent, so the earlier moves
    /// would only repeat it: a user who reads twenty messages in a burst costs one event, not twenty.
    /// Every other change is kept, in its order.
    /// </summary>
    public static IReadOnlyList<T> Coalesce<T>(IReadOnlyList<T> items, Func<T, CommittedChange> changeOf)
    {
        var lastRead = new Dictionary<(string, string), int>();
        var reads = 0;
        for (var i = 0; i < items.Count; i++)
        {
            if (changeOf(items[i]) is ReadWatermarkMoved moved)
            {
                lastRead[(moved.ConversationId, moved.UserId)] = i;
                reads++;
            }
        }

        if (lastRead.Count == reads)
        {
            return items;
        }

        var kept = new List<T>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            if (changeOf(items[i]) is not ReadWatermarkMoved moved || lastRead[(moved.ConversationId, moved.UserId)] == i)
            {
                kept.Add(items[i]);
            }
        }

        return kept;
    }

    /// <summary>
    /// Coalesces the batch, then handles it by conversation: different conversations in parallel
    /// (at most <see cref="MaxConcurrentConversations"/>), the changes of each one in commit order,
    /// so a slow or large conversation does not hold up the others of the batch.
    /// </summary>
    public static async Task HandleAsync<T>(
        IReadOnlyList<T> items, Func<T, CommittedChange> changeOf, Func<T, CancellationToken, Task> handle, CancellationToken cancellationToken)
    {
        var groups = Coalesce(items, changeOf).GroupBy(item => changeOf(item).ConversationId, StringComparer.Ordinal).ToList();
        if (groups.Count == 1)
        {
            await HandleInOrderAsync(groups[0], handle, cancellationToken);
            return;
        }

        var options = new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentConversations, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(groups, options, (group, token) => new ValueTask(HandleInOrderAsync(group, handle, token)));
    }

    private static async Task HandleInOrderAsync<T>(IEnumerable<T> items, Func<T, CancellationToken, Task> handle, CancellationToken cancellationToken)
    {
        foreach (var item in items)
        {
            await handle(item, cancellationToken);
        }
    }
}
