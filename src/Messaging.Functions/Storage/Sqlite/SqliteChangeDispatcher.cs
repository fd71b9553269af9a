using Messaging.Domain.Realtime;
using Messaging.Functions.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messaging.Functions.Storage.Sqlite;

/// <summary>
/// Reads the outbox in commit order and hands each change to the fan-out: woken at once by every
/// commit, and every second regardless. Each conversation has a lane of its own: its changes are
/// published one after another in commit order, and lanes run independently (at most
/// <see cref="ChangeBatch.MaxConcurrentConversations"/> at once), so a busy or large conversation
/// never holds up another one's events. Delivery is at least once: the saved cursor never passes a
/// change that is not yet published, and a crash repeats what was published since the last save.
/// </summary>
public sealed class SqliteChangeDispatcher(SqliteDatabase database, ChangeFanOut fanOut, TimeProvider time, ILogger<SqliteChangeDispatcher> logger) : BackgroundService
{
    private const int BatchSize = 256;

    /// <summary>Changes read but not yet published, across all lanes; reading waits while there are more.</summary>
    private const int MaxInFlight = 4096;

    private static readonly TimeSpan CursorSaveInterval = TimeSpan.FromSeconds(1);
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly SemaphoreSlim _running = new(ChangeBatch.MaxConcurrentConversations, ChangeBatch.MaxConcurrentConversations);
    private readonly object _gate = new();
    private readonly Dictionary<string, SqliteChangeLane> _lanes = new(StringComparer.Ordinal);
    private readonly SortedSet<long> _unpublished = [];
    private long _read;
    private long _lastSave;
    private long _savedCursor;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        database.Committed += Wake;
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        database.Committed -= Wake;
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _wake.Dispose();
        _running.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _read = await database.ReadAsync(connection => SqliteChangeLog.ReadCursorAsync(connection, stoppingToken), stoppingToken);
        _savedCursor = _read;
        _lastSave = time.GetTimestamp();

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ReadAsync(stoppingToken);
                if (time.GetElapsedTime(_lastSave) >= CursorSaveInterval)
                {
                    await SaveCursorAsync(stoppingToken);
                }

                await _wake.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                await StopLanesAsync();
                try
                {
                    await SaveCursorAsync(CancellationToken.None);
                }
                catch (ObjectDisposedException)
                {
                    // The database closed first; the next start repeats the unsaved tail.
                }

                return;
            }
            catch (Exception exception)
            {
                Log.DispatchFailed(logger, exception, _read);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    /// <summary>Reads what is committed after the last change read, into the lanes, while there is room.</summary>
    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int room;
            lock (_gate)
            {
                room = Math.Min(BatchSize, MaxInFlight - _unpublished.Count);
            }

            if (room <= 0)
            {
                return; // a lane that finishes wakes the reader
            }

            var after = _read;
            var batch = await database.ReadAsync(connection => SqliteChangeLog.ReadAfterAsync(connection, after, room, cancellationToken), cancellationToken);
            if (batch.Count == 0)
            {
                return;
            }

            lock (_gate)
            {
                foreach (var item in batch)
                {
                    _unpublished.Add(item.Position);
                    if (!_lanes.TryGetValue(item.Change.ConversationId, out var lane))
                    {
                        _lanes[item.Change.ConversationId] = lane = new SqliteChangeLane(item.Change.ConversationId);
                    }

                    lane.Queue.Enqueue(item);
                    if (lane.Task is null)
                    {
                        lane.Task = Task.Run(() => RunLaneAsync(lane, cancellationToken), CancellationToken.None);
                    }
                }

                _read = batch[^1].Position;
            }

            if (time.GetElapsedTime(_lastSave) >= CursorSaveInterval)
            {
                await SaveCursorAsync(cancellationToken);
            }
        }
    }

    /// <summary>Publishes a conversation's changes in order until its queue is empty, then retires the lane.</summary>
    private async Task RunLaneAsync(SqliteChangeLane lane, CancellationToken cancellationToken)
    {
        while (true)
        {
            List<(long Position, CommittedChange Change, long? RecordedAt)> items;
            lock (_gate)
            {
                if (lane.Queue.Count == 0 || cancellationToken.IsCancellationRequested)
                {
                    lane.Task = null;
                    _lanes.Remove(lane.ConversationId);
                    return;
                }

                items = [.. lane.Queue];
                lane.Queue.Clear();
            }

            var kept = ChangeBatch.Coalesce(items, item => item.Change);
            if (kept.Count < items.Count)
            {
                // A read-watermark move followed by a later one of the same user: the later event carries it.
                Published([.. items.Except(kept).Select(item => item.Position)]);
            }

            try
            {
                await _running.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                lock (_gate)
                {
                    lane.Task = null;
                    _lanes.Remove(lane.ConversationId);
                }

                return;
            }

            try
            {
                foreach (var item in kept)
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        break;
                    }

                    await PublishAsync(item.Position, item.Change, item.RecordedAt, cancellationToken);
                    Published([item.Position]);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Stopping: what was not published stays behind the cursor and is repeated at the next start.
            }
            finally
            {
                _running.Release();
            }
        }
    }

    private void Published(IReadOnlyList<long> positions)
    {
        bool hadNoRoom;
        lock (_gate)
        {
            hadNoRoom = _unpublished.Count >= MaxInFlight;
            foreach (var position in positions)
            {
                _unpublished.Remove(position);
            }
        }

        if (hadNoRoom)
        {
            Wake();
        }
    }

    private async Task StopLanesAsync()
    {
        Task[] running;
        lock (_gate)
        {
            running = [.. _lanes.Values.Select(lane => lane.Task).OfType<Task>()];
        }

        await Task.WhenAll(running);
    }

    // The cursor is saved at most once per interval (and on the way out), not per batch: a save is
    // a commit, and a commit is an fsync that a send would otherwise queue behind. A crash repeats
    // at most an interval of events; clients drop repeats by message id and sequence. It is the
    // position before the oldest change not yet published, whichever lane holds it.
    private async Task SaveCursorAsync(CancellationToken cancellationToken)
    {
        _lastSave = time.GetTimestamp();
        long cursor;
        lock (_gate)
        {
            cursor = _unpublished.Count == 0 ? _read : _unpublished.Min - 1;
        }

        if (cursor <= _savedCursor)
        {
            return;
        }

        await database.WriteAsync(
            (connection, transaction) => SqliteChangeLog.SaveCursorAsync(connection, transaction, cursor, cancellationToken), cancellationToken, notify: false);
        _savedCursor = cursor;
    }

    private async Task PublishAsync(long position, CommittedChange change, long? recordedAt, CancellationToken cancellationToken)
    {
        using var publication = MessagingMetrics.StartPublication(MessagingMetrics.Sqlite, change, recordedAt);
        Exception? failure;
        try
        {
            failure = await fanOut.HandleWithRetriesAsync(change, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            failure = exception; // a lane must go on to its next change whatever this one does
        }

        if (failure is not null)
        {
            Log.ChangeDropped(logger, failure, position, change.GetType().Name, change.ConversationId);
            return;
        }

        publication.Succeeded();
    }

    private void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already awake.
            }
        }
    }
}
