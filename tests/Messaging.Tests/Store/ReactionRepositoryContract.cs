using Messaging.Domain.Conversations;
using Messaging.Domain.Messages;
using Messaging.Tests.Support.Builders;

namespace Messaging.Tests.Store;

/// <summary>What every <see cref="IReactionRepository"/> must do.</summary>
public abstract class ReactionRepositoryContract : StoreContract
{
    private const int Max = 20;

    private static Reaction R(string value) => Reaction.Parse(value).Value;

    private async Task<(Conversation Group, Message Message, string Alice, string Bob, string Carol)> MessageAsync()
    {
        var (alice, bob, carol) = (Some.User("alice"), Some.User("bob"), Some.User("carol"));
        var group = await AddGroupAsync(alice, [bob, carol]);
        return (group, await AppendAsync(group, alice, "react to me"), alice, bob, carol);
    }

    private Task<ReactionOutcome> AddAsync(Message message, string user, string reaction, int atSeconds = 10) =>
        Reactions.AddAsync(message, user, R(reaction), Max, Time.At(atSeconds), Ct);

    private async Task<MessageReactions> ReadAsync(Message message, string? viewer)
    {
        var found = await Reactions.GetAsync(message.ConversationId, [message.Id], viewer, Ct);
        return found.GetValueOrDefault(message.Id) ?? MessageReactions.None;
    }

    private static IEnumerable<(string, int)> Described(MessageReactions reactions) => reactions.Counts.Select(c => (c.Reaction, c.Count));

    [SkippableFact]
    public async Task A_user_counts_once_per_reaction_however_often_they_add_it()
    {
        var (_, message, alice, bob, _) = await MessageAsync();

        var first = await AddAsync(message, alice, "👍🏽");
        var again = await AddAsync(message, alice, "👍🏽");
        var other = await AddAsync(message, bob, "👍🏽");

        Assert.Equal(new ReactionOutcome(ReactionStatus.Changed, 1), first);
        Assert.Equal(new ReactionOutcome(ReactionStatus.Unchanged, 1), again);
        Assert.Equal(new ReactionOutcome(ReactionStatus.Changed, 2), other);
        Assert.Equal([("👍🏽", 2)], Described(await ReadAsync(message, null)));
    }

    [SkippableFact]
    public async Task Removing_counts_down_is_idempotent_and_the_last_one_takes_the_reaction_away()
    {
        var (_, message, alice, bob, carol) = await MessageAsync();
        await AddAsync(message, alice, "+1");
        await AddAsync(message, bob, "+1");

        var removed = await Reactions.RemoveAsync(message, alice, R("+1"), Time.At(20), Ct);
        var again = await Reactions.RemoveAsync(message, alice, R("+1"), Time.At(21), Ct);
        var never = await Reactions.RemoveAsync(message, carol, R("+1"), Time.At(22), Ct);

        Assert.Equal(new ReactionOutcome(ReactionStatus.Changed, 1), removed);
        Assert.Equal(new ReactionOutcome(ReactionStatus.Unchanged, 1), again);
        Assert.Equal(new ReactionOutcome(ReactionStatus.Unchanged, 1), never);
        Assert.Equal(new ReactionOutcome(ReactionStatus.Changed, 0), await Reactions.RemoveAsync(message, bob, R("+1"), Time.At(23), Ct));
        Assert.Empty((await ReadAsync(message, bob)).Counts);
    }

    [SkippableFact]
    public async Task Reactions_are_listed_most_given_first_and_equal_counts_first_given_first()
    {
        var (_, message, alice, bob, carol) = await MessageAsync();
        await AddAsync(message, alice, "🎉", 1);
        await AddAsync(message, alice, "👀", 2);
        await AddAsync(message, alice, "❤️", 3);
        await AddAsync(message, bob, "❤️", 4);
        await AddAsync(message, carol, "👀", 5);

        Assert.Equal([("👀", 2), ("❤️", 2), ("🎉", 1)], Described(await ReadAsync(message, null)));
    }

    [SkippableFact]
    public async Task Each_viewer_sees_their_own_reactions_for_a_whole_page_in_one_call()
    {
        var (group, first, alice, bob, carol) = await MessageAsync();
        var second = await AppendAsync(group, bob, "second", atSeconds: 2);
        var third = await AppendAsync(group, carol, "no reactions", atSeconds: 3);
        await AddAsync(first, alice, "👍");
        await AddAsync(first, bob, "👍");
        await AddAsync(first, bob, "smile");
        await AddAsync(second, alice, "🎉");

        var forAlice = await Reactions.GetAsync(group.Id, [first.Id, second.Id, third.Id], alice, Ct);
        var forBob = await Reactions.GetAsync(group.Id, [first.Id, second.Id, third.Id], bob, Ct);
        var forCarol = await Reactions.GetAsync(group.Id, [first.Id, second.Id, third.Id], carol, Ct);

        Assert.Equal(["👍"], forAlice[first.Id].Mine);
        Assert.Equal(["🎉"], forAlice[second.Id].Mine);
        Assert.Equal(["smile", "👍"], forBob[first.Id].Mine);
        Assert.Empty(forBob[second.Id].Mine);
        Assert.Empty(forCarol[first.Id].Mine);
        Assert.Equal([("👍", 2), ("smile", 1)], Described(forCarol[first.Id]));
        Assert.Equal([("🎉", 1)], Described(forCarol[second.Id]));
        Assert.False(forCarol.ContainsKey(third.Id));
    }

    [SkippableFact]
    public async Task A_message_carries_at_most_20_distinct_reactions_but_more_users_may_give_one_of_them()
    {
        var (_, message, alice, bob, _) = await MessageAsync();
        for (var i = 0; i < Max; i++)
        {
            Assert.Equal(ReactionStatus.Changed, (await AddAsync(message, alice, $"r{i}")).Status);
        }

        var twentyFirst = await AddAsync(message, bob, "r20");
        var existing = await AddAsync(message, bob, "r7");

        Assert.Equal(ReactionStatus.TooManyDistinct, twentyFirst.Status);
        Assert.Equal(new ReactionOutcome(ReactionStatus.Changed, 2), existing);
        Assert.Equal(Max, (await ReadAsync(message, null)).Counts.Count);

        // A kind nobody gives any more frees its place.
        await Reactions.RemoveAsync(message, alice, R("r0"), Time.At(30), Ct);
        Assert.Equal(ReactionStatus.Changed, (await AddAsync(message, bob, "r20")).Status);
    }

    [SkippableFact]
    public async Task Two_users_adding_the_20th_and_21st_kind_at_once_never_exceed_20()
    {
        for (var round = 0; round < 5; round++)
        {
            var (_, message, alice, bob, carol) = await MessageAsync();
            for (var i = 0; i < Max - 1; i++)
            {
                await AddAsync(message, alice, $"r{i}");
            }

            var outcomes = await Task.WhenAll(
                Task.Run(() => AddAsync(message, bob, "bob_kind")),
                Task.Run(() => AddAsync(message, carol, "carol_kind")));

            Assert.Single(outcomes, o => o.Status == ReactionStatus.Changed);
            Assert.Single(outcomes, o => o.Status == ReactionStatus.TooManyDistinct);
            Assert.Equal(Max, (await ReadAsync(message, null)).Counts.Count);
        }
    }

    [SkippableFact]
    public async Task Concurrent_reactions_of_many_users_are_all_counted()
    {
        var owner = Some.User("owner");
        var users = Enumerable.Range(0, 12).Select(i => Some.User($"u{i}")).ToList();
        var group = await AddGroupAsync(owner, [.. users]);
        var message = await AppendAsync(group, owner, "react to me");

        var outcomes = await Task.WhenAll(users.Select(u => Task.Run(() => AddAsync(message, u, "🔥"))));

        Assert.All(outcomes, o => Assert.Equal(ReactionStatus.Changed, o.Status));
        Assert.Equal(Enumerable.Range(1, 12), outcomes.Select(o => o.Count).Order());
        Assert.Equal([("🔥", 12)], Described(await ReadAsync(message, null)));
    }

    [SkippableFact]
    public async Task A_reaction_committed_after_its_user_was_removed_is_refused_and_their_earlier_reactions_stay()
    {
        var (group, message, alice, bob, _) = await MessageAsync();
        await AddAsync(message, bob, "👍");

        // The service saw bob as a participant; he is removed before his next reaction commits.
        var stored = (await Conversations.GetAsync(group.Id, Ct))!;
        stored.RemoveParticipant(alice, bob, Time.At(20)).Ok();
        await Conversations.UpdateAsync(stored, Ct);
        var added = await AddAsync(message, bob, "🎉", 21);
        var removed = await Reactions.RemoveAsync(message, bob, R("👍"), Time.At(22), Ct);

        Assert.Equal(ReactionStatus.NotParticipant, added.Status);
        Assert.Equal(ReactionStatus.NotParticipant, removed.Status);
        Assert.Equal([("👍", 1)], Described(await ReadAsync(message, alice)));
    }

    [SkippableFact]
    public async Task A_tombstone_loses_its_reactions_and_takes_no_new_ones()
    {
        var (_, message, alice, bob, _) = await MessageAsync();
        await AddAsync(message, bob, "👍");
        Assert.True(message.Delete(alice, actorIsOwner: true, Time.At(40)).IsSuccess);
        Assert.Equal(UpdateStatus.Saved, await Messages.UpdateAsync(message, Ct));

        var added = await AddAsync(message, bob, "🎉", 41);
        var removed = await Reactions.RemoveAsync(message, bob, R("👍"), Time.At(42), Ct);

        Assert.Equal(ReactionStatus.MessageDeleted, added.Status);
        Assert.Equal(ReactionStatus.Unchanged, removed.Status);
        var left = await ReadAsync(message, bob);
        Assert.Empty(left.Counts);
    }
}
