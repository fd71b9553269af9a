using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Messaging.Bench;

/// <summary>S4: history: a 50-message page at random depth of a long conversation (see docs/performance.md).</summary>
internal static class HistoryScenario
{
    public static async Task<ScenarioResult> RunAsync(BenchOptions options)
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

        var first = await api.GetJsonAsync(path, token);
        var nextLink = first.GetProperty("nextLink").GetString()!;
        if (!nextLink.Contains("continuationToken=" + TokenFor(messages - 49), StringComparison.Ordinal) || first.GetProperty("value").GetArrayLength() != 50)
        {
            throw new InvalidOperationException($"Unexpected first page: nextLink {nextLink}.");
        }

        async Task<Samples> ReadAsync(int count, int concurrency = readers) =>
            await ReadPathAsync(count, () => $"{path}&continuationToken={TokenFor(Random.Shared.NextInt64(51, messages + 1))}", minimumBytes: 1000, concurrency);

        async Task<Samples> ReadPathAsync(int count, Func<string> nextPath, int minimumBytes, int concurrency = readers)
        {
            var samples = new Samples();
            var next = -1;
            var bad = 0;
            var deadline = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
            {
                while (Interlocked.Increment(ref next) < count && deadline.Elapsed < TimeSpan.FromSeconds(120))
                {
                    var requestPath = nextPath();
                    var start = Stopwatch.GetTimestamp();
                    using var response = await api.SendAsync(HttpMethod.Get, requestPath, token);
                    var body = await response.Content.ReadAsByteArrayAsync();
                    samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    if (!response.IsSuccessStatusCode || body.Length < minimumBytes)
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

        // HTTP floor: the same client, concurrency and server answering its smallest request
        // (GET /api/health: routing, one store ping, a 15-byte JSON body), right after the pages.
        var healthClock = Stopwatch.StartNew();
        var health = await ReadPathAsync(requests, () => "/api/health", minimumBytes: 10);
        var healthThroughput = health.Count / healthClock.Elapsed.TotalSeconds;

        // One reader alone: the latency of a page with nothing queued beside it, and the same for health.
        var singleRequests = options.Quick ? 500 : 2000;
        var single = await ReadAsync(singleRequests, concurrency: 1);
        var singleHealth = await ReadPathAsync(singleRequests, () => "/api/health", minimumBytes: 10, concurrency: 1);

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
        result.Add("pages/s (16 readers)", Fmt.N(throughput), $"{Fmt.N(healthThroughput)} health requests/s", "≥ 5,000", throughput >= 5000);
        result.Add("health request p50 / p99 (16 readers)", $"{Fmt.Ms(health.Median)} / {Fmt.Ms(health.Percentile(99))}");
        result.Add("HTTP page p99, one reader", Fmt.Ms(single.Percentile(99)), $"{Fmt.Ms(singleHealth.Percentile(99))} health", "≤ 2 ms", single.Percentile(99) <= 2);
        result.Add("HTTP page p50, one reader", Fmt.Ms(single.Median), $"{Fmt.Ms(singleHealth.Median)} health");
        result.Notes.Add($"CPU during the HTTP run: {cpuText}. Latency is per request at 16 concurrent readers on 2 cores, so it includes queueing behind the other 15.");
        result.Notes.Add("HTTP floor: GET /api/health with the same client, 16 readers and request count, right after the pages: what the server's HTTP pipeline answers per second on this machine with the bench beside it.");
        result.Notes.Add($"Floor: the same keyset query (`sequence < $before ORDER BY sequence DESC LIMIT 51`) with Microsoft.Data.Sqlite in-process, {readers} threads, one open connection each, reading the rows.");
        result.Figures["http"] = new { p50Ms = Fmt.Round(http.Median), p99Ms = Fmt.Round(http.Percentile(99)), maxMs = Fmt.Round(http.Max), pagesPerSecond = Math.Round(throughput), requests = http.Count };
        result.Figures["health"] = new { p50Ms = Fmt.Round(health.Median), p99Ms = Fmt.Round(health.Percentile(99)), requestsPerSecond = Math.Round(healthThroughput) };
        result.Figures["single"] = new { p50Ms = Fmt.Round(single.Median), p99Ms = Fmt.Round(single.Percentile(99)), healthP50Ms = Fmt.Round(singleHealth.Median), healthP99Ms = Fmt.Round(singleHealth.Percentile(99)), requests = single.Count };
        result.Figures["floor"] = new { p50Ms = Fmt.Round(floor.Median), p99Ms = Fmt.Round(floor.Percentile(99)), maxMs = Fmt.Round(floor.Max) };
        result.Figures["messages"] = messages;
        return result;
    }

    // The token is opaque to clients; the bench builds it as the server does and checks that against a real nextLink.
    private static string TokenFor(long sequence) =>
        Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(sequence.ToString(CultureInfo.InvariantCulture))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
