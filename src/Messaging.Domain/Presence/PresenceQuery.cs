using Messaging.Domain.Common;
using Messaging.Domain.Conversations;

namespace Messaging.Domain.Presence;

/// <summary>One user's presence as <c>GET /presence/</c> answers it.</summary>
public sealed record PresenceResource(string UserId, string Status, DateTimeOffset? LastSeenAt);

/// <summary>
/// <c>GET /api/messaging/presence/?userIds=a,b,…</c>: 1 to 100 ids, comma-separated; a repeated id is
/// answered once, in the order of its first appearance; an empty or malformed id, or more than 100,
/// is a 400 and nothing is read. Users who share no conversation with the caller are left out, as if
/// they did not exist; the caller is always answered for themselves. A user never seen is offline
/// with no <c>lastSeenAt</c>.
/// </summary>
public sealed class PresenceQuery(IPresenceRepository presence, IConversationRepository conversations)
{
    public const int MaxUserIds = 100;

    public async Task<Result<IReadOnlyList<PresenceResource>>> GetAsync(string callerId, string? userIdsParameter, CancellationToken cancellationToken)
    {
        var parsed = Parse(userIdsParameter);
        if (!parsed.IsSuccess)
        {
            return parsed.Error;
        }

        var ids = parsed.Value;
        var others = ids.Where(id => id != callerId).ToList();
        var visible = others.Count == 0
            ? new HashSet<string>(StringComparer.Ordinal)
            : await conversations.ListCoParticipantsAsync(callerId, others, cancellationToken);
        var answered = ids.Where(id => id == callerId || visible.Contains(id)).ToList();
        var states = answered.Count == 0 ? [] : await presence.GetManyAsync(answered, cancellationToken);
        var byUser = states.ToDictionary(s => s.UserId, StringComparer.Ordinal);
        return answered.Select(id => byUser.TryGetValue(id, out var state)
            ? new PresenceResource(id, state.IsOnline ? PresenceChangedEvent.Online : PresenceChangedEvent.Offline, state.LastSeenAt)
            : new PresenceResource(id, PresenceChangedEvent.Offline, null)).ToList();
    }

    private static Result<IReadOnlyList<string>> Parse(string? parameter)
    {
        const string Field = "userIds";
        if (string.IsNullOrWhiteSpace(parameter))
        {
            return Error.Invalid(Field, $"userIds is required: 1 to {MaxUserIds} comma-separated user ids.");
        }

        var entries = parameter.Split(',').Select(e => e.Trim()).ToList();
        if (entries.Count > MaxUserIds)
        {
            return Error.Invalid(Field, $"At most {MaxUserIds} user ids are answered at once; {entries.Count} were given.");
        }

        if (entries.Any(e => !Ids.IsWellFormed(e)))
        {
            return Error.Invalid(Field, "Every user id must be non-empty, at most 128 characters and without control characters.");
        }

        return entries.Distinct(StringComparer.Ordinal).ToList();
    }
}
