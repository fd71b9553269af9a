using Messaging.Domain.Common;
using Messaging.Domain.Conversations;
using Messaging.Domain.Messages;
using Messaging.Tests.Support.Builders;

namespace Messaging.Tests.Store;

/// <summary>What every <see cref="IConversationRepository"/> must do.</summary>
public abstract class ConversationRepositoryContract : StoreContract
{
    private static readonly MessagingLimits Limits = new();

    [SkippableFact]
    public async Task Get_returns_every_field_when_a_group_was_added()
    {
        var (alice, bob, carol) = (Some.User("alice"), Some.User("bob"), Some.User("carol"));
        Conversation group = AGroup.OwnedBy(alice).With(bob).Titled("Launch").At(Time.At(1));
        group.AddParticipant(alice, carol, Time.At(2), Limits).Ok();

        await Conversations.AddAsync(group, Ct);

        var stored = await Conversations.GetAsync(group.Id, Ct);
        AssertSameConversation(group, stored);
        Assert.Equal(Time.At(2), stored!.FindParticipant(carol)!.JoinedAt);
        Assert.Equal(ParticipantRole.Owner, stored.FindParticipant(alice)!.Role);
    }

    [SkippableFact]
    public async Task Get_returns_every_field_when_a_task_conversation_was_added()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        Conversation task = AGroup.OwnedBy(alice).With(bob).Titled(null).ForTask(Some.TaskId()).At(Time.At(3));

        await Conversations.AddAsync(task, Ct);

        AssertSameConversation(task, await Conversations.GetAsync(task.Id, Ct));
    }

    [SkippableFact]
    public async Task Get_returns_every_field_when_a_direct_conversation_was_added()
    {
        var direct = ADirect.Between(Some.User("alice"), Some.User("bob"), Time.At(4));

        await Conversations.AddAsync(direct, Ct);

        AssertSameConversation(direct, await Conversations.GetAsync(direct.Id, Ct));
    }

    [SkippableFact]
    public async Task Get_returns_null_when_the_conversation_does_not_exist()
    {
        Assert.Null(await Conversations.GetAsync(Ids.New(), Ct));
    }

    [SkippableFact]
    public async Task List_for_participant_is_most_recent_activity_first_and_only_the_users()
    {
        var (alice, bob, carol) = (Some.User("alice"), Some.User("bob"), Some.User("carol"));
        var older = await AddGroupAsync(alice, [bob], Time.At(10));
        var newest = await AddGroupAsync(bob, [alice], Time.At(30));
        var middle = await AddGroupAsync(carol, [alice], Time.At(20));
        await AddGroupAsync(bob, [carol], Time.At(40));

        var page = (await Conversations.ListForParticipantAsync(alice, 10, null, Ct)).Ok();

        Assert.Equal([newest.Id, middle.Id, older.Id], page.Items.Select(c => c.Id));
        Assert.Null(page.ContinuationToken);
        Assert.Equal(Describe(newest.Participants), Describe(page.Items[0].Leading));
        Assert.Equal((newest.Title, newest.UpdatedAt, 2), (page.Items[0].Title, page.Items[0].UpdatedAt, page.Items[0].ParticipantCount));
    }

    [SkippableFact]
    public async Task List_for_participant_is_empty_when_the_user_has_no_conversations()
    {
        var page = (await Conversations.ListForParticipantAsync(Some.User("nobody"), 10, null, Ct)).Ok();

        Assert.Empty(page.Items);
        Assert.Null(page.ContinuationToken);
    }

    [SkippableTheory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task List_for_participant_pages_return_every_conversation_exactly_once_in_order(int limit)
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var added = new List<Conversation>();
        // Eight conversations, several sharing an activity time, so paging must break ties.
        foreach (var seconds in new[] { 5, 1, 3, 3, 3, 7, 1, 5 })
        {
            added.Add(await AddGroupAsync(alice, [bob], Time.At(seconds)));
        }

        var listed = await ReadAllPagesAsync(token => Conversations.ListForParticipantAsync(alice, limit, token, Ct), limit);

        Assert.Equal(added.Select(c => c.Id).Order(StringComparer.Ordinal), listed.Select(c => c.Id).Order(StringComparer.Ordinal));
        Assert.Equal(listed.Select(c => c.UpdatedAt).OrderDescending(), listed.Select(c => c.UpdatedAt));
    }

    [SkippableTheory]
    [InlineData("%%%not-a-token%%%")]
    [InlineData("bm90LWEtdG9rZW4")]
    [InlineData("MTIzfGFiY3xkZWY")]
    public async Task List_for_participant_is_an_error_when_the_continuation_token_is_invalid(string token)
    {
        var alice = Some.User("alice");
        await AddGroupAsync(alice, [Some.User("bob")]);

        var result = await Conversations.ListForParticipantAsync(alice, 10, token, Ct);

        result.Failed(ErrorKind.Invalid);
    }

    [SkippableFact]
    public async Task List_memberships_gives_each_conversation_with_the_users_read_position()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var read = await AddGroupAsync(alice, [bob]);
        var unread = await AddGroupAsync(bob, [alice]);
        await AddGroupAsync(bob, [Some.User("carol")]);
        await Conversations.AdvanceWatermarkAsync(read.Id, alice, new ReadWatermark("m7", 7, Time.At(9)), Ct);

        var memberships = await Conversations.ListMembershipsAsync(alice, Ct);

        Membership[] expected = [new(read.Id, 7), new(unread.Id, 0)];
        Assert.Equal(expected.OrderBy(m => m.ConversationId, StringComparer.Ordinal), memberships.OrderBy(m => m.ConversationId, StringComparer.Ordinal));
    }

    [SkippableFact]
    public async Task Get_or_add_direct_creates_once_and_returns_the_same_conversation_afterwards()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var first = ADirect.Between(alice, bob, Time.At(1));

        var (created, wasCreated) = await Conversations.GetOrAddDirectAsync(first, Ct);
        var (again, againCreated) = await Conversations.GetOrAddDirectAsync(ADirect.Between(alice, bob, Time.At(2)), Ct);
        var (reversed, reversedCreated) = await Conversations.GetOrAddDirectAsync(ADirect.Between(bob, alice, Time.At(3)), Ct);

        Assert.True(wasCreated);
        Assert.False(againCreated);
        Assert.False(reversedCreated);
        AssertSameConversation(first, created);
        AssertSameConversation(first, again);
        AssertSameConversation(first, reversed);
        AssertSameConversation(first, await Conversations.GetAsync(first.Id, Ct));
    }

    [SkippableFact]
    public async Task Get_or_add_direct_creates_separate_conversations_for_different_pairs()
    {
        var (alice, bob, carol) = (Some.User("alice"), Some.User("bob"), Some.User("carol"));

        var (withBob, _) = await Conversations.GetOrAddDirectAsync(ADirect.Between(alice, bob), Ct);
        var (withCarol, created) = await Conversations.GetOrAddDirectAsync(ADirect.Between(alice, carol), Ct);

        Assert.True(created);
        Assert.NotEqual(withBob.Id, withCarol.Id);
    }

    [SkippableFact]
    public async Task Get_or_add_direct_yields_exactly_one_conversation_when_called_concurrently()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() =>
            Conversations.GetOrAddDirectAsync(i % 2 == 0 ? ADirect.Between(alice, bob, Time.At(i)) : ADirect.Between(bob, alice, Time.At(i)), Ct))));

        Assert.Single(results, r => r.Created);
        Assert.Single(results.Select(r => r.Conversation.Id).Distinct());
        var listed = (await Conversations.ListForParticipantAsync(alice, 50, null, Ct)).Ok();
        Assert.Equal([results[0].Conversation.Id], listed.Items.Select(c => c.Id));
    }

    [SkippableFact]
    public async Task Get_or_add_for_task_creates_once_and_returns_the_same_conversation_afterwards()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var taskId = Some.TaskId();
        Conversation first = AGroup.OwnedBy(alice).With(bob).ForTask(taskId).At(Time.At(1));

        var (created, wasCreated) = await Conversations.GetOrAddForTaskAsync(first, Ct);
        var (again, againCreated) = await Conversations.GetOrAddForTaskAsync(AGroup.OwnedBy(bob).ForTask(taskId).Titled("Other").At(Time.At(2)), Ct);
        var (other, otherCreated) = await Conversations.GetOrAddForTaskAsync(AGroup.OwnedBy(bob).ForTask(Some.TaskId()), Ct);

        Assert.True(wasCreated);
        Assert.False(againCreated);
        AssertSameConversation(first, created);
        AssertSameConversation(first, again);
        Assert.True(otherCreated);
        Assert.NotEqual(first.Id, other.Id);
    }

    [SkippableFact]
    public async Task Get_or_add_for_task_yields_exactly_one_conversation_when_called_concurrently()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var taskId = Some.TaskId();

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() =>
            Conversations.GetOrAddForTaskAsync(AGroup.OwnedBy(i % 2 == 0 ? alice : bob).With(alice, bob).ForTask(taskId).At(Time.At(i)), Ct))));

        Assert.Single(results, r => r.Created);
        Assert.Single(results.Select(r => r.Conversation.Id).Distinct());
        Assert.All(results, r => Assert.Equal(taskId, r.Conversation.TaskId));
        var listed = (await Conversations.ListForParticipantAsync(bob, 50, null, Ct)).Ok();
        Assert.Single(listed.Items);
    }

    [SkippableFact]
    public async Task Update_saves_title_participants_and_roles()
    {
        var (alice, bob, carol, dave) = (Some.User("alice"), Some.User("bob"), Some.User("carol"), Some.User("dave"));
        var group = await AddGroupAsync(alice, [bob, carol]);
        var loaded = (await Conversations.GetAsync(group.Id, Ct))!;

        loaded.Rename(alice, "Renamed", Time.At(5), Limits).Ok();
        loaded.AddParticipant(alice, dave, Time.At(6), Limits).Ok();
        loaded.RemoveParticipant(alice, carol, Time.At(7)).Ok();
        loaded.RemoveParticipant(alice, alice, Time.At(8)).Ok();
        await Conversations.UpdateAsync(loaded, Ct);

        var stored = await Conversations.GetAsync(group.Id, Ct);
        AssertSameConversation(loaded, stored);
        Assert.Equal("Renamed", stored!.Title);
        Assert.Equal(Time.At(8), stored.UpdatedAt);
        Assert.True(stored.IsOwner(bob));
        Assert.Empty((await Conversations.ListForParticipantAsync(carol, 10, null, Ct)).Ok().Items);
        Assert.Empty(await Conversations.ListMembershipsAsync(alice, Ct));
        Assert.Single((await Conversations.ListForParticipantAsync(dave, 10, null, Ct)).Ok().Items);
    }

    [SkippableFact]
    public async Task Update_can_be_repeated_with_the_same_instance_when_nobody_else_wrote()
    {
        var alice = Some.User("alice");
        var group = await AddGroupAsync(alice, [Some.User("bob")]);

        group.Rename(alice, "First", Time.At(1), Limits).Ok();
        await Conversations.UpdateAsync(group, Ct);
        group.Rename(alice, "Second", Time.At(2), Limits).Ok();
        await Conversations.UpdateAsync(group, Ct);

        Assert.Equal("Second", (await Conversations.GetAsync(group.Id, Ct))!.Title);
    }

    [SkippableFact]
    public async Task Update_throws_a_concurrency_conflict_when_the_version_is_stale()
    {
        var alice = Some.User("alice");
        var group = await AddGroupAsync(alice, [Some.User("bob")]);
        var first = (await Conversations.GetAsync(group.Id, Ct))!;
        var second = (await Conversations.GetAsync(group.Id, Ct))!;

        first.Rename(alice, "Winner", Time.At(1), Limits).Ok();
        await Conversations.UpdateAsync(first, Ct);
        second.Rename(alice, "Loser", Time.At(2), Limits).Ok();

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Conversations.UpdateAsync(second, Ct));
        Assert.Equal("Winner", (await Conversations.GetAsync(group.Id, Ct))!.Title);
    }

    [SkippableFact]
    public async Task Update_does_not_reset_read_watermarks_saved_after_the_conversation_was_read()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await AddGroupAsync(alice, [bob]);
        var loaded = (await Conversations.GetAsync(group.Id, Ct))!;
        var watermark = new ReadWatermark("m3", 3, Time.At(3));
        await Conversations.AdvanceWatermarkAsync(group.Id, bob, watermark, Ct);

        loaded.Rename(alice, "Renamed", Time.At(4), Limits).Ok();
        try
        {
            await Conversations.UpdateAsync(loaded, Ct);
        }
        catch (ConcurrencyConflictException)
        {
            // A store may count the watermark as a change; then the caller reloads and retries, as the services do.
            loaded = (await Conversations.GetAsync(group.Id, Ct))!;
            loaded.Rename(alice, "Renamed", Time.At(4), Limits).Ok();
            await Conversations.UpdateAsync(loaded, Ct);
        }

        var stored = (await Conversations.GetAsync(group.Id, Ct))!;
        Assert.Equal("Renamed", stored.Title);
        Assert.Equal(watermark, stored.FindParticipant(bob)!.Watermark);
    }

    [SkippableFact]
    public async Task Update_does_not_write_read_watermarks_moved_in_memory()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await AddGroupAsync(alice, [bob]);
        await Conversations.AdvanceWatermarkAsync(group.Id, bob, new ReadWatermark("m2", 2, Time.At(2)), Ct);
        var loaded = (await Conversations.GetAsync(group.Id, Ct))!;

        loaded.MarkRead(bob, new ReadWatermark("m9", 9, Time.At(9)));
        loaded.Rename(alice, "Renamed", Time.At(10), Limits).Ok();
        await Conversations.UpdateAsync(loaded, Ct);

        Assert.Equal(2, (await Conversations.GetAsync(group.Id, Ct))!.FindParticipant(bob)!.LastReadSequence);
    }

    [SkippableFact]
    public async Task Advance_watermark_moves_forward_and_is_kept()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await AddGroupAsync(alice, [bob]);
        var watermark = new ReadWatermark(Ids.New(), 5, Time.At(5));

        var (current, moved) = await Conversations.AdvanceWatermarkAsync(group.Id, bob, watermark, Ct);

        Assert.True(moved);
        Assert.Equal(watermark, current);
        var stored = (await Conversations.GetAsync(group.Id, Ct))!;
        Assert.Equal(watermark, stored.FindParticipant(bob)!.Watermark);
        Assert.Null(stored.FindParticipant(alice)!.Watermark);
    }

    [SkippableTheory]
    [InlineData(2)]
    [InlineData(5)]
    public async Task Advance_watermark_does_not_move_and_returns_the_current_one_when_older_or_equal(long sequence)
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await AddGroupAsync(alice, [bob]);
        var five = new ReadWatermark(Ids.New(), 5, Time.At(5));
        await Conversations.AdvanceWatermarkAsync(group.Id, bob, five, Ct);

        var (current, moved) = await Conversations.AdvanceWatermarkAsync(group.Id, bob, new ReadWatermark(Ids.New(), sequence, Time.At(50)), Ct);

        Assert.False(moved);
        Assert.Equal(five, current);
        Assert.Equal(five, (await Conversations.GetAsync(group.Id, Ct))!.FindParticipant(bob)!.Watermark);
    }

    [SkippableFact]
    public async Task Advance_watermark_ends_at_the_highest_when_called_in_parallel()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await AddGroupAsync(alice, [bob]);
        var requests = Enumerable.Range(1, 20).Select(i => new ReadWatermark($"m{i}", i, Time.At(i))).ToArray();
        new Random(7).Shuffle(requests);

        var results = await Task.WhenAll(requests.Select(w => Task.Run(() => Conversations.AdvanceWatermarkAsync(group.Id, bob, w, Ct))));

        for (var i = 0; i < requests.Length; i++)
        {
            var (current, moved) = results[i];
            Assert.NotNull(current);
            if (moved)
            {
                Assert.Equal(requests[i], current);
            }
            else
            {
                Assert.True(current.Sequence >= requests[i].Sequence);
            }
        }

        Assert.Contains(results, r => r.Moved && r.Watermark!.Sequence == 20);
        Assert.Equal(requests.Single(w => w.Sequence == 20), (await Conversations.GetAsync(group.Id, Ct))!.FindParticipant(bob)!.Watermark);
        Assert.Equal([new Membership(group.Id, 20)], await Conversations.ListMembershipsAsync(bob, Ct));
    }

    [SkippableFact]
    public async Task Delete_removes_the_conversation_with_its_messages_and_their_attachment_files_are_deleted()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await AddGroupAsync(alice, [bob]);
        var other = await AddGroupAsync(alice, [bob]);
        var photo = await AddAttachmentAsync(alice);
        var doc = await AddAttachmentAsync(bob, fileName: "doc.pdf");
        var elsewhere = await AddAttachmentAsync(alice);
        var first = await AppendAsync(group, alice, "look", 1, null, photo);
        var second = await AppendAsync(group, bob, "and this", 2, null, doc);
        await AppendAsync(group, alice, "plain", 3);
        var kept = await AppendAsync(other, alice, "elsewhere", 4, null, elsewhere);

        var keys = await DeleteWithBackgroundWorkAsync(group.Id);

        Assert.Equal(new[] { photo.StorageKey, doc.StorageKey }.Order(StringComparer.Ordinal), keys.Order(StringComparer.Ordinal));
        Assert.Null(await Conversations.GetAsync(group.Id, Ct));
        Assert.Null(await Messages.GetAsync(first.Id, Ct));
        Assert.Null(await Messages.GetAsync(second.Id, Ct));
        Assert.Null(await Messages.GetLatestAsync(group.Id, Ct));
        Assert.Empty(await Messages.ListAfterAsync(group.Id, 0, 100, Ct));
        Assert.Null(await Attachments.GetAsync(photo.Id, Ct));
        Assert.Null(await Attachments.GetAsync(doc.Id, Ct));
        Assert.Equal([other.Id], (await Conversations.ListForParticipantAsync(alice, 10, null, Ct)).Ok().Items.Select(c => c.Id));
        Assert.Equal([other.Id], (await Conversations.ListMembershipsAsync(bob, Ct)).Select(m => m.ConversationId));
        AssertSameMessage(kept, await Messages.GetAsync(kept.Id, Ct));
        Assert.NotNull(await Attachments.GetAsync(elsewhere.Id, Ct));
    }

    [SkippableFact]
    public async Task Delete_also_deletes_attachments_uploaded_to_the_conversation_but_not_sent()
    {
        var alice = Some.User("alice");
        var group = await AddGroupAsync(alice, [Some.User("bob")]);
        var pending = await AddAttachmentAsync(alice, group.Id);

        var keys = await DeleteWithBackgroundWorkAsync(group.Id);

        Assert.Equal([pending.StorageKey], keys);
        Assert.Null(await Attachments.GetAsync(pending.Id, Ct));
    }

    [SkippableFact]
    public async Task Delete_deletes_no_files_when_the_conversation_had_no_attachments()
    {
        var alice = Some.User("alice");
        var group = await AddGroupAsync(alice, [Some.User("bob")]);
        await AppendAsync(group, alice, "hi");

        Assert.Empty(await DeleteWithBackgroundWorkAsync(group.Id));
        Assert.Null(await Conversations.GetAsync(group.Id, Ct));
    }

    [SkippableFact]
    public async Task A_deleted_conversation_is_gone_from_reads_and_lists_before_any_background_work()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await AddGroupAsync(alice, [bob]);
        await AppendAsync(group, alice, "hi");

        await Conversations.DeleteAsync(group.Id, Ct);

        Assert.Null(await Conversations.GetAsync(group.Id, Ct));
        Assert.Empty((await Conversations.ListForParticipantAsync(bob, 10, null, Ct)).Ok().Items);
        Assert.Empty(await Conversations.ListMembershipsAsync(alice, Ct));
        Assert.Equal(AppendStatus.ConversationMissing, (await Messages.AppendAsync(AMessage.From(alice).In(group).Saying("late").At(Time.At(5)), Ct)).Status);
    }

    /// <summary>The storage keys the delete answered (the caller deletes those files) and those the store's background work deleted itself.</summary>
    private async Task<IReadOnlyList<string>> DeleteWithBackgroundWorkAsync(string conversationId)
    {
        var answered = await Conversations.DeleteAsync(conversationId, Ct);
        return [.. answered, .. await Store.CompleteBackgroundWorkAsync()];
    }
}
