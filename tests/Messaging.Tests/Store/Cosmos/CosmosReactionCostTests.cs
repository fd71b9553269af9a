using Messaging.Domain.Conversations;
using Messaging.Domain.Messages;
using Messaging.Tests.Support.Builders;

namespace Messaging.Tests.Store.Cosmos;

/// <summary>
/// A reaction on the double: one transactional batch of a few small documents whatever the group's size
/// and history, never the message, and simultaneous reactors of one kind do not make each other retry.
/// </summary>
public sealed class CosmosReactionCostTests : CosmosDoubleTest
{
    private async Task<int> WritesOfAsync(Func<Task> operation)
    {
        var before = Database.Writes;
        await operation();
        return Database.Writes - before;
    }

    [Fact]
    public async Task A_reaction_of_a_kind_already_there_writes_three_documents_and_a_kind_appearing_or_going_four_in_a_group_of_1000_with_history()
    {
        var owner = Some.User("owner");
        var other = Some.User("other");
        Conversation group = AGroup.OwnedBy(owner).With([other, .. Enumerable.Range(0, 998).Select(_ => Some.User("m"))]).At(Time.T0);
        await Store.Conversations.AddAsync(group, Ct);
        Message? target = null;
        for (var i = 0; i < 30; i++)
        {
            target = (await Store.Messages.AppendAsync(AMessage.From(owner).In(group).Saying($"m{i}").At(Time.At(i + 1)), Ct)).Message;
        }

        var thumbs = Reaction.Parse("👍").Value;
        var first = await WritesOfAsync(() => Store.Reactions.AddAsync(target!, owner, thumbs, 20, Time.At(40), Ct));
        var second = await WritesOfAsync(() => Store.Reactions.AddAsync(target!, other, thumbs, 20, Time.At(41), Ct));
        var repeated = await WritesOfAsync(() => Store.Reactions.AddAsync(target!, owner, thumbs, 20, Time.At(42), Ct));
        var removed = await WritesOfAsync(() => Store.Reactions.RemoveAsync(target!, owner, thumbs, Time.At(43), Ct));
        var last = await WritesOfAsync(() => Store.Reactions.RemoveAsync(target!, other, thumbs, Time.At(44), Ct));

        // The reaction, its kind's counter, the change record; and the kinds document when the kind appears or goes.
        Assert.Equal((4, 3, 0, 3, 4), (first, second, repeated, removed, last));
    }

    [Fact]
    public async Task Thirty_simultaneous_reactions_of_one_kind_all_succeed_and_the_work_grows_linearly_with_the_reactors()
    {
        const int Reactors = 30;
        var (calls, outcomes) = await SimultaneousThumbsAsync(Reactors);

        Assert.All(outcomes, o => Assert.Equal(ReactionStatus.Changed, o.Status));
        Assert.Equal(Enumerable.Range(1, Reactors), outcomes.Select(o => o.Count).Order());
        // Each reactor tries at most three batches whatever the others do: the kind's first (lost to the one who
        // made it), one held to the count it read, one that increments whatever the count is; with their reads
        // (the participant once, then the counter and their own reaction each time, the kinds on the first),
        // at most 11 calls. Contending on one ETag instead, every commit makes the others retry: 30 reactors
        // took 1362 calls, about N²/2 attempts.
        Assert.True(calls <= 11 * Reactors, $"{Reactors} reactors took {calls} database calls.");
    }

    private async Task<(int Calls, ReactionOutcome[] Outcomes)> SimultaneousThumbsAsync(int reactors)
    {
        var owner = Some.User("owner");
        var users = Enumerable.Range(0, reactors).Select(_ => Some.User("u")).ToList();
        Conversation group = AGroup.OwnedBy(owner).With([.. users]).At(Time.T0);
        await Store.Conversations.AddAsync(group, Ct);
        var target = (await Store.Messages.AppendAsync(AMessage.From(owner).In(group).Saying("vote").At(Time.At(1)), Ct)).Message!;
        var thumbs = Reaction.Parse("👍").Value;

        var before = Database.Calls;
        var outcomes = await Task.WhenAll(users.Select(u => Task.Run(() => Store.Reactions.AddAsync(target, u, thumbs, 20, Time.At(2), Ct))));
        var calls = Database.Calls - before;

        var counts = (await Store.Reactions.GetAsync(group.Id, [target.Id], null, Ct))[target.Id].Counts;
        Assert.Equal([("👍", reactors)], counts.Select(c => (c.Reaction, c.Count)));
        return (calls, outcomes);
    }
}
