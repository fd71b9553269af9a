using Messaging.Domain.Realtime;
using Messaging.Functions.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messaging.Functions.Storage.Sqlite;

/// <summary>
/// Reads the outbox in commit order and hands each change to the fan-out: woken at once by every
/// commit, and every second regardless. Delivery is at least once: a crash between publishing and
/// saving the cursor repeats what was published since the last save, it never skips a change.
/// </summary>
public sealed class SqliteChangeDispatcher(SqliteDatabase database, ChangeFanOut fanOut, TimeProvider time, ILogger<SqliteChangeDispatcher> logger) : BackgroundService
{
    private const int BatchSize = 256;
    private static readonly TimeSpan CursorSaveInterval = TimeSpan.FromSeconds(1);
    private readonly SemaphoreSlim _wake = new(0, 1);
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
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var cursor = await database.ReadAsync(async connection =>
        {
            await using var command = connection.Command("SELECT position FROM change_cursor WHERE id = 1");
            return (long)(await command.ExecuteScalarAsync(stoppingToken))!;
        }, stoppingToken);
        _savedCursor = cursor;
        _lastSave = time.GetTimestamp();

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                cursor = await DrainAsync(cursor, stoppingToken);
                if (cursor != _savedCursor && time.GetElapsedTime(_lastSave) >= CursorSaveInterval)
                {
                    await SaveCursorAsync(cursor, stoppingToken);
                }

                await _wake.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await SaveCursorAsync(cursor, CancellationToken.None);
                }
                catch (ObjectDisposedException)
                {
                    // The database closed first; the next start repeats the unsaved tail.
                }

                return;
            }
            catch (Exception exception)
            {
                Log.DispatchFailed(logger, exception, cursor);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    private async Task<long> DrainAsync(long cursor, CancellationToken cancellationToken)
    {
        while (true)
        {
            var batch = await database.ReadAsync(connection => SqliteChangeLog.ReadAfterAsync(connection, cursor, BatchSize, cancellationToken), cancellationToken);
            if (batch.Count == 0)
            {
                return cursor;
            }

            await ChangeBatch.HandleAsync(batch, item => item.Change, (item, token) => PublishAsync(item.Position, item.Change, item.RecordedAt, token), cancellationToken);
            cursor = batch[^1].Position;

            if (time.GetElapsedTime(_lastSave) >= CursorSaveInterval)
            {
                await SaveCursorAsync(cursor, cancellationToken);
            }
        }
    }

    // The cursor is saved at most once per interval (and on the way out), not per batch: a save is
    // a commit, and a commit is an fsync that a send would otherwise queue behind. A crash repeats
    // at most an interval of events; clients drop repeats by message id and sequence.
    private async Task SaveCursorAsync(long cursor, CancellationToken cancellationToken)
    {
        _lastSave = time.GetTimestamp();
        if (cursor == _savedCursor)
        {
            return;
        }

        await database.WriteAsync(async (connection, transaction) =>
        {
            await using var save = connection.Command(
                "UPDATE change_cursor SET position = $p WHERE id = 1; DELETE FROM changes WHERE position <= $p;", transaction, ("$p", cursor));
            return await save.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken, notify: false);
        _savedCursor = cursor;
    }

    private async Task PublishAsync(long position, CommittedChange change, long? recordedAt, CancellationToken cancellationToken)
    {
        using var publication = MessagingMetrics.StartPublication(MessagingMetrics.Sqlite, change, recordedAt);
        if (await fanOut.HandleWithRetriesAsync(change, cancellationToken) is { } failure)
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
