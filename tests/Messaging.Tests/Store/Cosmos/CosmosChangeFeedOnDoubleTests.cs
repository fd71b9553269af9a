using System.Collections.Concurrent;
using Messaging.Domain.Application;
using Messaging.Domain.Common;
using Messaging.Domain.Conversations;
using Messaging.Domain.Realtime;
using Messaging.Functions.Storage.Cosmos;
using Messaging.Functions.Storage.Files;
using Messaging.Tests.Store.Cosmos.Double;
using Messaging.Tests.Support;
using Messaging.Tests.Support.Builders;
using Microsoft.Extensions.Logging.Abstractions;

namespace Messaging.Tests.Store.Cosmos;

/// <summary>
/// The change feed path end to end on the double: adapter writes → latest-version feed (read late,
/// so versions coalesce) → <see cref="CosmosChangeBatchHandler"/> → fan-out → published events.
/// </summary>
public sealed class CosmosChangeFeedOnDoubleTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "messaging-cosmos-feed", Guid.NewGuid().ToString("N"));
    private readonly RecordingPublisher _publisher = new();
    private readonly ManualClock _clock = new(Time.T0);
    private StoreUnderTest _store = null!;
    private DoubleDatabase _database = null!;
    private CosmosChangeBatchHandler _handler = null!;
    private long _conversationsPosition;
    private long _messagesPosition;

    public Task InitializeAsync()
    {
        _store = CosmosTestStore.OnDouble(out _database, _clock);
        var content = new FileSystemContentStore(_folder, new DownloadUrlSigner(_folder, TimeProvider.System, TimeSpan.FromMinutes(15)), NullLogger<FileSystemContentStore>.Instance);
        var mapper = new ResourceMapper(content, _store.Reactions);
        var service = new ConversationService(_store.Conversations, _store.Messages, content, mapper, TimeProvider.System, new MessagingLimits());
        var fanOut = new ChangeFanOut(_store.Conversations, _store.Messages, _store.Reactions, service, mapper, _publisher);
        _handler = new CosmosChangeBatchHandler(new CosmosChangeMapper(), fanOut, NullLogger.Instance);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        TemporaryFolder.DeleteQuietly(_folder);
    }

    private async Task DrainAsync()
    {
        var (conversations, c) = _database.Container(CosmosStore.ConversationsContainer).ReadChangeFeed(_conversationsPosition);
        await _handler.HandleConversationsAsync("0", conversations, Ct);
        var (messages, m) = _database.Container(CosmosStore.MessagesContainer).ReadChangeFeed(_messagesPosition);
        await _handler.HandleMessagesAsync("0", messages, Ct);
        (_conversationsPosition, _messagesPosition) = (c, m);
    }

    [Fact]
    public async Task Messages_written_before_the_feed_is_read_are_announced_once_each_in_sequence_order()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = AGroup.OwnedBy(alice).With([bob]).At(Time.T0).Build();
        await _store.Conversations.AddAsync(group, Ct);
        await DrainAsync();
        _publisher.Queue.Clear();

        for (var i = 1; i <= 3; i++)
        {
            await _store.Messages.AppendAsync(AMessage.From(alice).In(group).Saying("m" + i).At(Time.At(i)), Ct);
        }

        // The counter was rewritten three times; the feed shows its newest version once and it announces nothing.
        await DrainAsync();
        await DrainAsync();

        Assert.Equal(["message.created:1", "message.created:2", "message.created:3"], _publisher.Events.Where(e => e.StartsWith("message.", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Reactions_come_from_their_change_records_in_commit_order_with_the_count_after_each_change()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = AGroup.OwnedBy(alice).With([bob]).At(Time.T0).Build();
        await _store.Conversations.AddAsync(group, Ct);
        var message = AMessage.From(alice).In(group).Saying("hi").At(Time.At(1)).Build();
        await _store.Messages.AppendAsync(message, Ct);
        await DrainAsync();
        _publisher.Queue.Clear();
        var thumbs = Messaging.Domain.Messages.Reaction.Parse("👍🏽").Value;

        await _store.Reactions.AddAsync(message, alice, thumbs, 20, Time.At(2), Ct);
        await _store.Reactions.AddAsync(message, bob, thumbs, 20, Time.At(3), Ct);
        await _store.Reactions.AddAsync(message, bob, thumbs, 20, Time.At(4), Ct);
        await _store.Reactions.RemoveAsync(message, alice, thumbs, Time.At(5), Ct);
        await _store.Reactions.RemoveAsync(message, alice, thumbs, Time.At(6), Ct);
        Assert.True(message.Edit(alice, "hi!", Time.At(7), new MessagingLimits()).IsSuccess);
        await _store.Messages.UpdateAsync(message, Ct);

        // Read once, late: the counters document shows only its newest version, the records each change.
        await DrainAsync();

        Assert.Equal(
            [$"reaction.added:{alice}:👍🏽:1", $"reaction.added:{bob}:👍🏽:2", $"reaction.removed:{alice}:👍🏽:1", "message.updated:👍🏽=1:True"],
            _publisher.Events);
    }

    [Fact]
    public async Task Simultaneous_reactions_of_one_kind_are_each_announced_and_the_last_event_carries_the_final_count()
    {
        var alice = Some.User("alice");
        var voters = Enumerable.Range(0, 12).Select(_ => Some.User("v")).ToList();
        var group = AGroup.OwnedBy(alice).With([.. voters]).At(Time.T0).Build();
        await _store.Conversations.AddAsync(group, Ct);
        var message = AMessage.From(alice).In(group).Saying("vote").At(Time.At(1)).Build();
        await _store.Messages.AppendAsync(message, Ct);
        await DrainAsync();
        _publisher.Queue.Clear();
        var thumbs = Messaging.Domain.Messages.Reaction.Parse("👍").Value;

        // Under contention some records are committed without their count; the fan-out reads it when it sends them.
        await Task.WhenAll(voters.Select(v => Task.Run(() => _store.Reactions.AddAsync(message, v, thumbs, 20, Time.At(2), Ct))));
        await DrainAsync();

        var added = _publisher.Events.Where(e => e.StartsWith("reaction.added:", StringComparison.Ordinal)).ToList();
        Assert.Equal(voters.Order(StringComparer.Ordinal), added.Select(e => e.Split(':')[1]).Order(StringComparer.Ordinal));
        Assert.EndsWith(":👍:12", added[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_join_and_a_rename_a_minute_later_read_by_a_lagging_feed_are_both_announced()
    {
        var (alice, bob, dave) = (Some.User("alice"), Some.User("bob"), Some.User("dave"));
        var group = AGroup.OwnedBy(alice).With([bob]).At(Time.T0).Build();
        await _store.Conversations.AddAsync(group, Ct);
        await DrainAsync();
        _publisher.Queue.Clear();

        var stored = (await _store.Conversations.GetAsync(group.Id, Ct))!;
        Assert.True(stored.AddParticipant(alice, dave, _clock.GetUtcNow(), new MessagingLimits()).IsSuccess);
        await _store.Conversations.UpdateAsync(stored, Ct);
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(stored.Rename(alice, "renamed", _clock.GetUtcNow(), new MessagingLimits()).IsSuccess);
        await _store.Conversations.UpdateAsync(stored, Ct);

        // The feed shows the conversation document once, in its newest version; the join is in a record of its own.
        await DrainAsync();

        Assert.Equal([$"join:{dave}", "conversation.updated", "conversation.updated"], _publisher.Events);
    }

    [Fact]
    public async Task Read_receipts_of_two_users_and_a_removal_are_announced_in_commit_order_when_the_feed_lags()
    {
        var (alice, bob, carol) = (Some.User("alice"), Some.User("bob"), Some.User("carol"));
        var group = AGroup.OwnedBy(alice).With([bob, carol]).At(Time.T0).Build();
        await _store.Conversations.AddAsync(group, Ct);
        var message = AMessage.From(alice).In(group).Saying("hi").At(Time.At(1)).Build();
        await _store.Messages.AppendAsync(message, Ct);
        await DrainAsync();
        _publisher.Queue.Clear();

        var watermark = new ReadWatermark(message.Id, message.Sequence, Time.At(2));
        Assert.True((await _store.Conversations.AdvanceWatermarkAsync(group.Id, bob, watermark, Ct)).Moved);
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.True((await _store.Conversations.AdvanceWatermarkAsync(group.Id, carol, watermark, Ct)).Moved);
        var stored = (await _store.Conversations.GetAsync(group.Id, Ct))!;
        Assert.True(stored.RemoveParticipant(alice, carol, _clock.GetUtcNow()).IsSuccess);
        await _store.Conversations.UpdateAsync(stored, Ct);

        await DrainAsync();

        // Carol's receipt is read after her removal: it is not published to a conversation she has left.
        Assert.Equal(["message.read", "conversation.deleted", "conversation.updated"], _publisher.Events.Where(e => !e.StartsWith("join:", StringComparison.Ordinal)));
    }

    private sealed class RecordingPublisher : IRealtimePublisher
    {
        public ConcurrentQueue<string> Queue { get; } = new();

        public List<string> Events => [.. Queue];

        public Task SendToConversationAsync(ConversationAudience audience, string eventName, object payload, CancellationToken cancellationToken)
        {
            Queue.Enqueue(payload switch
            {
                ReactionEvent reaction => $"{eventName}:{reaction.UserId}:{reaction.Reaction}:{reaction.Count}",
                MessageResource message when eventName == EventNames.MessageUpdated =>
                    $"{eventName}:{string.Join(",", message.Reactions.Select(r => $"{r.Reaction}={r.Count}"))}:{message.MyReactions is null}",
                _ when eventName == EventNames.MessageCreated =>
                    $"{eventName}:{System.Text.Json.JsonSerializer.SerializeToElement(payload, payload.GetType(), System.Text.Json.JsonSerializerOptions.Web).GetProperty("sequence")}",
                _ => eventName,
            });
            return Task.CompletedTask;
        }

        public Task SendToUsersAsync(IReadOnlyCollection<string> userIds, string eventName, object payload, CancellationToken cancellationToken)
        {
            Queue.Enqueue(eventName);
            return Task.CompletedTask;
        }

        public Task JoinConversationAsync(ConversationAudience audience, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken)
        {
            Queue.Enqueue($"join:{string.Join(",", userIds)}");
            return Task.CompletedTask;
        }

        public Task LeaveConversationAsync(ConversationAudience audience, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
