using Messaging.Domain.Realtime;
using Messaging.Functions.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messaging.Functions.Storage.Sqlite;

/// <summary>
/// Reads the outbox in commit order and hands each change to the fan-out: woken at once by every
/// commit, and every second regardless. The cursor is saved after each batch (at-least-once: a
/// crash between publishing and saving repeats the tail of a batch, it never skips one).
/// </summary>
public sealed class SqliteChangeDispatcher(SqliteDatabase database, ChangeFanOut fanOut, ILogger<SqliteChangeDispatcher> logger) : BackgroundService
{
    private const int BatchSize = 256;
    private const int MaxAttempts = 3;
    private readonly SemaphoreSlim _wake = new(0, 1);

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

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                cursor = await DrainAsync(cursor, stoppingToken);
                await _wake.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
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

            foreach (var (position, change, recordedAt) in batch)
            {
                await PublishAsync(position, change, recordedAt, cancellationToken);
                cursor = position;
            }

            var saved = cursor;
            await database.WriteAsync(async (connection, transaction) =>
            {
                await using var save = connection.Command(
                    "UPDATE change_cursor SET position = $p WHERE id = 1; DELETE FROM changes WHERE position <= $p;", transaction, ("$p", saved));
                return await save.ExecuteNonQueryAsync(cancellationToken);
            }, cancellationToken, notify: false);
        }
    }

    private async Task PublishAsync(long position, CommittedChange change, long? recordedAt, CancellationToken cancellationToken)
    {
        using var publication = MessagingMetrics.StartPublication(MessagingMetrics.Sqlite, change, recordedAt);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await fanOut.HandleAsync(change, cancellationToken);
                publication.Succeeded();
                return;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                if (attempt >= MaxAttempts)
                {
                    // Clients recover what they missed with ?after=<sequence>; one poisoned change must not stop the rest.
                    Log.ChangeDropped(logger, exception, position, change.GetType().Name, change.ConversationId);
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), cancellationToken);
            }
        }
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
