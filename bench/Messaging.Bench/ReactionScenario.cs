using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Messaging.Bench;

/// <summary>
/// S1r: reaction round trip beside S1, on one server and one conversation of 10: REST PUT of a reaction until
/// the other participant's connection has reaction.added, and in the same run the S1 send until that same
/// participant has message.created, so the two p99s compare like for like (target: within 2 ms).
/// </summary>
internal static class ReactionScenario
{
    private const string MessagesPath = "/api/messaging/messages/";
    private const int Participants = 10;
    private const int KindsPerMessage = 20;

    public static async Task<ScenarioResult> RunAsync(BenchOptions options)
    {
        var result = new ScenarioResult("S1r", "reaction round trip: REST PUT until the other participant's reaction.added, beside S1's send on the same server");
        var operations = options.Quick ? 100 : 400;
        const double rate = 20;
        result.Settings["operations per kind"] = Fmt.I(operations);
        result.Settings["arrival"] = "open loop, 20 operations/s, latency from each operation's due time; sends first, then reactions";
        result.Settings["participants"] = $"{Participants}, one SignalR connection each; latency taken at the other participant's connection";
        result.Settings["reactions"] = $"a new kind each time, {KindsPerMessage} per message (the limit), so every PUT is a change";
        result.Settings["warm-up"] = "30 sends and 30 reactions not counted";

        var data = ServerHost.NewDataPath("s1r");
        await ServerHost.MigrateAsync(options.RepoRoot, data);
        var users = Enumerable.Range(0, Participants).Select(i => $"s1r-u{i}").ToList();
        const string conversation = "s1r-c";
        using (var seeder = new Seeder(Path.Combine(data, "messaging.db")))
        {
            seeder.Conversations([(conversation, users)]);
            seeder.Checkpoint();
        }

        await using var server = await ServerHost.StartAsync(options.RepoRoot, data);
        var sends = new DeliveryTracker();
        var (connections, failed) = await Realtime.ConnectManyAsync(server.BaseAddress, users, i => i == 1 ? sends.OnEvent : _ => { }, 16, TimeSpan.FromSeconds(60));
        if (failed > 0)
        {
            throw new InvalidOperationException($"{failed} of {Participants} connections failed.");
        }

        var reactions = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var reactionLatency = new Samples();
        connections[1].On<ReactionEvent>("reaction.added", added =>
        {
            var now = Stopwatch.GetTimestamp();
            if (reactions.TryRemove($"{added.MessageId}|{added.Reaction}", out var due))
            {
                reactionLatency.Add(Stopwatch.GetElapsedTime(due, now).TotalMilliseconds);
            }
        });

        using var api = new Api(server.BaseAddress, 64);
        var token = Tokens.For(users[0]);
        var errors = new int[2];

        async Task SendAsync(DeliveryTracker tracker, string id, long due)
        {
            tracker.Expect(id, due, 1);
            using var response = await api.SendAsync(HttpMethod.Post, MessagesPath, token, new { conversationId = conversation, text = "hello " + id, clientMessageId = id });
            if (!response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref errors[0]);
                tracker.Forget(id);
            }
        }

        var warmSends = new DeliveryTracker();
        for (var i = 0; i < 30; i++)
        {
            await SendAsync(warmSends, $"w{i}", Stopwatch.GetTimestamp());
        }

        var sendOutcome = await OpenLoop.RunAsync(operations, rate, (i, due) => SendAsync(sends, $"m{i}", due), 1000, TimeSpan.FromSeconds(30));
        await sends.DrainAsync(TimeSpan.FromSeconds(10));

        // The messages to react to: one per 20 reactions, warm-up included.
        var targets = new List<string>();
        for (var i = 0; i < (operations + 30) / KindsPerMessage + 1; i++)
        {
            using var response = await api.SendAsync(HttpMethod.Post, MessagesPath, token, new { conversationId = conversation, text = "react " + i });
            var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(Api.Json);
            targets.Add(body.GetProperty("id").GetString()!);
        }

        async Task ReactAsync(int n, long due, bool measured)
        {
            var (messageId, reaction) = (targets[n / KindsPerMessage], $"k{n % KindsPerMessage}");
            if (measured)
            {
                reactions[$"{messageId}|{reaction}"] = due;
            }

            using var response = await api.SendAsync(HttpMethod.Put, $"{MessagesPath}{messageId}/reactions/{reaction}/", token);
            if (!response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref errors[1]);
                reactions.TryRemove($"{messageId}|{reaction}", out _);
            }
        }

        for (var i = 0; i < 30; i++)
        {
            await ReactAsync(i, Stopwatch.GetTimestamp(), measured: false);
        }

        var cpu = new CpuMeter(server.Pid);
        var reactOutcome = await OpenLoop.RunAsync(operations, rate, (i, due) => ReactAsync(30 + i, due, measured: true), 1000, TimeSpan.FromSeconds(30));
        for (var wait = 0; wait < 500 && !reactions.IsEmpty; wait++)
        {
            await Task.Delay(20);
        }

        var s = sends.ToLastRecipient;
        var gap = reactionLatency.Percentile(99) - s.Percentile(99);
        result.Add("send until the other participant's message.created: p50 / p99", $"{Fmt.Ms(s.Median)} / {Fmt.Ms(s.Percentile(99))}");
        result.Add("PUT reaction until the other participant's reaction.added: p50", Fmt.Ms(reactionLatency.Median));
        result.Add("PUT reaction until the other participant's reaction.added: p99", Fmt.Ms(reactionLatency.Percentile(99)), "", "within 2 ms of the send p99, every operation answered and delivered",
            gap <= 2 && errors[0] + errors[1] == 0 && s.Count == operations && reactionLatency.Count == operations);
        result.Add("sends / reactions complete, errors", $"{s.Count}/{operations}, {reactionLatency.Count}/{operations}, {errors[0]} + {errors[1]}");
        result.Notes.Add($"reactions: {cpu.Describe()}; shed {sendOutcome.Shed} sends, {reactOutcome.Shed} reactions.");
        result.Figures["reaction"] = new
        {
            sendP50Ms = Fmt.Round(s.Median),
            sendP99Ms = Fmt.Round(s.Percentile(99)),
            reactionP50Ms = Fmt.Round(reactionLatency.Median),
            reactionP99Ms = Fmt.Round(reactionLatency.Percentile(99)),
            p99GapMs = Fmt.Round(gap),
            complete = reactionLatency.Count,
            operations,
            errors = errors[0] + errors[1],
        };
        await Realtime.DisposeAllAsync(connections);
        return result;
    }

    /// <summary>The slice of a reaction.added payload the bench needs.</summary>
    private sealed record ReactionEvent(string MessageId, string Reaction, int Count);
}
