namespace Messaging.Domain.Conversations;

/// <summary>
/// A conversation as a reader or an event shows it: its fields, how many participants it has, and a
/// bounded selection of them (<see cref="Leading"/>: the owners, then the earliest joiners, at most
/// <see cref="MaxListed"/>), plus the reader's own place. Its size does not grow with the group; the
/// whole participant list is paged on its own (<see cref="IConversationRepository.ListParticipantsAsync"/>).
/// </summary>
public sealed record ConversationView(
    string Id,
    ConversationType Type,
    string? Title,
    string? TaskId,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    long MembershipEpoch,
    int ParticipantCount,
    IReadOnlyList<Participant> Leading,
    Participant? Viewer)
{
    /// <summary>Participants a conversation resource lists at most.</summary>
    public const int MaxListed = 20;

    // Metadata (issue 16)
    public Common.Metadata Metadata { get; init; } = Common.Metadata.Empty;

    /// <summary>The view of a fully loaded conversation, as its store would answer it.</summary>
    public static ConversationView Of(Conversation conversation, string? viewerId) =>
        new(
            conversation.Id,
            conversation.Type,
            conversation.Title,
            conversation.TaskId,
            conversation.CreatedBy,
            conversation.CreatedAt,
            conversation.UpdatedAt,
            conversation.MembershipEpoch,
            conversation.Participants.Count,
            [.. InListingOrder(conversation.Participants).Take(MaxListed)],
            viewerId is null ? null : conversation.FindParticipant(viewerId))
        {
            Metadata = conversation.Metadata,
        };

    /// <summary>Owners first, then everyone else; each by earliest join (ties by user id): the order of <see cref="Leading"/>.</summary>
    public static IEnumerable<Participant> InListingOrder(IEnumerable<Participant> participants) =>
        participants.OrderBy(p => p.Role == ParticipantRole.Owner ? 0 : 1).ThenBy(p => p.JoinedAt).ThenBy(p => p.UserId, StringComparer.Ordinal);

    /// <summary>
    /// The participants a resource lists: the viewer (when given), then the owners, then the earliest
    /// joiners, <see cref="MaxListed"/> at most; all of them when there are no more than that.
    /// </summary>
    public IReadOnlyList<Participant> Listed()
    {
        var listed = new List<Participant>(Math.Min(ParticipantCount, MaxListed));
        if (Viewer is not null)
        {
            listed.Add(Viewer);
        }

        listed.AddRange(Leading.Where(p => Viewer is null || p.UserId != Viewer.UserId));
        return listed.Count > MaxListed ? listed[..MaxListed] : listed;
    }
}

/// <summary>The keyset position of the participant list (join time, then user id), as an opaque continuation token.</summary>
public static class ParticipantKeyset
{
    public static string After(Participant participant) =>
        Common.ContinuationToken.Encode($"{participant.JoinedAt.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture)}|{participant.UserId}");

    public static bool TryDecode(string token, out long joinedAtMs, out string userId)
    {
        joinedAtMs = 0;
        userId = "";
        if (!Common.ContinuationToken.TryDecode(token, out var position))
        {
            return false;
        }

        var bar = position.IndexOf('|', StringComparison.Ordinal);
        if (bar < 1)
        {
            return false;
        }

        userId = position[(bar + 1)..];
        return userId.Length > 0
            && long.TryParse(position.AsSpan(0, bar), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out joinedAtMs);
    }
}
