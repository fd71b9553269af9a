using System.Text.Json.Nodes;
using Messaging.Domain.Common;
using Messaging.Domain.Conversations;
using Messaging.Domain.Messages;
using Messaging.Functions.Storage.Cosmos;
using Messaging.Tests.Store.Cosmos.Double;
using Messaging.Tests.Support.Builders;

namespace Messaging.Tests.Store.Cosmos;

/// <summary>
/// 412 storms: another writer moves the ETag right before each of our conditional writes, N times in a
/// row. The operation succeeds once the storm is over, or answers a conflict: never a duplicate,
/// never a lost write.
/// </summary>
public sealed class CosmosConflictStormTests : CosmosDoubleTest
{
    private static readonly MessagingLimits Limits = new();

    /// <summary>Before each of the next <paramref name="times"/> batches, the document is rewritten unchanged (a new ETag), bypassing the faults.</summary>
    private void StormOn(string container, string partitionKey, string id, int times) =>
        Database.Faults.Inject(CosmosOperation.Batch, new CosmosFault.Interleave(() =>
        {
            var items = Database.Container(container).Items;
            var current = items.Apply(partitionKey, new ItemOperation(ItemOperationKind.Read, id)).Item!;
            items.Apply(partitionKey, new ItemOperation(ItemOperationKind.Replace, id, (JsonObject)current.Body.DeepClone()));
            return Task.CompletedTask;
        }), times);

    private List<JsonObject> Records(string container, string partitionKey, string kind) =>
        [.. Database.Container(container).Items.Snapshot(partitionKey).Where(d => d["type"]!.GetValue<string>() == DocumentTypes.Change && d["kind"]!.GetValue<string>() == kind)];

    private async Task<Conversation> GroupAsync(string alice, string bob)
    {
        Conversation group = AGroup.OwnedBy(alice).With([bob]).At(Time.T0);
        await Store.Conversations.AddAsync(group, Ct);
        return group;
    }

    [Theory]
    [InlineData(5)]
    [InlineData(99)]
    public async Task A_send_through_a_storm_on_the_counter_commits_once_with_the_next_sequence(int storm)
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await GroupAsync(alice, bob);
        var first = await Store.Messages.AppendAsync(AMessage.From(alice).In(group).Saying("one").At(Time.At(1)), Ct);

        StormOn(CosmosStore.MessagesContainer, group.Id, CosmosIds.CounterId, storm);
        var sent = await Store.Messages.AppendAsync(AMessage.From(bob).In(group).Saying("two").WithClientId("c2").At(Time.At(2)), Ct);

        Assert.Equal(AppendStatus.Created, sent.Status);
        Assert.Equal(first.Message!.Sequence + 1, sent.Message!.Sequence);
        Assert.Equal([1L, 2L], (await Store.Messages.ListAfterAsync(group.Id, 0, 10, Ct)).Select(m => m.Sequence));
        Assert.Single(Records(CosmosStore.MessagesContainer, group.Id, ChangeRecordKinds.MessageCreated), r => r["messageId"]!.GetValue<string>() == sent.Message.Id);
    }

    [Fact]
    public async Task A_send_whose_storm_outlasts_its_retries_answers_a_conflict_and_writes_nothing()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await GroupAsync(alice, bob);
        await Store.Messages.AppendAsync(AMessage.From(alice).In(group).Saying("one").At(Time.At(1)), Ct);
        Messaging.Domain.Attachments.Attachment photo = AnAttachment.UploadedBy(bob).Named("a.png", "image/png", 10).At(Time.T0);
        await Store.Attachments.AddAsync(photo, Ct);

        StormOn(CosmosStore.MessagesContainer, group.Id, CosmosIds.CounterId, 1000);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(
            () => Store.Messages.AppendAsync(AMessage.From(bob).In(group).Saying("two").WithClientId("c2").WithAttachments(photo).At(Time.At(2)), Ct));
        Database.Faults.Clear();

        Assert.Equal([1L], (await Store.Messages.ListAfterAsync(group.Id, 0, 10, Ct)).Select(m => m.Sequence));
        Assert.Null(await Store.Messages.FindByClientMessageIdAsync(group.Id, bob, "c2", Ct));
        Assert.Null((await Store.Attachments.GetAsync(photo.Id, Ct))!.MessageId);
        var retried = await Store.Messages.AppendAsync(AMessage.From(bob).In(group).Saying("two").WithClientId("c2").WithAttachments(photo).At(Time.At(3)), Ct);
        Assert.Equal(2, retried.Message!.Sequence);
    }

    [Theory]
    [InlineData(5, true)]
    [InlineData(60, false)]
    public async Task A_rename_through_a_storm_commits_once_or_answers_a_conflict_without_writing(int storm, bool commits)
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await GroupAsync(alice, bob);
        var renamed = (await Store.Conversations.GetAsync(group.Id, Ct))!;
        renamed.Rename(alice, "storm", Time.At(5), Limits).Ok();

        StormOn(CosmosStore.ConversationsContainer, group.Id, group.Id, storm);
        var update = Store.Conversations.UpdateAsync(renamed, Ct);
        if (commits)
        {
            await update;
        }
        else
        {
            await Assert.ThrowsAsync<ConcurrencyConflictException>(() => update);
        }

        Database.Faults.Clear();
        var stored = (await Store.Conversations.GetAsync(group.Id, Ct))!;
        Assert.Equal(commits ? "storm" : group.Title, stored.Title);
        Assert.Equal(group.Version + (commits ? 1 : 0), stored.Version);
        Assert.Equal(commits ? 1 : 0, Records(CosmosStore.ConversationsContainer, group.Id, ChangeRecordKinds.ConversationChanged).Count);
    }

    [Theory]
    [InlineData(5, true)]
    [InlineData(60, false)]
    public async Task A_read_position_through_a_storm_moves_once_or_answers_a_conflict(int storm, bool moves)
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await GroupAsync(alice, bob);
        var message = (await Store.Messages.AppendAsync(AMessage.From(alice).In(group).Saying("read me").At(Time.At(1)), Ct)).Message!;
        var watermark = new ReadWatermark(message.Id, message.Sequence, Time.At(2));

        StormOn(CosmosStore.ConversationsContainer, group.Id, ParticipantDocument.IdOf(bob), storm);
        if (moves)
        {
            Assert.True((await Store.Conversations.AdvanceWatermarkAsync(group.Id, bob, watermark, Ct)).Moved);
        }
        else
        {
            await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Store.Conversations.AdvanceWatermarkAsync(group.Id, bob, watermark, Ct));
        }

        Database.Faults.Clear();
        Assert.Equal(moves ? watermark : null, (await Store.Conversations.GetAsync(group.Id, Ct))!.FindParticipant(bob)!.Watermark);
        Assert.Equal(moves ? 1 : 0, Records(CosmosStore.ConversationsContainer, group.Id, ChangeRecordKinds.Read).Count);
    }

    [Theory]
    [InlineData(5, true)]
    [InlineData(150, false)]
    public async Task An_edit_through_a_storm_commits_once_or_answers_a_conflict(int storm, bool commits)
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await GroupAsync(alice, bob);
        var message = (await Store.Messages.AppendAsync(AMessage.From(alice).In(group).Saying("draft").At(Time.At(1)), Ct)).Message!;
        var edited = (await Store.Messages.GetAsync(message.Id, Ct))!;
        edited.Edit(alice, "final", Time.At(3), Limits).Ok();

        StormOn(CosmosStore.MessagesContainer, group.Id, message.Id, storm);
        if (commits)
        {
            await Store.Messages.UpdateAsync(edited, Ct);
        }
        else
        {
            await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Store.Messages.UpdateAsync(edited, Ct));
        }

        Database.Faults.Clear();
        Assert.Equal(commits ? "final" : "draft", (await Store.Messages.GetAsync(message.Id, Ct))!.Text);
        Assert.Equal(commits ? 1 : 0, Records(CosmosStore.MessagesContainer, group.Id, ChangeRecordKinds.MessageEdited).Count);
    }
}
