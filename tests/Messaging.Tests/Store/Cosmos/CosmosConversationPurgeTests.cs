using System.Text.Json.Nodes;
using Messaging.Domain.Attachments;
using Messaging.Domain.Conversations;
using Messaging.Domain.Messages;
using Messaging.Functions.Storage.Cosmos;
using Messaging.Tests.Store.Cosmos.Double;
using Messaging.Tests.Support.Builders;

namespace Messaging.Tests.Store.Cosmos;

/// <summary>Deleting a conversation hides it at once; its history is purged in paced, checkpointed pages in the background.</summary>
public sealed class CosmosConversationPurgeTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly ManualClock _clock = new(Time.T0);
    private readonly QueryLog _queries = new();
    private DoubleDatabase _database = null!;
    private CosmosStore _cosmos = null!;
    private CosmosConversationRepository _conversations = null!;
    private CosmosMessageRepository _messages = null!;
    private CosmosAttachmentRepository _attachments = null!;
    private PurgeHarness _purge = null!;

    public Task InitializeAsync()
    {
        var options = new CosmosOptions { Database = "messaging-test" };
        _database = DoubleDatabase.ForStore(options, _clock, _queries);
        _cosmos = new CosmosStore(options, _database);
        _conversations = new CosmosConversationRepository(_cosmos, _clock);
        _messages = new CosmosMessageRepository(_cosmos);
        _attachments = new CosmosAttachmentRepository(_cosmos);
        _purge = new PurgeHarness(_cosmos, _clock);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await IndependentQueryCheck.AssertAgreesAsync(_queries.Queries);

    private async Task<Conversation> GroupWithMessagesAsync(string alice, string bob, int count)
    {
        Conversation group = AGroup.OwnedBy(alice).With([bob]).At(Time.T0);
        await _conversations.AddAsync(group, Ct);
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(AppendStatus.Created, (await _messages.AppendAsync(AMessage.From(i % 2 == 0 ? alice : bob).In(group).Saying($"m{i}").WithClientId($"c{i}").At(Time.At(i + 1)), Ct)).Status);
        }

        return group;
    }

    private IReadOnlyList<JsonObject> DocumentsOfType(string conversationId, params string[] types) =>
        [.. _database.Container(CosmosStore.MessagesContainer).Items.Snapshot(conversationId).Where(d => types.Contains(d["type"]!.GetValue<string>()))];

    private JsonObject? Document(string container, string partitionKey, string id) =>
        _database.Container(container).Items.Snapshot(partitionKey).FirstOrDefault(d => d["id"]!.GetValue<string>() == id);

    [Fact]
    public async Task A_delete_makes_the_same_small_number_of_database_calls_whatever_the_history_size()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var small = await GroupWithMessagesAsync(alice, bob, 2);
        var large = await GroupWithMessagesAsync(alice, bob, 250);

        var before = _database.Calls;
        await _conversations.DeleteAsync(small.Id, Ct);
        var forSmall = _database.Calls - before;
        before = _database.Calls;
        await _conversations.DeleteAsync(large.Id, Ct);
        var forLarge = _database.Calls - before;

        Assert.Equal(forSmall, forLarge);
        Assert.InRange(forLarge, 1, 8);
        Assert.Null(await _conversations.GetAsync(large.Id, Ct));
    }

    [Fact]
    public async Task Sequences_never_restart_while_old_messages_exist_even_when_the_delete_failed_midway()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await GroupWithMessagesAsync(alice, bob, 3);

        // The delete fails after it started: every item delete after the first answers 503.
        _database.Faults.Inject(CosmosOperation.Delete, new CosmosFault.Unavailable(), times: 1000, skip: 1);
        await Assert.ThrowsAnyAsync<Microsoft.Azure.Cosmos.CosmosException>(() => _conversations.DeleteAsync(group.Id, Ct));
        _database.Faults.Clear();
        _clock.Advance(TimeSpan.FromHours(25));

        var late = await _messages.AppendAsync(AMessage.From(alice).In(group).Saying("after a day").At(_clock.Now), Ct);
        var existing = DocumentsOfType(group.Id, DocumentTypes.Message).Select(d => d["sequence"]!.GetValue<long>()).ToList();

        Assert.True(late.Status != AppendStatus.Created || late.Message!.Sequence > 3, $"sequence {late.Message?.Sequence} was handed out next to old messages");
        Assert.Equal(existing.Count, existing.Distinct().Count());
        if (existing.Count > 0)
        {
            Assert.NotNull(Document(CosmosStore.MessagesContainer, group.Id, CosmosIds.CounterId));
        }
    }

    [Fact]
    public async Task The_closed_counter_never_expires_before_the_purge_removed_every_message()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await GroupWithMessagesAsync(alice, bob, 3);

        await _conversations.DeleteAsync(group.Id, Ct);
        _clock.Advance(TimeSpan.FromDays(3));

        var counter = Document(CosmosStore.MessagesContainer, group.Id, CosmosIds.CounterId)!;
        Assert.True(counter["deleted"]!.GetValue<bool>());
        Assert.Equal(3, counter["lastSequence"]!.GetValue<long>());
        Assert.Null(counter["ttl"]);
        Assert.Equal(3, DocumentsOfType(group.Id, DocumentTypes.Message).Count);

        await _purge.RunToEndAsync();

        Assert.Empty(DocumentsOfType(group.Id, DocumentTypes.Message, DocumentTypes.ClientMessage));
        Assert.Equal(CosmosStore.SoftDeleteTtlSeconds, Document(CosmosStore.MessagesContainer, group.Id, CosmosIds.CounterId)!["ttl"]!.GetValue<int>());
        _clock.Advance(TimeSpan.FromSeconds(CosmosStore.SoftDeleteTtlSeconds));
        Assert.Null(Document(CosmosStore.MessagesContainer, group.Id, CosmosIds.CounterId));
        Assert.Null(Document(CosmosStore.ConversationsContainer, group.Id, group.Id));
    }

    [Fact]
    public async Task The_purge_deletes_messages_in_pages_and_the_attachment_files_and_records()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await GroupWithMessagesAsync(alice, bob, 120);
        Attachment sent = AnAttachment.UploadedBy(alice).Named("a.png", "image/png", 10);
        Attachment pending = AnAttachment.UploadedBy(bob).Named("b.png", "image/png", 10).For(group.Id);
        await _attachments.AddAsync(sent, Ct);
        await _attachments.AddAsync(pending, Ct);
        await _messages.AppendAsync(AMessage.From(alice).In(group).Saying("photo").WithAttachments(sent).At(Time.At(500)), Ct);

        await _conversations.DeleteAsync(group.Id, Ct);
        var deletedFiles = await _purge.RunToEndAsync();

        Assert.Equal(new[] { sent.StorageKey, pending.StorageKey }.Order(StringComparer.Ordinal), deletedFiles.Order(StringComparer.Ordinal));
        Assert.Null(await _attachments.GetAsync(sent.Id, Ct));
        Assert.Null(await _attachments.GetAsync(pending.Id, Ct));
        Assert.Empty(DocumentsOfType(group.Id, DocumentTypes.Message, DocumentTypes.ClientMessage));
        var state = Document(CosmosStore.ConversationsContainer, group.Id, group.Id)!["purge"]!;
        Assert.Equal(PurgePhases.Done, state["phase"]!.GetValue<string>());
        Assert.Equal(2 * 120 + 1, state["messagesDeleted"]!.GetValue<long>());
        Assert.Equal(2, state["attachmentsDeleted"]!.GetValue<long>());
        Assert.All(_purge.Waits, wait => Assert.Equal(_purge.Options.Pause, wait));
    }

    [Fact]
    public async Task The_purge_removes_reactions_and_their_counters_too()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await GroupWithMessagesAsync(alice, bob, 2);
        var messages = await _messages.ListAfterAsync(group.Id, 0, 10, Ct);
        var reactions = new CosmosReactionRepository(_cosmos);
        await reactions.AddAsync(messages[0], alice, Reaction.Parse("👍").Value, 20, Time.At(10), Ct);
        await reactions.AddAsync(messages[1], bob, Reaction.Parse("+1").Value, 20, Time.At(11), Ct);
        Assert.Equal(6, DocumentsOfType(group.Id, DocumentTypes.Reaction, DocumentTypes.ReactionKinds, DocumentTypes.ReactionCounter).Count);

        await _conversations.DeleteAsync(group.Id, Ct);
        await _purge.RunToEndAsync();

        Assert.Empty(DocumentsOfType(group.Id, DocumentTypes.Reaction, DocumentTypes.ReactionKinds, DocumentTypes.ReactionCounter));
    }

    [Fact]
    public async Task The_purge_removes_the_locators_of_the_messages_it_deletes()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await GroupWithMessagesAsync(alice, bob, 3);
        var messageIds = DocumentsOfType(group.Id, DocumentTypes.Message).Select(d => d["id"]!.GetValue<string>()).ToList();
        Assert.All(messageIds, id => Assert.NotNull(Document(CosmosStore.ConversationsContainer, MessageLocatorDocument.IdOf(id), MessageLocatorDocument.IdOf(id))));

        await _conversations.DeleteAsync(group.Id, Ct);
        await _purge.RunToEndAsync();

        Assert.All(messageIds, id => Assert.Null(Document(CosmosStore.ConversationsContainer, MessageLocatorDocument.IdOf(id), MessageLocatorDocument.IdOf(id))));
    }

    [Fact]
    public async Task A_purge_interrupted_after_one_page_resumes_from_its_checkpoint_after_a_restart_and_finishes()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await GroupWithMessagesAsync(alice, bob, 125);
        await _conversations.DeleteAsync(group.Id, Ct);

        // The first instance closes, deletes one page, then its process dies on the second page's batch.
        _database.Faults.Inject(CosmosOperation.Batch, new CosmosFault.Cancelled(), skip: 1);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _purge.NewInstance("before-restart").PurgeAsync(group.Id, Ct));
        var checkpoint = Document(CosmosStore.ConversationsContainer, group.Id, group.Id)!["purge"]!;
        Assert.Equal(PurgePhases.Messages, checkpoint["phase"]!.GetValue<string>());
        Assert.Equal(100, checkpoint["messagesDeleted"]!.GetValue<long>());
        Assert.Equal(250 - 100, DocumentsOfType(group.Id, DocumentTypes.Message, DocumentTypes.ClientMessage).Count);

        // After the restart the stopped instance's lease runs out first; then the new instance finishes.
        var restarted = _purge.NewInstance("after-restart");
        Assert.False(await restarted.PurgeAsync(group.Id, Ct));
        _clock.Advance(_purge.Options.Lease + TimeSpan.FromSeconds(1));
        Assert.True(await restarted.PurgeAsync(group.Id, Ct));

        var done = Document(CosmosStore.ConversationsContainer, group.Id, group.Id)!["purge"]!;
        Assert.Equal(PurgePhases.Done, done["phase"]!.GetValue<string>());
        Assert.Equal(250, done["messagesDeleted"]!.GetValue<long>());
        Assert.Empty(DocumentsOfType(group.Id, DocumentTypes.Message, DocumentTypes.ClientMessage));
    }

    [Fact]
    public async Task A_429_during_the_purge_slows_it_down_and_it_still_finishes()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await GroupWithMessagesAsync(alice, bob, 150);
        await _conversations.DeleteAsync(group.Id, Ct);
        var retryAfter = TimeSpan.FromMilliseconds(800);
        _database.Faults.Inject(CosmosOperation.Batch, new CosmosFault.Throttled(retryAfter), times: 2, skip: 1);
        _database.Faults.Inject(CosmosOperation.Query, new CosmosFault.Throttled(retryAfter), times: 1, skip: 4);

        await _purge.RunToEndAsync();

        Assert.Empty(DocumentsOfType(group.Id, DocumentTypes.Message, DocumentTypes.ClientMessage));
        var waits = _purge.Waits;
        Assert.True(waits.Count(w => w >= retryAfter) >= 3, "each 429 waits at least the service's retry interval");
        Assert.Contains(waits, w => w >= 2 * retryAfter);
        Assert.True(waits.Max() <= _purge.Options.MaxPause);

        // After the last 429 the pause only shrinks again, back towards the configured one.
        var afterPeak = waits.Skip(waits.ToList().LastIndexOf(waits.Max())).ToList();
        Assert.Equal(afterPeak.OrderDescending(), afterPeak);
        Assert.True(afterPeak[^1] < retryAfter);
    }

    [Fact]
    public async Task A_send_racing_a_delete_before_its_batch_is_refused_and_nothing_is_left_after_the_purge()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await GroupWithMessagesAsync(alice, bob, 2);

        // The send has read the conversation and the counter; the delete and the whole purge run before its batch.
        _database.Faults.Inject(CosmosOperation.Batch, new CosmosFault.Interleave(async () =>
        {
            await _conversations.DeleteAsync(group.Id, Ct);
            await _purge.RunToEndAsync();
        }));
        var raced = await _messages.AppendAsync(AMessage.From(bob).In(group).Saying("too late").At(Time.At(30)), Ct);

        Assert.Equal(AppendStatus.ConversationMissing, raced.Status);
        Assert.Empty(DocumentsOfType(group.Id, DocumentTypes.Message, DocumentTypes.ClientMessage));
    }

    [Fact]
    public async Task A_first_send_racing_a_delete_never_creates_a_counter_in_a_purged_conversation()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await GroupWithMessagesAsync(alice, bob, 0);

        _database.Faults.Inject(CosmosOperation.Batch, new CosmosFault.Interleave(async () =>
        {
            await _conversations.DeleteAsync(group.Id, Ct);
            await _purge.RunToEndAsync();
        }));
        var raced = await _messages.AppendAsync(AMessage.From(bob).In(group).Saying("first").At(Time.At(30)), Ct);
        _clock.Advance(TimeSpan.FromSeconds(CosmosStore.SoftDeleteTtlSeconds));

        Assert.Equal(AppendStatus.ConversationMissing, raced.Status);
        Assert.DoesNotContain(_database.Container(CosmosStore.MessagesContainer).Items.Snapshot(group.Id), d => d["type"]!.GetValue<string>() != DocumentTypes.Change);
    }

    [Fact]
    public async Task A_send_that_commits_between_the_soft_delete_and_the_counter_close_is_purged_too()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = await GroupWithMessagesAsync(alice, bob, 1);

        // The send has read the live conversation and its counter; the delete soft-deletes it, then the send's batch
        // commits, then the delete closes the counter (its first patch).
        var softDeleted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sendDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task? delete = null;
        _database.Faults.Inject(CosmosOperation.Batch, new CosmosFault.Interleave(async () =>
        {
            delete = _conversations.DeleteAsync(group.Id, Ct);
            await softDeleted.Task;
        }));
        _database.Faults.Inject(CosmosOperation.Patch, new CosmosFault.Interleave(async () =>
        {
            softDeleted.SetResult();
            await sendDone.Task;
        }));
        var raced = await _messages.AppendAsync(AMessage.From(bob).In(group).Saying("just in time").At(Time.At(31)), Ct);
        sendDone.SetResult();
        await delete!;
        await _purge.RunToEndAsync();

        Assert.Equal(AppendStatus.Created, raced.Status);
        Assert.Null(await _conversations.GetAsync(group.Id, Ct));
        Assert.Empty(DocumentsOfType(group.Id, DocumentTypes.Message, DocumentTypes.ClientMessage));
        Assert.Equal(AppendStatus.ConversationMissing, (await _messages.AppendAsync(AMessage.From(bob).In(group).Saying("after").At(Time.At(40)), Ct)).Status);
    }

    [Fact]
    public async Task When_the_request_fails_after_the_soft_delete_the_purger_removes_memberships_and_the_claim()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var (direct, _) = await _conversations.GetOrAddDirectAsync(ADirect.Between(alice, bob), Ct);

        _database.Faults.Inject(CosmosOperation.Patch, new CosmosFault.Unavailable(), times: 1);
        await Assert.ThrowsAnyAsync<Microsoft.Azure.Cosmos.CosmosException>(() => _conversations.DeleteAsync(direct.Id, Ct));
        Assert.Null(await _conversations.GetAsync(direct.Id, Ct));

        await _purge.RunToEndAsync();

        Assert.Empty(await _conversations.ListMembershipsAsync(alice, Ct));
        Assert.Empty(await _conversations.ListMembershipsAsync(bob, Ct));
        var (again, created) = await _conversations.GetOrAddDirectAsync(ADirect.Between(bob, alice), Ct);
        Assert.True(created);
        Assert.NotEqual(direct.Id, again.Id);
    }

    [Fact]
    public async Task The_purge_of_an_old_direct_conversation_leaves_the_claim_of_the_new_one_alone()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var (old, _) = await _conversations.GetOrAddDirectAsync(ADirect.Between(alice, bob), Ct);
        await _conversations.DeleteAsync(old.Id, Ct);
        var (started, created) = await _conversations.GetOrAddDirectAsync(ADirect.Between(alice, bob), Ct);
        Assert.True(created);

        await _purge.RunToEndAsync();

        var (found, createdAgain) = await _conversations.GetOrAddDirectAsync(ADirect.Between(bob, alice), Ct);
        Assert.False(createdAgain);
        Assert.Equal(started.Id, found.Id);
    }
}
