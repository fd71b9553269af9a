namespace Messaging.Domain.Conversations;

public enum ParticipantRole
{
    Owner,
    Member,
}

/// <summary>A user's membership in a conversation, with their read watermark.</summary>
public sealed class Participant
{
    public Participant(string userId, ParticipantRole role, DateTimeOffset joinedAt, ReadWatermark? watermark = null)
    {
        UserId = userId;
        Role = role;
        JoinedAt = joinedAt;
        Watermark = watermark;
    }

    public string UserId { get; }

    public ParticipantRole Role { get; private set; }

    public DateTimeOffset JoinedAt { get; }

    /// <summary>The last message this participant has read, and everything before it; null when nothing was read.</summary>
    public ReadWatermark? Watermark { get; private set; }

    public long LastReadSequence => Watermark?.Sequence ?? 0;

    internal void PromoteToOwner() => Role = ParticipantRole.Owner;

    /// <summary>Moves the watermark forward; an older or equal position changes nothing.</summary>
    internal bool AdvanceWatermark(ReadWatermark watermark)
    {
        if (watermark.Sequence <= LastReadSequence)
        {
            return false;
        }

        Watermark = watermark;
        return true;
    }
}

/// <summary>A read position: the message read last, its sequence, and when.</summary>
public sealed record ReadWatermark(string MessageId, long Sequence, DateTimeOffset ReadAt);
