using Messaging.Domain.Attachments;
using Messaging.Domain.Common;
using Messaging.Tests.Support.Builders;

namespace Messaging.Tests.Store;

/// <summary>What every <see cref="IAttachmentRepository"/> must do.</summary>
public abstract class AttachmentRepositoryContract : StoreContract
{
    [SkippableFact]
    public async Task Get_returns_every_field_when_an_attachment_was_added()
    {
        var alice = Some.User("alice");
        var group = await AddGroupAsync(alice, [Some.User("bob")]);
        Attachment attachment = AnAttachment.UploadedBy(alice).Named("Quarterly report 😀.pdf", "application/pdf", 25L * 1024 * 1024).For(group.Id).At(Time.At(12));

        await Attachments.AddAsync(attachment, Ct);

        var stored = await Attachments.GetAsync(attachment.Id, Ct);
        AssertSameAttachment(attachment, stored);
        Assert.Null(stored!.MessageId);
    }

    [SkippableFact]
    public async Task Get_returns_an_attachment_without_a_conversation_when_added_unbound()
    {
        var attachment = await AddAttachmentAsync(Some.User("alice"));

        var stored = await Attachments.GetAsync(attachment.Id, Ct);

        AssertSameAttachment(attachment, stored);
        Assert.Null(stored!.ConversationId);
    }

    [SkippableFact]
    public async Task Get_returns_null_when_the_attachment_does_not_exist()
    {
        Assert.Null(await Attachments.GetAsync(Ids.New(), Ct));
    }

    [SkippableFact]
    public async Task Get_many_returns_the_attachments_that_exist()
    {
        var alice = Some.User("alice");
        var first = await AddAttachmentAsync(alice);
        var second = await AddAttachmentAsync(alice, fileName: "b.png");
        await AddAttachmentAsync(alice, fileName: "not-asked.png");

        var found = await Attachments.GetManyAsync([second.Id, Ids.New(), first.Id], Ct);

        Assert.Equal(
            new[] { first.Id, second.Id }.Order(StringComparer.Ordinal),
            found.Select(a => a.Id).Order(StringComparer.Ordinal));
        AssertSameAttachment(first, found.Single(a => a.Id == first.Id));
    }

    [SkippableFact]
    public async Task Get_many_is_empty_when_no_ids_are_given()
    {
        Assert.Empty(await Attachments.GetManyAsync([], Ct));
    }

    [SkippableFact]
    public async Task Delete_unused_removes_the_record_when_no_message_uses_it()
    {
        var attachment = await AddAttachmentAsync(Some.User("alice"));

        Assert.True(await Attachments.DeleteUnusedAsync(attachment.Id, Ct));

        Assert.Null(await Attachments.GetAsync(attachment.Id, Ct));
        Assert.False(await Attachments.DeleteUnusedAsync(attachment.Id, Ct));
    }

    [SkippableFact]
    public async Task Delete_unused_is_false_and_keeps_the_record_when_a_message_uses_it()
    {
        var alice = Some.User("alice");
        var group = await AddGroupAsync(alice, [Some.User("bob")]);
        var attachment = await AddAttachmentAsync(alice);
        var message = await AppendAsync(group, alice, "with file", 1, null, attachment);

        Assert.False(await Attachments.DeleteUnusedAsync(attachment.Id, Ct));

        Assert.Equal(message.Id, (await Attachments.GetAsync(attachment.Id, Ct))!.MessageId);
    }

    [SkippableFact]
    public async Task Delete_unused_is_false_when_the_attachment_does_not_exist()
    {
        Assert.False(await Attachments.DeleteUnusedAsync(Ids.New(), Ct));
    }
}
