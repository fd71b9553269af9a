using Messaging.Domain.Presence;
using Messaging.Domain.Realtime;
using Messaging.Functions.Storage.Cosmos;
using Messaging.Functions.Storage.Sqlite;
using Messaging.Tests.Store.Cosmos.Double;
using Messaging.Tests.Support;
using Messaging.Tests.Support.Builders;

namespace Messaging.Tests.Store;

/// <summary>
/// The presence port on each store: records read back as saved, a save at a stale version (or a
/// second create) is refused and changes nothing, the sweeper's query finds exactly the users whose
/// grace or lease ended, and who shares a conversation with whom follows the committed participants.
/// </summary>
public abstract class PresenceRepositoryContract : StoreContract
{
    protected IPresenceRepository Presence { get; set; } = null!;

    private static PresenceState Online(string userId, params (string Id, int UntilSeconds)[] connections) =>
        new(userId, [.. connections.Select(c => new ConnectionLease(c.Id, Time.At(c.UntilSeconds)))], null, true, null, []);

    [Fact]
    public async Task A_saved_presence_reads_back_with_its_connections_and_times()
    {
        var user = TestApi.NewUser();
        var state = new PresenceState(user, [new ConnectionLease("c1", Time.At(120)), new ConnectionLease("c2", Time.At(130))], Time.At(5), true, Time.At(15), [new ConnectionLease("early", Time.At(140))]);

        Assert.True(await Presence.TrySaveAsync(state, null, Ct));

        var read = await Presence.GetAsync(user, Ct);
        Assert.NotNull(read);
        Assert.Equal(state.Connections, read.State.Connections);
        Assert.Equal(state.Closed, read.State.Closed);
        Assert.Equal((state.UserId, state.LastSeenAt, state.AnnouncedOnline, state.OfflineDueAt), (read.State.UserId, read.State.LastSeenAt, read.State.AnnouncedOnline, read.State.OfflineDueAt));
        Assert.Null(await Presence.GetAsync(TestApi.NewUser(), Ct));
    }

    [Fact]
    public async Task A_save_at_a_stale_version_is_refused_and_changes_nothing()
    {
        var user = TestApi.NewUser();
        Assert.True(await Presence.TrySaveAsync(Online(user, ("c1", 100)), null, Ct));
        Assert.False(await Presence.TrySaveAsync(Online(user, ("other", 100)), null, Ct));
        var first = (await Presence.GetAsync(user, Ct))!;

        Assert.True(await Presence.TrySaveAsync(Online(user, ("c1", 100), ("c2", 100)), first.Version, Ct));
        Assert.False(await Presence.TrySaveAsync(Online(user), first.Version, Ct));

        var now = (await Presence.GetAsync(user, Ct))!;
        Assert.Equal(["c1", "c2"], now.State.Connections.Select(c => c.ConnectionId));
        Assert.NotEqual(first.Version, now.Version);
    }

    [Fact]
    public async Task Many_users_are_read_at_once_and_users_without_a_record_are_not_answered()
    {
        var (alice, bob, never) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"), TestApi.NewUser("never"));
        await Presence.TrySaveAsync(Online(alice, ("a", 100)), null, Ct);
        await Presence.TrySaveAsync(PresenceState.New(bob) with { LastSeenAt = Time.At(3) }, null, Ct);

        var read = await Presence.GetManyAsync([alice, bob, never], Ct);

        Assert.Equal([alice, bob], read.Select(s => s.UserId).Order(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
        Assert.Equal(Time.At(3), read.Single(s => s.UserId == bob).LastSeenAt);
    }

    [Fact]
    public async Task The_sweeper_finds_users_whose_grace_or_lease_ended_most_overdue_first_and_no_more_than_asked()
    {
        var graceOver = TestApi.NewUser("grace");
        var leaseOver = TestApi.NewUser("lease");
        var notYet = TestApi.NewUser("later");
        var settled = TestApi.NewUser("settled");
        await Presence.TrySaveAsync(new PresenceState(graceOver, [], Time.At(0), true, Time.At(10), []), null, Ct);
        await Presence.TrySaveAsync(Online(leaseOver, ("c", 5)), null, Ct);
        await Presence.TrySaveAsync(Online(notYet, ("c", 500)), null, Ct);
        await Presence.TrySaveAsync(PresenceState.New(settled) with { LastSeenAt = Time.At(1) }, null, Ct);

        var due = await Presence.ListDueAsync(Time.At(20), 10, Ct);
        var mine = due.Where(u => u == graceOver || u == leaseOver || u == notYet || u == settled).ToList();

        Assert.Equal([leaseOver, graceOver], mine);
        Assert.Single(await Presence.ListDueAsync(Time.At(20), 1, Ct));
        Assert.DoesNotContain(graceOver, await Presence.ListDueAsync(Time.At(9), 10, Ct));
    }

    [Fact]
    public async Task A_batch_save_saves_each_user_at_its_own_version_and_a_stale_one_skips_only_that_user()
    {
        var (fresh, stale, created) = (TestApi.NewUser("fresh"), TestApi.NewUser("stale"), TestApi.NewUser("created"));
        await Presence.TrySaveAsync(Online(fresh, ("f", 100)), null, Ct);
        await Presence.TrySaveAsync(Online(stale, ("s", 100)), null, Ct);
        var (freshRead, staleRead) = ((await Presence.GetAsync(fresh, Ct))!, (await Presence.GetAsync(stale, Ct))!);
        Assert.True(await Presence.TrySaveAsync(Online(stale, ("s", 100), ("other writer", 100)), staleRead.Version, Ct));

        var saved = await Presence.TrySaveManyAsync(
            [new(Online(fresh, ("f", 300)), freshRead.Version), new(Online(stale, ("s", 300)), staleRead.Version), new(Online(created, ("c", 300)), null)], Ct);

        Assert.Equal([created, fresh], saved.Order(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
        Assert.Equal(Time.At(300), (await Presence.GetAsync(fresh, Ct))!.State.Connections.Single().Until);
        Assert.Equal(["s", "other writer"], (await Presence.GetAsync(stale, Ct))!.State.Connections.Select(c => c.ConnectionId));
        Assert.NotNull(await Presence.GetAsync(created, Ct));
        Assert.Empty(await Presence.TrySaveManyAsync([new(Online(created, ("again", 300)), null)], Ct));
    }

    [Fact]
    public async Task A_disconnected_handled_before_its_connected_keeps_the_user_offline_on_this_store()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        await AddGroupAsync(alice, [bob]);
        var clock = new ManualClock(Time.T0);
        var announced = new AnnouncementCount();
        var presence = new PresenceService(Presence, new NeverAsked(), new PresenceAnnouncer(Conversations, announced), clock);

        await presence.DisconnectedAsync(alice, "reordered", Ct);
        clock.Advance(TimeSpan.FromSeconds(1));
        await presence.ConnectedAsync(alice, "reordered", Ct);

        Assert.Equal(0, announced.Sends);
        Assert.False((await Presence.GetAsync(alice, Ct))?.State.IsOnline ?? false);
        await presence.ConnectedAsync(alice, "a later connection", Ct);
        Assert.Equal(1, announced.Sends);
    }

    [Fact]
    public async Task Co_participants_are_the_users_who_share_a_conversation_now()
    {
        var (alice, bob, carol, stranger) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"), TestApi.NewUser("carol"), TestApi.NewUser("stranger"));
        var group = await AddGroupAsync(alice, [bob, carol]);
        await AddGroupAsync(stranger, [TestApi.NewUser("other")]);

        Assert.Equal([bob, carol], (await Conversations.ListCoParticipantsAsync(alice, [bob, carol, stranger], Ct)).Order(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);

        var loaded = (await Conversations.GetAsync(group.Id, Ct))!;
        loaded.RemoveParticipant(alice, carol, Time.At(7)).Ok();
        await Conversations.UpdateAsync(loaded, Ct);

        Assert.Equal([bob], await Conversations.ListCoParticipantsAsync(alice, [bob, carol, stranger], Ct));
        Assert.Empty(await Conversations.ListCoParticipantsAsync(carol, [alice, bob], Ct));
    }
}

/// <summary>A liveness the test never expects to be asked: nothing here lets a lease end.</summary>
internal sealed class NeverAsked : IConnectionLiveness
{
    public Task<bool?> IsOpenAsync(string userId, string connectionId, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("No lease ends in this test.");
}

/// <summary>Counts presence announcements.</summary>
internal sealed class AnnouncementCount : IRealtimePublisher
{
    private int _sends;

    public int Sends => _sends;

    public Task SendToConversationsAsync(IReadOnlyList<ConversationAudience> audiences, string eventName, object payload, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _sends);
        return Task.CompletedTask;
    }

    public Task SendToConversationAsync(ConversationAudience audience, string eventName, object payload, CancellationToken cancellationToken) =>
        SendToConversationsAsync([audience], eventName, payload, cancellationToken);

    public Task SendToUsersAsync(IReadOnlyCollection<string> userIds, string eventName, object payload, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("Presence never enumerates co-participants.");

    public Task JoinConversationAsync(ConversationAudience audience, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task LeaveConversationAsync(ConversationAudience audience, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) => Task.CompletedTask;
}

public sealed class SqlitePresenceRepositoryTests : PresenceRepositoryContract
{
    protected override Task<StoreUnderTest> CreateStoreAsync() =>
        SqliteStore.CreateAsync(database => Presence = new SqlitePresenceRepository(database));
}

public sealed class CosmosPresenceRepositoryTests : PresenceRepositoryContract
{
    private DoubleDatabase _database = null!;

    [Fact]
    public async Task A_batch_save_the_service_fails_for_one_user_still_saves_the_others_and_names_them()
    {
        var users = Enumerable.Range(0, 20).Select(i => TestApi.NewUser($"u{i}")).ToList();
        _database.Faults.Inject(CosmosOperation.Create, new CosmosFault.Unavailable(), times: 1, skip: 5);

        var failure = await Assert.ThrowsAsync<PresenceSavesFailedException>(() => Presence.TrySaveManyAsync(
            [.. users.Select(u => new PresenceSave(new PresenceState(u, [new ConnectionLease("c", Time.At(100))], null, true, null, []), null))], Ct));

        Assert.Equal(19, failure.Saved.Count);
        Assert.Equal(failure.Saved.Order(StringComparer.Ordinal), (await Presence.GetManyAsync(users, Ct)).Select(s => s.UserId).Order(StringComparer.Ordinal));
    }

    protected override Task<StoreUnderTest> CreateStoreAsync()
    {
        var log = new QueryLog();
        var options = new CosmosOptions { Database = "messaging-test" };
        _database = DoubleDatabase.ForStore(options, null, log);
        var store = new CosmosStore(options, _database);
        Presence = new CosmosPresenceRepository(store);
        return Task.FromResult(new StoreUnderTest(
            new CosmosConversationRepository(store, TimeProvider.System),
            new CosmosMessageRepository(store),
            new CosmosAttachmentRepository(store),
            new CosmosReactionRepository(store),
            async () => await IndependentQueryCheck.AssertAgreesAsync(log.Queries)));
    }
}
