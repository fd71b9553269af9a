namespace Messaging.Domain.Messages;

/// <summary>
/// Reactions to messages: one record per (message, user, reaction) and a counter per distinct
/// reaction of a message, written together with the change that announces them. A reaction never
/// rewrites its message.
/// </summary>
public interface IReactionRepository
{
    /// <summary>
    /// Adds the user's reaction unless it is there already (then nothing is written). Refused with
    /// <see cref="ReactionStatus.TooManyDistinct"/> when it would be the message's
    /// (<paramref name="maxDistinct"/> + 1)th distinct reaction, also under concurrency, and with
    /// <see cref="ReactionStatus.MessageDeleted"/> once the message is a tombstone.
    /// </summary>
    Task<ReactionOutcome> AddAsync(Message message, string userId, Reaction reaction, int maxDistinct, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Removes the user's reaction if it is there (otherwise nothing is written).</summary>
    Task<ReactionOutcome> RemoveAsync(Message message, string userId, Reaction reaction, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// The reactions of the given messages of one conversation, and those of <paramref name="viewerId"/>
    /// when given, in a fixed number of reads for the whole page. Messages without reactions are left out.
    /// </summary>
    Task<IReadOnlyDictionary<string, MessageReactions>> GetAsync(
        string conversationId, IReadOnlyCollection<string> messageIds, string? viewerId, CancellationToken cancellationToken);
}

public enum ReactionStatus
{
    /// <summary>Added or removed now.</summary>
    Changed,

    /// <summary>Already there (add) or not there (remove): nothing written.</summary>
    Unchanged,
    MessageDeleted,
    TooManyDistinct,

    /// <summary>The user is no longer a participant when the change would commit: nothing written.</summary>
    NotParticipant,
}

/// <param name="Status">What the call did.</param>
/// <param name="Count">How many users gave the reaction after the call.</param>
public sealed record ReactionOutcome(ReactionStatus Status, int Count = 0);

/// <summary>How many users gave one reaction, and when it was first given to the message (the tie order).</summary>
public sealed record ReactionCount(string Reaction, int Count, DateTimeOffset FirstAt);

/// <summary>A message's reactions, most given first (ties: first given first), and the viewer's own.</summary>
public sealed record MessageReactions(IReadOnlyList<ReactionCount> Counts, IReadOnlyList<string> Mine)
{
    public static readonly MessageReactions None = new([], []);

    /// <summary>Most given first; between equal counts, the reaction first given to the message first, then by ordinal value.</summary>
    public static IReadOnlyList<ReactionCount> Order(IEnumerable<ReactionCount> counts) =>
        [.. counts.Where(c => c.Count > 0).OrderByDescending(c => c.Count).ThenBy(c => c.FirstAt).ThenBy(c => c.Reaction, StringComparer.Ordinal)];
}
