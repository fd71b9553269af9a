using Messaging.Functions.Storage.Cosmos;
using Messaging.Tests.Store.Cosmos.Double;
using Messaging.Tests.Support.Builders;

namespace Messaging.Tests.Store.Cosmos;

/// <summary>
/// The per-user membership rows (<c>memberships</c>) mirror the participant list in another
/// partition, so they are written after it and can fail alone. The participant list decides: a
/// removed user whose row survived sees neither the conversation nor its unread count, and the
/// request that committed the removal answers success. Presence does not count the surviving row as a
/// conversation in common.
/// </summary>
public sealed class CosmosMembershipMirrorTests : CosmosDoubleTest
{
    private async Task<(string Owner, string Bob, string ConversationId)> BobRemovedWhileHisRowCouldNotBeDeletedAsync()
    {
        var (owner, bob) = (Some.User("owner"), Some.User("bob"));
        var group = AGroup.OwnedBy(owner).With([bob]).At(Time.T0).Build();
        await Store.Conversations.AddAsync(group, Ct);
        await Store.Messages.AppendAsync(AMessage.From(owner).In(group).Saying("before").At(Time.At(1)), Ct);
        var current = (await Store.Conversations.GetAsync(group.Id, Ct))!;
        current.RemoveParticipant(owner, bob, Time.At(2)).Ok();
        Database.Faults.Inject(CosmosOperation.Delete, new CosmosFault.Unavailable());

        await Store.Conversations.UpdateAsync(current, Ct);

        await Store.Messages.AppendAsync(AMessage.From(owner).In(current).Saying("after bob left").At(Time.At(3)), Ct);
        return (owner, bob, group.Id);
    }

    [Fact]
    public async Task A_removal_whose_membership_row_could_not_be_deleted_still_answers_success()
    {
        var (_, bob, conversationId) = await BobRemovedWhileHisRowCouldNotBeDeletedAsync();

        Assert.False((await Store.Conversations.GetAsync(conversationId, Ct))!.HasParticipant(bob));
    }

    [Fact]
    public async Task A_removed_user_whose_membership_row_survived_does_not_see_the_conversation_in_the_list()
    {
        var (_, bob, _) = await BobRemovedWhileHisRowCouldNotBeDeletedAsync();

        var page = (await Store.Conversations.ListForParticipantAsync(bob, 20, null, Ct)).Ok();

        Assert.Empty(page.Items);
    }

    [Fact]
    public async Task A_removed_user_whose_membership_row_survived_gets_no_unread_count_for_the_conversation()
    {
        var (_, bob, conversationId) = await BobRemovedWhileHisRowCouldNotBeDeletedAsync();

        var memberships = await Store.Conversations.ListMembershipsAsync(bob, Ct);

        Assert.DoesNotContain(memberships, m => m.ConversationId == conversationId);
    }

    [Fact]
    public async Task A_removed_user_whose_membership_row_survived_shares_no_conversation_for_presence()
    {
        var (owner, bob, _) = await BobRemovedWhileHisRowCouldNotBeDeletedAsync();

        Assert.Empty(await Store.Conversations.ListCoParticipantsAsync(owner, [bob], Ct));
        Assert.Empty(await Store.Conversations.ListCoParticipantsAsync(bob, [owner], Ct));
    }

    [Fact]
    public async Task A_removed_user_whose_membership_row_survived_is_still_a_co_participant_through_another_shared_conversation()
    {
        var (owner, bob, _) = await BobRemovedWhileHisRowCouldNotBeDeletedAsync();
        await Store.Conversations.AddAsync(AGroup.OwnedBy(owner).With([bob]).At(Time.At(5)).Build(), Ct);

        Assert.Equal([bob], await Store.Conversations.ListCoParticipantsAsync(owner, [bob], Ct));
        Assert.Equal([owner], await Store.Conversations.ListCoParticipantsAsync(bob, [owner], Ct));
    }

    [Fact]
    public async Task A_message_locator_id_read_as_a_conversation_is_not_found()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = AGroup.OwnedBy(alice).With([bob]).At(Time.T0).Build();
        await Store.Conversations.AddAsync(group, Ct);
        var sent = (await Store.Messages.AppendAsync(AMessage.From(alice).In(group).Saying("hello").At(Time.At(1)), Ct)).Message!;

        Assert.Null(await Store.Conversations.GetAsync(MessageLocatorDocument.IdOf(sent.Id), Ct));
    }
}
