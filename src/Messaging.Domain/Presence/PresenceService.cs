using System.Collections.Concurrent;
using Messaging.Domain.Common;

namespace Messaging.Domain.Presence;

/// <summary>What one sweep did: users looked at, and users announced offline.</summary>
public sealed record SweepResult(int Examined, int AnnouncedOffline);

/// <summary>
/// Keeps presence from the real-time connections' opening and closing (the standalone hub, or Azure
/// SignalR Service's upstream events) and from a periodic sweep, which ends the offline grace and
/// checks connections whose lease ran out (a <c>disconnected</c> that never arrived). Every change is
/// a conditional save of the user's record, so any number of instances agree, and only the writer
/// that moved the status announces it: once, after the save.
/// </summary>
public sealed class PresenceService(IPresenceRepository presence, IConnectionLiveness liveness, PresenceAnnouncer announcer, TimeProvider time)
{
    /// <summary>Users looked at per sweep.</summary>
    public const int SweepBatch = 100;

    /// <summary>A connection whose existence could not be checked is asked about again after this.</summary>
    public static readonly TimeSpan RecheckAfter = TimeSpan.FromSeconds(30);

    private const int MaxAttempts = 8;

    /// <summary>Users swept at once within a pass (their reads and liveness checks, and on Cosmos DB their saves).</summary>
    public const int SweepConcurrency = 8;

    public async Task ConnectedAsync(string userId, string connectionId, CancellationToken cancellationToken)
    {
        var now = time.Now();
        var lease = NewLease();
        var (state, announce) = await UpdateAsync(userId, s => s.Connect(connectionId, now, lease), cancellationToken);
        if (announce)
        {
            await announcer.AnnounceAsync(state, cancellationToken);
        }
    }

    public async Task DisconnectedAsync(string userId, string connectionId, CancellationToken cancellationToken)
    {
        var now = time.Now();
        await UpdateAsync(userId, s => (s.Disconnect(connectionId, now), false), cancellationToken);
    }

    /// <summary>
    /// One pass over (at most <see cref="SweepBatch"/>) users whose grace or lease ended: reads each and
    /// asks the service about each expired connection (<see cref="SweepConcurrency"/> users at a time),
    /// saves every change in one conditional batch, then announces the users whose save moved their status.
    /// A user whose record changed since it was read (another instance, an event) is left to the next pass.
    /// </summary>
    public async Task<SweepResult> SweepAsync(CancellationToken cancellationToken)
    {
        // One user's failure (a store error, a refused announcement) never costs the others of the pass their sweep:
        // each step catches per user, and the failures are thrown together at the end for the sweeper to log.
        var failures = new ConcurrentQueue<Exception>();
        var due = await presence.ListDueAsync(time.Now(), SweepBatch, cancellationToken);
        var changes = new ConcurrentDictionary<string, (PresenceSave Save, bool Announce)>(StringComparer.Ordinal);
        await ForEachUserAsync(due, failures, cancellationToken, async (userId, token) =>
        {
            if (await presence.GetAsync(userId, token) is not { } current)
            {
                return;
            }

            var now = time.Now();
            var checks = new Dictionary<string, bool?>(StringComparer.Ordinal);
            foreach (var lease in current.State.Connections.Where(c => c.Until <= now))
            {
                checks[lease.ConnectionId] = await liveness.IsOpenAsync(userId, lease.ConnectionId, token);
            }

            var (next, announce) = Expire(current.State, checks, now);
            if (next != current.State)
            {
                changes[userId] = (new PresenceSave(next, current.Version), announce);
            }
        });

        var saved = await SaveAsync([.. changes.Values.Select(c => c.Save)], failures, cancellationToken);
        var toAnnounce = changes.Values.Where(c => c.Announce && saved.Contains(c.Save.State.UserId)).Select(c => c.Save.State).ToList();
        await ForEachUserAsync(toAnnounce, failures, cancellationToken, async (state, token) => await announcer.AnnounceAsync(state, token));
        return failures.IsEmpty
            ? new SweepResult(due.Count, toAnnounce.Count)
            : throw new AggregateException($"The presence sweep failed for {failures.Count} of {due.Count} users; the others were swept.", failures);
    }

    private async Task<IReadOnlySet<string>> SaveAsync(IReadOnlyList<PresenceSave> saves, ConcurrentQueue<Exception> failures, CancellationToken cancellationToken)
    {
        if (saves.Count == 0)
        {
            return new HashSet<string>();
        }

        try
        {
            return await presence.TrySaveManyAsync(saves, cancellationToken);
        }
        catch (PresenceSavesFailedException partial)
        {
            failures.Enqueue(partial);
            return partial.Saved;
        }
    }

    private static Task ForEachUserAsync<T>(IEnumerable<T> items, ConcurrentQueue<Exception> failures, CancellationToken cancellationToken, Func<T, CancellationToken, Task> step) =>
        Parallel.ForEachAsync(items, Bounded(cancellationToken), async (item, token) =>
        {
            try
            {
                await step(item, token);
            }
            catch (Exception exception) when (!token.IsCancellationRequested)
            {
                failures.Enqueue(exception);
            }
        });

    private static ParallelOptions Bounded(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = SweepConcurrency, CancellationToken = cancellationToken };

    /// <summary>A lease between <see cref="PresenceState.Lease"/> and <see cref="PresenceState.MaxLease"/>, at random.</summary>
    private static TimeSpan NewLease() => PresenceState.Lease * (1 + (PresenceState.LeaseJitter * Random.Shared.NextDouble()));

    private static (PresenceState, bool) Expire(PresenceState state, IReadOnlyDictionary<string, bool?> checks, DateTimeOffset now)
    {
        foreach (var (connectionId, open) in checks)
        {
            state = open switch
            {
                true => state.Renew(connectionId, now + NewLease()),
                false => state.Disconnect(connectionId, now),
                null => state.Renew(connectionId, now + RecheckAfter),
            };
        }

        return state.Settle(now);
    }

    /// <summary>Reads, changes and saves the user's record until no other writer came in between.</summary>
    private async Task<(PresenceState State, bool Announce)> UpdateAsync(
        string userId, Func<PresenceState, (PresenceState State, bool Announce)> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = await presence.GetAsync(userId, cancellationToken);
            var (next, announce) = change(current?.State ?? PresenceState.New(userId));
            if (current is not null && next == current.State)
            {
                return (next, false);
            }

            if (await presence.TrySaveAsync(next, current?.Version, cancellationToken))
            {
                return (next, announce);
            }

            if (attempt >= MaxAttempts)
            {
                throw new ConcurrencyConflictException($"The presence of {userId} kept changing during {MaxAttempts} attempts.");
            }
        }
    }
}
