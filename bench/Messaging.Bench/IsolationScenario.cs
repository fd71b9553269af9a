using System.Diagnostics;

namespace Messaging.Bench;

/// <summary>
/// S9: does a conversation wait behind another? Send-to-delivered latency of a 2-user
/// conversation, first alone, then while a 1,000-member group is renamed and marked read over
/// and over. The quiet run, measured first in the same run, is the floor.
/// </summary>
internal static class IsolationScenario
{
    private const int GroupSize = 1000;
    private const int GroupConnected = 50;
    private const double SendRate = 20;
    private const double RenameRate = 5;
    private const double ReadRate = 50;

    public static async Task<ScenarioResult> RunAsync(BenchOptions options)
    {
        var result = new ScenarioResult("S9", "isolation: a small conversation's delivery latency while a 1,000-member group is renamed and marked read");
        var sends = options.Quick ? 200 : 400;
        result.Settings["small conversation"] = $"2 users, both connected; {sends} REST sends at {SendRate}/s open loop per phase, latency from the send's due time until the other user has message.created";
        result.Settings["load"] = $"a {Fmt.N(GroupSize)}-member group ({GroupConnected} of its members connected): renamed {RenameRate}/s (update_title by its owner) and marked read {ReadRate}/s (mark_as_read of the conversation, each time by a member who has not read it yet), open loop, for the whole loaded phase";
        result.Settings["phases"] = "quiet (the small conversation alone) then loaded; 30 warm-up sends first";

        var data = ServerHost.NewDataPath("s8");
        await ServerHost.MigrateAsync(options.RepoRoot, data);
        var small = (Id: "s8-small", Users: (IReadOnlyList<string>)["s8-a", "s8-b"]);
        var group = (Id: "s8-group", Users: (IReadOnlyList<string>)[.. Enumerable.Range(0, GroupSize).Select(i => $"s8-g{i}")]);
        using (var seeder = new Seeder(Path.Combine(data, "messaging.db")))
        {
            seeder.Conversations([small, group]);
            seeder.Messages(group.Id, [group.Users[0]], 20, 100);
            seeder.Checkpoint();
        }

        await using var server = await ServerHost.StartAsync(options.RepoRoot, data);
        var slot = new TrackerSlot();
        var (receivers, failed) = await Realtime.ConnectManyAsync(server.BaseAddress, [small.Users[1]], _ => slot.OnEvent, 1, TimeSpan.FromSeconds(30));
        var (watchers, watchersFailed) = await Realtime.ConnectManyAsync(server.BaseAddress, [.. group.Users.Take(GroupConnected)], _ => _ => { }, 16, TimeSpan.FromSeconds(60));
        using var api = new Api(server.BaseAddress, 256);
        var senderToken = Tokens.For(small.Users[0]);
        var ownerToken = Tokens.For(group.Users[0]);
        var groupTokens = group.Users.Select(Tokens.For).ToArray();

        async Task<(Samples Delivered, Samples Acks, int Errors, string Cpu)> PhaseAsync(string name, int count)
        {
            var acks = new Samples();
            var tracker = new DeliveryTracker();
            slot.Current = tracker;
            var errors = 0;
            var cpu = new CpuMeter(server.Pid);
            await OpenLoop.RunAsync(count, SendRate, async (i, due) =>
            {
                var id = $"s8-{name}-{i}";
                tracker.Expect(id, due, 1);
                using var response = await api.SendAsync(HttpMethod.Post, "/api/messaging/messages/", senderToken, new { conversationId = small.Id, text = "hello " + id, clientMessageId = id });
                acks.Add(Stopwatch.GetElapsedTime(due).TotalMilliseconds);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref errors);
                    tracker.Forget(id);
                }
            }, 1000, TimeSpan.FromSeconds(60));
            await tracker.DrainAsync(TimeSpan.FromSeconds(15));
            errors += tracker.Outstanding;
            return (tracker.ToLastRecipient, acks, errors, cpu.Describe());
        }

        await PhaseAsync("warm", 30);
        var quiet = await PhaseAsync("quiet", sends);

        using var stopLoad = new CancellationTokenSource();
        var renames = new Samples();
        var reads = new Samples();
        var loadErrors = 0;
        var reader = 0;
        var renaming = OpenLoop.RunAsync(1_000_000, RenameRate, async (i, due) =>
        {
            using var response = await api.SendAsync(HttpMethod.Post, $"/api/messaging/conversations/{group.Id}/update_title/", ownerToken, new { title = $"renamed {i}" });
            renames.Add(Stopwatch.GetElapsedTime(due).TotalMilliseconds);
            if (!response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref loadErrors);
            }
        }, 500, TimeSpan.FromSeconds(30), stopLoad.Token);
        var marking = OpenLoop.RunAsync(GroupSize - 1, ReadRate, async (i, due) =>
        {
            var member = 1 + (Interlocked.Increment(ref reader) - 1) % (GroupSize - 1);
            using var response = await api.SendAsync(HttpMethod.Post, "/api/messaging/messages/mark_as_read/", groupTokens[member], new { conversationId = group.Id });
            reads.Add(Stopwatch.GetElapsedTime(due).TotalMilliseconds);
            if (!response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref loadErrors);
            }
        }, 500, TimeSpan.FromSeconds(30), stopLoad.Token);
        await Task.Delay(1000);
        var loaded = await PhaseAsync("loaded", sends);
        await stopLoad.CancelAsync();
        await Task.WhenAll(renaming, marking);

        var q99 = quiet.Delivered.Percentile(99);
        var l99 = loaded.Delivered.Percentile(99);
        result.Add("small conversation delivered p50, quiet", Fmt.Ms(quiet.Delivered.Median));
        result.Add("small conversation delivered p99, quiet", Fmt.Ms(q99), "(the floor of the loaded p99)");
        result.Add("small conversation delivered p50, group under load", Fmt.Ms(loaded.Delivered.Median), Fmt.Ms(quiet.Delivered.Median));
        result.Add("small conversation delivered p99, group under load", Fmt.Ms(l99), Fmt.Ms(q99), "≤ quiet p99 + 10 ms", l99 <= q99 + 10);
        result.Add("small conversation REST ack p99, quiet / loaded (the write path, before any fan-out)", $"{Fmt.Ms(quiet.Acks.Percentile(99))} / {Fmt.Ms(loaded.Acks.Percentile(99))}");
        result.Add("small conversation delivered max, quiet / loaded", $"{Fmt.Ms(quiet.Delivered.Max)} / {Fmt.Ms(loaded.Delivered.Max)}");
        result.Add("small sends undelivered or failed, quiet / loaded", $"{quiet.Errors} / {loaded.Errors}");
        result.Add("group load during the loaded phase", $"{renames.Count} renames (ack p99 {Fmt.Ms(renames.Percentile(99))}), {reads.Count} mark_as_read (ack p99 {Fmt.Ms(reads.Percentile(99))}), errors {loadErrors}");
        result.Add("connections (small / group) / failed", $"{receivers.Count} / {watchers.Count} / {failed + watchersFailed}");
        result.Notes.Add($"CPU, quiet: {quiet.Cpu}. Loaded: {loaded.Cpu}.");
        result.Figures["quiet"] = new { p50Ms = Fmt.Round(quiet.Delivered.Median), p99Ms = Fmt.Round(q99), ackP99Ms = Fmt.Round(quiet.Acks.Percentile(99)), maxMs = Fmt.Round(quiet.Delivered.Max), errors = quiet.Errors };
        result.Figures["loaded"] = new { p50Ms = Fmt.Round(loaded.Delivered.Median), p99Ms = Fmt.Round(l99), ackP99Ms = Fmt.Round(loaded.Acks.Percentile(99)), maxMs = Fmt.Round(loaded.Delivered.Max), errors = loaded.Errors };
        result.Figures["load"] = new { renames = renames.Count, reads = reads.Count, renameAckP99Ms = Fmt.Round(renames.Percentile(99)), readAckP99Ms = Fmt.Round(reads.Percentile(99)), errors = loadErrors };
        await Realtime.DisposeAllAsync(receivers.Concat(watchers));
        return result;
    }
}
