using Messaging.Domain.Common;
using Messaging.Domain.Conversations;
using Messaging.Tests.Support.Builders;

namespace Messaging.Tests.Domain;

public sealed class ConversationParticipantTests
{
    private static readonly MessagingLimits Limits = new();

    [Fact]
    public void Member_joins_as_member_and_activity_moves_when_added()
    {
        var group = AGroup.OwnedBy("alice").With("bob").Build();

        group.AddParticipant("bob", "carol", Time.At(10), Limits).Ok();

        var carol = group.FindParticipant("carol")!;
        Assert.Equal(ParticipantRole.Member, carol.Role);
        Assert.Equal(Time.At(10), carol.JoinedAt);
        Assert.Equal(Time.At(10), group.UpdatedAt);
    }

    [Fact]
    public void Add_is_not_found_when_the_actor_is_not_a_participant()
    {
        var group = AGroup.OwnedBy("alice").With("bob").Build();

        group.AddParticipant("mallory", "carol", Time.At(1), Limits).Failed(ErrorKind.NotFound);

        Assert.False(group.HasParticipant("carol"));
    }

    [Fact]
    public void Add_is_invalid_when_the_conversation_is_direct()
    {
        var direct = ADirect.Between("alice", "bob");

        direct.AddParticipant("alice", "carol", Time.At(1), Limits).Failed(ErrorKind.Invalid);

        Assert.Equal(2, direct.Participants.Count);
    }

    [Fact]
    public void Add_is_not_found_rather_than_invalid_when_an_outsider_targets_a_direct_conversation()
    {
        ADirect.Between("alice", "bob").AddParticipant("mallory", "carol", Time.At(1), Limits).Failed(ErrorKind.NotFound);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("c\u0000")]
    public void Add_is_invalid_when_userId_is_malformed(string? userId)
    {
        AGroup.OwnedBy("alice").With("bob").Build().AddParticipant("alice", userId, Time.At(1), Limits).Failed(ErrorKind.Invalid);
    }

    [Fact]
    public void Add_succeeds_without_change_when_the_user_is_already_a_participant()
    {
        var group = AGroup.OwnedBy("alice").With("bob").Build();

        group.AddParticipant("bob", "alice", Time.At(5), Limits).Ok();

        Assert.Equal(2, group.Participants.Count);
        Assert.True(group.IsOwner("alice"));
        Assert.Equal(Time.T0, group.FindParticipant("alice")!.JoinedAt);
        Assert.Equal(Time.T0, group.UpdatedAt);
    }

    [Fact]
    public void Add_is_invalid_when_the_conversation_is_full()
    {
        var limits = new MessagingLimits { MaxParticipants = 3 };
        var group = AGroup.OwnedBy("alice").With("bob", "carol").Limits(limits).Build();

        group.AddParticipant("alice", "dave", Time.At(1), limits).Failed(ErrorKind.Invalid);

        Assert.Equal(3, group.Participants.Count);
    }

    [Fact]
    public void Re_adding_a_participant_succeeds_when_the_conversation_is_full()
    {
        var limits = new MessagingLimits { MaxParticipants = 2 };
        var group = AGroup.OwnedBy("alice").With("bob").Limits(limits).Build();

        group.AddParticipant("alice", "bob", Time.At(1), limits).Ok();
    }

    [Fact]
    public void Owner_removes_any_participant()
    {
        var group = AGroup.OwnedBy("alice").With("bob", "carol").Build();

        group.RemoveParticipant("alice", "bob", Time.At(3)).Ok();

        Assert.Equal(["alice", "carol"], group.Participants.Select(p => p.UserId));
        Assert.Equal(Time.At(3), group.UpdatedAt);
    }

    [Fact]
    public void Member_removes_itself()
    {
        var group = AGroup.OwnedBy("alice").With("bob", "carol").Build();

        group.RemoveParticipant("bob", "bob", Time.At(3)).Ok();

        Assert.False(group.HasParticipant("bob"));
        Assert.True(group.IsOwner("alice"));
    }

    [Fact]
    public void Remove_is_forbidden_when_a_member_removes_someone_else()
    {
        var group = AGroup.OwnedBy("alice").With("bob", "carol").Build();

        group.RemoveParticipant("bob", "carol", Time.At(3)).Failed(ErrorKind.Forbidden);
        group.RemoveParticipant("bob", "alice", Time.At(3)).Failed(ErrorKind.Forbidden);

        Assert.Equal(3, group.Participants.Count);
        Assert.Equal(Time.T0, group.UpdatedAt);
    }

    [Fact]
    public void Remove_is_not_found_when_the_actor_is_not_a_participant()
    {
        AGroup.OwnedBy("alice").With("bob").Build().RemoveParticipant("mallory", "bob", Time.At(1)).Failed(ErrorKind.NotFound);
    }

    [Fact]
    public void Remove_is_invalid_when_the_user_is_not_a_participant()
    {
        var error = AGroup.OwnedBy("alice").With("bob").Build().RemoveParticipant("alice", "zed", Time.At(1)).Failed(ErrorKind.Invalid);

        Assert.Contains("userId", error.FieldErrors!.Keys);
    }

    [Fact]
    public void Remove_is_invalid_when_the_conversation_is_direct()
    {
        var direct = ADirect.Between("alice", "bob");

        direct.RemoveParticipant("alice", "alice", Time.At(1)).Failed(ErrorKind.Invalid);
        direct.RemoveParticipant("alice", "bob", Time.At(1)).Failed(ErrorKind.Invalid);

        Assert.Equal(2, direct.Participants.Count);
    }

    [Fact]
    public void Longest_standing_member_becomes_owner_when_the_last_owner_leaves()
    {
        var group = AGroup.OwnedBy("alice").With("bob").Build();
        group.AddParticipant("alice", "carol", Time.At(10), Limits).Ok();

        group.RemoveParticipant("alice", "alice", Time.At(20)).Ok();

        Assert.True(group.IsOwner("bob"));
        Assert.False(group.IsOwner("carol"));
    }

    [Fact]
    public void Longest_standing_member_becomes_owner_whatever_the_stored_order_when_the_last_owner_leaves()
    {
        var group = Conversation.Restore(
            "c1", ConversationType.Group, "Team", null, "alice", Time.T0, Time.T0,
            [
                new Participant("alice", ParticipantRole.Owner, Time.T0),
                new Participant("dave", ParticipantRole.Member, Time.At(30)),
                new Participant("carol", ParticipantRole.Member, Time.At(10)),
                new Participant("bob", ParticipantRole.Member, Time.At(20)),
            ],
            version: 3);

        group.RemoveParticipant("alice", "alice", Time.At(40)).Ok();

        Assert.Equal(["carol"], group.Participants.Where(p => p.Role == ParticipantRole.Owner).Select(p => p.UserId));
    }

    [Fact]
    public void Nobody_is_promoted_when_another_owner_remains()
    {
        var group = Conversation.Restore(
            "c1", ConversationType.Group, "Team", null, "alice", Time.T0, Time.T0,
            [
                new Participant("alice", ParticipantRole.Owner, Time.T0),
                new Participant("bob", ParticipantRole.Member, Time.At(1)),
                new Participant("carol", ParticipantRole.Owner, Time.At(2)),
            ],
            version: 1);

        group.RemoveParticipant("alice", "alice", Time.At(3)).Ok();

        Assert.False(group.IsOwner("bob"));
        Assert.True(group.IsOwner("carol"));
    }

    [Fact]
    public void Conversation_is_left_empty_when_the_last_participant_leaves()
    {
        var task = Conversation.StartForTask("alice", "task-1", null, null, Time.T0, Limits).Ok();

        task.RemoveParticipant("alice", "alice", Time.At(1)).Ok();

        Assert.Empty(task.Participants);
    }

    [Fact]
    public void Owner_cannot_be_removed_by_a_member_when_owner_is_targeted()
    {
        var group = AGroup.OwnedBy("alice").With("bob").Build();

        group.RemoveParticipant("bob", "alice", Time.At(1)).Failed(ErrorKind.Forbidden);

        Assert.True(group.IsOwner("alice"));
    }
}
