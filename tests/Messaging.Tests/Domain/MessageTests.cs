using Messaging.Domain.Attachments;
using Messaging.Domain.Common;
using Messaging.Domain.Messages;
using Messaging.Tests.Support.Builders;

namespace Messaging.Tests.Domain;

public sealed class MessageTests
{
    private static readonly MessagingLimits Limits = new();

    [Fact]
    public void Text_is_trimmed_and_no_sequence_is_assigned_when_composed()
    {
        var message = AMessage.From("alice").In("c1").Saying("  hello there \n").WithClientId("cm-1").At(Time.At(3)).Build();

        Assert.Equal("hello there", message.Text);
        Assert.Equal("c1", message.ConversationId);
        Assert.Equal("alice", message.SenderId);
        Assert.Equal("cm-1", message.ClientMessageId);
        Assert.Equal(Time.At(3), message.CreatedAt);
        Assert.Equal(0, message.Sequence);
        Assert.Null(message.EditedAt);
        Assert.Null(message.DeletedAt);
        Assert.False(message.IsDeleted);
        Assert.Empty(message.Attachments);
        Assert.True(Ids.IsWellFormed(message.Id));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" \t\r\n ")]
    public void Compose_is_invalid_when_the_text_is_empty_without_attachments(string? text)
    {
        var error = AMessage.From("alice").Saying(text).TryBuild().Failed(ErrorKind.Invalid);

        Assert.Contains("text", error.FieldErrors!.Keys);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("   ")]
    public void Empty_text_is_accepted_when_attachments_are_given(string? text)
    {
        var message = AMessage.From("alice").Saying(text).WithAttachments(AnAttachment.UploadedBy("alice")).Build();

        Assert.Equal("", message.Text);
        Assert.Single(message.Attachments);
    }

    [Fact]
    public void Text_of_exactly_the_maximum_length_is_accepted_even_with_surrounding_whitespace()
    {
        var text = new string('x', Limits.MaxMessageLength);

        Assert.Equal(text, AMessage.From("alice").Saying($"   {text}   ").Build().Text);
    }

    [Fact]
    public void Compose_is_invalid_when_the_text_exceeds_the_maximum_length()
    {
        AMessage.From("alice").Saying(new string('x', Limits.MaxMessageLength + 1)).TryBuild().Failed(ErrorKind.Invalid);
    }

    [Theory]
    [InlineData("\0")]
    [InlineData("hello\0world")]
    [InlineData("hello\0")]
    public void Compose_is_invalid_when_the_text_contains_NUL(string text)
    {
        AMessage.From("alice").Saying(text).TryBuild().Failed(ErrorKind.Invalid);
    }

    [Fact]
    public void Other_control_characters_such_as_newlines_are_kept_in_the_text()
    {
        Assert.Equal("line 1\nline 2", AMessage.From("alice").Saying("line 1\nline 2").Build().Text);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("a")]
    [InlineData("client-id-1")]
    public void Client_message_id_is_accepted_when_absent_or_well_formed(string? clientMessageId)
    {
        Assert.Equal(clientMessageId, AMessage.From("alice").WithClientId(clientMessageId).Build().ClientMessageId);
    }

    [Fact]
    public void Client_message_id_of_exactly_the_maximum_length_is_accepted()
    {
        AMessage.From("alice").WithClientId(new string('c', Limits.MaxClientMessageIdLength)).Build();
    }

    [Theory]
    [InlineData("")]
    [InlineData("bad\nid")]
    [InlineData("bad\u0000id")]
    public void Compose_is_invalid_when_the_client_message_id_is_empty_or_has_control_characters(string clientMessageId)
    {
        var error = AMessage.From("alice").WithClientId(clientMessageId).TryBuild().Failed(ErrorKind.Invalid);

        Assert.Contains("clientMessageId", error.FieldErrors!.Keys);
    }

    [Fact]
    public void Compose_is_invalid_when_the_client_message_id_is_too_long()
    {
        AMessage.From("alice").WithClientId(new string('c', Limits.MaxClientMessageIdLength + 1)).TryBuild().Failed(ErrorKind.Invalid);
    }

    [Fact]
    public void Attachments_are_copied_when_composed()
    {
        var first = AnAttachment.UploadedBy("alice").Build().Info;
        var source = new List<AttachmentInfo> { first };

        var message = Message.Compose("c1", "alice", "hi", source, null, Time.T0, Limits).Ok();
        source.Add(AnAttachment.UploadedBy("alice").Build().Info);

        Assert.Equal([first], message.Attachments);
    }

    [Fact]
    public void Sequence_can_be_assigned_only_once()
    {
        var message = AMessage.From("alice").Build();

        message.AssignSequence(7);

        Assert.Equal(7, message.Sequence);
        Assert.Throws<InvalidOperationException>(() => message.AssignSequence(8));
    }

    [Fact]
    public void Text_changes_and_edit_time_is_set_when_the_sender_edits()
    {
        var message = AMessage.From("alice").Saying("first").Build();

        message.Edit("alice", "  second ", Time.At(60), Limits).Ok();

        Assert.Equal("second", message.Text);
        Assert.Equal(Time.At(60), message.EditedAt);
        Assert.Equal(Time.T0, message.CreatedAt);
    }

    [Fact]
    public void Edit_is_forbidden_when_the_actor_is_not_the_sender()
    {
        var message = AMessage.From("alice").Saying("first").Build();

        message.Edit("bob", "hijacked", Time.At(60), Limits).Failed(ErrorKind.Forbidden);

        Assert.Equal("first", message.Text);
        Assert.Null(message.EditedAt);
    }

    [Fact]
    public void Edit_is_a_conflict_when_the_message_was_deleted()
    {
        var message = AMessage.From("alice").Build();
        message.Delete("alice", actorIsOwner: false, Time.At(1)).Ok();

        message.Edit("alice", "resurrected", Time.At(2), Limits).Failed(ErrorKind.Conflict);

        Assert.Equal("", message.Text);
        Assert.Null(message.EditedAt);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a\0b")]
    public void Edit_is_invalid_and_changes_nothing_when_the_new_text_breaks_the_text_rules(string text)
    {
        var message = AMessage.From("alice").Saying("first").Build();

        message.Edit("alice", text, Time.At(1), Limits).Failed(ErrorKind.Invalid);

        Assert.Equal("first", message.Text);
        Assert.Null(message.EditedAt);
    }

    [Fact]
    public void Edit_may_empty_the_text_when_the_message_has_attachments()
    {
        var message = AMessage.From("alice").Saying("caption").WithAttachments(AnAttachment.UploadedBy("alice")).Build();

        message.Edit("alice", "", Time.At(1), Limits).Ok();

        Assert.Equal("", message.Text);
    }

    [Fact]
    public void Message_becomes_a_tombstone_when_the_sender_deletes_it()
    {
        Attachment photo = AnAttachment.UploadedBy("alice");
        Attachment doc = AnAttachment.UploadedBy("alice").Named("doc.pdf");
        var message = AMessage.From("alice").Saying("look").WithAttachments(photo, doc).Build();

        var removed = message.Delete("alice", actorIsOwner: false, Time.At(9)).Ok();

        Assert.Equal([photo.Info, doc.Info], removed);
        Assert.Equal("", message.Text);
        Assert.Empty(message.Attachments);
        Assert.Equal(Time.At(9), message.DeletedAt);
        Assert.True(message.IsDeleted);
    }

    [Fact]
    public void Owner_may_delete_someone_elses_message()
    {
        var message = AMessage.From("bob").Build();

        message.Delete("alice", actorIsOwner: true, Time.At(1)).Ok();

        Assert.True(message.IsDeleted);
    }

    [Fact]
    public void Delete_is_forbidden_when_the_actor_is_neither_sender_nor_owner()
    {
        var message = AMessage.From("bob").Saying("mine").WithAttachments(AnAttachment.UploadedBy("bob")).Build();

        message.Delete("carol", actorIsOwner: false, Time.At(1)).Failed(ErrorKind.Forbidden);

        Assert.Equal("mine", message.Text);
        Assert.Single(message.Attachments);
        Assert.False(message.IsDeleted);
    }

    [Fact]
    public void Delete_is_idempotent_and_returns_nothing_more_when_repeated()
    {
        var message = AMessage.From("alice").WithAttachments(AnAttachment.UploadedBy("alice")).Build();
        message.Delete("alice", actorIsOwner: false, Time.At(1)).Ok();

        var again = message.Delete("alice", actorIsOwner: false, Time.At(2)).Ok();

        Assert.Empty(again);
        Assert.Equal(Time.At(1), message.DeletedAt);
    }
}
