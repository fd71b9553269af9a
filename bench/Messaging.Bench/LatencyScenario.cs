using System.Diagnostics;

namespace Messaging.Bench;

/// <summary>S1: send-to-delivered latency: REST send until every participant's connection has message.created (see docs/performance.md).</summary>
internal static class LatencyScenario
{
    private const string MessagesPath = "/api/messaging/messages/";
    private const int EventFrameBytes = 330; // A message.created SignalR frame with a short text is about this size.

    public static async Task<ScenarioResult> RunAsync(BenchOptions options)
    {
        var result = new ScenarioResult("S1", "send-to-delivered latency: REST send until every participant's connection has message.created");
        var sends = options.Quick ? 100 : 400;
        const double rate = 20;
        result.Settings["sends per size"] = Fmt.I(sends);
        result.Settings["arrival"] = "open loop, 20 sends/s, latency from each send's due time";
        result.Settings["participants"] = "10 and 100, one SignalR connection each (stock .NET client, negotiate as docs/api.md shows), the sender's own connection included";
        result.Settings["warm-up"] = "30 sends not counted";

        await using var floor = await FloorProcess.StartAsync();
        var echo = await floor.EchoAsync(options.Quick ? 200 : 1000, EventFrameBytes);
        var insert = SqliteFloor.InsertLatency(ServerHost.NewDataPath("s1-floor"), options.Quick ? 200 : 500);
        var floorMs = echo.Median + insert.Median;
        result.Figures["floorEchoP50Ms"] = Fmt.Round(echo.Median);
        result.Figures["floorEchoP99Ms"] = Fmt.Round(echo.Percentile(99));
        result.Figures["floorInsertP50Ms"] = Fmt.Round(insert.Median);
        result.Figures["floorInsertP99Ms"] = Fmt.Round(insert.Percentile(99));
        result.Figures["floorP50Ms"] = Fmt.Round(floorMs);

        foreach (var size in new[] { 10, 100 })
        {
            var data = ServerHost.NewDataPath("s1");
            await ServerHost.MigrateAsync(options.RepoRoot, data);
            var users = Enumerable.Range(0, size).Select(i => $"s1-{size}-u{i}").ToList();
            var conversation = $"s1-c{size}";
            using (var seeder = new Seeder(Path.Combine(data, "messaging.db")))
            {
                seeder.Conversations([(conversation, users)]);
                seeder.Checkpoint();
            }

            await using var server = await ServerHost.StartAsync(options.RepoRoot, data);
            var slot = new TrackerSlot();
            var (connections, failed) = await Realtime.ConnectManyAsync(server.BaseAddress, users, _ => slot.OnEvent, 16, TimeSpan.FromSeconds(60));
            using var api = new Api(server.BaseAddress, 64);
            var token = Tokens.For(users[0]);

            async Task SendAsync(DeliveryTracker tracker, string id, long due, Samples? acks, int[] errors)
            {
                tracker.Expect(id, due, connections.Count);
                try
                {
                    using var response = await api.SendAsync(HttpMethod.Post, MessagesPath, token, new { conversationId = conversation, text = "hello " + id, clientMessageId = id });
                    acks?.Add(Stopwatch.GetElapsedTime(due).TotalMilliseconds);
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref errors[0]);
                        tracker.Forget(id);
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref errors[0]);
                    tracker.Forget(id);
                }
            }

            var warm = new DeliveryTracker();
            slot.Current = warm;
            for (var i = 0; i < 30; i++)
            {
                await SendAsync(warm, $"w{size}-{i}", Stopwatch.GetTimestamp(), null, [0]);
                await warm.DrainAsync(TimeSpan.FromSeconds(5));
            }

            var tracker = new DeliveryTracker();
            slot.Current = tracker;
            var acks = new Samples();
            var errors = new int[1];
            var cpu = new CpuMeter(server.Pid);
            var outcome = await OpenLoop.RunAsync(sends, rate, (i, due) => SendAsync(tracker, $"m{size}-{i}", due, acks, errors), 1000, TimeSpan.FromSeconds(30));
            await tracker.DrainAsync(TimeSpan.FromSeconds(10));
            var cpuText = cpu.Describe();
            var d = tracker.ToLastRecipient;
            var p99Target = size == 10 ? 10 : 25;
            result.Add($"{size} participants: delivered to all, p50", Fmt.Ms(d.Median), Fmt.Ms(floorMs), size == 10 ? "≤ 2 ms" : "", size == 10 ? d.Median <= 2 : null);
            result.Add($"{size} participants: p90", Fmt.Ms(d.Percentile(90)));
            result.Add($"{size} participants: p99", Fmt.Ms(d.Percentile(99)), "", $"≤ {p99Target} ms", d.Percentile(99) <= p99Target);
            result.Add($"{size} participants: max", Fmt.Ms(d.Max));
            result.Add($"{size} participants: REST ack p50 / p99", $"{Fmt.Ms(acks.Median)} / {Fmt.Ms(acks.Percentile(99))}", $"insert alone {Fmt.Ms(insert.Median)}");
            result.Add($"{size} participants: sends complete / errors / connect failures", $"{d.Count}/{sends} / {errors[0]} / {failed}");
            result.Notes.Add($"{size} participants: {cpuText}; shed {outcome.Shed}.");
            result.Figures[$"p{size}"] = new
            {
                p50Ms = Fmt.Round(d.Median),
                p90Ms = Fmt.Round(d.Percentile(90)),
                p99Ms = Fmt.Round(d.Percentile(99)),
                maxMs = Fmt.Round(d.Max),
                ackP50Ms = Fmt.Round(acks.Median),
                ackP99Ms = Fmt.Round(acks.Percentile(99)),
                complete = d.Count,
                sends,
                errors = errors[0],
                connectFailures = failed,
            };
            await Realtime.DisposeAllAsync(connections);
        }

        result.Notes.Add($"Floor = median raw WebSocket echo round trip of a {EventFrameBytes}-byte frame on bare Kestrel in its own process ({Fmt.Ms(echo.Median)}, p99 {Fmt.Ms(echo.Percentile(99))}) + median single-row SQLite insert transaction, WAL, synchronous=FULL ({Fmt.Ms(insert.Median)}, p99 {Fmt.Ms(insert.Percentile(99))}).");
        return result;
    }
}
