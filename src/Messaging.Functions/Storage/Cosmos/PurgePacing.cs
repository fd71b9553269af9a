namespace Messaging.Functions.Storage.Cosmos;

/// <summary>How hard the purger may work. Defaults keep a purge near 700 RU/s at most (100 deletes of ~7 RU per second).</summary>
public sealed record CosmosPurgeOptions
{
    /// <summary>Deletes per step: one transactional batch of messages (a batch takes at most 100 operations).</summary>
    public int PageSize { get; init; } = 100;

    /// <summary>The pause between two pages when the database is not throttling.</summary>
    public TimeSpan Pause { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest pause after 429s.</summary>
    public TimeSpan MaxPause { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often an idle purger looks for deletes made by other instances (or left by a restart).</summary>
    public TimeSpan IdlePoll { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a purge belongs to the instance that checkpointed it last; longer than <see cref="MaxPause"/> plus a step.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Pending conversations fetched per look.</summary>
    public int PendingBatch { get; init; } = 20;
}

/// <summary>
/// The pause between pages: doubles on a 429 (at least the service's retry interval), halves back
/// towards the configured pause after each page that went through.
/// </summary>
internal sealed class PurgePacing(CosmosPurgeOptions options)
{
    public TimeSpan Current { get; private set; } = options.Pause;

    public void Throttled(TimeSpan? retryAfter)
    {
        var doubled = Current > TimeSpan.Zero ? Current * 2 : TimeSpan.FromMilliseconds(100);
        var wanted = retryAfter is { } wait && wait > doubled ? wait : doubled;
        Current = wanted < options.MaxPause ? wanted : options.MaxPause;
    }

    public void Succeeded()
    {
        var halved = Current / 2;
        Current = halved > options.Pause ? halved : options.Pause;
    }
}

/// <summary>A wake-up call for the purger of this process, so a delete made here is purged without waiting for the next poll.</summary>
internal sealed class PurgeWakeup
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Signal()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
