namespace Messaging.Bench;

/// <summary>S3: fan-out: one conversation of 1,000 connected participants (see docs/performance.md).</summary>
internal static class FanOutScenario
{
    private const string MessagesPath = "/api/messaging/messages/";
    private const int EventFrameBytes = 330; // A message.created SignalR frame with a short text is about this size.

    public static async Task<ScenarioResult> RunAsync(BenchOptions options)
    {
        var result = new ScenarioResult("S3", "fan-out: one conversation of 1,000 connected participants");
        const int size = 1000;
        var latencySends = options.Quick ? 20 : 60;
        var burstSends = options.Quick ? 30 : 100;
        result.Settings["participants"] = "1,000, one SignalR connection each, all in the bench process";
        result.Settings["latency phase"] = $"{latencySends} sends at 5/s; time from send to the last of 1,000 recipients";
        result.Settings["throughput phase"] = $"{burstSends} sends at 100/s offered (100,000 deliveries/s offered); deliveries/s = deliveries / (first send → last delivery)";

        var data = ServerHost.NewDataPath("s3");
        await ServerHost.MigrateAsync(options.RepoRoot, data);
        var users = Enumerable.Range(0, size).Select(i => $"s3-u{i}").ToList();
        using (var seeder = new Seeder(Path.Combine(data, "messaging.db")))
        {
            seeder.Conversations([("s3-c", users)]);
            seeder.Checkpoint();
        }

        await using var server = await ServerHost.StartAsync(options.RepoRoot, data);
        var slot = new TrackerSlot();
        var (connections, failed) = await Realtime.ConnectManyAsync(server.BaseAddress, users, _ => slot.OnEvent, 32, TimeSpan.FromSeconds(120));
        using var api = new Api(server.BaseAddress, 128);
        var token = Tokens.For(users[0]);

        async Task<int> PhaseAsync(DeliveryTracker tracker, string prefix, int count, double rate)
        {
            slot.Current = tracker;
            var errors = 0;
            await OpenLoop.RunAsync(count, rate, async (i, due) =>
            {
                var id = $"{prefix}-{i}";
                tracker.Expect(id, due, connections.Count);
                using var response = await api.SendAsync(HttpMethod.Post, MessagesPath, token, new { conversationId = "s3-c", text = "fan-out " + id, clientMessageId = id });
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref errors);
                    tracker.Forget(id);
                }
            }, 1000, TimeSpan.FromSeconds(60));
            await tracker.DrainAsync(TimeSpan.FromSeconds(30));
            return errors;
        }

        await PhaseAsync(new DeliveryTracker(), "warm", 10, 5);
        var latency = new DeliveryTracker();
        var cpu = new CpuMeter(server.Pid);
        var latencyErrors = await PhaseAsync(latency, "lat", latencySends, 5);
        var latencyCpu = cpu.Describe();
        var burst = new DeliveryTracker();
        cpu = new CpuMeter(server.Pid);
        var burstErrors = await PhaseAsync(burst, "burst", burstSends, 100);
        var burstCpu = cpu.Describe();
        var perSecond = burst.Deliveries / burst.SpanSeconds;
        await Realtime.DisposeAllAsync(connections);

        await using var floor = await FloorProcess.StartAsync();
        var sinks = await floor.OpenSinksAsync(size);
        var broadcast = await floor.BroadcastAsync(sinks, EventFrameBytes, options.Quick ? 20 : 50);
        var floorBurst = await floor.BroadcastAsync(sinks, EventFrameBytes, 3, burstSends);
        await FloorProcess.CloseAllAsync(sinks);
        var floorPerSecond = burstSends * sinks.Count / (floorBurst.Median / 1000);

        result.Add("deliveries/s (throughput phase)", Fmt.N(perSecond), $"{Fmt.N(floorPerSecond)} ({burstSends} frames back to back to {sinks.Count} raw WebSockets)", "≥ 60,000/s", perSecond >= 60_000);
        result.Add("time to last recipient p50 (5 sends/s)", Fmt.Ms(latency.ToLastRecipient.Median), Fmt.Ms(broadcast.Median));
        result.Add("time to last recipient p99 (5 sends/s)", Fmt.Ms(latency.ToLastRecipient.Percentile(99)), Fmt.Ms(broadcast.Percentile(99)), "≤ 100 ms", latency.ToLastRecipient.Percentile(99) <= 100);
        result.Add("time to last recipient p50 / p99 (throughput phase)", $"{Fmt.Ms(burst.ToLastRecipient.Median)} / {Fmt.Ms(burst.ToLastRecipient.Percentile(99))}");
        result.Add("sends fully delivered / errors / connect failures", $"{latency.ToLastRecipient.Count + burst.ToLastRecipient.Count}/{latencySends + burstSends} / {latencyErrors + burstErrors} / {failed}");
        result.Notes.Add($"CPU, latency phase: {latencyCpu}. Throughput phase: {burstCpu}. The 1,000 receiving clients run in the bench process on the same 2 cores, so client-side deserialization competes with the server.");
        result.Notes.Add($"Floor: bare Kestrel in its own process writes one pre-serialized {EventFrameBytes}-byte frame to {sinks.Count} raw WebSockets; time from the request until the last socket has it; for throughput, {burstSends} such frames back to back (median of 3 rounds).");
        result.Figures["deliveriesPerSecond"] = Math.Round(perSecond);
        result.Figures["latencyPhase"] = new { p50Ms = Fmt.Round(latency.ToLastRecipient.Median), p99Ms = Fmt.Round(latency.ToLastRecipient.Percentile(99)), maxMs = Fmt.Round(latency.ToLastRecipient.Max), sends = latencySends, complete = latency.ToLastRecipient.Count };
        result.Figures["throughputPhase"] = new { p50Ms = Fmt.Round(burst.ToLastRecipient.Median), p99Ms = Fmt.Round(burst.ToLastRecipient.Percentile(99)), deliveries = burst.Deliveries, seconds = Fmt.Round(burst.SpanSeconds), sends = burstSends, complete = burst.ToLastRecipient.Count };
        result.Figures["floor"] = new { p50Ms = Fmt.Round(broadcast.Median), p99Ms = Fmt.Round(broadcast.Percentile(99)), deliveriesPerSecond = Math.Round(floorPerSecond), sockets = sinks.Count };
        return result;
    }
}
