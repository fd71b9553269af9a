using Messaging.Domain.Conversations;
using Messaging.Domain.Messages;
using Messaging.Tests.Support.Builders;

namespace Messaging.Tests.Store.Cosmos;

/// <summary>
/// A reaction on the double: one transactional batch of three small documents (the reaction, the
/// message's counters, the change record) whatever the group's size and history, and never the message.
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
    public async Task Adding_or_removing_a_reaction_writes_three_documents_in_a_group_of_1000_with_history()
    {
        var owner = Some.User("owner");
        Conversation group = AGroup.OwnedBy(owner).With([.. Enumerable.Range(0, 999).Select(_ => Some.User("m"))]).At(Time.T0);
        await Store.Conversations.AddAsync(group, Ct);
        Message? target = null;
        for (var i = 0; i < 30; i++)
        {
            target = (await Store.Messages.AppendAsync(AMessage.From(owner).In(group).Saying($"m{i}").At(Time.At(i + 1)), Ct)).Message;
        }

        var thumbs = Reaction.Parse("👍").Value;
        var first = await WritesOfAsync(() => Store.Reactions.AddAsync(target!, owner, thumbs, 20, Time.At(40), Ct));
        var repeated = await WritesOfAsync(() => Store.Reactions.AddAsync(target!, owner, thumbs, 20, Time.At(41), Ct));
        var removed = await WritesOfAsync(() => Store.Reactions.RemoveAsync(target!, owner, thumbs, Time.At(42), Ct));

        Assert.Equal(3, first);
        Assert.Equal(0, repeated);
        Assert.Equal(3, removed);
    }
}
