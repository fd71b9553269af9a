using Messaging.Domain.Common;
using Messaging.Domain.Conversations;
using Messaging.Tests.Support.Builders;

namespace Messaging.Tests.Store;

/// <summary>
/// What every <see cref="IConversationRepository"/> must do for large groups: the bounded view of a
/// conversation (count, owners then earliest joiners, the viewer), the viewer's own place, and the
/// participant list paged in join order.
/// </summary>
public abstract class ParticipantListContract : StoreContract
{
    private static readonly MessagingLimits Limits = new();

    [SkippableFact]
    public async Task Participants_page_is_earliest_joiner_first_with_ties_in_user_id_order()
    {
        var owner = "zz-" + Some.User("owner");
        var early = new[] { "m-b-" + Some.User("x"), "m-a-" + Some.User("x") };
        var group = await AddGroupAsync(owner, early, Time.At(0));
        var late = await JoinAsync(group, owner, Time.At(5), "a-late-" + Some.User("x"));

        var page = (await Conversations.ListParticipantsAsync(group.Id, 10, null, Ct)).Ok();

        string[] expected = [.. new[] { owner, early[0], early[1] }.Order(StringComparer.Ordinal), late[0]];
        Assert.Equal(expected, page.Items.Select(p => p.UserId));
        Assert.Null(page.ContinuationToken);
        Assert.Equal(ParticipantRole.Owner, page.Items.Single(p => p.UserId == owner).Role);
        Assert.Equal(Time.At(5), page.Items[^1].JoinedAt);
    }

    [SkippableTheory]
    [InlineData(1)]
    [InlineData(7)]
    public async Task Participants_pages_return_everyone_exactly_once_in_join_order(int limit)
    {
        var owner = Some.User("owner");
        var group = await AddGroupAsync(owner, Users("first", 10), Time.At(0));
        await JoinAsync(group, owner, Time.At(3), Users("later", 12));

        var listed = await ReadAllPagesAsync(token => Conversations.ListParticipantsAsync(group.Id, limit, token, Ct), limit);

        Assert.Equal(group.Participants.Select(p => p.UserId).Order(StringComparer.Ordinal), listed.Select(p => p.UserId).Order(StringComparer.Ordinal));
        Assert.Equal(listed.OrderBy(p => p.JoinedAt).ThenBy(p => p.UserId, StringComparer.Ordinal).Select(p => p.UserId), listed.Select(p => p.UserId));
    }

    [SkippableFact]
    public async Task A_participant_removed_between_pages_is_left_out_and_nobody_else_is_skipped()
    {
        var owner = Some.User("owner");
        var members = Users("m", 8);
        var group = await AddGroupAsync(owner, members, Time.At(0));
        var first = (await Conversations.ListParticipantsAsync(group.Id, 3, null, Ct)).Ok();
        var seen = first.Items.Select(p => p.UserId).ToList();
        var notYetSeen = group.Participants.Select(p => p.UserId).Except(seen).ToList();
        var removed = notYetSeen[1];
        var stored = (await Conversations.GetAsync(group.Id, Ct))!;
        stored.RemoveParticipant(owner, removed, Time.At(9)).Ok();
        stored.RemoveParticipant(owner, seen[^1] == owner ? seen[0] : seen[^1], Time.At(9)).Ok();
        await Conversations.UpdateAsync(stored, Ct);

        var rest = await ReadAllPagesAsync(token => Conversations.ListParticipantsAsync(group.Id, 3, token ?? first.ContinuationToken, Ct), 3);

        Assert.Equal(notYetSeen.Where(id => id != removed).Order(StringComparer.Ordinal), rest.Select(p => p.UserId).Order(StringComparer.Ordinal));
    }

    [SkippableTheory]
    [InlineData("%%%not-a-token%%%")]
    [InlineData("bm90LWEtdG9rZW4")]
    [InlineData("YWJjfGRlZg")]
    public async Task Participants_page_is_an_error_when_the_continuation_token_is_invalid(string token)
    {
        var group = await AddGroupAsync(Some.User("owner"), [Some.User("bob")]);

        (await Conversations.ListParticipantsAsync(group.Id, 10, token, Ct)).Failed(ErrorKind.Invalid);
    }

    [SkippableFact]
    public async Task View_of_a_large_group_counts_everyone_and_leads_with_owners_then_earliest_joiners()
    {
        // The owner's id sorts last and later joiners' ids first, so neither id order nor insertion order passes by chance.
        var owner = "zz-" + Some.User("owner");
        var early = Users("m", 24);
        var group = await AddGroupAsync(owner, early, Time.At(0));
        var late = await JoinAsync(group, owner, Time.At(4), Users("a", 5));

        var view = await Conversations.GetViewAsync(group.Id, late[2], Ct);

        Assert.NotNull(view);
        Assert.Equal(30, view.ParticipantCount);
        Assert.Equal(ConversationView.MaxListed, view.Leading.Count);
        Assert.Equal([owner, .. early.Order(StringComparer.Ordinal).Take(19)], view.Leading.Select(p => p.UserId));
        Assert.Equal(late[2], view.Viewer?.UserId);
        Assert.Equal(Time.At(4), view.Viewer?.JoinedAt);
        Assert.Equal([late[2], owner], view.Listed().Take(2).Select(p => p.UserId));
        Assert.Equal(ConversationView.MaxListed, view.Listed().Count);
        Assert.Equal(group.MembershipEpoch, view.MembershipEpoch);
    }

    [SkippableFact]
    public async Task View_of_a_small_group_lists_everyone_and_the_viewers_read_position()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await AddGroupAsync(alice, [bob], Time.At(1));
        await Conversations.AdvanceWatermarkAsync(group.Id, bob, new ReadWatermark("m3", 3, Time.At(6)), Ct);

        var view = (await Conversations.GetViewAsync(group.Id, bob, Ct))!;

        Assert.Equal(2, view.ParticipantCount);
        Assert.Equal(Describe(group.Participants).Select(p => p.UserId), Describe(view.Leading).Select(p => p.UserId));
        Assert.Equal(new ReadWatermark("m3", 3, Time.At(6)), view.Viewer?.Watermark);
        Assert.Equal(group.Title, view.Title);
        Assert.Equal(ConversationType.Group, view.Type);
    }

    [SkippableFact]
    public async Task View_is_null_for_a_non_participant_or_a_missing_conversation_and_shared_without_a_viewer()
    {
        var group = await AddGroupAsync(Some.User("alice"), [Some.User("bob")]);

        Assert.Null(await Conversations.GetViewAsync(group.Id, Some.User("mallory"), Ct));
        Assert.Null(await Conversations.GetViewAsync(Ids.New(), null, Ct));
        var shared = await Conversations.GetViewAsync(group.Id, null, Ct);
        Assert.NotNull(shared);
        Assert.Null(shared.Viewer);
        Assert.Equal(2, shared.ParticipantCount);
    }

    [SkippableFact]
    public async Task Get_participant_gives_the_users_place_and_null_for_anyone_else()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await AddGroupAsync(alice, [bob], Time.At(2));
        await Conversations.AdvanceWatermarkAsync(group.Id, bob, new ReadWatermark("m4", 4, Time.At(8)), Ct);

        var owner = await Conversations.GetParticipantAsync(group.Id, alice, Ct);
        var member = await Conversations.GetParticipantAsync(group.Id, bob, Ct);

        Assert.Equal((alice, ParticipantRole.Owner, Time.At(2)), (owner?.UserId, owner?.Role, owner?.JoinedAt));
        Assert.Equal(new ReadWatermark("m4", 4, Time.At(8)), member?.Watermark);
        Assert.Null(await Conversations.GetParticipantAsync(group.Id, Some.User("carol"), Ct));
        Assert.Null(await Conversations.GetParticipantAsync(Ids.New(), alice, Ct));
    }

    [SkippableFact]
    public async Task List_for_participant_gives_bounded_views_of_large_groups()
    {
        var owner = Some.User("owner");
        var group = await AddGroupAsync(owner, Users("m", 40), Time.At(1));

        var page = (await Conversations.ListForParticipantAsync(owner, 10, null, Ct)).Ok();

        var view = Assert.Single(page.Items);
        Assert.Equal((group.Id, 41, owner), (view.Id, view.ParticipantCount, view.Viewer?.UserId));
        Assert.Equal(ConversationView.MaxListed, view.Leading.Count);
    }

    private static string[] Users(string prefix, int count) => [.. Enumerable.Range(0, count).Select(_ => Some.User(prefix))];

    private async Task<string[]> JoinAsync(Conversation group, string actor, DateTimeOffset at, params string[] users)
    {
        var stored = (await Conversations.GetAsync(group.Id, Ct))!;
        foreach (var user in users)
        {
            stored.AddParticipant(actor, user, at, Limits).Ok();
            group.AddParticipant(actor, user, at, Limits).Ok();
        }

        await Conversations.UpdateAsync(stored, Ct);
        return users;
    }
}
