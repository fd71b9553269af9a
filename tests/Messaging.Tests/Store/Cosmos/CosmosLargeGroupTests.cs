using Messaging.Domain.Common;
using Messaging.Domain.Conversations;
using Messaging.Functions.Storage.Cosmos;
using Messaging.Tests.Store.Cosmos.Double;
using Messaging.Tests.Support.Builders;

namespace Messaging.Tests.Store.Cosmos;

/// <summary>
/// The Cosmos DB model of decision 0010 on the double: participants as documents of their own, the cost
/// of a send and of a mark-read flat in group size, activity on small groups' memberships only, and
/// large groups created in several batches without ever showing half of them.
/// </summary>
public sealed class CosmosLargeGroupTests : CosmosDoubleTest
{
    private static readonly MessagingLimits Limits = new();

    private static string[] Users(string prefix, int count) => [.. Enumerable.Range(0, count).Select(_ => Some.User(prefix))];

    private async Task<Conversation> GroupAsync(string owner, int participants, int at = 0)
    {
        Conversation group = AGroup.OwnedBy(owner).With(Users("m", participants - 1)).At(Time.At(at));
        await Store.Conversations.AddAsync(group, Ct);
        return group;
    }

    private async Task<int> WritesOfAsync(Func<Task> operation)
    {
        var before = Database.Writes;
        await operation();
        return Database.Writes - before;
    }

    [Fact]
    public async Task A_send_writes_six_documents_in_a_group_of_1000_and_only_adds_the_memberships_of_a_group_of_5()
    {
        var owner = Some.User("owner");
        var small = await GroupAsync(owner, 5);
        var large = await GroupAsync(owner, 1000);

        var forSmall = await WritesOfAsync(() => Store.Messages.AppendAsync(AMessage.From(owner).In(small).Saying("hi").At(Time.At(1)), Ct));
        var forLarge = await WritesOfAsync(() => Store.Messages.AppendAsync(AMessage.From(owner).In(large).Saying("hi").At(Time.At(1)), Ct));

        // The locator (written expiring, then made permanent once the batch committed), counter, message,
        // change record, the header's activity; a small group's 5 memberships besides.
        Assert.Equal(6, forLarge);
        Assert.Equal(6 + 5, forSmall);
    }

    [Fact]
    public async Task A_mark_read_writes_the_readers_participant_document_and_its_record_at_5_and_at_1000_participants()
    {
        var owner = Some.User("owner");
        foreach (var size in new[] { 5, 1000 })
        {
            var group = await GroupAsync(owner, size);
            var reader = group.Participants[^1].UserId;
            var sent = (await Store.Messages.AppendAsync(AMessage.From(owner).In(group).Saying("read me").At(Time.At(1)), Ct)).Message!;

            var writes = await WritesOfAsync(() => Store.Conversations.AdvanceWatermarkAsync(group.Id, reader, new ReadWatermark(sent.Id, sent.Sequence, Time.At(2)), Ct));

            Assert.Equal(2, writes);
            Assert.Equal(sent.Sequence, (await Store.Conversations.GetParticipantAsync(group.Id, reader, Ct))!.LastReadSequence);
        }
    }

    [Fact]
    public async Task The_view_of_a_group_of_1000_lists_20_owners_first_and_counts_everyone()
    {
        var owner = Some.User("owner");
        var group = await GroupAsync(owner, 1000);
        var viewer = group.Participants[500].UserId;

        var view = (await Store.Conversations.GetViewAsync(group.Id, viewer, Ct))!;

        Assert.Equal(1000, view.ParticipantCount);
        Assert.Equal(ConversationView.Of(group, viewer).Leading.Select(p => p.UserId), view.Leading.Select(p => p.UserId));
        Assert.Equal(owner, view.Leading[0].UserId);
        Assert.Equal(viewer, view.Viewer!.UserId);
    }

    public static TheoryData<CosmosFault> CreationFaults => [new CosmosFault.Throttled(TimeSpan.FromMilliseconds(500)), new CosmosFault.Unavailable()];

    [Theory]
    [MemberData(nameof(CreationFaults))]
    public async Task A_fault_in_the_middle_of_creating_a_group_of_250_shows_nobody_anything_and_a_retry_creates_it(CosmosFault fault)
    {
        var owner = Some.User("owner");
        Conversation group = AGroup.OwnedBy(owner).With(Users("m", 249)).At(Time.T0);
        var member = group.Participants[^1].UserId;
        Database.Faults.Inject(CosmosOperation.Batch, fault, times: 1, skip: 1);

        await Assert.ThrowsAnyAsync<Microsoft.Azure.Cosmos.CosmosException>(() => Store.Conversations.AddAsync(group, Ct));

        Assert.Null(await Store.Conversations.GetAsync(group.Id, Ct));
        Assert.Null(await Store.Conversations.GetViewAsync(group.Id, member, Ct));
        Assert.Null(await Store.Conversations.GetParticipantAsync(group.Id, member, Ct));
        Assert.Null(await Store.Conversations.GetParticipantAsync(group.Id, group.Participants[0].UserId, Ct));
        Assert.Empty((await Store.Conversations.ListParticipantsAsync(group.Id, 10, null, Ct)).Ok().Items);
        Assert.Empty((await Store.Conversations.ListForParticipantAsync(member, 10, null, Ct)).Ok().Items);
        Assert.Empty(await Store.Conversations.ListMembershipsAsync(owner, Ct));
        Assert.Equal(Messaging.Domain.Messages.AppendStatus.ConversationMissing,
            (await Store.Messages.AppendAsync(AMessage.From(owner).In(group).Saying("too early").At(Time.At(1)), Ct)).Status);

        await Store.Conversations.AddAsync(group, Ct);

        Assert.Equal(250, (await Store.Conversations.GetAsync(group.Id, Ct))!.Participants.Count);
        Assert.NotNull(await Store.Conversations.GetParticipantAsync(group.Id, member, Ct));
        Assert.Single((await Store.Conversations.ListForParticipantAsync(member, 10, null, Ct)).Ok().Items);
    }

    [Fact]
    public async Task A_creation_of_250_abandoned_midway_leaves_no_participant_document_once_the_purger_has_passed()
    {
        var clock = new ManualClock(Time.T0);
        await using var store = CosmosTestStore.OnDouble(out var database, clock);
        Conversation group = AGroup.OwnedBy(Some.User("owner")).With(Users("m", 249)).At(Time.T0);
        database.Faults.Inject(CosmosOperation.Batch, new CosmosFault.Unavailable(), times: 1, skip: 1);
        await Assert.ThrowsAnyAsync<Microsoft.Azure.Cosmos.CosmosException>(() => store.Conversations.AddAsync(group, Ct));

        // Nobody retries (the domain mints a new id per request): once the creation is surely over, the purger removes what it wrote.
        clock.Advance(TimeSpan.FromHours(1));
        await store.CompleteBackgroundWorkAsync();

        Assert.DoesNotContain(
            database.Container(CosmosStore.ConversationsContainer).Items.Snapshot(group.Id),
            d => d["type"]!.GetValue<string>() == DocumentTypes.Participant);
    }

    [Fact]
    public async Task A_creation_of_250_whose_last_answer_was_lost_succeeds_when_retried()
    {
        var owner = Some.User("owner");
        Conversation group = AGroup.OwnedBy(owner).With(Users("m", 249)).At(Time.T0);
        Database.Faults.Inject(CosmosOperation.Batch, new CosmosFault.LostResponse(), times: 1, skip: 2);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.Conversations.AddAsync(group, Ct));

        await Store.Conversations.AddAsync(group, Ct);

        Assert.Equal(250, (await Store.Conversations.GetViewAsync(group.Id, owner, Ct))!.ParticipantCount);
        Assert.Single((await Store.Conversations.ListForParticipantAsync(owner, 10, null, Ct)).Ok().Items);
    }

    [Fact]
    public async Task A_creation_of_5_whose_answer_was_lost_succeeds_when_retried()
    {
        var owner = Some.User("owner");
        Conversation group = AGroup.OwnedBy(owner).With(Users("m", 4)).At(Time.T0);
        Database.Faults.Inject(CosmosOperation.Batch, new CosmosFault.LostResponse());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.Conversations.AddAsync(group, Ct));

        await Store.Conversations.AddAsync(group, Ct);

        Assert.Equal(5, (await Store.Conversations.GetViewAsync(group.Id, owner, Ct))!.ParticipantCount);
    }

    [Fact]
    public async Task Deleting_a_group_of_1000_answers_in_a_bounded_number_of_calls_even_when_later_batches_are_throttled_and_the_purger_removes_the_rest()
    {
        var owner = Some.User("owner");
        var group = await GroupAsync(owner, 1000);
        var member = group.Participants[500].UserId;
        Database.Faults.Inject(CosmosOperation.Batch, new CosmosFault.Throttled(TimeSpan.FromMilliseconds(100)), times: 5, skip: 1);
        var callsBefore = Database.Calls;

        await Store.Conversations.DeleteAsync(group.Id, Ct);

        Assert.InRange(Database.Calls - callsBefore, 1, 12);
        Assert.Null(await Store.Conversations.GetViewAsync(group.Id, member, Ct));
        Assert.Empty((await Store.Conversations.ListForParticipantAsync(member, 10, null, Ct)).Ok().Items);
        Database.Faults.Clear();
        await Store.CompleteBackgroundWorkAsync();
        Assert.DoesNotContain(
            Database.Container(CosmosStore.ConversationsContainer).Items.Snapshot(group.Id),
            d => d["type"]!.GetValue<string>() == DocumentTypes.Participant);
        Assert.Empty(Database.Container(CosmosStore.MembershipsContainer).Items.Snapshot(member));
    }

    [Fact]
    public async Task Adding_to_a_busy_group_of_999_lists_its_participants_once_however_many_sends_move_its_header_meanwhile()
    {
        var owner = Some.User("owner");
        var group = await GroupAsync(owner, 999);
        var current = (await Store.Conversations.GetAsync(group.Id, Ct))!;
        current.AddParticipant(owner, Some.User("late"), Time.At(5), Limits).Ok();
        var activity = Time.At(10).ToUnixTimeMilliseconds();
        var conversations = Database.GetContainer(CosmosStore.ConversationsContainer);

        // Every send moves the header's activity (and its ETag) just before the change's batch.
        Database.Faults.Inject(CosmosOperation.Batch, new CosmosFault.Interleave(async () =>
            (await conversations.PatchItemStreamAsync(group.Id, new Microsoft.Azure.Cosmos.PartitionKey(group.Id), [Microsoft.Azure.Cosmos.PatchOperation.Set("/updatedAt", activity++)])).EnsureSuccessStatusCode()), times: 5);
        var queriesBefore = Database.QueryLog.Queries.Count(q => q.Text.Contains("c.type = @t", StringComparison.Ordinal) && !q.Text.Contains("TOP", StringComparison.Ordinal));

        await Store.Conversations.UpdateAsync(current, Ct);

        var listings = Database.QueryLog.Queries.Count(q => q.Text.Contains("c.type = @t", StringComparison.Ordinal) && !q.Text.Contains("TOP", StringComparison.Ordinal)) - queriesBefore;
        Assert.Equal(1, listings);
        Assert.Equal(1000, (await Store.Conversations.GetViewAsync(group.Id, owner, Ct))!.ParticipantCount);
    }

    [Fact]
    public async Task Once_a_removal_from_a_large_group_answered_the_removed_user_is_no_participant_and_the_epoch_moved()
    {
        var owner = Some.User("owner");
        var group = await GroupAsync(owner, 120);
        var removed = group.Participants[60].UserId;
        var current = (await Store.Conversations.GetAsync(group.Id, Ct))!;
        current.RemoveParticipant(owner, removed, Time.At(5)).Ok();

        await Store.Conversations.UpdateAsync(current, Ct);

        Assert.Null(await Store.Conversations.GetParticipantAsync(group.Id, removed, Ct));
        Assert.Null(await Store.Conversations.GetViewAsync(group.Id, removed, Ct));
        Assert.Equal((null, false), await Store.Conversations.AdvanceWatermarkAsync(group.Id, removed, new ReadWatermark("m", 1, Time.At(6)), Ct));
        var audience = (await Store.Conversations.GetAudienceAsync(group.Id, Ct))!;
        Assert.DoesNotContain(removed, audience.ParticipantIds);
        Assert.Equal(119, audience.ParticipantIds.Count);
        Assert.True(audience.MembershipEpoch > group.MembershipEpoch);
    }

    [Fact]
    public async Task A_group_growing_past_20_keeps_its_place_in_the_list_from_its_header_and_merges_with_small_groups_on_one_keyset()
    {
        var owner = Some.User("owner");
        var growing = await GroupAsync(owner, 20, at: 0);
        var smalls = new List<Conversation>();
        for (var i = 0; i < 3; i++)
        {
            smalls.Add(await GroupAsync(owner, 3, at: 10 + i));
        }

        var large = await GroupAsync(owner, 40, at: 20);
        var current = (await Store.Conversations.GetAsync(growing.Id, Ct))!;
        current.AddParticipant(owner, Some.User("21st"), Time.At(30), Limits).Ok();
        await Store.Conversations.UpdateAsync(current, Ct);
        await Store.Messages.AppendAsync(AMessage.From(owner).In(smalls[0]).Saying("later").At(Time.At(40)), Ct);
        await Store.Messages.AppendAsync(AMessage.From(owner).In(growing).Saying("latest").At(Time.At(50)), Ct);

        var memberships = Database.Container(CosmosStore.MembershipsContainer).Items.Snapshot(owner);
        Assert.True(memberships.Single(m => m["id"]!.GetValue<string>() == growing.Id)["large"]!.GetValue<bool>());
        var listed = new List<string>();
        string? token = null;
        do
        {
            var page = (await Store.Conversations.ListForParticipantAsync(owner, 2, token, Ct)).Ok();
            listed.AddRange(page.Items.Select(v => v.Id));
            token = page.ContinuationToken;
        }
        while (token is not null);

        Assert.Equal([growing.Id, smalls[0].Id, large.Id, smalls[2].Id, smalls[1].Id], listed);
    }

    [Fact]
    public async Task A_group_whose_21st_member_was_added_while_membership_writes_were_throttled_still_comes_first_after_its_latest_message()
    {
        var owner = Some.User("owner");
        var growing = await GroupAsync(owner, 20, at: 0);
        await GroupAsync(owner, 3, at: 10);
        Database.Faults.Inject(CosmosOperation.Upsert, new CosmosFault.Throttled(TimeSpan.FromMilliseconds(100)), times: 21);
        Database.Faults.Inject(CosmosOperation.Patch, new CosmosFault.Throttled(TimeSpan.FromMilliseconds(100)));
        var newcomer = Some.User("21st");
        try
        {
            await AddAsync(growing.Id, owner, newcomer, at: 30);
        }
        catch (Microsoft.Azure.Cosmos.CosmosException refused) when ((int)refused.StatusCode == 429)
        {
            // Refused before anything committed: the client retries, as a 429 tells it to.
            Database.Faults.Clear();
            Assert.Equal(20, (await Store.Conversations.GetAsync(growing.Id, Ct))!.Participants.Count);
            await AddAsync(growing.Id, owner, newcomer, at: 30);
        }

        Database.Faults.Clear();
        await Store.Messages.AppendAsync(AMessage.From(owner).In(growing).Saying("latest").At(Time.At(50)), Ct);

        var listed = (await Store.Conversations.ListForParticipantAsync(owner, 10, null, Ct)).Ok().Items;
        Assert.Equal(growing.Id, listed[0].Id);
        Assert.Equal(21, listed[0].ParticipantCount);
    }

    [Fact]
    public async Task A_message_sent_while_its_group_shrinks_to_20_moves_the_group_to_the_top_of_the_list()
    {
        var owner = Some.User("owner");
        var group = await GroupAsync(owner, 21);
        var other = await GroupAsync(owner, 3, at: 5);
        await Store.Messages.AppendAsync(AMessage.From(owner).In(other).Saying("meanwhile").At(Time.At(30)), Ct);
        Database.Faults.Inject(CosmosOperation.Patch, new CosmosFault.Interleave(async () =>
        {
            var current = (await Store.Conversations.GetAsync(group.Id, Ct))!;
            current.RemoveParticipant(owner, current.Participants.Last(p => p.UserId != owner).UserId, Time.At(20)).Ok();
            await Store.Conversations.UpdateAsync(current, Ct);
        }));

        await Store.Messages.AppendAsync(AMessage.From(owner).In(group).Saying("while shrinking").At(Time.At(50)), Ct);

        Assert.Equal(20, (await Store.Conversations.GetViewAsync(group.Id, owner, Ct))!.ParticipantCount);
        Assert.Equal(group.Id, (await Store.Conversations.ListForParticipantAsync(owner, 10, null, Ct)).Ok().Items[0].Id);
    }

    private async Task AddAsync(string conversationId, string by, string userId, int at)
    {
        var current = (await Store.Conversations.GetAsync(conversationId, Ct))!;
        current.AddParticipant(by, userId, Time.At(at), Limits).Ok();
        await Store.Conversations.UpdateAsync(current, Ct);
    }

    [Fact]
    public async Task A_group_shrinking_back_to_20_carries_its_latest_activity_on_every_membership_again()
    {
        var owner = Some.User("owner");
        var group = await GroupAsync(owner, 21);
        await Store.Messages.AppendAsync(AMessage.From(owner).In(group).Saying("while large").At(Time.At(10)), Ct);
        var current = (await Store.Conversations.GetAsync(group.Id, Ct))!;
        var leaving = current.Participants[^1].UserId;
        current.RemoveParticipant(owner, leaving, Time.At(20)).Ok();

        await Store.Conversations.UpdateAsync(current, Ct);

        foreach (var member in current.Participants.Select(p => p.UserId))
        {
            var membership = Database.Container(CosmosStore.MembershipsContainer).Items.Snapshot(member).Single(m => m["id"]!.GetValue<string>() == group.Id);
            Assert.False(membership["large"]!.GetValue<bool>());
            Assert.Equal(Time.At(20).ToUnixTimeMilliseconds(), membership["updatedAt"]!.GetValue<long>());
        }

        Assert.Empty(Database.Container(CosmosStore.MembershipsContainer).Items.Snapshot(leaving));
    }

    [Fact]
    public async Task Unread_counts_read_every_counter_in_one_call_and_count_only_where_something_is_new()
    {
        var (owner, reader) = (Some.User("owner"), Some.User("reader"));
        var conversations = new List<Conversation>();
        for (var i = 0; i < 4; i++)
        {
            Conversation group = AGroup.OwnedBy(owner).With(reader).At(Time.At(i));
            await Store.Conversations.AddAsync(group, Ct);
            var sent = (await Store.Messages.AppendAsync(AMessage.From(owner).In(group).Saying("one").At(Time.At(10 + i)), Ct)).Message!;
            await Store.Conversations.AdvanceWatermarkAsync(group.Id, reader, new ReadWatermark(sent.Id, sent.Sequence, Time.At(20)), Ct);
            conversations.Add(group);
        }

        await Store.Messages.AppendAsync(AMessage.From(owner).In(conversations[2]).Saying("new").At(Time.At(30)), Ct);
        var memberships = await Store.Conversations.ListMembershipsAsync(reader, Ct);
        var callsBefore = Database.Calls;

        var unread = await Store.Messages.CountUnreadAsync(reader, memberships, Ct);

        Assert.Equal(2, Database.Calls - callsBefore);
        Assert.Equal(1, unread[conversations[2].Id].Unread);
        Assert.Equal(4, unread.Count);
        Assert.Equal(1, unread.Values.Sum(c => c.Unread));
    }
}
