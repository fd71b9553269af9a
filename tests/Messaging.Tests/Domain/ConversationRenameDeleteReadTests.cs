using Messaging.Domain.Common;
using Messaging.Domain.Conversations;
using Messaging.Tests.Support.Builders;

namespace Messaging.Tests.Domain;

public sealed class ConversationRenameDeleteReadTests
{
    private static readonly MessagingLimits Limits = new();

    [Fact]
    public void Title_is_trimmed_and_activity_moves_when_renamed()
    {
        var group = AGroup.OwnedBy("alice").With("bob").Build();

        group.Rename("bob", "  New name  ", Time.At(5), Limits).Ok();

        Assert.Equal("New name", group.Title);
        Assert.Equal(Time.At(5), group.UpdatedAt);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(200)]
    public void Rename_succeeds_when_the_trimmed_title_has_1_to_200_characters(int length)
    {
        var group = AGroup.OwnedBy("alice").With("bob").Build();

        group.Rename("alice", $" {new string('x', length)} ", Time.At(1), Limits).Ok();

        Assert.Equal(length, group.Title!.Length);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("    ")]
    public void Rename_is_invalid_when_the_title_is_blank(string? title)
    {
        var group = AGroup.OwnedBy("alice").With("bob").Build();

        group.Rename("alice", title, Time.At(1), Limits).Failed(ErrorKind.Invalid);

        Assert.Equal("Team", group.Title);
    }

    [Fact]
    public void Rename_is_invalid_when_the_title_is_longer_than_200()
    {
        var group = AGroup.OwnedBy("alice").With("bob").Build();

        group.Rename("alice", new string('x', 201), Time.At(1), Limits).Failed(ErrorKind.Invalid);

        Assert.Equal("Team", group.Title);
    }

    [Fact]
    public void Rename_is_invalid_when_the_title_has_control_characters()
    {
        AGroup.OwnedBy("alice").With("bob").Build().Rename("alice", "a\rb", Time.At(1), Limits).Failed(ErrorKind.Invalid);
    }

    [Fact]
    public void Rename_is_invalid_when_the_conversation_is_direct()
    {
        var direct = ADirect.Between("alice", "bob");

        direct.Rename("alice", "Us", Time.At(1), Limits).Failed(ErrorKind.Invalid);

        Assert.Null(direct.Title);
    }

    [Fact]
    public void Rename_is_not_found_when_the_actor_is_not_a_participant()
    {
        AGroup.OwnedBy("alice").With("bob").Build().Rename("mallory", "Hijacked", Time.At(1), Limits).Failed(ErrorKind.NotFound);
    }

    [Fact]
    public void Group_can_be_deleted_only_by_owners()
    {
        var group = AGroup.OwnedBy("alice").With("bob").Build();

        Assert.True(group.CanBeDeletedBy("alice"));
        Assert.False(group.CanBeDeletedBy("bob"));
        Assert.False(group.CanBeDeletedBy("mallory"));
    }

    [Fact]
    public void Task_conversation_can_be_deleted_only_by_owners()
    {
        var task = AGroup.OwnedBy("alice").With("bob").ForTask("task-1").Build();

        Assert.True(task.CanBeDeletedBy("alice"));
        Assert.False(task.CanBeDeletedBy("bob"));
    }

    [Fact]
    public void Direct_conversation_can_be_deleted_by_either_participant()
    {
        var direct = ADirect.Between("alice", "bob");

        Assert.True(direct.CanBeDeletedBy("alice"));
        Assert.True(direct.CanBeDeletedBy("bob"));
        Assert.False(direct.CanBeDeletedBy("mallory"));
    }

    [Fact]
    public void Promoted_member_can_delete_when_the_last_owner_left()
    {
        var group = AGroup.OwnedBy("alice").With("bob").Build();
        group.RemoveParticipant("alice", "alice", Time.At(1)).Ok();

        Assert.True(group.CanBeDeletedBy("bob"));
    }

    [Fact]
    public void Watermark_moves_when_marked_read_further()
    {
        var group = AGroup.OwnedBy("alice").With("bob").Build();
        var watermark = new ReadWatermark("m5", 5, Time.At(5));

        Assert.True(group.MarkRead("bob", watermark));

        Assert.Equal(watermark, group.FindParticipant("bob")!.Watermark);
        Assert.Equal(5, group.FindParticipant("bob")!.LastReadSequence);
        Assert.Null(group.FindParticipant("alice")!.Watermark);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void Watermark_stays_when_marked_read_at_an_older_or_equal_position(long sequence)
    {
        var group = AGroup.OwnedBy("alice").With("bob").Build();
        var current = new ReadWatermark("m5", 5, Time.At(5));
        group.MarkRead("bob", current);

        Assert.False(group.MarkRead("bob", new ReadWatermark("older", sequence, Time.At(9))));

        Assert.Same(current, group.FindParticipant("bob")!.Watermark);
    }

    [Fact]
    public void Mark_read_is_false_when_the_user_is_not_a_participant()
    {
        Assert.False(AGroup.OwnedBy("alice").With("bob").Build().MarkRead("mallory", new ReadWatermark("m1", 1, Time.T0)));
    }

    [Fact]
    public void Last_read_sequence_is_zero_when_nothing_was_read()
    {
        Assert.Equal(0, AGroup.OwnedBy("alice").With("bob").Build().FindParticipant("bob")!.LastReadSequence);
    }

    [Fact]
    public void Activity_never_moves_back_when_touched_with_an_older_time()
    {
        var group = AGroup.OwnedBy("alice").With("bob").At(Time.At(10)).Build();

        group.Touch(Time.At(5));

        Assert.Equal(Time.At(10), group.UpdatedAt);
    }
}
