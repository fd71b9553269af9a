using Messaging.Domain.Common;
using Messaging.Domain.Realtime;

namespace Messaging.Domain.Conversations;

/// <summary>Where conversations and their participants live.</summary>
public interface IConversationRepository
{
    /// <summary>The whole aggregate, every participant loaded: for changes of membership, roles and title, and for the fan-out's audience.</summary>
    Task<Conversation?> GetAsync(string conversationId, CancellationToken cancellationToken);

    /// <summary>Who receives the conversation's events now (committed participants and epoch), or null when it is gone. A store may read less than the whole conversation for it.</summary>
    async Task<ConversationAudience?> GetAudienceAsync(string conversationId, CancellationToken cancellationToken) =>
        await GetAsync(conversationId, cancellationToken) is { } conversation ? ConversationAudience.Of(conversation) : null;

    /// <summary>
    /// The participants other than <paramref name="exceptUserId"/> whose watermark is at or past <paramref name="sequence"/>: at most
    /// <paramref name="limit"/> of them, the latest reader first (ties by user id), and how many there are in all (docs/decisions/0011).
    /// A store may answer without loading every participant.
    /// </summary>
    async Task<(IReadOnlyList<Participant> Readers, int Count)> ListReadersAsync(
        string conversationId, long sequence, string exceptUserId, int limit, CancellationToken cancellationToken)
    {
        var readers = (await GetAsync(conversationId, cancellationToken))?.Participants
            .Where(p => p.UserId != exceptUserId && p.Watermark is not null && p.LastReadSequence >= sequence)
            .ToList() ?? [];
        return ([.. readers.OrderByDescending(p => p.Watermark!.ReadAt).ThenBy(p => p.UserId, StringComparer.Ordinal).Take(limit)], readers.Count);
    }

    /// <summary>
    /// The conversation as <paramref name="viewerId"/> sees it, in a bounded number of reads whatever its size;
    /// null when it does not exist or (with a viewer) the viewer is not a participant. Without a viewer: the view every participant shares.
    /// </summary>
    Task<ConversationView?> GetViewAsync(string conversationId, string? viewerId, CancellationToken cancellationToken);

    /// <summary>The user's place in the conversation (role, join time, read watermark); null when not a participant or no such conversation. One point read.</summary>
    Task<Participant?> GetParticipantAsync(string conversationId, string userId, CancellationToken cancellationToken);

    /// <summary>Every participant, earliest joiner first (ties by user id), keyset-paged; an invalid token is an error.</summary>
    Task<Result<Page<Participant>>> ListParticipantsAsync(string conversationId, int limit, string? continuationToken, CancellationToken cancellationToken);

    /// <summary>The user's conversations as the user sees them, most recent activity first, keyset-paged.</summary>
    Task<Result<Page<ConversationView>>> ListForParticipantAsync(string userId, int limit, string? continuationToken, CancellationToken cancellationToken);

    /// <summary>Every conversation the user is in with the user's read position, for unread counts.</summary>
    Task<IReadOnlyList<Membership>> ListMembershipsAsync(string userId, CancellationToken cancellationToken);

    Task AddAsync(Conversation conversation, CancellationToken cancellationToken);

    /// <summary>Adds the direct conversation unless one for the same pair exists; concurrent calls yield one.</summary>
    Task<(Conversation Conversation, bool Created)> GetOrAddDirectAsync(Conversation candidate, CancellationToken cancellationToken);

    /// <summary>Adds the task conversation unless one for the same task exists; concurrent calls yield one.</summary>
    Task<(Conversation Conversation, bool Created)> GetOrAddForTaskAsync(Conversation candidate, CancellationToken cancellationToken);

    /// <summary>Saves title, participants and roles; throws <see cref="ConcurrencyConflictException"/> when the version moved. Read watermarks are not touched.</summary>
    Task UpdateAsync(Conversation conversation, CancellationToken cancellationToken);

    /// <summary>Moves the participant's read watermark forward only; returns the watermark in force afterwards and whether it moved.</summary>
    Task<(ReadWatermark? Watermark, bool Moved)> AdvanceWatermarkAsync(string conversationId, string userId, ReadWatermark watermark, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the conversation with its messages and attachment records; returns the storage keys of the attachment
    /// files the caller deletes. A store that purges the history in the background (Cosmos DB) hides the conversation at
    /// once, deletes the files itself and returns none.
    /// </summary>
    Task<IReadOnlyList<string>> DeleteAsync(string conversationId, CancellationToken cancellationToken);

    /// <summary>
    /// Which of <paramref name="candidates"/> (at most 100) share at least one conversation with <paramref name="userId"/> now,
    /// in a number of store calls that does not grow with the candidates (no default: a per-candidate loop is what it replaced).
    /// </summary>
    Task<IReadOnlySet<string>> ListCoParticipantsAsync(string userId, IReadOnlyCollection<string> candidates, CancellationToken cancellationToken);
}

/// <summary>A user's place in one conversation.</summary>
public sealed record Membership(string ConversationId, long LastReadSequence);
