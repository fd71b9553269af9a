using System.Collections.Concurrent;
using System.Diagnostics;

namespace Messaging.Bench;

/// <summary>
/// Which sends are still waiting for deliveries: a send is expected at N recipients, and its latency
/// is taken when the last one has the <c>message.created</c> event (matched by clientMessageId).
/// </summary>
internal sealed class DeliveryTracker
{
    private readonly ConcurrentDictionary<string, Pending> _pending = new(StringComparer.Ordinal);
    private long _deliveries;
    private long _firstStart = long.MaxValue;
    private long _lastArrival;

    public Samples ToLastRecipient { get; } = new();

    public long Deliveries => Interlocked.Read(ref _deliveries);

    public int Outstanding => _pending.Count;

    /// <summary>Seconds from the first expected send until the last delivery.</summary>
    public double SpanSeconds => _lastArrival == 0 ? double.NaN : Stopwatch.GetElapsedTime(_firstStart, _lastArrival).TotalSeconds;

    public void Expect(string clientMessageId, long startTimestamp, int recipients)
    {
        _pending[clientMessageId] = new Pending(startTimestamp, recipients);
        InterlockedMin(ref _firstStart, startTimestamp);
    }

    public void Forget(string clientMessageId) => _pending.TryRemove(clientMessageId, out _);

    public void OnEvent(MessageEvent message)
    {
        var now = Stopwatch.GetTimestamp();
        if (message.ClientMessageId is null || !_pending.TryGetValue(message.ClientMessageId, out var pending))
        {
            return;
        }

        Interlocked.Increment(ref _deliveries);
        InterlockedMax(ref _lastArrival, now);
        if (Interlocked.Decrement(ref pending.Remaining) == 0)
        {
            ToLastRecipient.Add(Stopwatch.GetElapsedTime(pending.Start, now).TotalMilliseconds);
            _pending.TryRemove(message.ClientMessageId, out _);
        }
    }

    /// <summary>Waits (bounded) until nothing is outstanding.</summary>
    public async Task<bool> DrainAsync(TimeSpan max)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(max.TotalSeconds * Stopwatch.Frequency);
        while (_pending.Count > 0 && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(20);
        }

        return _pending.IsEmpty;
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current && Interlocked.CompareExchange(ref target, value, current) != current)
        {
            current = Interlocked.Read(ref target);
        }
    }

    private static void InterlockedMin(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value < current && Interlocked.CompareExchange(ref target, value, current) != current)
        {
            current = Interlocked.Read(ref target);
        }
    }

    private sealed class Pending(long start, int remaining)
    {
        public long Start { get; } = start;

        public int Remaining = remaining;
    }
}

/// <summary>Lets long-lived event handlers report to the tracker of the current measurement.</summary>
internal sealed class TrackerSlot
{
    private volatile DeliveryTracker _current = new();

    public DeliveryTracker Current
    {
        get => _current;
        set => _current = value;
    }

    public void OnEvent(MessageEvent message) => _current.OnEvent(message);
}

/// <summary>Open-loop arrivals: operation i is due at start + i / rate whether or not earlier ones finished.</summary>
internal static class OpenLoop
{
    public sealed record Outcome(int Started, int Shed, bool Completed, double Seconds);

    /// <summary>
    /// Runs <paramref name="count"/> operations at <paramref name="rate"/> per second; each gets its due
    /// timestamp, so latencies count from when it should have started (no coordinated omission).
    /// More than <paramref name="maxInFlight"/> outstanding operations are shed and reported.
    /// </summary>
    public static async Task<Outcome> RunAsync(int count, double rate, Func<int, long, Task> operation, int maxInFlight, TimeSpan completionBudget, CancellationToken stop = default)
    {
        var start = Stopwatch.GetTimestamp();
        var inFlight = 0;
        var shed = 0;
        var tasks = new List<Task>(count);
        for (var i = 0; i < count && !stop.IsCancellationRequested; i++)
        {
            var due = start + (long)(i * (double)Stopwatch.Frequency / rate);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, CancellationToken.None);
            }

            if (Volatile.Read(ref inFlight) >= maxInFlight)
            {
                shed++;
                continue;
            }

            Interlocked.Increment(ref inFlight);
            var index = i;
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    await operation(index, due);
                }
                finally
                {
                    Interlocked.Decrement(ref inFlight);
                }
            }, CancellationToken.None));
        }

        var all = Task.WhenAll(tasks);
        var completed = await Task.WhenAny(all, Task.Delay(completionBudget, CancellationToken.None)) == all;
        return new Outcome(tasks.Count, shed, completed, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }
}
