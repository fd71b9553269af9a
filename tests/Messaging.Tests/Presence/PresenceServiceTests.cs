using System.Collections.Concurrent;
using Messaging.Domain.Conversations;
using Messaging.Domain.Presence;
using Messaging.Domain.Realtime;
using Messaging.Functions.Storage.Sqlite;
using Messaging.Tests.Store.Cosmos.Double;
using Messaging.Tests.Support;
using Messaging.Tests.Support.Builders;

namespace Messaging.Tests.Presence;

/// <summary>
/// The presence rules over a real (SQLite) store, a clock the test moves and a real-time service
/// whose connections the test opens and closes: online on the first connection, offline only after
/// 10 s without any, no flicker on a reconnect, and a connection whose <c>disconnected</c> never
/// came found gone once its lease ends.
/// </summary>
public sealed class PresenceServiceTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "messaging-presence-tests", Guid.NewGuid().ToString("N"));
    private readonly SqliteDatabase _database;
    private readonly ManualClock _clock = new(Time.T0);
    private readonly RecordingPublisher _published = new();
    private readonly Liveness _liveness = new();
    private readonly SqliteConversationRepository _conversations;
    private readonly string _alice = TestApi.NewUser("alice");
    private readonly string _bob = TestApi.NewUser("bob");

    public PresenceServiceTests()
    {
        _database = new SqliteDatabase(Path.Combine(_folder, "messaging.db"));
        _conversations = new SqliteConversationRepository(_database);
    }

    public void Dispose()
    {
        _database.Dispose();
        TemporaryFolder.DeleteQuietly(_folder);
    }

    private PresenceService NewInstance(IPresenceRepository? store = null) =>
        new(store ?? new SqlitePresenceRepository(_database), _liveness, new PresenceAnnouncer(_conversations, _published), _clock);

    private async Task<string> GroupOfAliceAndBobAsync()
    {
        Conversation group = AGroup.OwnedBy(_alice).With(_bob).At(Time.T0);
        await _conversations.AddAsync(group, Ct);
        return group.Id;
    }

    private async Task ConnectAsync(PresenceService presence, string userId, string connectionId)
    {
        _liveness.Open[connectionId] = true;
        await presence.ConnectedAsync(userId, connectionId, Ct);
    }

    private async Task CloseAsync(PresenceService presence, string userId, string connectionId)
    {
        _liveness.Open[connectionId] = false;
        await presence.DisconnectedAsync(userId, connectionId, Ct);
    }

    [Fact]
    public async Task The_first_connection_announces_online_to_the_users_conversations_and_more_tabs_announce_nothing()
    {
        var conversationId = await GroupOfAliceAndBobAsync();
        var presence = NewInstance();

        await ConnectAsync(presence, _alice, "tab-1");
        await ConnectAsync(presence, _alice, "tab-2");

        var sent = Assert.Single(_published.Sends);
        Assert.Equal([conversationId], sent.ConversationIds);
        Assert.Equal(new PresenceChangedEvent(_alice, "online", null), sent.Payload);
    }

    [Fact]
    public async Task Offline_is_announced_only_once_the_user_has_had_no_connection_for_10_seconds()
    {
        await GroupOfAliceAndBobAsync();
        var presence = NewInstance();
        await ConnectAsync(presence, _alice, "tab-1");
        await ConnectAsync(presence, _alice, "tab-2");
        _clock.Advance(TimeSpan.FromSeconds(5));
        await CloseAsync(presence, _alice, "tab-1");
        _clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(0, (await presence.SweepAsync(Ct)).AnnouncedOffline);

        await CloseAsync(presence, _alice, "tab-2");
        var closedAt = _clock.Now;
        _clock.Advance(TimeSpan.FromSeconds(9.9));
        Assert.Equal(0, (await presence.SweepAsync(Ct)).AnnouncedOffline);

        _clock.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(1, (await presence.SweepAsync(Ct)).AnnouncedOffline);
        Assert.Equal(new PresenceChangedEvent(_alice, "offline", closedAt), _published.Sends[^1].Payload);
        Assert.Equal(0, (await presence.SweepAsync(Ct)).AnnouncedOffline);
        Assert.Equal(2, _published.Sends.Count);
    }

    [Fact]
    public async Task A_reconnect_within_10_seconds_announces_neither_offline_nor_online_again()
    {
        await GroupOfAliceAndBobAsync();
        var presence = NewInstance();
        await ConnectAsync(presence, _alice, "before");
        await CloseAsync(presence, _alice, "before");
        _clock.Advance(TimeSpan.FromSeconds(8));
        await ConnectAsync(presence, _alice, "after");
        _clock.Advance(TimeSpan.FromSeconds(30));
        await presence.SweepAsync(Ct);

        Assert.Equal(["online"], _published.Sends.Select(s => ((PresenceChangedEvent)s.Payload).Status));
    }

    [Fact]
    public async Task A_connection_whose_disconnected_never_came_is_found_gone_after_its_lease_and_the_user_goes_offline()
    {
        await GroupOfAliceAndBobAsync();
        var presence = NewInstance();
        await ConnectAsync(presence, _alice, "lost");
        _liveness.Open["lost"] = false;

        _clock.Advance(PresenceState.Lease - TimeSpan.FromSeconds(1));
        await presence.SweepAsync(Ct);
        Assert.Empty(_liveness.Asked);

        _clock.Advance(PresenceState.MaxLease - PresenceState.Lease + TimeSpan.FromSeconds(1));
        await presence.SweepAsync(Ct);
        Assert.Equal(["lost"], _liveness.Asked);
        var foundGoneAt = _clock.Now;
        _clock.Advance(PresenceState.OfflineGrace);
        await presence.SweepAsync(Ct);

        Assert.Equal(new PresenceChangedEvent(_alice, "offline", foundGoneAt), _published.Sends[^1].Payload);
    }

    [Fact]
    public async Task A_connection_still_open_after_its_lease_is_renewed_and_its_user_stays_online()
    {
        await GroupOfAliceAndBobAsync();
        var presence = NewInstance();
        await ConnectAsync(presence, _alice, "long-lived");

        for (var i = 0; i < 3; i++)
        {
            _clock.Advance(PresenceState.MaxLease + PresenceState.OfflineGrace);
            await presence.SweepAsync(Ct);
        }

        Assert.Equal(3, _liveness.Asked.Count);
        Assert.Single(_published.Sends);
        Assert.Equal(["online"], (await new PresenceQuery(new SqlitePresenceRepository(_database), _conversations).GetAsync(_bob, _alice, Ct)).Value.Select(p => p.Status));
    }

    [Fact]
    public async Task A_connection_the_service_cannot_check_keeps_its_user_online_and_is_asked_about_again()
    {
        await GroupOfAliceAndBobAsync();
        var presence = NewInstance();
        await ConnectAsync(presence, _alice, "unknown");
        _liveness.Open["unknown"] = null;

        _clock.Advance(PresenceState.MaxLease);
        await presence.SweepAsync(Ct);
        _clock.Advance(PresenceService.RecheckAfter - TimeSpan.FromSeconds(1));
        await presence.SweepAsync(Ct);
        Assert.Single(_liveness.Asked);
        Assert.Single(_published.Sends);

        _liveness.Open["unknown"] = false;
        _clock.Advance(TimeSpan.FromSeconds(1));
        await presence.SweepAsync(Ct);
        _clock.Advance(PresenceState.OfflineGrace);
        await presence.SweepAsync(Ct);

        Assert.Equal(2, _liveness.Asked.Count);
        Assert.Equal("offline", ((PresenceChangedEvent)_published.Sends[^1].Payload).Status);
    }

    [Fact]
    public async Task Instances_sweeping_the_same_users_at_once_announce_each_offline_exactly_once()
    {
        await GroupOfAliceAndBobAsync();
        var instances = Enumerable.Range(0, 4).Select(_ => NewInstance()).ToList();
        await ConnectAsync(instances[0], _alice, "a");
        await ConnectAsync(instances[1], _bob, "b");
        await CloseAsync(instances[2], _alice, "a");
        await CloseAsync(instances[3], _bob, "b");
        _clock.Advance(PresenceState.OfflineGrace);

        var results = await Task.WhenAll(instances.Select(i => i.SweepAsync(Ct)));

        Assert.Equal(2, results.Sum(r => r.AnnouncedOffline));
        Assert.Equal(2, _published.Sends.Count(s => ((PresenceChangedEvent)s.Payload).Status == "offline"));
    }

    [Fact]
    public async Task A_user_in_no_conversation_with_anyone_announces_to_nobody()
    {
        var presence = NewInstance();
        await ConnectAsync(presence, _alice, "alone");

        Assert.Empty(Assert.Single(_published.Sends).ConversationIds);
    }

    [Fact]
    public async Task A_sweep_of_100_users_whose_leases_ended_saves_them_all_in_one_store_write()
    {
        var store = new CountingStore(new SqlitePresenceRepository(_database));
        var presence = NewInstance(store);
        var users = Enumerable.Range(0, PresenceService.SweepBatch).Select(i => TestApi.NewUser($"u{i}")).ToList();
        foreach (var user in users)
        {
            await ConnectAsync(presence, user, "c-" + user);
        }

        _clock.Advance(PresenceState.MaxLease);
        store.Reset();
        var result = await presence.SweepAsync(Ct);

        Assert.Equal(users.Count, result.Examined);
        Assert.Equal(users.Count, _liveness.Asked.Count);
        Assert.Equal((0, 1), (store.SingleSaves, store.BatchSaves));
        Assert.Empty(await store.ListDueAsync(_clock.Now, 10, Ct));
        Assert.All(await store.GetManyAsync(users, Ct), s => Assert.True(s.IsOnline));
    }

    [Fact]
    public async Task Leases_made_at_the_same_moment_fall_due_spread_over_a_fifth_of_the_lease_not_in_one_sweep()
    {
        var store = new SqlitePresenceRepository(_database);
        var presence = NewInstance(store);
        var users = Enumerable.Range(0, PresenceService.SweepBatch).Select(i => TestApi.NewUser($"storm{i}")).ToList();
        foreach (var user in users)
        {
            await ConnectAsync(presence, user, "c-" + user);
        }

        var connectedAt = _clock.Now;
        async Task<int> DueAfterAsync(TimeSpan elapsed) => (await store.ListDueAsync(connectedAt + elapsed, 1000, Ct)).Count(users.Contains);

        Assert.Equal(0, await DueAfterAsync(PresenceState.Lease - TimeSpan.FromMilliseconds(1)));
        Assert.InRange(await DueAfterAsync(PresenceState.Lease + TimeSpan.FromSeconds(2)), 0, 40);
        Assert.InRange(await DueAfterAsync(PresenceState.Lease + (PresenceState.Lease / 10)), 20, 80);
        Assert.Equal(users.Count, await DueAfterAsync(PresenceState.MaxLease));
    }

    [Fact]
    public async Task A_disconnected_handled_before_its_connected_leaves_the_user_offline_and_announces_nothing()
    {
        await GroupOfAliceAndBobAsync();
        var presence = NewInstance();

        await CloseAsync(presence, _alice, "reordered");
        _clock.Advance(TimeSpan.FromMilliseconds(300));
        await presence.ConnectedAsync(_alice, "reordered", Ct);
        _clock.Advance(PresenceState.OfflineGrace);
        await presence.SweepAsync(Ct);

        Assert.Empty(_published.Sends);
        Assert.Equal(["offline"], (await new PresenceQuery(new SqlitePresenceRepository(_database), _conversations).GetAsync(_bob, _alice, Ct)).Value.Select(p => p.Status));
        await ConnectAsync(presence, _alice, "next-tab");
        Assert.Equal("online", ((PresenceChangedEvent)Assert.Single(_published.Sends).Payload).Status);
    }

    [Fact]
    public async Task An_announcement_the_service_refuses_does_not_keep_the_others_of_the_sweep_from_being_announced()
    {
        var presence = NewInstance();
        var users = Enumerable.Range(0, 20).Select(i => TestApi.NewUser($"leaving{i}")).ToList();
        Conversation group = AGroup.OwnedBy(_alice).With([.. users]).At(Time.T0);
        await _conversations.AddAsync(group, Ct);
        foreach (var user in users)
        {
            await ConnectAsync(presence, user, "c-" + user);
            await CloseAsync(presence, user, "c-" + user);
        }

        var refused = users.Take(10).ToHashSet(StringComparer.Ordinal);
        _published.Refuse = payload => payload is PresenceChangedEvent { Status: "offline" } change && refused.Contains(change.UserId);
        _clock.Advance(PresenceState.OfflineGrace);

        var failure = await Assert.ThrowsAsync<AggregateException>(() => presence.SweepAsync(Ct));

        Assert.Equal(10, failure.InnerExceptions.Count);
        var announcedOffline = _published.Sends.Select(s => s.Payload).OfType<PresenceChangedEvent>().Where(e => e.Status == "offline").Select(e => e.UserId);
        Assert.Equal(users.Skip(10).Order(StringComparer.Ordinal), announcedOffline.Order(StringComparer.Ordinal));
    }

    /// <summary>The SQLite store, counting the saves the service asks of it: one call of either kind is one write transaction.</summary>
    private sealed class CountingStore(IPresenceRepository inner) : IPresenceRepository
    {
        private int _single;
        private int _batch;

        public int SingleSaves => _single;

        public int BatchSaves => _batch;

        public void Reset() => (_single, _batch) = (0, 0);

        public Task<VersionedPresence?> GetAsync(string userId, CancellationToken cancellationToken) => inner.GetAsync(userId, cancellationToken);

        public Task<IReadOnlyList<PresenceState>> GetManyAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) =>
            inner.GetManyAsync(userIds, cancellationToken);

        public Task<bool> TrySaveAsync(PresenceState state, string? expectedVersion, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _single);
            return inner.TrySaveAsync(state, expectedVersion, cancellationToken);
        }

        public Task<IReadOnlySet<string>> TrySaveManyAsync(IReadOnlyList<PresenceSave> saves, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _batch);
            return inner.TrySaveManyAsync(saves, cancellationToken);
        }

        public Task<IReadOnlyList<string>> ListDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
            inner.ListDueAsync(now, limit, cancellationToken);
    }

    private sealed class Liveness : IConnectionLiveness
    {
        public ConcurrentDictionary<string, bool?> Open { get; } = new();

        public ConcurrentQueue<string> AskedQueue { get; } = new();

        public IReadOnlyList<string> Asked => [.. AskedQueue];

        public Task<bool?> IsOpenAsync(string userId, string connectionId, CancellationToken cancellationToken)
        {
            AskedQueue.Enqueue(connectionId);
            return Task.FromResult(Open.GetValueOrDefault(connectionId));
        }
    }

    private sealed record Send(IReadOnlyList<string> ConversationIds, string EventName, object Payload);

    /// <summary>Records what would be published, one entry per announcement.</summary>
    private sealed class RecordingPublisher : IRealtimePublisher
    {
        private readonly ConcurrentQueue<Send> _sends = new();

        public IReadOnlyList<Send> Sends => [.. _sends];

        /// <summary>Payloads the service answers with an error (a refused call), not recorded.</summary>
        public Func<object, bool> Refuse { get; set; } = _ => false;

        public Task SendToConversationsAsync(IReadOnlyList<ConversationAudience> audiences, string eventName, object payload, CancellationToken cancellationToken)
        {
            if (Refuse(payload))
            {
                throw new HttpRequestException("The service refused the call.");
            }

            _sends.Enqueue(new Send([.. audiences.Select(a => a.ConversationId)], eventName, payload));
            return Task.CompletedTask;
        }

        public Task SendToConversationAsync(ConversationAudience audience, string eventName, object payload, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("Presence sends to all the user's conversations at once.");

        public Task SendToUsersAsync(IReadOnlyCollection<string> userIds, string eventName, object payload, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("Presence never enumerates co-participants.");

        public Task JoinConversationAsync(ConversationAudience audience, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task LeaveConversationAsync(ConversationAudience audience, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
