using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Messaging.Bench;

/// <summary>The scenarios S1–S6 (see docs/performance.md).</summary>
internal static class Scenarios
{
    private const string MessagesPath = "/api/messaging/messages/";
    private const int EventFrameBytes = 330; // A message.created SignalR frame with a short text is about this size.

    // ---------------------------------------------------------------- S1

    public static async Task<ScenarioResult> LatencyAsync(BenchOptions options)
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

    // ---------------------------------------------------------------- S2

    public static async Task<ScenarioResult> SustainedAsync(BenchOptions options)
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

    // ---------------------------------------------------------------- S3

    public static async Task<ScenarioResult> FanOutAsync(BenchOptions options)
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

    // ---------------------------------------------------------------- S4

    public static async Task<ScenarioResult> HistoryAsync(BenchOptions options)
    {
        var messages = options.Huge ? 10_000_000 : options.Quick ? 100_000 : 1_000_000;
        var result = new ScenarioResult("S4", $"history: a 50-message page at random depth of a conversation of {Fmt.N(messages)} messages");
        const int readers = 16;
        var requests = options.Quick ? 3000 : 8000;
        result.Settings["messages"] = Fmt.N(messages) + " (seeded straight into the SQLite file, 100-character texts)";
        result.Settings["readers"] = $"{readers} concurrent, closed loop, {Fmt.N(requests)} requests after 500 warm-up";
        result.Settings["request"] = "GET /conversations/{id}/messages/?limit=50&continuationToken=<random sequence>";

        var data = ServerHost.NewDataPath("s4");
        await ServerHost.MigrateAsync(options.RepoRoot, data);
        var users = new[] { "s4-u0", "s4-u1" };
        var seedClock = Stopwatch.StartNew();
        using (var seeder = new Seeder(Path.Combine(data, "messaging.db")))
        {
            seeder.Conversations([("s4-c", users)]);
            seeder.Messages("s4-c", users, messages, 100, written =>
            {
                if (written % 1_000_000 == 0)
                {
                    Fmt.Log($"S4 seeded {Fmt.N(written)} messages");
                }
            });
            seeder.Checkpoint();
        }

        result.Settings["seeding"] = $"{seedClock.Elapsed.TotalSeconds:F1} s";
        await using var server = await ServerHost.StartAsync(options.RepoRoot, data);
        using var api = new Api(server.BaseAddress, 64);
        var token = Tokens.For(users[1]);
        var path = "/api/messaging/conversations/s4-c/messages/?limit=50";

        // The token is opaque to clients; the bench builds it as the server does and checks that against a real nextLink.
        static string TokenFor(long sequence) =>
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(sequence.ToString(CultureInfo.InvariantCulture))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var first = await api.GetJsonAsync(path, token);
        var nextLink = first.GetProperty("nextLink").GetString()!;
        if (!nextLink.Contains("continuationToken=" + TokenFor(messages - 49), StringComparison.Ordinal) || first.GetProperty("value").GetArrayLength() != 50)
        {
            throw new InvalidOperationException($"Unexpected first page: nextLink {nextLink}.");
        }

        async Task<Samples> ReadAsync(int count)
        {
            var samples = new Samples();
            var next = -1;
            var bad = 0;
            var deadline = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, readers).Select(r => Task.Run(async () =>
            {
                var random = new Random(r);
                while (Interlocked.Increment(ref next) < count && deadline.Elapsed < TimeSpan.FromSeconds(120))
                {
                    var before = random.NextInt64(51, messages + 1);
                    var start = Stopwatch.GetTimestamp();
                    using var response = await api.SendAsync(HttpMethod.Get, $"{path}&continuationToken={TokenFor(before)}", token);
                    var body = await response.Content.ReadAsByteArrayAsync();
                    samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    if (!response.IsSuccessStatusCode || body.Length < 1000)
                    {
                        Interlocked.Increment(ref bad);
                    }
                }
            })));
            if (bad > 0)
            {
                throw new InvalidOperationException($"{bad} history requests failed.");
            }

            return samples;
        }

        await ReadAsync(500);
        var cpu = new CpuMeter(server.Pid);
        var clock = Stopwatch.StartNew();
        var http = await ReadAsync(requests);
        var throughput = http.Count / clock.Elapsed.TotalSeconds;
        var cpuText = cpu.Describe();

        // Floor: the same keyset query in-process, same concurrency, on the same file (the server is idle meanwhile).
        var floor = new Samples();
        var floorNext = -1;
        var connectionString = new SqliteConnectionStringBuilder { DataSource = server.DatabasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = true }.ToString();
        await Task.WhenAll(Enumerable.Range(0, readers).Select(r => Task.Run(() =>
        {
            var random = new Random(100 + r);
            using var connection = new SqliteConnection(connectionString);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT id, conversation_id, sender_id, sequence, text, attachments, client_message_id, created_at, edited_at, deleted_at FROM messages WHERE conversation_id = $c AND sequence < $before ORDER BY sequence DESC LIMIT $limit";
            command.Parameters.AddWithValue("$c", "s4-c");
            var before = command.Parameters.AddWithValue("$before", 0L);
            command.Parameters.AddWithValue("$limit", 51);
            while (Interlocked.Increment(ref floorNext) < requests + 500)
            {
                before.Value = random.NextInt64(51, messages + 1);
                var start = Stopwatch.GetTimestamp();
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        _ = reader.GetString(0);
                        _ = reader.GetString(4);
                    }
                }

                if (floorNext >= 500)
                {
                    floor.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
            }
        })));

        result.Add("HTTP page p50", Fmt.Ms(http.Median), Fmt.Ms(floor.Median), "≤ 1 ms", http.Median <= 1);
        result.Add("HTTP page p99", Fmt.Ms(http.Percentile(99)), Fmt.Ms(floor.Percentile(99)), "≤ 5 ms", http.Percentile(99) <= 5);
        result.Add("HTTP page max", Fmt.Ms(http.Max), Fmt.Ms(floor.Max));
        result.Add("pages/s (16 readers)", Fmt.N(throughput));
        result.Notes.Add($"CPU during the HTTP run: {cpuText}. Latency is per request at 16 concurrent readers on 2 cores, so it includes queueing behind the other 15.");
        result.Notes.Add($"Floor: the same keyset query (`sequence < $before ORDER BY sequence DESC LIMIT 51`) with Microsoft.Data.Sqlite in-process, {readers} threads, one open connection each, reading the rows.");
        result.Figures["http"] = new { p50Ms = Fmt.Round(http.Median), p99Ms = Fmt.Round(http.Percentile(99)), maxMs = Fmt.Round(http.Max), pagesPerSecond = Math.Round(throughput), requests = http.Count };
        result.Figures["floor"] = new { p50Ms = Fmt.Round(floor.Median), p99Ms = Fmt.Round(floor.Percentile(99)), maxMs = Fmt.Round(floor.Max) };
        result.Figures["messages"] = messages;
        return result;
    }

    // ---------------------------------------------------------------- S5

    public static async Task<ScenarioResult> IdleConnectionsAsync(BenchOptions options)
    {
        var count = options.Quick ? 2000 : 10_000;
        const int warmCount = 100;
        var result = new ScenarioResult("S5", $"idle connections: server memory per SignalR connection, {Fmt.N(count)} connections");
        result.Settings["connections"] = $"{Fmt.N(count)} users, one SignalR connection each, every user in 2 conversations (a ring of 2-user conversations)";
        result.Settings["measure"] = $"server VmRSS and RssAnon (/proc/<pid>/status) after {warmCount} warm connections vs after all, 10 s idle settle; per connection = delta / {Fmt.N(count - warmCount)}";

        var data = ServerHost.NewDataPath("s5");
        await ServerHost.MigrateAsync(options.RepoRoot, data);
        var users = Enumerable.Range(0, count).Select(i => $"s5-u{i}").ToList();
        using (var seeder = new Seeder(Path.Combine(data, "messaging.db")))
        {
            seeder.Conversations(Enumerable.Range(0, count).Select(i => ($"s5-c{i}", (IReadOnlyList<string>)[users[i], users[(i + 1) % count]])));
            seeder.Checkpoint();
        }

        await using var server = await ServerHost.StartAsync(options.RepoRoot, data);
        var (warm, warmFailed) = await Realtime.ConnectManyAsync(server.BaseAddress, users.Take(warmCount).ToList(), _ => _ => { }, 16, TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(5));
        var before = ProcStats.Memory(server.Pid);
        var clientBefore = ProcStats.Memory(ProcStats.Self);
        var clock = Stopwatch.StartNew();
        var (rest, failed) = await Realtime.ConnectManyAsync(server.BaseAddress, users.Skip(warmCount).ToList(), _ => _ => { }, 64, TimeSpan.FromSeconds(240));
        var connectSeconds = clock.Elapsed.TotalSeconds;
        await Task.Delay(TimeSpan.FromSeconds(10));
        var after = ProcStats.Memory(server.Pid);
        var clientAfter = ProcStats.Memory(ProcStats.Self);
        var added = rest.Count;
        var perRss = (after.Rss - before.Rss) / (double)Math.Max(1, added);
        var perAnon = (after.RssAnon - before.RssAnon) / (double)Math.Max(1, added);

        // Are they alive? A message in one conversation reaches both of its users.
        await Realtime.DisposeAllAsync(rest.Concat(warm));
        await server.StopAsync();

        await using var floor = await FloorProcess.StartAsync();
        var floorWarm = await floor.OpenSinksAsync(warmCount, 16);
        await Task.Delay(TimeSpan.FromSeconds(3));
        var floorBefore = ProcStats.Memory(floor.Pid);
        var floorRest = await floor.OpenSinksAsync(count - warmCount, 64);
        await Task.Delay(TimeSpan.FromSeconds(5));
        var floorAfter = ProcStats.Memory(floor.Pid);
        var floorPer = (floorAfter.Rss - floorBefore.Rss) / (double)Math.Max(1, floorRest.Count);
        var floorPerAnon = (floorAfter.RssAnon - floorBefore.RssAnon) / (double)Math.Max(1, floorRest.Count);
        await FloorProcess.CloseAllAsync(floorRest.Concat(floorWarm));

        result.Add("server memory per connection (VmRSS)", Fmt.Kb(perRss), Fmt.Kb(floorPer), "≤ 20 KB", perRss <= 20 * 1024);
        result.Add("server memory per connection (RssAnon)", Fmt.Kb(perAnon), Fmt.Kb(floorPerAnon));
        result.Add("server VmRSS before → after", $"{after.Rss / 1048576.0:F0} MiB after {Fmt.N(added + warm.Count)} connections (from {before.Rss / 1048576.0:F0} MiB)", $"{floorAfter.Rss / 1048576.0:F0} MiB (from {floorBefore.Rss / 1048576.0:F0} MiB)");
        result.Add("connected / failed", $"{Fmt.N(added + warm.Count)} / {failed + warmFailed}", $"{Fmt.N(floorRest.Count + floorWarm.Count)}");
        result.Add("connect rate", $"{Fmt.N(added / connectSeconds)} connections/s (64 in parallel)");
        result.Add("bench client memory per connection (VmRSS, info)", Fmt.Kb((clientAfter.Rss - clientBefore.Rss) / (double)Math.Max(1, added)));
        result.Notes.Add("Floor: bare Kestrel with raw WebSockets, its own process (`dotnet Messaging.Bench.dll floor-server`), the same counts and settle times; each socket has a pending 256-byte receive buffer.");
        result.Notes.Add("The server runs with workstation GC (the standalone server's runtimeconfig); RSS after 10 s idle still includes GC headroom, so the figure is an upper bound.");
        result.Figures["perConnectionRssBytes"] = Math.Round(perRss);
        result.Figures["perConnectionAnonBytes"] = Math.Round(perAnon);
        result.Figures["floorPerConnectionRssBytes"] = Math.Round(floorPer);
        result.Figures["connections"] = added + warm.Count;
        return result;
    }

    // ---------------------------------------------------------------- S6

    public static async Task<ScenarioResult> UnreadAsync(BenchOptions options)
    {
        var result = new ScenarioResult("S6", "unread_count for a user in 1,000 conversations under send load");
        const int conversationCount = 1000;
        const int unreadPer = 5;
        const int loadConversations = 200;
        const double loadRate = 200;
        var requests = options.Quick ? 100 : 300;
        result.Settings["reader"] = $"one user in {Fmt.N(conversationCount)} 2-user conversations, {unreadPer} unread messages in each; GET /messages/unread_count/, closed loop, {requests} requests after 20 warm-up";
        result.Settings["load"] = $"{loadRate}/s open-loop REST sends into {loadConversations} other conversations of 5 (S2-like), 200-byte texts";

        var data = ServerHost.NewDataPath("s6");
        await ServerHost.MigrateAsync(options.RepoRoot, data);
        var loadConversationList = Enumerable.Range(0, loadConversations)
            .Select(c => (Id: $"s6-l{c}", Users: (IReadOnlyList<string>)[.. Enumerable.Range(0, 5).Select(k => $"s6-l{c}-u{k}")]))
            .ToList();
        using (var seeder = new Seeder(Path.Combine(data, "messaging.db")))
        {
            var mine = Enumerable.Range(0, conversationCount).Select(i => (Id: $"s6-c{i}", Users: (IReadOnlyList<string>)[$"s6-w{i}", "s6-reader"])).ToList();
            seeder.Conversations(mine.Concat(loadConversationList));
            foreach (var (id, users) in mine)
            {
                seeder.Messages(id, [users[0]], unreadPer, 50);
            }

            seeder.Checkpoint();
        }

        await using var server = await ServerHost.StartAsync(options.RepoRoot, data);
        using var api = new Api(server.BaseAddress, 512);
        var token = Tokens.For("s6-reader");

        async Task<Samples> MeasureAsync(int count)
        {
            var samples = new Samples();
            var deadline = Stopwatch.StartNew();
            for (var i = 0; i < count && deadline.Elapsed < TimeSpan.FromSeconds(120); i++)
            {
                var start = Stopwatch.GetTimestamp();
                var body = await api.GetJsonAsync(MessagesPath + "unread_count/", token);
                samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                if (body.GetProperty("total").GetInt32() != conversationCount * unreadPer)
                {
                    throw new InvalidOperationException($"unread total {body.GetProperty("total")}, expected {conversationCount * unreadPer}.");
                }
            }

            return samples;
        }

        await MeasureAsync(20);
        var idle = await MeasureAsync(Math.Min(100, requests));

        var loadTokens = loadConversationList.Select(c => Tokens.For(c.Users[0])).ToArray();
        var text = Seeder.Text(200, 5);
        var loadErrors = 0;
        using var stopLoad = new CancellationTokenSource();
        var loadAcks = new Samples();
        var load = OpenLoop.RunAsync(1_000_000, loadRate, async (i, due) =>
        {
            var c = i % loadConversations;
            using var response = await api.SendAsync(HttpMethod.Post, MessagesPath, loadTokens[c], new { conversationId = loadConversationList[c].Id, text, clientMessageId = $"l{i}" });
            loadAcks.Add(Stopwatch.GetElapsedTime(due).TotalMilliseconds);
            if (!response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref loadErrors);
            }
        }, 2000, TimeSpan.FromSeconds(30), stopLoad.Token);
        await Task.Delay(1000);
        var cpu = new CpuMeter(server.Pid);
        var loaded = await MeasureAsync(requests);
        var cpuText = cpu.Describe();
        await stopLoad.CancelAsync();
        var sentDuringLoad = loadAcks.Count;

        // Floor: one aggregate query in-process for the same user and data.
        var floor = new Samples();
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = server.DatabasePath, Mode = SqliteOpenMode.ReadOnly }.ToString()))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT p.conversation_id,
                       (SELECT count(*) FROM messages m WHERE m.conversation_id = p.conversation_id AND m.sequence > p.last_read_sequence AND m.sender_id <> $u AND m.deleted_at IS NULL) AS unread
                FROM participants p WHERE p.user_id = $u
                """;
            command.Parameters.AddWithValue("$u", "s6-reader");
            for (var i = 0; i < requests + 20; i++)
            {
                var start = Stopwatch.GetTimestamp();
                var total = 0L;
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        total += reader.GetInt64(1);
                    }
                }

                if (i >= 20)
                {
                    floor.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }

                if (total != conversationCount * unreadPer)
                {
                    throw new InvalidOperationException($"floor query counted {total}.");
                }
            }
        }

        result.Add("unread_count p50 under load", Fmt.Ms(loaded.Median), Fmt.Ms(floor.Median));
        result.Add("unread_count p99 under load", Fmt.Ms(loaded.Percentile(99)), Fmt.Ms(floor.Percentile(99)), "≤ 5 ms", loaded.Percentile(99) <= 5);
        result.Add("unread_count p50 / p99 without load", $"{Fmt.Ms(idle.Median)} / {Fmt.Ms(idle.Percentile(99))}");
        result.Add("background sends during the run", $"{Fmt.N(sentDuringLoad)} acked, errors {loadErrors}, ack p99 {Fmt.Ms(loadAcks.Percentile(99))}");
        result.Notes.Add($"CPU while measuring under load: {cpuText}.");
        result.Notes.Add("Floor: one aggregate SQL statement (participants of the user, a correlated count of unread messages per conversation) with Microsoft.Data.Sqlite in-process on the server's file, after the load stopped.");
        result.Figures["loaded"] = new { p50Ms = Fmt.Round(loaded.Median), p99Ms = Fmt.Round(loaded.Percentile(99)), maxMs = Fmt.Round(loaded.Max), requests = loaded.Count };
        result.Figures["idle"] = new { p50Ms = Fmt.Round(idle.Median), p99Ms = Fmt.Round(idle.Percentile(99)) };
        result.Figures["floor"] = new { p50Ms = Fmt.Round(floor.Median), p99Ms = Fmt.Round(floor.Percentile(99)) };
        await Task.WhenAny(load, Task.Delay(TimeSpan.FromSeconds(5)));
        return result;
    }
}
