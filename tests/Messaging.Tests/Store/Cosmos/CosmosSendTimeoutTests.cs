using Messaging.Domain.Attachments;
using Messaging.Domain.Conversations;
using Messaging.Domain.Messages;
using Messaging.Functions.Storage.Cosmos;
using Messaging.Tests.Store.Cosmos.Double;
using Messaging.Tests.Support.Builders;

namespace Messaging.Tests.Store.Cosmos;

/// <summary>Timeouts and cancellations during a send: an acknowledged send is never lost or duplicated, a failed one leaves nothing behind.</summary>
public sealed class CosmosSendTimeoutTests : CosmosDoubleTest
{
    private async Task<(Conversation Group, Attachment Photo, string Alice)> GroupWithUploadAsync()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        Conversation group = AGroup.OwnedBy(alice).With([bob]).At(Time.T0);
        await Store.Conversations.AddAsync(group, Ct);
        Attachment photo = AnAttachment.UploadedBy(alice).Named("a.png", "image/png", 10).At(Time.T0);
        await Store.Attachments.AddAsync(photo, Ct);
        return (group, photo, alice);
    }

    private bool HasCounter(string conversationId) =>
        Database.Container(CosmosStore.MessagesContainer).Items.Snapshot(conversationId).Any(d => d["id"]!.GetValue<string>() == CosmosIds.CounterId);

    [Fact]
    public async Task A_send_whose_batch_times_out_before_committing_leaves_no_message_claim_or_counter()
    {
        var (group, photo, alice) = await GroupWithUploadAsync();
        Database.Faults.Inject(CosmosOperation.Batch, new CosmosFault.Hang());
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Store.Messages.AppendAsync(AMessage.From(alice).In(group).Saying("hi").WithClientId("c1").WithAttachments(photo).At(Time.At(1)), timeout.Token));

        Assert.Null(await Store.Messages.GetLatestAsync(group.Id, Ct));
        Assert.Null(await Store.Messages.FindByClientMessageIdAsync(group.Id, alice, "c1", Ct));
        Assert.Null((await Store.Attachments.GetAsync(photo.Id, Ct))!.MessageId);
        Assert.False(HasCounter(group.Id));
    }

    [Theory]
    [InlineData(CosmosOperation.Read, 2)]
    [InlineData(CosmosOperation.Replace, 0)]
    public async Task A_send_cancelled_before_its_batch_leaves_no_claim_or_counter(CosmosOperation cancelledAt, int skip)
    {
        var (group, photo, alice) = await GroupWithUploadAsync();
        Database.Faults.Inject(cancelledAt, new CosmosFault.Cancelled(), skip: skip);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Store.Messages.AppendAsync(AMessage.From(alice).In(group).Saying("hi").WithAttachments(photo).At(Time.At(1)), Ct));

        Assert.Null(await Store.Messages.GetLatestAsync(group.Id, Ct));
        Assert.Null((await Store.Attachments.GetAsync(photo.Id, Ct))!.MessageId);
        Assert.False(HasCounter(group.Id));
    }

    [Fact]
    public async Task A_retry_after_a_timeout_whose_batch_committed_returns_the_original_and_keeps_its_attachment()
    {
        var (group, photo, alice) = await GroupWithUploadAsync();
        Message first = AMessage.From(alice).In(group).Saying("hi").WithClientId("c1").WithAttachments(photo).At(Time.At(1));
        Database.Faults.Inject(CosmosOperation.Batch, new CosmosFault.LostResponse());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.Messages.AppendAsync(first, Ct));
        var retried = await Store.Messages.AppendAsync(AMessage.From(alice).In(group).Saying("hi").WithClientId("c1").WithAttachments(photo).At(Time.At(2)), Ct);

        Assert.Equal(AppendStatus.Duplicate, retried.Status);
        Assert.Equal(first.Id, retried.Message!.Id);
        Assert.Equal(1, retried.Message.Sequence);
        Assert.Single(await Store.Messages.ListAfterAsync(group.Id, 0, 10, Ct));
        Assert.Equal(first.Id, (await Store.Attachments.GetAsync(photo.Id, Ct))!.MessageId);
    }

    [Fact]
    public async Task An_acknowledged_send_survives_a_timeout_of_the_activity_patches_after_it()
    {
        var (group, _, alice) = await GroupWithUploadAsync();
        Database.Faults.Inject(CosmosOperation.Patch, new CosmosFault.Hang(), times: 3);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var sent = await Store.Messages.AppendAsync(AMessage.From(alice).In(group).Saying("hi").WithClientId("c1").At(Time.At(1)), timeout.Token);
        Database.Faults.Clear();
        var again = await Store.Messages.AppendAsync(AMessage.From(alice).In(group).Saying("hi").WithClientId("c1").At(Time.At(2)), Ct);

        Assert.Equal(AppendStatus.Created, sent.Status);
        Assert.Equal(AppendStatus.Duplicate, again.Status);
        Assert.Equal(sent.Message!.Id, again.Message!.Id);
        Assert.Single(await Store.Messages.ListAfterAsync(group.Id, 0, 10, Ct));
    }
}
