using System.Diagnostics;
using System.Threading.Channels;
using Messaging.Domain.Realtime;

namespace Messaging.Bench;

/// <summary>
/// A change feed in memory: changes are committed to it (with their commit time), and one reader
/// takes what has been committed, up to a batch at a time, and hands each batch to a handler before
/// taking the next, as a change feed processor's lease does (Cosmos DB delivers up to 100 documents
/// a batch by default) and as the SQLite dispatcher does. The reader wakes on each commit.
/// </summary>
internal sealed class SyntheticChangeFeed(int batchSize, Func<IReadOnlyList<TimedChange>, Task<int>> handleBatch)
{
    private readonly Channel<TimedChange> _committed = Channel.CreateUnbounded<TimedChange>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    /// <summary>What a run got through: changes taken from the feed, changes handled, batches, and the time from the first commit to the last acceptance.</summary>
    public sealed record Outcome(int Taken, int Handled, int Batches, bool Completed, double Seconds)
    {
        public double TakenPerSecond => Taken / Seconds;
    }

    /// <summary>Commits every change now, then reads the feed until it is empty: the rate as fast as the fan-out goes.</summary>
    public Task<Outcome> DrainAsync(IReadOnlyList<CommittedChange> changes, TimeSpan budget)
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var change in changes)
        {
            _committed.Writer.TryWrite(new TimedChange(change, now));
        }

        return ReadAsync(changes.Count, now, budget);
    }

    /// <summary>
    /// Open loop: change <c>i</c> is committed at <c>start + i / rate</c> whatever the reader is doing,
    /// and its commit time is that due time, so a slow fan-out shows as latency (no coordinated omission).
    /// </summary>
    public async Task<Outcome> RunOpenLoopAsync(IReadOnlyList<CommittedChange> changes, double rate, TimeSpan budget)
    {
        var start = Stopwatch.GetTimestamp();
        var reader = ReadAsync(changes.Count, start, budget);
        var deadline = start + (long)(budget.TotalSeconds * Stopwatch.Frequency);
        var committed = 0;
        while (committed < changes.Count && Stopwatch.GetTimestamp() < deadline)
        {
            var now = Stopwatch.GetTimestamp();
            for (long due; committed < changes.Count && (due = start + (long)(committed * (double)Stopwatch.Frequency / rate)) <= now; committed++)
            {
                _committed.Writer.TryWrite(new TimedChange(changes[committed], due));
            }

            await Task.Delay(1);
        }

        return await reader;
    }

    private async Task<Outcome> ReadAsync(int expected, long start, TimeSpan budget)
    {
        var deadline = start + (long)(budget.TotalSeconds * Stopwatch.Frequency);
        int taken = 0, handled = 0, batches = 0;
        var batch = new List<TimedChange>(batchSize);
        while (taken < expected && Stopwatch.GetTimestamp() < deadline)
        {
            batch.Clear();
            while (batch.Count < batchSize && _committed.Reader.TryRead(out var change))
            {
                batch.Add(change);
            }

            if (batch.Count == 0)
            {
                // Woken by the next commit, or after 50 ms to look at the deadline.
                using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
                try
                {
                    await _committed.Reader.WaitToReadAsync(wait.Token);
                }
                catch (OperationCanceledException)
                {
                    // Nothing committed for a while; check the deadline.
                }

                continue;
            }

            taken += batch.Count;
            batches++;
            handled += await handleBatch(batch.ToArray());
        }

        while (_committed.Reader.TryRead(out _))
        {
            // Left over after the deadline: not counted.
        }

        return new Outcome(taken, handled, batches, taken == expected, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }
}
