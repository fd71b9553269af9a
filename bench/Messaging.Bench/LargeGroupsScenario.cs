using System.Diagnostics;

namespace Messaging.Bench;

/// <summary>S8: the first conversation page of a user in 20 groups of 1,000: its size and latency must not grow with the groups.</summary>
internal static class LargeGroupsScenario
{
    private const int Groups = 20;
    private const int Members = 1000;
    private const double TargetKilobytes = 60;
    private const double TargetMilliseconds = 10;

    public static async Task<ScenarioResult> RunAsync(BenchOptions options)
    {
        var requests = options.Quick ? 200 : 1000;
        var result = new ScenarioResult("S8", $"large groups: the first conversation page of a user in {Groups} groups of {Fmt.N(Members)}");
        result.Settings["groups"] = $"{Groups} group conversations of {Fmt.N(Members)} participants (seeded straight into the SQLite file), 20 messages of 100 characters each (as S4)";
        result.Settings["request"] = $"GET /api/messaging/conversations/ (limit 20) by a member who is not an owner; one reader, {requests} requests after 50 warm-up";

        var data = ServerHost.NewDataPath("s8");
        await ServerHost.MigrateAsync(options.RepoRoot, data);
        const string reader = "s8-reader";
        using (var seeder = new Seeder(Path.Combine(data, "messaging.db")))
        {
            var conversations = Enumerable.Range(0, Groups).Select(g => (
                Id: $"s8-c{g}",
                Users: (IReadOnlyList<string>)[.. Enumerable.Range(0, Members).Select(i => i == Members / 2 ? reader : $"s8-u{g}-{i:D4}")])).ToList();
            seeder.Conversations(conversations);
            foreach (var (id, users) in conversations)
            {
                seeder.Messages(id, users.Take(5).ToList(), 20, 100);
            }

            seeder.Checkpoint();
        }

        await using var server = await ServerHost.StartAsync(options.RepoRoot, data);
        using var api = new Api(server.BaseAddress, 4);
        var token = Tokens.For(reader);
        const string path = "/api/messaging/conversations/";
        var samples = new Samples();
        long bytes = 0;
        for (var i = 0; i < requests + 50; i++)
        {
            var start = Stopwatch.GetTimestamp();
            using var response = await api.SendAsync(HttpMethod.Get, path, token);
            var body = await response.Content.ReadAsByteArrayAsync();
            var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"The conversation page answered {(int)response.StatusCode}.");
            }

            bytes = body.Length;
            if (i >= 50)
            {
                samples.Add(elapsed);
            }
        }

        var kilobytes = bytes / 1024.0;
        result.Add("page size", $"{kilobytes:F1} KB", "", $"< {TargetKilobytes} KB", kilobytes < TargetKilobytes);
        result.Add("page p50", Fmt.Ms(samples.Median), "", $"< {TargetMilliseconds} ms", samples.Median < TargetMilliseconds);
        result.Add("page p99", Fmt.Ms(samples.Percentile(99)));
        result.Notes.Add("Each conversation lists 20 participants (the caller, the owner, the earliest joiners) and `participantCount`; the rest is paged by `GET …/participants/`.");
        result.Figures["bytes"] = bytes;
        result.Figures["p50Ms"] = Fmt.Round(samples.Median);
        result.Figures["p99Ms"] = Fmt.Round(samples.Percentile(99));
        return result;
    }
}
