using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Messaging.Bench;

/// <summary>
/// S2: everyone online. 1,000 users in 200 conversations of 5, every user connected; the sender
/// rotates within each conversation; open-loop steps of sends, once over REST and once through the
/// hub's <c>message.send</c>. A send passes when the four others have its <c>message.created</c>.
/// </summary>
internal static class EveryoneOnlineScenario
{
    private const int ConversationCount = 200;
    private const int Members = 5;
    private const double TargetP99Ms = 50;

    public static async Task<ScenarioResult> RunAsync(BenchOptions options)
    {
        var result = new ScenarioResult("S2", "everyone online: 1,000 connected users in 200 conversations of 5, open-loop sends in steps, over REST and over the hub");
        var stepSeconds = options.Quick ? 3 : 5;
        int[] rates = [250, 500, 1000, 2000, 3000, 4000, 5000, 6000, 8000];
        result.Settings["users"] = "1,000, every one connected (stock .NET SignalR client), in 200 conversations of 5";
        result.Settings["sends"] = "send k goes to conversation k mod 200, from member (k div 200) mod 5: the sender rotates within each conversation; 200-byte texts";
        result.Settings["steps"] = $"{string.Join(", ", rates)} sends/s, {stepSeconds} s each, stop at the first failing step; run twice: REST POST /messages/ and hub invocation message.send (on the sender's own connection)";
        result.Settings["pass"] = $"every send acknowledged, every send delivered to all 4 other members, delivered p99 ≤ {TargetP99Ms} ms (from the send's due time), none shed (> 4,000 in flight)";
        result.Settings["figures"] = "deliveries/s = message.created events received by the 4 others / step span; server cores = server CPU time / wall time of the step; allocations per send = the server's dotnet.gc.heap.total_allocated increase over a dotnet-counters session that spans the step and 4 s more for its deliveries / sends";

        var floorSingle = SqliteFloor.InsertRate(ServerHost.NewDataPath("s2-floor"), 1, 3);
        var floorBatched = SqliteFloor.InsertRate(ServerHost.NewDataPath("s2-floor"), 100, 3);
        result.Figures["floorInsertsPerSecondSingle"] = Math.Round(floorSingle);
        result.Figures["floorRowsPerSecondBatched100"] = Math.Round(floorBatched);

        await using var floor = await FloorProcess.StartAsync();
        var sinks = await floor.OpenSinksAsync(ConversationCount * Members);
        var burst = await floor.BroadcastAsync(sinks, 420, 3, 20);
        await FloorProcess.CloseAllAsync(sinks);
        var floorDeliveries = 20.0 * sinks.Count / (burst.Median / 1000);
        result.Figures["floorDeliveriesPerSecond"] = Math.Round(floorDeliveries);

        var best = new Dictionary<string, int>();
        foreach (var mode in new[] { "REST", "hub" })
        {
            best[mode] = await RunModeAsync(options, result, mode, rates, stepSeconds);
        }

        result.Add("highest passing rate over REST", $"{Fmt.N(best["REST"])} sends/s ({Fmt.N(best["REST"] * 4)} deliveries/s)",
            $"{Fmt.N(floorSingle)} durable txns/s (1 row each); {Fmt.N(floorBatched)} rows/s (100 per txn); {Fmt.N(floorDeliveries)} raw WebSocket frames/s", "≥ 3,000/s (moonshot 5,000)", best["REST"] >= 3000);
        result.Add("highest passing rate over the hub", $"{Fmt.N(best["hub"])} sends/s ({Fmt.N(best["hub"] * 4)} deliveries/s)");
        result.Figures["bestRest"] = best["REST"];
        result.Figures["bestHub"] = best["hub"];
        result.Notes.Add("Floors: SQLite insert transactions with the server's durability (WAL, synchronous=FULL) for 3 s, one row per transaction and 100; raw WebSocket frames/s = 20 pre-serialized 420-byte frames back to back from bare Kestrel (its own process) to 1,000 sockets (median of 3 rounds).");
        result.Notes.Add("The 1,000 receiving clients and the senders run in the bench process, on the same 2 cores as the server.");
        return result;
    }

    private static async Task<int> RunModeAsync(BenchOptions options, ScenarioResult result, string mode, int[] rates, int stepSeconds)
    {
        var hub = mode == "hub";
        var data = ServerHost.NewDataPath("s2");
        await ServerHost.MigrateAsync(options.RepoRoot, data);
        var conversations = Enumerable.Range(0, ConversationCount)
            .Select(c => (Id: $"s2-c{c}", Users: (IReadOnlyList<string>)[.. Enumerable.Range(0, Members).Select(k => $"s2-c{c}-u{k}")]))
            .ToList();
        using (var seeder = new Seeder(Path.Combine(data, "messaging.db")))
        {
            seeder.Conversations(conversations);
            seeder.Checkpoint();
        }

        await using var server = await ServerHost.StartAsync(options.RepoRoot, data);
        var users = conversations.SelectMany(c => c.Users).ToList(); // user index = c * 5 + k
        var slot = new TrackerSlot();
        var (connected, failed) = await Realtime.ConnectManyAsync(
            server.BaseAddress, users, i => m =>
            {
                if (!string.Equals(m.SenderId, users[i], StringComparison.Ordinal))
                {
                    slot.OnEvent(m);
                }
            }, 32, TimeSpan.FromSeconds(120));
        if (failed > 0)
        {
            throw new InvalidOperationException($"{failed} of {users.Count} connections failed.");
        }

        var connections = connected; // in the order of users: none failed
        using var api = new Api(server.BaseAddress, 1024);
        var tokens = users.Select(Tokens.For).ToArray();
        var text = Seeder.Text(200, 3);
        var best = 0;
        var steps = new List<object>();
        var sequence = 0;
        if (!AllocationMeter.Available)
        {
            Fmt.Log("dotnet-counters not found (dotnet tool install --global dotnet-counters): allocations are not measured");
        }


        foreach (var (rate, warmUp) in rates.Select(r => (r, false)).Prepend((100, true)))
        {
            var tracker = new DeliveryTracker();
            slot.Current = tracker;
            var acks = new Samples();
            var errors = new int[1];
            var count = warmUp ? 300 : rate * stepSeconds;
            var allocations = warmUp ? null : await AllocationMeter.StartAsync(server.Pid, stepSeconds + 4);
            var cpu = new CpuMeter(server.Pid);
            var outcome = await OpenLoop.RunAsync(count, rate, async (i, due) =>
            {
                var k = Interlocked.Increment(ref sequence) - 1;
                var c = k % ConversationCount;
                var sender = c * Members + (k / ConversationCount % Members);
                var id = $"s2{mode}-{rate}-{i}";
                tracker.Expect(id, due, Members - 1);
                var body = new { conversationId = conversations[c].Id, text, clientMessageId = id };
                try
                {
                    if (hub)
                    {
                        await connections[sender].InvokeAsync<JsonElement>("message.send", body);
                        acks.Add(Stopwatch.GetElapsedTime(due).TotalMilliseconds);
                    }
                    else
                    {
                        using var response = await api.SendAsync(HttpMethod.Post, "/api/messaging/messages/", tokens[sender], body);
                        acks.Add(Stopwatch.GetElapsedTime(due).TotalMilliseconds);
                        if (response.StatusCode != System.Net.HttpStatusCode.Created)
                        {
                            Interlocked.Increment(ref errors[0]);
                            tracker.Forget(id);
                        }
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or Microsoft.AspNetCore.SignalR.HubException or InvalidOperationException)
                {
                    Interlocked.Increment(ref errors[0]);
                    tracker.Forget(id);
                }
            }, 4000, TimeSpan.FromSeconds(60));
            var delivered = await tracker.DrainAsync(TimeSpan.FromSeconds(15));
            var (serverCores, clientCores) = cpu.Read();
            if (allocations is null)
            {
                continue;
            }

            var perSend = await allocations.BytesAsync() / count;

            var d = tracker.ToLastRecipient;
            var p99 = d.Count > 0 ? d.Percentile(99) : double.NaN;
            var passed = outcome.Completed && outcome.Shed == 0 && errors[0] == 0 && delivered && p99 <= TargetP99Ms;
            var deliveriesPerSecond = tracker.Deliveries / tracker.SpanSeconds;
            steps.Add(new
            {
                mode,
                rate,
                sends = count,
                errors = errors[0],
                shed = outcome.Shed,
                undelivered = tracker.Outstanding,
                ackP50Ms = Fmt.Round(acks.Median),
                ackP99Ms = Fmt.Round(acks.Percentile(99)),
                deliveredP50Ms = Fmt.Round(d.Median),
                deliveredP99Ms = Fmt.Round(p99),
                deliveriesPerSecond = Math.Round(deliveriesPerSecond),
                serverCores = Fmt.Round(serverCores, 2),
                clientCores = Fmt.Round(clientCores, 2),
                allocatedBytesPerSend = Math.Round(perSend),
                passed,
            });
            var allocated = double.IsNaN(perSend) ? "allocations n/a" : $"{Fmt.Kb(perSend)} allocated per send";
            result.Add($"{mode} step {Fmt.N(rate)}/s", $"delivered to all 4 p50 {Fmt.Ms(d.Median)}, p99 {Fmt.Ms(p99)}; ack p50 {Fmt.Ms(acks.Median)}, p99 {Fmt.Ms(acks.Percentile(99))}; {Fmt.N(deliveriesPerSecond)} deliveries/s; errors {errors[0]}, shed {outcome.Shed}, undelivered {tracker.Outstanding}; server {serverCores:F2} cores / bench {clientCores:F2}; {allocated}", "", "", passed);
            Fmt.Log($"S2 {mode} step {rate}/s: delivered p99 {p99:F1} ms, ack p99 {acks.Percentile(99):F1} ms, errors {errors[0]}, shed {outcome.Shed}, undelivered {tracker.Outstanding}, server {serverCores:F2} cores");
            if (!passed)
            {
                break;
            }

            best = rate;
        }

        result.Figures[$"steps{mode}"] = steps;
        await Realtime.DisposeAllAsync(connections);
        return best;
    }
}
