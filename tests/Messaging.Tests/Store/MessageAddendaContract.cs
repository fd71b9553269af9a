using Messaging.Domain.Common;
using Messaging.Domain.Conversations;
using Messaging.Domain.Messages;
using Messaging.Tests.Support.Builders;

namespace Messaging.Tests.Store;

/// <summary>What every store must do with replies, mentions and metadata (issue 16).</summary>
public abstract class MessageAddendaContract : StoreContract
{
    private static readonly MessagingLimits Limits = new();

    [SkippableFact]
    public async Task A_reply_counts_on_its_parent_and_shows_the_parents_preview()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await AddGroupAsync(alice, [bob]);
        var parent = await AppendAsync(group, alice, "question?");

        var first = await ReplyAsync(group, bob, parent, "answer 1", 2);
        await ReplyAsync(group, alice, parent, "answer 2", 3);

        Assert.Equal(2, (await Messages.GetAsync(parent.Id, Ct))!.ReplyCount);
        var stored = await Messages.GetAsync(first.Id, Ct);
        Assert.Equal(parent.Id, stored!.ReplyToId);
        Assert.Equal(new ReplyPreview(parent.Id, alice, "question?", null), stored.ReplyTo);
    }

    [SkippableFact]
    public async Task A_deleted_reply_no_longer_counts_and_a_deleted_parent_keeps_its_count_with_an_empty_preview()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await AddGroupAsync(alice, [bob]);
        var parent = await AppendAsync(group, alice, "question?");
        var gone = await ReplyAsync(group, bob, parent, "oops", 2);
        var kept = await ReplyAsync(group, bob, parent, "answer", 3);

        gone.Delete(bob, false, Time.At(4)).Ok();
        Assert.Equal(UpdateStatus.Saved, await Messages.UpdateAsync(gone, Ct));
        var parentNow = (await Messages.GetAsync(parent.Id, Ct))!;
        parentNow.Delete(alice, false, Time.At(5)).Ok();
        Assert.Equal(UpdateStatus.Saved, await Messages.UpdateAsync(parentNow, Ct));

        Assert.Equal(1, (await Messages.GetAsync(parent.Id, Ct))!.ReplyCount);
        var reply = (await Messages.GetAsync(kept.Id, Ct))!;
        Assert.Equal(new ReplyPreview(parent.Id, alice, "", Time.At(5)), reply.ReplyTo);
        var page = (await Messages.ListNewestFirstAsync(group.Id, 10, null, Ct)).Ok();
        Assert.Equal("", page.Items.Single(m => m.Id == kept.Id).ReplyTo!.Text);
    }

    [SkippableFact]
    public async Task An_edit_of_the_parent_shows_in_its_replies_previews_and_keeps_its_count()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await AddGroupAsync(alice, [bob]);
        var parent = await AppendAsync(group, alice, "question?");
        var reply = await ReplyAsync(group, bob, parent, "answer", 2);

        var stored = (await Messages.GetAsync(parent.Id, Ct))!;
        stored.Edit(alice, "better question?", Time.At(3), Limits).Ok();
        await Messages.UpdateAsync(stored, Ct);

        Assert.Equal("better question?", (await Messages.GetAsync(reply.Id, Ct))!.ReplyTo!.Text);
        Assert.Equal(1, (await Messages.GetAsync(parent.Id, Ct))!.ReplyCount);
    }

    [SkippableFact]
    public async Task A_reply_to_a_deleted_message_is_refused_and_writes_nothing()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await AddGroupAsync(alice, [bob]);
        var parent = await AppendAsync(group, alice, "question?");
        var reply = AMessage.From(bob).In(group).Saying("late").Answering(parent).At(Time.At(3)).Build();
        parent.Delete(alice, false, Time.At(2)).Ok();
        await Messages.UpdateAsync(parent, Ct);

        var outcome = await Messages.AppendAsync(reply, Ct);

        Assert.Equal(AppendStatus.ReplyTargetUnavailable, outcome.Status);
        Assert.Null(await Messages.GetAsync(reply.Id, Ct));
        Assert.Equal(1, (await Messages.GetLatestAsync(group.Id, Ct))!.Sequence);
    }

    [SkippableFact]
    public async Task A_reply_to_a_message_of_another_conversation_is_refused()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await AddGroupAsync(alice, [bob]);
        var other = await AddGroupAsync(alice, [bob]);
        var elsewhere = await AppendAsync(other, alice, "elsewhere");

        var outcome = await Messages.AppendAsync(AMessage.From(bob).In(group).Saying("hi").Answering(elsewhere).At(Time.At(2)), Ct);

        Assert.Equal(AppendStatus.ReplyTargetUnavailable, outcome.Status);
        Assert.Equal(0, (await Messages.GetAsync(elsewhere.Id, Ct))!.ReplyCount);
        Assert.Null(await Messages.GetLatestAsync(group.Id, Ct));
    }

    [SkippableFact]
    public async Task Replies_page_oldest_first_and_leave_out_deleted_ones_and_other_messages()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await AddGroupAsync(alice, [bob]);
        var parent = await AppendAsync(group, alice, "question?");
        var replies = new List<Message>();
        for (var i = 0; i < 5; i++)
        {
            replies.Add(await ReplyAsync(group, i % 2 == 0 ? bob : alice, parent, $"answer {i}", 2 + (i * 2)));
            await AppendAsync(group, bob, $"chatter {i}", 3 + (i * 2));
        }

        replies[2].Delete(bob, false, Time.At(30)).Ok();
        await Messages.UpdateAsync(replies[2], Ct);

        var listed = await ReadAllPagesAsync(token => Messages.ListRepliesAsync(group.Id, parent.Id, 2, token, Ct), 2);

        Assert.Equal(["answer 0", "answer 1", "answer 3", "answer 4"], listed.Select(m => m.Text));
        Assert.Equal(4, (await Messages.GetAsync(parent.Id, Ct))!.ReplyCount);
    }

    [SkippableFact]
    public async Task Replies_with_a_malformed_continuation_token_are_an_error()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await AddGroupAsync(alice, [bob]);
        var parent = await AppendAsync(group, alice, "question?");

        var page = await Messages.ListRepliesAsync(group.Id, parent.Id, 2, "not a token!", Ct);

        Assert.Equal(ErrorKind.Invalid, page.Error!.Kind);
    }

    [SkippableFact]
    public async Task Mentions_and_metadata_round_trip_and_a_tombstone_loses_them()
    {
        var (alice, bob, carol) = (Some.User("alice"), Some.User("bob"), Some.User("carol"));
        var group = await AddGroupAsync(alice, [bob, carol]);
        Message message = AMessage.From(alice).In(group).Saying("@bob @carol").Mentioning(bob, carol)
            .WithMetadata(("status", "done"), ("link", "app://task/7 ✓")).At(Time.At(1));
        await Messages.AppendAsync(message, Ct);

        var stored = (await Messages.GetAsync(message.Id, Ct))!;
        Assert.Equal([bob, carol], stored.Mentions);
        Assert.Equal(new Dictionary<string, string> { ["status"] = "done", ["link"] = "app://task/7 ✓" }, stored.Metadata.Values);

        stored.Delete(alice, false, Time.At(2)).Ok();
        await Messages.UpdateAsync(stored, Ct);
        var tombstone = (await Messages.GetAsync(message.Id, Ct))!;
        Assert.Empty(tombstone.Mentions);
        Assert.Equal(0, tombstone.Metadata.Count);
    }

    [SkippableFact]
    public async Task Unread_counts_give_the_unread_messages_that_mention_the_reader()
    {
        var (alice, bob, carol) = (Some.User("alice"), Some.User("bob"), Some.User("carol"));
        var group = await AddGroupAsync(alice, [bob, carol]);
        var quiet = await AddGroupAsync(carol, [alice]);
        var read = await AppendAsync(AMessage.From(bob).In(group).Saying("@alice early").Mentioning(alice).At(Time.At(1)));
        await AppendAsync(AMessage.From(bob).In(group).Saying("@alice").Mentioning(alice).At(Time.At(2)));
        await AppendAsync(AMessage.From(carol).In(group).Saying("@alice @bob").Mentioning(alice, bob).At(Time.At(3)));
        await AppendAsync(AMessage.From(carol).In(group).Saying("@bob").Mentioning(bob).At(Time.At(4)));
        var deleted = await AppendAsync(AMessage.From(carol).In(group).Saying("@alice gone").Mentioning(alice).At(Time.At(5)));
        await AppendAsync(AMessage.From(alice).In(group).Saying("@alice self").Mentioning(alice).At(Time.At(6)));
        await AppendAsync(quiet, carol, "no mention", 7);
        deleted.Delete(carol, false, Time.At(8)).Ok();
        await Messages.UpdateAsync(deleted, Ct);
        await Conversations.AdvanceWatermarkAsync(group.Id, alice, new ReadWatermark(read.Id, read.Sequence, Time.At(9)), Ct);

        var memberships = await Conversations.ListMembershipsAsync(alice, Ct);
        var counts = await Messages.CountUnreadAsync(alice, memberships, Ct);
        var byUser = await Messages.CountUnreadForUserAsync(alice, Ct);

        Assert.Equal(new UnreadCounts(3, 2), counts[group.Id]);
        Assert.Equal(new UnreadCounts(1, 0), counts[quiet.Id]);
        if (byUser is not null)
        {
            Assert.Equal(new UnreadCounts(3, 2), byUser[group.Id]);
            Assert.Equal(new UnreadCounts(1, 0), byUser[quiet.Id]);
        }
    }

    [SkippableFact]
    public async Task An_edit_that_changes_the_mentions_changes_the_mention_count()
    {
        var (alice, bob, carol) = (Some.User("alice"), Some.User("bob"), Some.User("carol"));
        var group = await AddGroupAsync(alice, [bob, carol]);
        var message = await AppendAsync(AMessage.From(bob).In(group).Saying("@alice").Mentioning(alice).At(Time.At(1)));

        message.Edit(bob, new MessageEdit(null, [carol], null), Time.At(2), Limits).Ok();
        await Messages.UpdateAsync(message, Ct);

        var forAlice = await Messages.CountUnreadAsync(alice, await Conversations.ListMembershipsAsync(alice, Ct), Ct);
        var forCarol = await Messages.CountUnreadAsync(carol, await Conversations.ListMembershipsAsync(carol, Ct), Ct);
        Assert.Equal(new UnreadCounts(1, 0), forAlice[group.Id]);
        Assert.Equal(new UnreadCounts(1, 1), forCarol[group.Id]);
        Assert.Equal([carol], (await Messages.GetAsync(message.Id, Ct))!.Mentions);
    }

    [SkippableFact]
    public async Task Conversation_metadata_round_trips_through_add_update_get_and_view()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = AGroup.OwnedBy(alice).With(bob).Build();
        group.StartWith(Metadata.Create(new Dictionary<string, string?> { ["taskStatus"] = "open" }).Ok());
        await Conversations.AddAsync(group, Ct);
        Assert.Equal("open", (await Conversations.GetAsync(group.Id, Ct))!.Metadata.Values["taskStatus"]);

        var loaded = (await Conversations.GetAsync(group.Id, Ct))!;
        loaded.Update(alice, null, Metadata.Create(new Dictionary<string, string?> { ["taskStatus"] = "closed", ["by"] = "alice" }).Ok(), Time.At(2), Limits).Ok();
        await Conversations.UpdateAsync(loaded, Ct);

        var view = (await Conversations.GetViewAsync(group.Id, bob, Ct))!;
        Assert.Equal(new Dictionary<string, string> { ["taskStatus"] = "closed", ["by"] = "alice" }, view.Metadata.Values);
        Assert.Equal(view.Metadata.Values, (await Conversations.GetAsync(group.Id, Ct))!.Metadata.Values);
    }

    private async Task<Message> ReplyAsync(Conversation conversation, string sender, Message parent, string text, int atSeconds) =>
        await AppendAsync(AMessage.From(sender).In(conversation).Saying(text).Answering(parent).At(Time.At(atSeconds)));

    private async Task<Message> AppendAsync(Message message)
    {
        var outcome = await Messages.AppendAsync(message, Ct);
        Assert.Equal(AppendStatus.Created, outcome.Status);
        return outcome.Message!;
    }
}
