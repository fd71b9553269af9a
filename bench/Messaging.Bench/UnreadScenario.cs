using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Messaging.Bench;

/// <summary>S6: unread_count for a user in 1,000 conversations under send load (see docs/performance.md).</summary>
internal static class UnreadScenario
{
    private const string MessagesPath = "/api/messaging/messages/";

    public static async Task<ScenarioResult> RunAsync(BenchOptions options)
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

        // The HTTP floor: the same request, token and pipeline for a user in no conversation, taken
        // alternately with the measured one, so both see the same load at the same moments.
        var emptyToken = Tokens.For("s6-nobody");

        async Task<(Samples Reader, Samples Empty)> MeasureAsync(int count)
        {
            var samples = new Samples();
            var empty = new Samples();
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

                start = Stopwatch.GetTimestamp();
                var nothing = await api.GetJsonAsync(MessagesPath + "unread_count/", emptyToken);
                empty.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                if (nothing.GetProperty("total").GetInt32() != 0)
                {
                    throw new InvalidOperationException($"unread total {nothing.GetProperty("total")} for a user in no conversation.");
                }
            }

            return (samples, empty);
        }

        await MeasureAsync(20);
        var (idle, idleEmpty) = await MeasureAsync(Math.Min(100, requests));

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
        var (loaded, loadedEmpty) = await MeasureAsync(requests);
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
                       (SELECT count(*) FROM messages m WHERE m.conversation_id = p.conversation_id AND m.sequence > p.last_read_sequence AND m.sender_id <> $u AND m.deleted_at IS NULL) AS unread,
                       (SELECT count(*) FROM mentions x WHERE x.user_id = $u AND x.conversation_id = p.conversation_id AND x.sequence > p.last_read_sequence) AS mentioned
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
        result.Add("same request, user in no conversation, p50 / p99 under load", $"{Fmt.Ms(loadedEmpty.Median)} / {Fmt.Ms(loadedEmpty.Percentile(99))}");
        result.Add("unread_count p50 / p99 without load", $"{Fmt.Ms(idle.Median)} / {Fmt.Ms(idle.Percentile(99))}");
        result.Add("same request, user in no conversation, p50 / p99 without load", $"{Fmt.Ms(idleEmpty.Median)} / {Fmt.Ms(idleEmpty.Percentile(99))}");
        result.Add("background sends during the run", $"{Fmt.N(sentDuringLoad)} acked, errors {loadErrors}, ack p99 {Fmt.Ms(loadAcks.Percentile(99))}");
        result.Notes.Add($"CPU while measuring under load: {cpuText}.");
        result.Notes.Add("HTTP floor: the same GET with the same client for a user in no conversation (token check, routing, one statement that finds no row, JSON), alternating with the measured request.");
        result.Notes.Add("Floor: the server's statement (participants of the user, a correlated count of unread messages and one of mentions per conversation) with Microsoft.Data.Sqlite in-process on the server's file, after the load stopped.");
        result.Figures["loaded"] = new { p50Ms = Fmt.Round(loaded.Median), p99Ms = Fmt.Round(loaded.Percentile(99)), maxMs = Fmt.Round(loaded.Max), requests = loaded.Count };
        result.Figures["idle"] = new { p50Ms = Fmt.Round(idle.Median), p99Ms = Fmt.Round(idle.Percentile(99)) };
        result.Figures["emptyLoaded"] = new { p50Ms = Fmt.Round(loadedEmpty.Median), p99Ms = Fmt.Round(loadedEmpty.Percentile(99)) };
        result.Figures["emptyIdle"] = new { p50Ms = Fmt.Round(idleEmpty.Median), p99Ms = Fmt.Round(idleEmpty.Percentile(99)) };
        result.Figures["floor"] = new { p50Ms = Fmt.Round(floor.Median), p99Ms = Fmt.Round(floor.Percentile(99)) };
        await Task.WhenAny(load, Task.Delay(TimeSpan.FromSeconds(5)));
        return result;
    }
}
