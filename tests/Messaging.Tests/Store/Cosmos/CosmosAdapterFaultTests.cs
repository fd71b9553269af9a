using Messaging.Domain.Application;
using Messaging.Domain.Common;
using Messaging.Domain.Messages;
using Messaging.Functions.Storage.Files;
using Messaging.Tests.Store.Cosmos.Double;
using Messaging.Tests.Support;
using Messaging.Tests.Support.Builders;
using Microsoft.Extensions.Logging.Abstractions;

namespace Messaging.Tests.Store.Cosmos;

/// <summary>The Cosmos adapter under races and faults the double makes deterministic (issue 12 review).</summary>
public sealed class CosmosAdapterFaultTests : CosmosDoubleTest
{
    private static readonly MessagingLimits Limits = new();

    private async Task<Message> SendAsync(string alice, string bob)
    {
        var group = AGroup.OwnedBy(alice).With([bob]).At(Time.T0).Build();
        await Store.Conversations.AddAsync(group, Ct);
        var outcome = await Store.Messages.AppendAsync(AMessage.From(alice).In(group).Saying("hello").At(Time.At(1)), Ct);
        return outcome.Message!;
    }

    [Fact]
    public async Task An_edit_racing_a_delete_does_not_bring_the_text_back()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var sent = await SendAsync(alice, bob);
        var edit = (await Store.Messages.GetAsync(sent.Id, Ct))!;
        var delete = (await Store.Messages.GetAsync(sent.Id, Ct))!;
        edit.Edit(alice, "edited", Time.At(20), Limits).Ok();
        delete.Delete(alice, actorIsOwner: true, Time.At(21)).Ok();

        // The edit has read the message; the delete commits before the edit writes.
        Database.Faults.Inject(CosmosOperation.Batch, new CosmosFault.Interleave(() => Store.Messages.UpdateAsync(delete, Ct)));
        var status = await Store.Messages.UpdateAsync(edit, Ct);

        Assert.Equal(UpdateStatus.AlreadyDeleted, status);
        var stored = await Store.Messages.GetAsync(sent.Id, Ct);
        Assert.NotNull(stored!.DeletedAt);
        Assert.NotEqual("edited", stored.Text);
    }

    [Fact]
    public async Task An_edit_through_the_service_that_loses_to_a_delete_is_a_conflict_not_a_silent_success()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var sent = await SendAsync(alice, bob);
        var delete = (await Store.Messages.GetAsync(sent.Id, Ct))!;
        delete.Delete(alice, actorIsOwner: true, Time.At(21)).Ok();
        var folder = Path.Combine(Path.GetTempPath(), "messaging-cosmos-edit-race", Guid.NewGuid().ToString("N"));
        var content = new FileSystemContentStore(folder, new DownloadUrlSigner(folder, TimeProvider.System, TimeSpan.FromMinutes(15)), NullLogger<FileSystemContentStore>.Instance);
        var mapper = new ResourceMapper(content);
        var conversations = new ConversationService(Store.Conversations, Store.Messages, content, mapper, TimeProvider.System, Limits);
        using var rateLimiter = new UserRateLimiter(Limits);
        var service = new MessageService(
            Store.Conversations, Store.Messages, Store.Attachments, content, conversations, mapper, TimeProvider.System, Limits, rateLimiter);

        // The edit has found the message; the delete commits before the edit's batch.
        Database.Faults.Inject(CosmosOperation.Batch, new CosmosFault.Interleave(() => Store.Messages.UpdateAsync(delete, Ct)));
        var edited = await service.EditAsync(alice, sent.Id, "edited", Ct);

        Assert.Equal(ErrorKind.Conflict, edited.Error?.Kind);
        Assert.Equal("", (await Store.Messages.GetAsync(sent.Id, Ct))!.Text);
        TemporaryFolder.DeleteQuietly(folder);
    }

    [Fact]
    public async Task A_send_that_committed_is_reported_created_when_the_activity_patches_fail()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = AGroup.OwnedBy(alice).With([bob]).At(Time.T0).Build();
        await Store.Conversations.AddAsync(group, Ct);
        Database.Faults.Inject(CosmosOperation.Patch, new CosmosFault.Unavailable(), times: 3);

        var outcome = await Store.Messages.AppendAsync(AMessage.From(alice).In(group).Saying("hello").At(Time.At(1)), Ct);

        Assert.Equal(AppendStatus.Created, outcome.Status);
        Assert.Equal(1, outcome.Message!.Sequence);
        Assert.Equal(outcome.Message.Id, (await Store.Messages.GetLatestAsync(group.Id, Ct))!.Id);
    }

    [Fact]
    public async Task A_send_that_fails_before_its_batch_releases_the_attachments_it_claimed()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = AGroup.OwnedBy(alice).With([bob]).At(Time.T0).Build();
        await Store.Conversations.AddAsync(group, Ct);
        Messaging.Domain.Attachments.Attachment photo = AnAttachment.UploadedBy(alice).Named("a.png", "image/png", 10).At(Time.T0);
        await Store.Attachments.AddAsync(photo, Ct);

        // Reads: the conversation, the attachment (then its claim is written), then the counter, which fails.
        Database.Faults.Inject(CosmosOperation.Read, new CosmosFault.Unavailable(), skip: 2);
        await Assert.ThrowsAnyAsync<Microsoft.Azure.Cosmos.CosmosException>(
            () => Store.Messages.AppendAsync(AMessage.From(alice).In(group).Saying("hi").At(Time.At(1)).WithAttachments(photo), Ct));

        Assert.Null((await Store.Attachments.GetAsync(photo.Id, Ct))!.MessageId);
    }
}
