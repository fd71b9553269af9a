using System.Diagnostics;

namespace Messaging.Bench;

/// <summary>S5: idle connections: server memory per SignalR connection (see docs/performance.md).</summary>
internal static class IdleConnectionsScenario
{
    public static async Task<ScenarioResult> RunAsync(BenchOptions options)
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
}
