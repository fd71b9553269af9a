using Messaging.Domain.Common;
using Messaging.Domain.Conversations;
using Messaging.Tests.Support.Builders;

namespace Messaging.Tests.Domain;

public sealed class ConversationStartTests
{
    private static readonly MessagingLimits Limits = new();

    [Fact]
    public void Creator_is_the_only_owner_when_a_group_starts()
    {
        var group = AGroup.OwnedBy("alice").With("bob", "carol").Build();

        Assert.Equal(ConversationType.Group, group.Type);
        Assert.Equal("alice", group.CreatedBy);
        Assert.Equal(["alice", "bob", "carol"], group.Participants.Select(p => p.UserId));
        Assert.Equal(ParticipantRole.Owner, group.FindParticipant("alice")!.Role);
        Assert.Equal(ParticipantRole.Member, group.FindParticipant("bob")!.Role);
        Assert.Equal(ParticipantRole.Member, group.FindParticipant("carol")!.Role);
        Assert.All(group.Participants, p => Assert.Equal(Time.T0, p.JoinedAt));
        Assert.All(group.Participants, p => Assert.Null(p.Watermark));
        Assert.Equal(Time.T0, group.CreatedAt);
        Assert.Equal(Time.T0, group.UpdatedAt);
        Assert.Null(group.TaskId);
        Assert.Null(group.DirectKey);
    }

    [Fact]
    public void Participants_are_deduplicated_when_a_group_starts_with_repeated_ids()
    {
        var group = AGroup.OwnedBy("alice").With("bob", "bob", "alice", "carol", "bob").Build();

        Assert.Equal(["alice", "bob", "carol"], group.Participants.Select(p => p.UserId));
        Assert.True(group.IsOwner("alice"));
    }

    [Fact]
    public void Creator_listed_as_participant_stays_owner_when_a_group_starts()
    {
        var group = AGroup.OwnedBy("alice").With("alice", "bob").Build();

        Assert.Single(group.Participants, p => p.UserId == "alice");
        Assert.True(group.IsOwner("alice"));
    }

    [Fact]
    public void Group_start_is_invalid_when_participantIds_is_empty()
    {
        var error = AGroup.OwnedBy("alice").TryBuild().Failed(ErrorKind.Invalid);

        Assert.Contains("participantIds", error.FieldErrors!.Keys);
    }

    [Fact]
    public void Group_start_is_invalid_when_participantIds_is_null()
    {
        Conversation.StartGroup("alice", "Team", null, Time.T0, Limits).Failed(ErrorKind.Invalid);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("bad\u0001id")]
    public void Group_start_is_invalid_when_a_participant_id_is_malformed(string id)
    {
        AGroup.OwnedBy("alice").With("bob", id).TryBuild().Failed(ErrorKind.Invalid);
    }

    [Fact]
    public void Group_start_is_invalid_when_a_participant_id_is_longer_than_128()
    {
        AGroup.OwnedBy("alice").With(new string('u', 129)).TryBuild().Failed(ErrorKind.Invalid);
    }

    [Fact]
    public void Group_start_is_invalid_when_participants_with_creator_exceed_the_maximum()
    {
        var limits = new MessagingLimits { MaxParticipants = 3 };

        // Three others plus the creator make four.
        AGroup.OwnedBy("alice").With("b", "c", "d").Limits(limits).TryBuild().Failed(ErrorKind.Invalid);
    }

    [Fact]
    public void Group_start_is_invalid_when_participantIds_alone_exceed_the_maximum()
    {
        var limits = new MessagingLimits { MaxParticipants = 3 };

        AGroup.OwnedBy("alice").With("b", "c", "d", "e").Limits(limits).TryBuild().Failed(ErrorKind.Invalid);
    }

    [Fact]
    public void Group_starts_when_participants_with_creator_reach_exactly_the_maximum()
    {
        var limits = new MessagingLimits { MaxParticipants = 3 };

        var group = AGroup.OwnedBy("alice").With("b", "c").Limits(limits).Build();

        Assert.Equal(3, group.Participants.Count);
    }

    [Fact]
    public void Title_is_trimmed_when_a_group_starts()
    {
        var group = AGroup.OwnedBy("alice").With("bob").Titled("  Launch plan \t").Build();

        Assert.Equal("Launch plan", group.Title);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Title_is_absent_when_a_group_starts_with_a_blank_title(string? title)
    {
        var group = AGroup.OwnedBy("alice").With("bob").Titled(title).Build();

        Assert.Null(group.Title);
    }

    [Fact]
    public void Title_of_exactly_the_maximum_length_is_accepted_when_a_group_starts()
    {
        var title = new string('t', 200);

        Assert.Equal(title, AGroup.OwnedBy("alice").With("bob").Titled($"  {title}  ").Build().Title);
    }

    [Fact]
    public void Group_start_is_invalid_when_the_title_is_too_long()
    {
        var error = AGroup.OwnedBy("alice").With("bob").Titled(new string('t', 201)).TryBuild().Failed(ErrorKind.Invalid);

        Assert.Contains("title", error.FieldErrors!.Keys);
    }

    [Theory]
    [InlineData("Team\nName")]
    [InlineData("Team\u0000")]
    [InlineData("Te\u001bam")]
    [InlineData("Team\u0085x")]
    public void Group_start_is_invalid_when_the_title_has_control_characters(string title)
    {
        AGroup.OwnedBy("alice").With("bob").Titled(title).TryBuild().Failed(ErrorKind.Invalid);
    }

    [Fact]
    public void Each_started_conversation_gets_a_new_id()
    {
        var first = AGroup.OwnedBy("alice").With("bob").Build();
        var second = AGroup.OwnedBy("alice").With("bob").Build();

        Assert.NotEqual(first.Id, second.Id);
        Assert.True(Ids.IsWellFormed(first.Id));
    }

    [Fact]
    public void Direct_conversation_has_two_equal_members_when_started()
    {
        var direct = ADirect.Between("alice", "bob");

        Assert.Equal(ConversationType.Direct, direct.Type);
        Assert.Equal(["alice", "bob"], direct.Participants.Select(p => p.UserId));
        Assert.All(direct.Participants, p => Assert.Equal(ParticipantRole.Member, p.Role));
        Assert.Null(direct.Title);
        Assert.Null(direct.TaskId);
    }

    [Fact]
    public void Direct_key_is_the_same_whoever_starts_the_conversation()
    {
        Assert.Equal(ADirect.Between("alice", "bob").DirectKey, ADirect.Between("bob", "alice").DirectKey);
        Assert.NotEqual(ADirect.Between("alice", "bob").DirectKey, ADirect.Between("alice", "carol").DirectKey);
    }

    [Fact]
    public void Direct_start_is_invalid_when_userId_is_the_caller()
    {
        var error = Conversation.StartDirect("alice", "alice", Time.T0).Failed(ErrorKind.Invalid);

        Assert.Contains("userId", error.FieldErrors!.Keys);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("bo\tb")]
    public void Direct_start_is_invalid_when_userId_is_missing_or_malformed(string? userId)
    {
        Conversation.StartDirect("alice", userId, Time.T0).Failed(ErrorKind.Invalid);
    }

    [Fact]
    public void Task_conversation_keeps_its_task_id_and_makes_the_creator_owner()
    {
        var task = AGroup.OwnedBy("alice").With("bob").ForTask("task-42").Build();

        Assert.Equal(ConversationType.Task, task.Type);
        Assert.Equal("task-42", task.TaskId);
        Assert.True(task.IsOwner("alice"));
    }

    [Fact]
    public void Task_conversation_starts_without_other_participants()
    {
        var task = Conversation.StartForTask("alice", "task-42", null, null, Time.T0, Limits).Ok();

        Assert.Equal(["alice"], task.Participants.Select(p => p.UserId));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("task\n1")]
    public void Task_start_is_invalid_when_taskId_is_missing_or_malformed(string? taskId)
    {
        var error = Conversation.StartForTask("alice", taskId, "Title", ["bob"], Time.T0, Limits).Failed(ErrorKind.Invalid);

        Assert.Contains("taskId", error.FieldErrors!.Keys);
    }
}
