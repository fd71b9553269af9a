using System.Diagnostics;

namespace Messaging.Bench;

/// <summary>S2s: sustained sends, sampled delivery: 1,000 conversations of 5, 200-byte texts, open-loop arrival rate in steps (see docs/performance.md).</summary>
internal static class SustainedScenario
{
    private const string MessagesPath = "/api/messaging/messages/";

    public static async Task<ScenarioResult> RunAsync(BenchOptions options)
    {
        var result = new ScenarioResult("S2s", "sustained sends, sampled delivery: 1,000 conversations of 5, 200-byte texts, open-loop arrival rate in steps");
        const int conversationCount = 1000;
        const int sampleCount = 200;
        var stepSeconds = options.Quick ? 3 : 5;
        int[] rates = [25, 50, 100, 250, 500, 1000, 2000, 3000, 4000, 5000, 6000, 8000];
        result.Settings["conversations"] = "1,000 of 5 users; member 0 sends, round robin over conversations";
        result.Settings["steps"] = $"{string.Join(", ", rates)} sends/s, {stepSeconds} s each, stop at the first failing step";
        result.Settings["pass"] = "p99 ack ≤ 50 ms, every send 201, every sampled send delivered, none shed (> 4,000 in flight)";
        result.Settings["delivery sample"] = $"member 1 of every 5th conversation ({sampleCount}) connected (SignalR), counting message.created";

        var data = ServerHost.NewDataPath("s2");
        await ServerHost.MigrateAsync(options.RepoRoot, data);
        var conversations = Enumerable.Range(0, conversationCount)
            .Select(c => (Id: $"s2-c{c}", Users: (IReadOnlyList<string>)[.. Enumerable.Range(0, 5).Select(k => $"s2-c{c}-u{k}")]))
            .ToList();
        using (var seeder = new Seeder(Path.Combine(data, "messaging.db")))
        {
            seeder.Conversations(conversations);
            seeder.Checkpoint();
        }

        var floorSingle = SqliteFloor.InsertRate(ServerHost.NewDataPath("s2-floor"), 1, 3);
        var floorBatched = SqliteFloor.InsertRate(ServerHost.NewDataPath("s2-floor"), 100, 3);

        await using var server = await ServerHost.StartAsync(options.RepoRoot, data);
        var slot = new TrackerSlot();
        var (connections, failed) = await Realtime.ConnectManyAsync(
            server.BaseAddress, [.. conversations.Where((_, i) => i % (conversationCount / sampleCount) == 0).Select(c => c.Users[1])], _ => slot.OnEvent, 32, TimeSpan.FromSeconds(60));
        using var api = new Api(server.BaseAddress, 1024);
        var tokens = conversations.Select(c => Tokens.For(c.Users[0])).ToArray();
        var text = Seeder.Text(200, 3);
        var best = 0;
        var steps = new List<object>();
        var sequence = 0;

        foreach (var (rate, warmUp) in rates.Select(r => (r, false)).Prepend((20, true)))
        {
            var tracker = new DeliveryTracker();
            slot.Current = tracker;
            var acks = new Samples();
            var errors = new int[1];
            var count = warmUp ? 100 : rate * stepSeconds;
            var cpu = new CpuMeter(server.Pid);
            var outcome = await OpenLoop.RunAsync(count, rate, async (i, due) =>
            {
                var c = (Interlocked.Increment(ref sequence) - 1) % conversationCount;
                var id = $"s2-{rate}-{i}";
                if (c % (conversationCount / sampleCount) == 0)
                {
                    tracker.Expect(id, due, 1);
                }

                try
                {
                    using var response = await api.SendAsync(HttpMethod.Post, MessagesPath, tokens[c], new { conversationId = conversations[c].Id, text, clientMessageId = id });
                    acks.Add(Stopwatch.GetElapsedTime(due).TotalMilliseconds);
                    if (response.StatusCode != System.Net.HttpStatusCode.Created)
                    {
                        Interlocked.Increment(ref errors[0]);
                        tracker.Forget(id);
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    Interlocked.Increment(ref errors[0]);
                    tracker.Forget(id);
                }
            }, 4000, TimeSpan.FromSeconds(60));
            var (serverCores, clientCores) = cpu.Read();
            var delivered = await tracker.DrainAsync(TimeSpan.FromSeconds(15));
            if (warmUp)
            {
                continue;
            }

            var p99 = acks.Percentile(99);
            var passed = outcome.Completed && outcome.Shed == 0 && errors[0] == 0 && delivered && p99 <= 50;
            var achieved = acks.Count / outcome.Seconds;
            steps.Add(new
            {
                rate,
                sends = count,
                acked = acks.Count - errors[0],
                errors = errors[0],
                shed = outcome.Shed,
                achievedPerSecond = Math.Round(achieved),
                ackP50Ms = Fmt.Round(acks.Median),
                ackP99Ms = Fmt.Round(p99),
                deliveryP50Ms = Fmt.Round(tracker.ToLastRecipient.Median),
                deliveryP99Ms = Fmt.Round(tracker.ToLastRecipient.Percentile(99)),
                sampledUndelivered = tracker.Outstanding,
                serverCores = Fmt.Round(serverCores, 2),
                clientCores = Fmt.Round(clientCores, 2),
                passed,
            });
            result.Add(
                $"step {Fmt.N(rate)}/s",
                $"ack p50 {Fmt.Ms(acks.Median)}, p99 {Fmt.Ms(p99)}; delivered p99 {Fmt.Ms(tracker.ToLastRecipient.Percentile(99))}; {Fmt.N(achieved)} acks/s; errors {errors[0]}, shed {outcome.Shed}, undelivered {tracker.Outstanding}; CPU server {serverCores:F2} / bench {clientCores:F2} cores",
                "", "", passed);
            Fmt.Log($"S2 step {rate}/s: p99 {p99:F1} ms, errors {errors[0]}, shed {outcome.Shed}, undelivered {tracker.Outstanding}, server {serverCores:F2} cores");
            if (!passed)
            {
                break;
            }

            best = rate;
        }

        result.Add("highest passing rate (acknowledged, persisted, delivered)", $"{Fmt.N(best)} sends/s",
            $"{Fmt.N(floorSingle)} inserts/s (1 per txn); {Fmt.N(floorBatched)} rows/s (100 per txn)", "≥ 5,000/s", best >= 5000);
        result.Figures["steps"] = steps;
        result.Figures["bestRate"] = best;
        result.Figures["floorInsertsPerSecondSingle"] = Math.Round(floorSingle);
        result.Figures["floorRowsPerSecondBatched100"] = Math.Round(floorBatched);
        result.Notes.Add($"Delivery is counted on a sample: member 1 of every 5th conversation ({sampleCount} of {conversationCount}) is connected, so a fifth of the sends are checked for delivery ({failed} connect failures); the other sends are checked by their 201 only. Each step's rate is raised only while the previous one passed.");
        result.Notes.Add("Floor: single-row SQLite insert transactions into a table with the messages' indexes, WAL, synchronous=FULL, one connection, for 3 s; and the same with 100 rows per transaction.");
        await Realtime.DisposeAllAsync(connections);
        return result;
    }
}
