using Messaging.Domain.Application;
using Messaging.Domain.Common;
using Messaging.Domain.Realtime;
using Messaging.Functions.Storage.Files;
using Messaging.Tests.Store;
using Messaging.Tests.Store.Cosmos.Double;
using Messaging.Tests.Support;
using Messaging.Tests.Support.Builders;
using Microsoft.Extensions.Logging.Abstractions;

namespace Messaging.Tests.Realtime;

/// <summary>
/// A membership change has several audiences (the group, who joined, who left). One that the
/// service refuses does not cost the others their event: every step is tried, then the failure
/// is reported so the change is retried.
/// </summary>
public sealed class ChangeFanOutFailureTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "messaging-fanout-failures", Guid.NewGuid().ToString("N"));
    private readonly RefusingPublisher _publisher = new();
    private StoreUnderTest _store = null!;
    private ChangeFanOut _fanOut = null!;

    public Task InitializeAsync()
    {
        _store = CosmosTestStore.OnDouble(out DoubleDatabase _);
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

    [Fact]
    public async Task A_refused_conversation_deleted_to_the_removed_user_does_not_keep_the_update_from_the_group_or_the_join_from_the_newcomer()
    {
        var (owner, bob, dave) = (Some.User("owner"), Some.User("bob"), Some.User("dave"));
        var group = AGroup.OwnedBy(owner).With([bob]).At(Time.T0).Build();
        await _store.Conversations.AddAsync(group, Ct);
        var changed = (await _store.Conversations.GetAsync(group.Id, Ct))!;
        changed.RemoveParticipant(owner, bob, Time.At(1)).Ok();
        changed.AddParticipant(owner, dave, Time.At(1), new MessagingLimits()).Ok();
        await _store.Conversations.UpdateAsync(changed, Ct);
        _publisher.RefuseSendsToUsers = true;

        await Assert.ThrowsAnyAsync<Exception>(() => _fanOut.HandleAsync(new ConversationChanged(group.Id, [dave], [bob]), Ct));

        Assert.Contains(dave, _publisher.Joined);
        Assert.Contains(EventNames.ConversationUpdated, _publisher.SentToGroup);
        Assert.Contains(bob, _publisher.Left);
    }

    private sealed class RefusingPublisher : IRealtimePublisher
    {
        public bool RefuseSendsToUsers { get; set; }

        public List<string> SentToGroup { get; } = [];

        public List<string> Joined { get; } = [];

        public List<string> Left { get; } = [];

        public Task SendToConversationAsync(ConversationAudience audience, string eventName, object payload, CancellationToken cancellationToken)
        {
            SentToGroup.Add(eventName);
            return Task.CompletedTask;
        }

        public Task SendToUsersAsync(IReadOnlyCollection<string> userIds, string eventName, object payload, CancellationToken cancellationToken) =>
            RefuseSendsToUsers ? throw new HttpRequestException("the service refused the call") : Task.CompletedTask;

        public Task JoinConversationAsync(ConversationAudience audience, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken)
        {
            Joined.AddRange(userIds);
            return Task.CompletedTask;
        }

        public Task LeaveConversationAsync(ConversationAudience audience, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken)
        {
            Left.AddRange(userIds);
            return Task.CompletedTask;
        }
    }
}
