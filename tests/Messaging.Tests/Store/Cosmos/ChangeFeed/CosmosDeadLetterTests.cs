using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Messaging.Domain.Application;
using Messaging.Domain.Common;
using Messaging.Domain.Realtime;
using Messaging.Functions.Realtime.SignalRService;
using Messaging.Functions.Storage.Cosmos;
using Messaging.Functions.Storage.Files;
using Messaging.Tests.Store.Cosmos.Double;
using Messaging.Tests.Support;
using Messaging.Tests.Support.Builders;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging.Abstractions;

namespace Messaging.Tests.Store.Cosmos.ChangeFeed;

/// <summary>
/// Poison records of the change feed go to dead letters in the lease container and the batch goes
/// on (it returns, so the processor checkpoints it); transient fan-out failures are retried first.
/// </summary>
public sealed class CosmosDeadLetterTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly CosmosOptions Options = new()
    {
        FanOutRetryInitialDelay = TimeSpan.FromMilliseconds(20),
        FanOutRetryBudget = TimeSpan.FromSeconds(5),
        DeadLetterTimeToLive = TimeSpan.FromHours(6),
    };

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "messaging-cosmos-deadletters", Guid.NewGuid().ToString("N"));
    private readonly FailingPublisher _publisher = new();
    private readonly ListLogger _logger = new();
    private StoreUnderTest _store = null!;
    private DoubleDatabase _database = null!;
    private ChangeFanOut _fanOut = null!;

    public Task InitializeAsync()
    {
        _store = CosmosTestStore.OnDouble(out _database);
        var content = new FileSystemContentStore(_folder, new DownloadUrlSigner(_folder, TimeProvider.System, TimeSpan.FromMinutes(15)), NullLogger<FileSystemContentStore>.Instance);
        var mapper = new ResourceMapper(content);
        var service = new ConversationService(_store.Conversations, _store.Messages, content, mapper, TimeProvider.System, new MessagingLimits());
        _fanOut = new ChangeFanOut(_store.Conversations, _store.Messages, _store.Reactions, service, mapper, _publisher);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        TemporaryFolder.DeleteQuietly(_folder);
    }

    private CosmosChangeBatchHandler Handler(CosmosOptions? options = null)
    {
        options ??= Options;
        var deadLetters = new CosmosDeadLetters(_database.GetContainer("leases"), options.DeadLetterTimeToLive, TimeProvider.System);
        return new CosmosChangeBatchHandler(new CosmosChangeMapper(), _fanOut, deadLetters, options, TimeProvider.System, _logger);
    }

    private IReadOnlyList<JsonElement> ConversationsFeed() =>
        _database.Container(CosmosStore.ConversationsContainer).ReadChangeFeed(0).Documents;

    private List<JsonObject> DeadLetters() =>
        [.. _database.Container("leases").Items.ReadChangeFeed(0).Items.Where(i => i["id"]!.GetValue<string>().StartsWith(CosmosDeadLetters.IdPrefix, StringComparison.Ordinal))];

    private async Task<string> AGroupAsync()
    {
        var owner = Some.User("owner");
        var group = AGroup.OwnedBy(owner).With([Some.User("member")]).At(Time.T0).Build();
        await _store.Conversations.AddAsync(group, Ct);
        return group.Id;
    }

    private async Task WriteRawConversationAsync(string json, string id)
    {
        using var body = new MemoryStream(Encoding.UTF8.GetBytes(json));
        using var response = await _database.GetContainer(CosmosStore.ConversationsContainer).CreateItemStreamAsync(body, new PartitionKey(id));
        Assert.True(response.IsSuccessStatusCode, response.ErrorMessage);
    }

    [Fact]
    public async Task A_document_the_mapper_throws_on_is_dead_lettered_and_the_rest_of_the_batch_is_announced()
    {
        await WriteRawConversationAsync("""{"id":"bad-1","type":"change","pk":"bad-1","conversationId":"bad-1","kind":"conversationChanged","added":"not a list"}""", "bad-1");
        var good = await AGroupAsync();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        await Handler().HandleConversationsAsync("7", ConversationsFeed(), Ct);

        Assert.Contains((EventNames.ConversationCreated, good), _publisher.Sent);
        var letter = Assert.Single(DeadLetters());
        Assert.StartsWith("deadletter.conversations.", letter["id"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("changeFeedDeadLetter", letter["type"]!.GetValue<string>());
        Assert.Equal("7", letter["leaseToken"]!.GetValue<string>());
        Assert.Equal("conversations", letter["container"]!.GetValue<string>());
        Assert.Equal("bad-1", letter["documentId"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(letter["documentLsn"]!.GetValue<string>()));
        Assert.Equal("Mapping", letter["stage"]!.GetValue<string>());
        Assert.Equal(typeof(JsonException).FullName, letter["errorType"]!.GetValue<string>());
        Assert.InRange(letter["at"]!.GetValue<long>(), before, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Assert.Equal(6 * 3600, letter["ttl"]!.GetValue<int>());
        Assert.Contains(_logger.Entries, e => e.Id.Id == 323 && e.Message.Contains("bad-1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_batch_delivered_again_rewrites_the_same_dead_letter()
    {
        await WriteRawConversationAsync("""{"id":"bad-2","type":"change","pk":"bad-2","conversationId":"bad-2","kind":"conversationChanged","added":7}""", "bad-2");

        await Handler().HandleConversationsAsync("0", ConversationsFeed(), Ct);
        await Handler().HandleConversationsAsync("0", ConversationsFeed(), Ct);

        Assert.Single(DeadLetters());
    }

    [Fact]
    public async Task A_change_the_fan_out_fails_on_deterministically_is_dead_lettered_at_once_and_the_others_are_announced()
    {
        var poisoned = await AGroupAsync();
        var fine = await AGroupAsync();
        _publisher.FailFor[poisoned] = () => new InvalidOperationException("cannot render this conversation");

        await Handler().HandleConversationsAsync("3", ConversationsFeed(), Ct);

        Assert.Contains((EventNames.ConversationCreated, fine), _publisher.Sent);
        var letter = Assert.Single(DeadLetters());
        Assert.Equal("FanOut", letter["stage"]!.GetValue<string>());
        var poisonedRecord = ConversationsFeed().Single(d => d.GetProperty("type").GetString() == "change" && d.GetProperty("conversationId").GetString() == poisoned);
        Assert.Equal(poisonedRecord.GetProperty("id").GetString(), letter["documentId"]!.GetValue<string>());
        Assert.Equal(nameof(ConversationCreated), letter["changeKind"]!.GetValue<string>());
        Assert.Equal(typeof(InvalidOperationException).FullName, letter["errorType"]!.GetValue<string>());
        Assert.DoesNotContain(_logger.Entries, e => e.Id.Id == 324);
    }

    [Fact]
    public async Task A_transient_fan_out_failure_is_retried_until_the_dependency_answers_and_nothing_is_dead_lettered()
    {
        var group = await AGroupAsync();
        var failures = 0;
        _publisher.FailFor[group] = () => Interlocked.Increment(ref failures) <= ChangeFanOut.MaxAttempts + 1
            ? new SignalRServiceException("Azure SignalR Service answered 503.", HttpStatusCode.ServiceUnavailable)
            : null;

        await Handler().HandleConversationsAsync("0", ConversationsFeed(), Ct);

        Assert.Contains((EventNames.ConversationCreated, group), _publisher.Sent);
        Assert.Empty(DeadLetters());
        Assert.Contains(_logger.Entries, e => e.Id.Id == 324 && e.Message.Contains(group, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_transient_failure_that_outlasts_the_retry_budget_is_dead_lettered_and_the_batch_completes()
    {
        var group = await AGroupAsync();
        _publisher.FailFor[group] = () => new SignalRServiceException("Azure SignalR Service answered 503.", HttpStatusCode.ServiceUnavailable);
        var shortBudget = new CosmosOptions { FanOutRetryInitialDelay = TimeSpan.FromMilliseconds(20), FanOutRetryBudget = TimeSpan.FromMilliseconds(200) };

        await Handler(shortBudget).HandleConversationsAsync("0", ConversationsFeed(), Ct).WaitAsync(TimeSpan.FromSeconds(20));

        var letter = Assert.Single(DeadLetters());
        Assert.Equal("FanOutRetriesExhausted", letter["stage"]!.GetValue<string>());
        Assert.Equal(typeof(SignalRServiceException).FullName, letter["errorType"]!.GetValue<string>());
    }

    [Fact]
    public async Task When_the_dead_letter_cannot_be_written_the_batch_fails_so_it_is_not_checkpointed()
    {
        await WriteRawConversationAsync("""{"id":"bad-3","type":"change","pk":"bad-3","conversationId":"bad-3","kind":"conversationChanged","added":"x"}""", "bad-3");
        _database.Faults.Inject(CosmosOperation.Upsert, new CosmosFault.Unavailable());

        var failure = await Assert.ThrowsAsync<CosmosException>(() => Handler().HandleConversationsAsync("0", ConversationsFeed(), Ct));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failure.StatusCode);
        Assert.Empty(DeadLetters());
    }

    [Fact]
    public async Task A_batch_that_failed_on_a_dead_letter_write_announces_its_earlier_changes_when_delivered_again()
    {
        var group = await AGroupAsync();
        await WriteRawConversationAsync("""{"id":"bad-4","type":"change","pk":"bad-4","conversationId":"bad-4","kind":"conversationChanged","added":"x"}""", "bad-4");
        var handler = Handler();
        _database.Faults.Inject(CosmosOperation.Upsert, new CosmosFault.Unavailable());
        await Assert.ThrowsAsync<CosmosException>(() => handler.HandleConversationsAsync("0", ConversationsFeed(), Ct));

        await handler.HandleConversationsAsync("0", ConversationsFeed(), Ct);

        Assert.Contains((EventNames.ConversationCreated, group), _publisher.Sent);
        Assert.Single(DeadLetters());
    }

    [Fact]
    public async Task A_batch_cancelled_by_another_conversations_failure_announces_every_change_when_delivered_again()
    {
        var poisoned = await AGroupAsync();
        var others = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            others.Add(await AGroupAsync());
        }

        _publisher.FailFor[poisoned] = () => new InvalidOperationException("cannot render this conversation");
        _publisher.SendDelay = TimeSpan.FromSeconds(30);
        var handler = Handler();
        _database.Faults.Inject(CosmosOperation.Upsert, new CosmosFault.Unavailable());
        await Assert.ThrowsAsync<CosmosException>(() => handler.HandleConversationsAsync("0", ConversationsFeed(), Ct)).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Empty(_publisher.Sent);
        _publisher.SendDelay = TimeSpan.Zero;

        await handler.HandleConversationsAsync("0", ConversationsFeed(), Ct);

        Assert.All(others, id => Assert.Contains((EventNames.ConversationCreated, id), _publisher.Sent));
    }

    [Fact]
    public async Task A_batch_delivered_again_after_it_completed_announces_nothing_twice()
    {
        var group = await AGroupAsync();
        var handler = Handler();

        await handler.HandleConversationsAsync("0", ConversationsFeed(), Ct);
        await handler.HandleConversationsAsync("0", ConversationsFeed(), Ct);

        Assert.Single(_publisher.Sent, sent => sent == (EventNames.ConversationCreated, group));
    }

    /// <summary>Records what is sent; throws what <see cref="FailFor"/> returns for a conversation (null: send).</summary>
    private sealed class FailingPublisher : IRealtimePublisher
    {
        public Dictionary<string, Func<Exception?>> FailFor { get; } = new(StringComparer.Ordinal);

        public System.Collections.Concurrent.ConcurrentQueue<(string Event, string ConversationId)> Sent { get; } = new();

        /// <summary>How long each send that succeeds takes (cut short by cancellation, which fails the send).</summary>
        public TimeSpan SendDelay { get; set; }

        public Task SendToConversationAsync(ConversationAudience audience, string eventName, object payload, CancellationToken cancellationToken) =>
            Send(eventName, audience.ConversationId, cancellationToken);

        public Task SendToUsersAsync(IReadOnlyCollection<string> userIds, string eventName, object payload, CancellationToken cancellationToken) =>
            Send(eventName, JsonSerializer.SerializeToElement(payload, payload.GetType(), JsonSerializerOptions.Web) is { ValueKind: JsonValueKind.Object } p
                && p.TryGetProperty("id", out var id) ? id.GetString()! : "", cancellationToken);

        public Task JoinConversationAsync(ConversationAudience audience, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task LeaveConversationAsync(ConversationAudience audience, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) => Task.CompletedTask;

        private async Task Send(string eventName, string conversationId, CancellationToken cancellationToken)
        {
            if (FailFor.TryGetValue(conversationId, out var fail) && fail() is { } exception)
            {
                throw exception;
            }

            if (SendDelay > TimeSpan.Zero)
            {
                await Task.Delay(SendDelay, cancellationToken);
            }

            Sent.Enqueue((eventName, conversationId));
        }
    }
}
