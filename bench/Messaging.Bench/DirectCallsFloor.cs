using System.Diagnostics;
using Messaging.Domain.Realtime;
using Messaging.Functions.Realtime.SignalRService;

namespace Messaging.Bench;

/// <summary>
/// S7's floor: group sends made straight to the fake service, one REST call each through the
/// publisher's lowest layer (<see cref="SignalRGroups.SendToGroupAsync"/>: token, HTTP request,
/// answer), with a body serialized once, at a fixed number in flight. No store reads, no mapping,
/// no batching: what the service's added latency alone allows at that concurrency.
/// </summary>
internal static class DirectCallsFloor
{
    /// <summary>Calls tried, calls the service accepted (each timed in <paramref name="Latency"/>), and the time they took.</summary>
    public sealed record Outcome(int Calls, double Seconds, Samples Latency)
    {
        public int Accepted => Latency.Count;

        public double CallsPerSecond => Accepted / Seconds;
    }

    public static async Task<Outcome> RunAsync(SignalRGroups groups, IReadOnlyList<string> groupNames, int calls, int concurrency, TimeSpan budget)
    {
        var body = SignalRGroups.Body(EventNames.MessageCreated, new { id = "floor", text = Seeder.Text(200, 5) });
        var latency = new Samples();
        using var stop = new CancellationTokenSource(budget);
        var options = new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = stop.Token };
        var start = Stopwatch.GetTimestamp();
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, calls), options, async (i, token) =>
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    await groups.SendToGroupAsync(groupNames[i % groupNames.Count], body, token);
                    latency.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                catch (SignalRServiceException)
                {
                    // Not accepted: not timed, so it shows as the gap between calls and accepted.
                }
            });
        }
        catch (OperationCanceledException)
        {
            // Over budget: what was accepted is reported.
        }

        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return new Outcome(calls, seconds, latency);
    }
}
