using System.Reflection;
using System.Text.Json;
using Messaging.Domain.Application;
using Messaging.Domain.Common;
using Messaging.Domain.Conversations;
using Messaging.Domain.Messages;
using Messaging.Domain.Realtime;
using Messaging.Functions.Storage.Files;
using Messaging.Tests.Store;
using Messaging.Tests.Support;
using Messaging.Tests.Support.Builders;
using Microsoft.Extensions.Logging.Abstractions;

namespace Messaging.Tests.Realtime;

/// <summary>
/// <c>conversation.created</c> / <c>conversation.updated</c>: one payload for the whole group (no unread count, the owners
/// then the earliest joiners, 20 at most), built with the same number of store calls whatever the group's size.
/// </summary>
public sealed class ConversationEventCostTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly MessagingLimits Limits = new();
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "messaging-event-cost", Guid.NewGuid().ToString("N"));
    private StoreUnderTest _store = null!;

    public async Task InitializeAsync() => _store = await SqliteStore.CreateAsync();

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        TemporaryFolder.DeleteQuietly(_folder);
    }

    [Fact]
    public async Task An_update_to_a_large_group_costs_the_store_calls_of_an_update_to_a_small_one()
    {
        var small = await StoreCallsForAnUpdateAsync(members: 4);
        var large = await StoreCallsForAnUpdateAsync(members: 300);

        Assert.Equal(small.Calls, large.Calls);
        Assert.InRange(large.Calls.Count, 1, 6);
        Assert.Single(large.Sent);
    }

    [Fact]
    public async Task The_payload_is_the_same_for_everyone_without_unread_count_and_lists_owners_then_earliest_joiners()
    {
        var (_, sent) = await StoreCallsForAnUpdateAsync(members: 40);

        var (audience, payload) = Assert.Single(sent);
        Assert.Equal(42, audience.ParticipantIds.Count);
        var resource = Assert.IsType<ConversationResource>(payload);
        Assert.Null(resource.UnreadCount);
        Assert.Equal(42, resource.ParticipantCount);
        Assert.Equal(ConversationView.MaxListed, resource.Participants.Count);
        Assert.Equal("owner", resource.Participants[0].Role);
        Assert.Equal(resource.Participants.Skip(1).OrderBy(p => p.JoinedAt).ThenBy(p => p.UserId, StringComparer.Ordinal), resource.Participants.Skip(1));
        Assert.False(JsonSerializer.SerializeToElement(payload, JsonSerializerOptions.Web).TryGetProperty("unreadCount", out _));
    }

    /// <summary>Adds one user to a group of the owner and <paramref name="members"/> others, then publishes the change, counting store calls.</summary>
    private async Task<(List<string> Calls, List<(ConversationAudience Audience, object Payload)> Sent)> StoreCallsForAnUpdateAsync(int members)
    {
        var owner = "zz" + Some.User("owner");
        var group = AGroup.OwnedBy(owner).With([.. Enumerable.Range(0, members).Select(_ => Some.User("m"))]).At(Time.At(0)).Build();
        await _store.Conversations.AddAsync(group, Ct);
        var joining = Some.User("new");
        group.AddParticipant(owner, joining, Time.At(5), Limits).Ok();
        await _store.Conversations.UpdateAsync(group, Ct);

        var calls = new List<string>();
        var publisher = new RecordingPublisher();
        var conversations = CountingProxy<IConversationRepository>.Wrap(_store.Conversations, calls);
        var messages = CountingProxy<IMessageRepository>.Wrap(_store.Messages, calls);
        var content = new FileSystemContentStore(_folder, new DownloadUrlSigner(_folder, TimeProvider.System, TimeSpan.FromMinutes(15)), NullLogger<FileSystemContentStore>.Instance);
        var mapper = new ResourceMapper(content);
        var service = new ConversationService(conversations, messages, content, mapper, TimeProvider.System, Limits);
        var fanOut = new ChangeFanOut(conversations, messages, _store.Reactions, service, mapper, publisher);

        await fanOut.HandleAsync(new ConversationChanged(group.Id, [joining], []), Ct);
        return (calls, publisher.Sent);
    }

    /// <summary>Forwards every call of <typeparamref name="T"/> and notes the method's name.</summary>
    public class CountingProxy<T> : DispatchProxy
        where T : class
    {
        private T _inner = null!;
        private List<string> _calls = null!;

        public static T Wrap(T inner, List<string> calls)
        {
            var proxy = Create<T, CountingProxy<T>>();
            var counting = (CountingProxy<T>)(object)proxy;
            counting._inner = inner;
            counting._calls = calls;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            _calls.Add($"{typeof(T).Name}.{targetMethod!.Name}");
            try
            {
                return targetMethod.Invoke(_inner, args);
            }
            catch (TargetInvocationException exception) when (exception.InnerException is not null)
            {
                throw exception.InnerException;
            }
        }
    }

    private sealed class RecordingPublisher : IRealtimePublisher
    {
        public List<(ConversationAudience Audience, object Payload)> Sent { get; } = [];

        public Task SendToConversationAsync(ConversationAudience audience, string eventName, object payload, CancellationToken cancellationToken)
        {
            Assert.Equal(EventNames.ConversationUpdated, eventName);
            Sent.Add((audience, payload));
            return Task.CompletedTask;
        }

        public Task SendToUsersAsync(IReadOnlyCollection<string> userIds, string eventName, object payload, CancellationToken cancellationToken) =>
            throw new InvalidOperationException($"{eventName} was sent user by user.");

        public Task JoinConversationAsync(ConversationAudience audience, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task LeaveConversationAsync(ConversationAudience audience, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
