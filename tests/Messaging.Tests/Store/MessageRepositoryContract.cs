using Messaging.Domain.Attachments;
using Messaging.Domain.Common;
using Messaging.Domain.Conversations;
using Messaging.Domain.Messages;
using Messaging.Tests.Support.Builders;

namespace Messaging.Tests.Store;

/// <summary>What every <see cref="IMessageRepository"/> must do.</summary>
public abstract class MessageRepositoryContract : StoreContract
{
    private static readonly MessagingLimits Limits = new();

    [SkippableFact]
    public async Task Get_returns_every_field_when_a_message_was_appended()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await AddGroupAsync(alice, [bob]);
        var photo = await AddAttachmentAsync(alice, fileName: "résumé 😀.png");
        Message message = AMessage.From(alice).In(group).Saying("  hello\nworld  ").WithClientId("client-1").WithAttachments(photo).At(Time.At(7));

        var outcome = await Messages.AppendAsync(message, Ct);

        Assert.Equal(AppendStatus.Created, outcome.Status);
        Assert.Equal(1, outcome.Message!.Sequence);
        Assert.Equal(message.Id, outcome.Message.Id);
        var stored = await Messages.GetAsync(message.Id, Ct);
        AssertSameMessage(outcome.Message, stored);
        Assert.Equal("hello\nworld", stored!.Text);
        Assert.Equal([photo.Info], stored.Attachments);
    }

    [SkippableFact]
    public async Task Get_returns_null_when_the_message_does_not_exist()
    {
        Assert.Null(await Messages.GetAsync(Ids.New(), Ct));
    }

    [SkippableFact]
    public async Task Append_marks_the_conversation_as_most_recently_active()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var quiet = await AddGroupAsync(alice, [bob], Time.At(1));
        var busy = await AddGroupAsync(alice, [bob], Time.At(2));

        await AppendAsync(quiet, bob, "wake up", atSeconds: 30);

        Assert.Equal(Time.At(30), (await Conversations.GetAsync(quiet.Id, Ct))!.UpdatedAt);
        var listed = (await Conversations.ListForParticipantAsync(alice, 10, null, Ct)).Ok();
        Assert.Equal([quiet.Id, busy.Id], listed.Items.Select(c => c.Id));
    }

    [SkippableFact]
    public async Task Append_assigns_gapless_sequences_when_50_appends_run_concurrently()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await AddGroupAsync(alice, [bob]);
        var messages = Enumerable.Range(0, 50)
            .Select(i => AMessage.From(i % 2 == 0 ? alice : bob).In(group).Saying($"message {i}").At(Time.At(i)).Build())
            .ToArray();

        var outcomes = await Task.WhenAll(messages.Select(m => Task.Run(() => Messages.AppendAsync(m, Ct))));

        Assert.All(outcomes, o => Assert.Equal(AppendStatus.Created, o.Status));
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), outcomes.Select(o => o.Message!.Sequence).Order());
        var stored = await Messages.ListAfterAsync(group.Id, 0, 100, Ct);
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), stored.Select(m => m.Sequence));
        Assert.Equal(
            outcomes.ToDictionary(o => o.Message!.Id, o => o.Message!.Sequence),
            stored.ToDictionary(m => m.Id, m => m.Sequence));
    }

    [SkippableFact]
    public async Task Sequences_are_counted_per_conversation()
    {
        var alice = Some.User("alice");
        var first = await AddGroupAsync(alice, [Some.User("bob")]);
        var second = await AddGroupAsync(alice, [Some.User("carol")]);

        await AppendAsync(first, alice, "1");
        await AppendAsync(first, alice, "2");
        var other = await AppendAsync(second, alice, "x");

        Assert.Equal(1, other.Sequence);
    }

    [SkippableFact]
    public async Task Append_returns_the_original_as_duplicate_when_the_client_message_id_repeats()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await AddGroupAsync(alice, [bob]);
        var original = await AppendAsync(group, alice, "once", 1, "cm-1");

        var retry = await Messages.AppendAsync(AMessage.From(alice).In(group).Saying("once again").WithClientId("cm-1").At(Time.At(2)), Ct);

        Assert.Equal(AppendStatus.Duplicate, retry.Status);
        AssertSameMessage(original, retry.Message);
        Assert.Single(await Messages.ListAfterAsync(group.Id, 0, 100, Ct));
        Assert.Equal(2, (await AppendAsync(group, alice, "next")).Sequence);
    }

    [SkippableFact]
    public async Task Append_creates_when_another_sender_uses_the_same_client_message_id()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await AddGroupAsync(alice, [bob]);
        await AppendAsync(group, alice, "alice's", 1, "cm-1");

        var bobs = await AppendAsync(group, bob, "bob's", 2, "cm-1");

        Assert.Equal(2, bobs.Sequence);
        Assert.Equal(bobs.Id, (await Messages.FindByClientMessageIdAsync(group.Id, bob, "cm-1", Ct))!.Id);
    }

    [SkippableFact]
    public async Task Append_yields_one_message_when_10_appends_with_the_same_client_message_id_run_in_parallel()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await AddGroupAsync(alice, [bob]);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() =>
            Messages.AppendAsync(AMessage.From(alice).In(group).Saying($"try {i}").WithClientId("same").At(Time.At(i)), Ct))));

        var created = Assert.Single(outcomes, o => o.Status == AppendStatus.Created);
        Assert.All(outcomes.Where(o => o != created), o =>
        {
            Assert.Equal(AppendStatus.Duplicate, o.Status);
            Assert.Equal(created.Message!.Id, o.Message!.Id);
        });
        var stored = Assert.Single(await Messages.ListAfterAsync(group.Id, 0, 100, Ct));
        Assert.Equal(1, stored.Sequence);
        Assert.Equal(created.Message!.Id, stored.Id);
    }

    [SkippableFact]
    public async Task Find_by_client_message_id_is_scoped_to_conversation_and_sender()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await AddGroupAsync(alice, [bob]);
        var other = await AddGroupAsync(alice, [bob]);
        var sent = await AppendAsync(group, alice, "hi", 1, "cm-1");

        AssertSameMessage(sent, await Messages.FindByClientMessageIdAsync(group.Id, alice, "cm-1", Ct));
        Assert.Null(await Messages.FindByClientMessageIdAsync(group.Id, bob, "cm-1", Ct));
        Assert.Null(await Messages.FindByClientMessageIdAsync(other.Id, alice, "cm-1", Ct));
        Assert.Null(await Messages.FindByClientMessageIdAsync(group.Id, alice, "cm-2", Ct));
    }

    [SkippableFact]
    public async Task Append_reports_conversation_missing_when_the_conversation_does_not_exist()
    {
        var missing = Ids.New();

        var outcome = await Messages.AppendAsync(AMessage.From(Some.User("alice")).In(missing).Saying("hello?"), Ct);

        Assert.Equal(AppendStatus.ConversationMissing, outcome.Status);
        Assert.Null(outcome.Message);
        Assert.Null(await Messages.GetLatestAsync(missing, Ct));
    }

    [SkippableFact]
    public async Task Append_claims_an_unused_own_attachment()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await AddGroupAsync(alice, [bob]);
        var unbound = await AddAttachmentAsync(alice);
        var bound = await AddAttachmentAsync(alice, group.Id);

        var message = await AppendAsync(group, alice, "", 1, null, unbound, bound);

        Assert.Equal([unbound.Info, bound.Info], (await Messages.GetAsync(message.Id, Ct))!.Attachments);
        foreach (var attachment in new[] { unbound, bound })
        {
            var stored = (await Attachments.GetAsync(attachment.Id, Ct))!;
            Assert.Equal(message.Id, stored.MessageId);
            Assert.Equal(group.Id, stored.ConversationId);
        }
    }

    [SkippableFact]
    public async Task Append_is_attachment_unavailable_and_writes_nothing_when_the_attachment_is_already_claimed()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await AddGroupAsync(alice, [bob]);
        var photo = await AddAttachmentAsync(alice);
        var first = await AppendAsync(group, alice, "first", 1, null, photo);

        var outcome = await Messages.AppendAsync(
            AMessage.From(alice).In(group).Saying("again").WithClientId("cm-2").WithAttachments(photo).At(Time.At(50)), Ct);

        Assert.Equal(AppendStatus.AttachmentUnavailable, outcome.Status);
        Assert.Null(outcome.Message);
        AssertSameMessage(first, await Messages.GetLatestAsync(group.Id, Ct));
        Assert.Null(await Messages.FindByClientMessageIdAsync(group.Id, alice, "cm-2", Ct));
        Assert.Equal(first.Id, (await Attachments.GetAsync(photo.Id, Ct))!.MessageId);
        Assert.Equal(Time.At(1), (await Conversations.GetAsync(group.Id, Ct))!.UpdatedAt);
        Assert.Equal(2, (await AppendAsync(group, alice, "next", 2)).Sequence);
    }

    [SkippableFact]
    public async Task Append_returns_duplicate_rather_than_attachment_unavailable_when_a_retry_carries_the_claimed_attachments()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await AddGroupAsync(alice, [bob]);
        var photo = await AddAttachmentAsync(alice);
        var original = await AppendAsync(group, alice, "with photo", 1, "cm-1", photo);

        var retry = await Messages.AppendAsync(
            AMessage.From(alice).In(group).Saying("with photo").WithClientId("cm-1").WithAttachments(photo).At(Time.At(2)), Ct);

        Assert.Equal(AppendStatus.Duplicate, retry.Status);
        AssertSameMessage(original, retry.Message);
    }

    [SkippableFact]
    public async Task Append_is_attachment_unavailable_when_the_attachment_was_uploaded_by_someone_else()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await AddGroupAsync(alice, [bob]);
        var bobs = await AddAttachmentAsync(bob);

        var outcome = await Messages.AppendAsync(AMessage.From(alice).In(group).WithAttachments(bobs), Ct);

        Assert.Equal(AppendStatus.AttachmentUnavailable, outcome.Status);
        Assert.Null((await Attachments.GetAsync(bobs.Id, Ct))!.MessageId);
    }

    [SkippableFact]
    public async Task Append_is_attachment_unavailable_when_the_attachment_belongs_to_another_conversation()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await AddGroupAsync(alice, [bob]);
        var other = await AddGroupAsync(alice, [bob]);
        var boundElsewhere = await AddAttachmentAsync(alice, other.Id);

        var outcome = await Messages.AppendAsync(AMessage.From(alice).In(group).WithAttachments(boundElsewhere), Ct);

        Assert.Equal(AppendStatus.AttachmentUnavailable, outcome.Status);
    }

    [SkippableFact]
    public async Task Append_claims_nothing_when_one_of_several_attachments_is_unavailable()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await AddGroupAsync(alice, [bob]);
        var good = await AddAttachmentAsync(alice);
        Attachment neverUploaded = AnAttachment.UploadedBy(alice);

        var outcome = await Messages.AppendAsync(AMessage.From(alice).In(group).WithAttachments(good, neverUploaded), Ct);

        Assert.Equal(AppendStatus.AttachmentUnavailable, outcome.Status);
        AssertSameAttachment(good, await Attachments.GetAsync(good.Id, Ct));
        Assert.Null(await Messages.GetLatestAsync(group.Id, Ct));
        Assert.Equal(1, (await AppendAsync(group, alice, "plain")).Sequence);
    }

    [SkippableFact]
    public async Task List_newest_first_pages_cover_every_message_exactly_once()
    {
        var alice = Some.User("alice");
        var group = await AddGroupAsync(alice, [Some.User("bob")]);
        for (var i = 1; i <= 7; i++)
        {
            await AppendAsync(group, alice, $"m{i}", i);
        }

        var firstPage = (await Messages.ListNewestFirstAsync(group.Id, 3, null, Ct)).Ok();
        var all = await ReadAllPagesAsync(token => Messages.ListNewestFirstAsync(group.Id, 3, token, Ct), 3);

        Assert.Equal([7L, 6L, 5L], firstPage.Items.Select(m => m.Sequence));
        Assert.NotNull(firstPage.ContinuationToken);
        Assert.Equal([7L, 6L, 5L, 4L, 3L, 2L, 1L], all.Select(m => m.Sequence));
        Assert.Equal(["m7", "m6", "m5", "m4", "m3", "m2", "m1"], all.Select(m => m.Text));
    }

    [SkippableFact]
    public async Task List_newest_first_is_empty_when_the_conversation_has_no_messages()
    {
        var group = await AddGroupAsync(Some.User("alice"), [Some.User("bob")]);

        var page = (await Messages.ListNewestFirstAsync(group.Id, 10, null, Ct)).Ok();

        Assert.Empty(page.Items);
        Assert.Null(page.ContinuationToken);
    }

    [SkippableTheory]
    [InlineData("%%%not-a-token%%%")]
    [InlineData("bm90LWEtdG9rZW4")]
    public async Task List_newest_first_is_an_error_when_the_continuation_token_is_invalid(string token)
    {
        var alice = Some.User("alice");
        var group = await AddGroupAsync(alice, [Some.User("bob")]);
        await AppendAsync(group, alice, "hi");

        (await Messages.ListNewestFirstAsync(group.Id, 10, token, Ct)).Failed(ErrorKind.Invalid);
    }

    [SkippableFact]
    public async Task List_after_returns_later_messages_oldest_first_up_to_the_limit()
    {
        var alice = Some.User("alice");
        var group = await AddGroupAsync(alice, [Some.User("bob")]);
        for (var i = 1; i <= 6; i++)
        {
            await AppendAsync(group, alice, $"m{i}", i);
        }

        Assert.Equal([3L, 4L, 5L], (await Messages.ListAfterAsync(group.Id, 2, 3, Ct)).Select(m => m.Sequence));
        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L], (await Messages.ListAfterAsync(group.Id, 0, 100, Ct)).Select(m => m.Sequence));
        Assert.Empty(await Messages.ListAfterAsync(group.Id, 6, 100, Ct));
    }

    [SkippableFact]
    public async Task Get_latest_returns_the_highest_sequence_or_null_when_empty()
    {
        var alice = Some.User("alice");
        var group = await AddGroupAsync(alice, [Some.User("bob")]);
        Assert.Null(await Messages.GetLatestAsync(group.Id, Ct));

        await AppendAsync(group, alice, "one", 1);
        await AppendAsync(group, alice, "two", 2);
        var last = await AppendAsync(group, alice, "three", 3);

        AssertSameMessage(last, await Messages.GetLatestAsync(group.Id, Ct));
    }

    [SkippableFact]
    public async Task Count_unread_counts_others_undeleted_messages_after_the_watermark()
    {
        var (alice, bob, carol) = (Some.User("alice"), Some.User("bob"), Some.User("carol"));
        var group = await AddGroupAsync(alice, [bob, carol]);
        await AppendAsync(group, alice, "1", 1);
        await AppendAsync(group, bob, "2", 2);
        await AppendAsync(group, carol, "3", 3);
        var deleted = await AppendAsync(group, bob, "4", 4);
        await AppendAsync(group, alice, "5", 5);
        await AppendAsync(group, carol, "6", 6);
        deleted.Delete(bob, actorIsOwner: false, Time.At(7)).Ok();
        await Messages.UpdateAsync(deleted, Ct);

        Assert.Equal(3, await Messages.CountUnreadAsync(group.Id, alice, 0, Ct));
        Assert.Equal(1, await Messages.CountUnreadAsync(group.Id, alice, 3, Ct));
        Assert.Equal(0, await Messages.CountUnreadAsync(group.Id, alice, 6, Ct));
        Assert.Equal(4, await Messages.CountUnreadAsync(group.Id, bob, 0, Ct));
        Assert.Equal(1, await Messages.CountUnreadAsync(group.Id, carol, 2, Ct));
    }

    [SkippableFact]
    public async Task Count_unread_for_a_user_counts_each_membership_from_its_watermark()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var first = await AddGroupAsync(alice, [bob]);
        var second = await AddGroupAsync(bob, [alice]);
        var quiet = await AddGroupAsync(alice, [bob]);
        await AppendAsync(first, bob, "1", 1);
        await AppendAsync(first, bob, "2", 2);
        await AppendAsync(first, alice, "3", 3);
        await AppendAsync(second, bob, "1", 4);
        var read = await AppendAsync(second, bob, "2", 5);
        await AppendAsync(second, bob, "3", 6);
        await Conversations.AdvanceWatermarkAsync(second.Id, alice, new ReadWatermark(read.Id, read.Sequence, Time.At(7)), Ct);

        var memberships = await Conversations.ListMembershipsAsync(alice, Ct);
        var counts = await Messages.CountUnreadAsync(alice, memberships, Ct);

        Assert.Equal(2, counts[first.Id].Unread);
        Assert.Equal(1, counts[second.Id].Unread);
        Assert.Equal(0, counts.GetValueOrDefault(quiet.Id).Unread);
    }

    [SkippableFact]
    public async Task Update_saves_an_edit()
    {
        var alice = Some.User("alice");
        var group = await AddGroupAsync(alice, [Some.User("bob")]);
        var message = await AppendAsync(group, alice, "draft");

        message.Edit(alice, "final", Time.At(30), Limits).Ok();
        await Messages.UpdateAsync(message, Ct);

        var stored = await Messages.GetAsync(message.Id, Ct);
        AssertSameMessage(message, stored);
        Assert.Equal("final", stored!.Text);
        Assert.Equal(Time.At(30), stored.EditedAt);
    }

    [SkippableFact]
    public async Task Update_of_a_tombstone_saves_it_and_removes_its_attachment_records()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await AddGroupAsync(alice, [bob]);
        var photo = await AddAttachmentAsync(alice);
        var doc = await AddAttachmentAsync(alice, fileName: "doc.pdf");
        var unrelated = await AddAttachmentAsync(alice);
        var message = await AppendAsync(group, alice, "look", 1, null, photo, doc);
        var other = await AppendAsync(group, alice, "keep", 2, null, unrelated);

        var removed = message.Delete(alice, actorIsOwner: false, Time.At(40)).Ok();
        await Messages.UpdateAsync(message, Ct);

        Assert.Equal(2, removed.Count);
        var stored = await Messages.GetAsync(message.Id, Ct);
        AssertSameMessage(message, stored);
        Assert.Equal("", stored!.Text);
        Assert.Empty(stored.Attachments);
        Assert.Equal(Time.At(40), stored.DeletedAt);
        Assert.Null(await Attachments.GetAsync(photo.Id, Ct));
        Assert.Null(await Attachments.GetAsync(doc.Id, Ct));
        Assert.Equal(other.Id, (await Attachments.GetAsync(unrelated.Id, Ct))!.MessageId);
        Assert.Equal(2, (await Messages.ListAfterAsync(group.Id, 0, 10, Ct)).Count);
    }
    [SkippableFact]
    public async Task Update_refuses_an_edit_of_a_message_deleted_since_it_was_read_and_keeps_the_tombstone()
    {
        var alice = Some.User("alice");
        var group = await AddGroupAsync(alice, [Some.User("bob")]);
        var message = await AppendAsync(group, alice, "draft");
        var edit = (await Messages.GetAsync(message.Id, Ct))!;
        var delete = (await Messages.GetAsync(message.Id, Ct))!;
        delete.Delete(alice, actorIsOwner: false, Time.At(20)).Ok();
        Assert.Equal(UpdateStatus.Saved, await Messages.UpdateAsync(delete, Ct));

        edit.Edit(alice, "edited", Time.At(21), Limits).Ok();
        var status = await Messages.UpdateAsync(edit, Ct);

        Assert.Equal(UpdateStatus.AlreadyDeleted, status);
        var stored = await Messages.GetAsync(message.Id, Ct);
        Assert.Equal("", stored!.Text);
        Assert.Equal(Time.At(20), stored.DeletedAt);
        Assert.Null(stored.EditedAt);
    }

    [SkippableFact]
    public async Task Update_of_a_second_tombstone_keeps_the_first_and_says_it_was_already_deleted()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await AddGroupAsync(alice, [bob]);
        var message = await AppendAsync(group, bob, "oops");
        var bySender = (await Messages.GetAsync(message.Id, Ct))!;
        var byOwner = (await Messages.GetAsync(message.Id, Ct))!;
        bySender.Delete(bob, actorIsOwner: false, Time.At(20)).Ok();
        byOwner.Delete(alice, actorIsOwner: true, Time.At(21)).Ok();
        Assert.Equal(UpdateStatus.Saved, await Messages.UpdateAsync(bySender, Ct));

        Assert.Equal(UpdateStatus.AlreadyDeleted, await Messages.UpdateAsync(byOwner, Ct));
        Assert.Equal(Time.At(20), (await Messages.GetAsync(message.Id, Ct))!.DeletedAt);
    }
}
