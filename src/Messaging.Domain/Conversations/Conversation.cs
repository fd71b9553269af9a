using Messaging.Domain.Common;

namespace Messaging.Domain.Conversations;

public enum ConversationType
{
    Direct,
    Group,
    Task,
}

/// <summary>
/// A conversation and its participants. Every rule about who may see, join, leave, rename or
/// delete it lives here.
/// </summary>
public sealed partial class Conversation
{
    private readonly List<Participant> _participants;

    private Conversation(
        string id,
        ConversationType type,
        string? title,
        string? taskId,
        string createdBy,
        DateTimeOffset createdAt,
        DateTimeOffset updatedAt,
        List<Participant> participants,
        long version,
        long membershipEpoch)
    {
        Id = id;
        Type = type;
        Title = title;
        TaskId = taskId;
        CreatedBy = createdBy;
        CreatedAt = createdAt;
        UpdatedAt = updatedAt;
        _participants = participants;
        Version = version;
        MembershipEpoch = membershipEpoch;
    }

    public string Id { get; }

    public ConversationType Type { get; }

    public string? Title { get; private set; }

    public string? TaskId { get; }

    public string CreatedBy { get; }

    public DateTimeOffset CreatedAt { get; }

    /// <summary>Moves with every change and every new message: "most recent activity".</summary>
    public DateTimeOffset UpdatedAt { get; private set; }

    public IReadOnlyList<Participant> Participants => _participants;

    /// <summary>Optimistic concurrency version; stores compare it on update.</summary>
    public long Version { get; private set; }

    /// <summary>
    /// Moves forward every time someone loses access (removed or left), never otherwise. Everyone who
    /// was a participant at any point of one epoch still is at its end, so a real-time audience keyed
    /// by (conversation, epoch) can never hold a removed user (decision 0006).
    /// </summary>
    public long MembershipEpoch { get; private set; }

    /// <summary>For direct conversations: the unordered pair of users, as one key a store can make unique.</summary>
    public string? DirectKey => Type == ConversationType.Direct ? DirectPairKey(_participants[0].UserId, _participants[1].UserId) : null;

    public static string DirectPairKey(string a, string b) =>
        string.CompareOrdinal(a, b) < 0 ? $"{a}\u001f{b}" : $"{b}\u001f{a}";

    public static Result<Conversation> StartGroup(
        string creatorId, string? title, IReadOnlyCollection<string>? participantIds, DateTimeOffset now, MessagingLimits limits)
    {
        var titleResult = NormalizeOptionalTitle(title, limits);
        if (!titleResult.IsSuccess)
        {
            return titleResult.Error;
        }

        var members = ValidateParticipantIds(participantIds, "participantIds", limits, required: true);
        if (!members.IsSuccess)
        {
            return members.Error;
        }

        return WithCreatorAsOwner(ConversationType.Group, titleResult.Value, null, creatorId, members.Value, now, limits);
    }

    public static Result<Conversation> StartForTask(
        string creatorId, string? taskId, string? title, IReadOnlyCollection<string>? participantIds, DateTimeOffset now, MessagingLimits limits)
    {
        if (!Ids.IsWellFormed(taskId))
        {
            return Error.Invalid("taskId", "taskId is required: a non-empty string of at most 128 characters.");
        }

        var titleResult = NormalizeOptionalTitle(title, limits);
        if (!titleResult.IsSuccess)
        {
            return titleResult.Error;
        }

        var members = ValidateParticipantIds(participantIds, "participantIds", limits, required: false);
        if (!members.IsSuccess)
        {
            return members.Error;
        }

        return WithCreatorAsOwner(ConversationType.Task, titleResult.Value, taskId, creatorId, members.Value, now, limits);
    }

    /// <summary>A 1:1 conversation. Both users are equal members; there is no owner to outrank the other.</summary>
    public static Result<Conversation> StartDirect(string creatorId, string? otherUserId, DateTimeOffset now)
    {
        if (!Ids.IsWellFormed(otherUserId))
        {
            return Error.Invalid("userId", "userId is required: a non-empty string of at most 128 characters.");
        }

        if (otherUserId == creatorId)
        {
            return Error.Invalid("userId", "A direct conversation needs another user; userId is the caller.");
        }

        List<Participant> participants =
        [
            new(creatorId, ParticipantRole.Member, now),
            new(otherUserId!, ParticipantRole.Member, now),
        ];
        return new Conversation(Ids.New(), ConversationType.Direct, null, null, creatorId, now, now, participants, 0, 0);
    }

    /// <summary>Rebuilds a conversation from storage; no rules are checked.</summary>
    public static Conversation Restore(
        string id,
        ConversationType type,
        string? title,
        string? taskId,
        string createdBy,
        DateTimeOffset createdAt,
        DateTimeOffset updatedAt,
        IEnumerable<Participant> participants,
        long version,
        long membershipEpoch = 0,
        Metadata? metadata = null) =>
        new(id, type, title, taskId, createdBy, createdAt, updatedAt, [.. participants], version, membershipEpoch) { Metadata = metadata ?? Metadata.Empty };

    public bool HasParticipant(string userId) => FindParticipant(userId) is not null;

    public Participant? FindParticipant(string userId) => _participants.Find(p => p.UserId == userId);

    public bool IsOwner(string userId) => FindParticipant(userId)?.Role == ParticipantRole.Owner;

    /// <summary>Direct conversations may be deleted by either user; other conversations by owners.</summary>
    public bool CanBeDeletedBy(string userId) =>
        Type == ConversationType.Direct ? HasParticipant(userId) : IsOwner(userId);

    public Outcome AddParticipant(string actorId, string? userId, DateTimeOffset now, MessagingLimits limits)
    {
        if (!HasParticipant(actorId))
        {
            return Error.ConversationNotFound;
        }

        if (Type == ConversationType.Direct)
        {
            return Error.Invalid("userId", "Participants of a direct conversation cannot change.");
        }

        if (!Ids.IsWellFormed(userId))
        {
            return Error.Invalid("userId", "userId is required: a non-empty string of at most 128 characters.");
        }

        if (HasParticipant(userId!))
        {
            return Outcome.Success;
        }

        if (_participants.Count >= limits.MaxParticipants)
        {
            return Error.Invalid("userId", $"A conversation has at most {limits.MaxParticipants} participants.");
        }

        _participants.Add(new Participant(userId!, ParticipantRole.Member, now));
        Touch(now);
        return Outcome.Success;
    }

    /// <summary>An owner removes anyone; a member only itself. When the last owner leaves, the longest-standing member becomes owner.</summary>
    public Outcome RemoveParticipant(string actorId, string? userId, DateTimeOffset now)
    {
        var actor = FindParticipant(actorId);
        if (actor is null)
        {
            return Error.ConversationNotFound;
        }

        if (Type == ConversationType.Direct)
        {
            return Error.Invalid("userId", "Participants of a direct conversation cannot change.");
        }

        if (!Ids.IsWellFormed(userId))
        {
            return Error.Invalid("userId", "userId is required: a non-empty string of at most 128 characters.");
        }

        var target = FindParticipant(userId!);
        if (target is null)
        {
            return Error.Invalid("userId", "The user is not a participant of this conversation.");
        }

        if (actor.Role != ParticipantRole.Owner && target.UserId != actorId)
        {
            return Error.Forbidden("Only an owner may remove other participants; a member may only leave.");
        }

        _participants.Remove(target);
        MembershipEpoch++;
        if (target.Role == ParticipantRole.Owner && !_participants.Exists(p => p.Role == ParticipantRole.Owner))
        {
            _participants.OrderBy(p => p.JoinedAt).FirstOrDefault()?.PromoteToOwner();
        }

        Touch(now);
        return Outcome.Success;
    }

    /// <summary>Moves the participant's read watermark forward; returns false when it did not move.</summary>
    public bool MarkRead(string userId, ReadWatermark watermark) =>
        FindParticipant(userId)?.AdvanceWatermark(watermark) ?? false;

    public void Touch(DateTimeOffset now)
    {
        if (now > UpdatedAt)
        {
            UpdatedAt = now;
        }
    }

    /// <summary>Called by a store after a successful write.</summary>
    public void AcceptVersion(long version) => Version = version;

    private static Result<Conversation> WithCreatorAsOwner(
        ConversationType type, string? title, string? taskId, string creatorId, IReadOnlyList<string> others, DateTimeOffset now, MessagingLimits limits)
    {
        var participants = new List<Participant> { new(creatorId, ParticipantRole.Owner, now) };
        participants.AddRange(others.Where(id => id != creatorId).Select(id => new Participant(id, ParticipantRole.Member, now)));
        if (participants.Count > limits.MaxParticipants)
        {
            return Error.Invalid("participantIds", $"A conversation has at most {limits.MaxParticipants} participants.");
        }

        return new Conversation(Ids.New(), type, title, taskId, creatorId, now, now, participants, 0, 0);
    }

    private static Result<IReadOnlyList<string>> ValidateParticipantIds(
        IReadOnlyCollection<string>? ids, string field, MessagingLimits limits, bool required)
    {
        if (ids is null || ids.Count == 0)
        {
            return required
                ? Error.Invalid(field, $"{field} must name at least one user.")
                : Result<IReadOnlyList<string>>.Success([]);
        }

        if (ids.Count > limits.MaxParticipants)
        {
            return Error.Invalid(field, $"A conversation has at most {limits.MaxParticipants} participants.");
        }

        if (ids.Any(id => !Ids.IsWellFormed(id)))
        {
            return Error.Invalid(field, $"Every entry of {field} must be a non-empty string of at most 128 characters.");
        }

        return Result<IReadOnlyList<string>>.Success([.. ids.Distinct(StringComparer.Ordinal)]);
    }

    private static bool IsForbiddenControl(char c) => char.IsControl(c);
}
