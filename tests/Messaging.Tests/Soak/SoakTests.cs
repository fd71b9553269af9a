using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Messaging.Functions.Auth;
using Messaging.Tests.Support;
using Xunit.Abstractions;

namespace Messaging.Tests.Soak;

/// <summary>
/// A bounded mixed load against the standalone server as a separate process on loopback: users
/// sending over REST (with <c>clientMessageId</c>, some retried), uploading and downloading
/// attachments, marking read, reading unread counts and history, typing, while SignalR clients
/// connect and disconnect. It then checks that nothing failed, nothing was lost, every connected
/// participant got every <c>message.created</c> (in order), the server's memory levelled off and
/// its sockets went back to the baseline. Duration: <c>SOAK_SECONDS</c> (default 20); figures go to
/// <c>artifacts/soak.json</c>.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Slow)]
public sealed class SoakTests(ITestOutputHelper output) : IDisposable
{
    private const int Users = 6;
    private const int ChurnWorkers = 2;
    private const double MaxRssGrowth = 0.30;
    private const int SocketSlack = 2;

    // Who talks to whom: four groups and two direct conversations; every user is in at least three.
    private static readonly int[][] GroupMembers = [[0, 1, 2, 3], [2, 3, 4, 5], [0, 4, 5], [1, 3, 5]];
    private static readonly int[][] DirectPairs = [[0, 1], [4, 5]];

    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "messaging-soak", Guid.NewGuid().ToString("N"));
    private readonly ConcurrentDictionary<string, int> _tried = new();
    private readonly ConcurrentDictionary<string, int> _rateLimited = new();
    private readonly ConcurrentQueue<string> _faults = new();

    public void Dispose()
    {
        TemporaryFolder.DeleteQuietly(_dataPath);
    }

    private static TimeSpan Duration =>
        TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("SOAK_SECONDS"), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 ? seconds : 20);

    [Fact]
    public async Task Mixed_load_loses_nothing_delivers_every_event_and_leaks_neither_memory_nor_sockets()
    {
        Directory.CreateDirectory(_dataPath);
        var duration = Duration;
        // The soak looks for loss, leaks and faults at a load above any one person's pace: the
        // per-user send and upload limits (tested in LimitTests) would only turn it into 429s.
        using var server = await ServerProcess.StartAsync(_dataPath, new Dictionary<string, string>
        {
            ["Messaging__SendsPerSecond"] = "0",
            ["Messaging__UploadsPerMinute"] = "0",
        });
        var pid = server.ProcessId;
        await Task.Delay(500);
        var socketsBaseline = Proc.Sockets(pid);
        var fdsBaseline = Proc.FileDescriptors(pid);

        var users = Enumerable.Range(0, Users).Select(i => $"soak-{i}-{Guid.NewGuid():N}"[..20]).ToArray();
        var tokens = users.ToDictionary(u => u, u => Token(u));
        var clients = users.ToDictionary(u => u, u => Client(server.BaseAddress, tokens[u]));
        using var anonymous = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

        // The conversations, and who is in each.
        var conversations = new Dictionary<string, string[]>();
        foreach (var members in GroupMembers)
        {
            var others = members.Skip(1).Select(i => users[i]).ToArray();
            var created = await Expect("create group", clients[users[members[0]]].PostJsonAsync("/api/messaging/conversations/", new { title = "soak", participantIds = others }), HttpStatusCode.Created);
            conversations[created.Id()] = [.. members.Select(i => users[i])];
        }

        foreach (var pair in DirectPairs)
        {
            var created = await Expect("create direct", clients[users[pair[0]]].PostJsonAsync("/api/messaging/conversations/direct/", new { userId = users[pair[1]] }), HttpStatusCode.Created);
            conversations[created.Id()] = [users[pair[0]], users[pair[1]]];
        }

        var conversationsOf = users.ToDictionary(u => u, u => conversations.Where(c => c.Value.Contains(u)).Select(c => c.Key).ToArray());

        // One client per user stays connected throughout: it must see every message.created.
        var steady = new Dictionary<string, EventClient>();
        var reconnects = new ConcurrentDictionary<string, int>();
        foreach (var user in users)
        {
            var client = await EventClient.ConnectAsync(server.BaseAddress, () => tokens[user]);
            client.Connection.Reconnecting += _ =>
            {
                reconnects.AddOrUpdate(user, 1, (_, n) => n + 1);
                return Task.CompletedTask;
            };
            steady[user] = client;
            Count("signalr connect");
        }

        var acknowledged = new ConcurrentDictionary<string, (string ConversationId, long Sequence)>();
        var lastMessage = new ConcurrentDictionary<string, string>();
        var rss = new List<(double Seconds, long Kilobytes)>();
        var socketsPeak = socketsBaseline;
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource(duration);

        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                rss.Add((clock.Elapsed.TotalSeconds, Proc.RssKilobytes(pid)));
                socketsPeak = Math.Max(socketsPeak, Proc.Sockets(pid));
                try
                {
                    await Task.Delay(1000, stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });

        var workers = users.Select((user, index) => Task.Run(() => UserLoopAsync(index, user, clients[user], anonymous, conversationsOf[user], acknowledged, lastMessage, stop.Token))).ToList();
        var churnClients = new ConcurrentBag<(string User, List<(string Name, JsonElement Payload)> Received)>();
        var churn = Enumerable.Range(0, ChurnWorkers).Select(w => Task.Run(async () =>
        {
            var random = new Random(1000 + w);
            while (!stop.IsCancellationRequested)
            {
                var user = users[random.Next(Users)];
                try
                {
                    Count("signalr connect");
                    await using var client = await EventClient.ConnectAsync(server.BaseAddress, () => tokens[user]);
                    await Task.Delay(random.Next(100, 800));
                    churnClients.Add((user, [.. client.Received]));
                }
                catch (Exception exception) when (exception is HttpRequestException or InvalidOperationException or TimeoutException or TaskCanceledException)
                {
                    Fault($"signalr connect as {user}: {exception.GetType().Name}: {exception.Message}");
                }

                Count("signalr disconnect");
            }
        })).ToList();

        await Task.WhenAll(workers.Concat(churn));
        await sampler;
        var loadSeconds = clock.Elapsed.TotalSeconds;

        // Every acknowledged message is stored, once, with gapless sequences; nothing else is.
        var stored = new Dictionary<string, List<(string Id, long Sequence, string Sender)>>();
        foreach (var (conversationId, members) in conversations)
        {
            stored[conversationId] = await ReadAllAsync(clients[members[0]], conversationId);
        }

        var lost = acknowledged.Count(a => !stored[a.Value.ConversationId].Exists(s => s.Id == a.Key && s.Sequence == a.Value.Sequence));
        var gaps = stored.Count(c => !c.Value.Select(m => m.Sequence).SequenceEqual(Enumerable.Range(1, c.Value.Count).Select(i => (long)i)));
        var storedTotal = stored.Sum(c => c.Value.Count);

        // Every steady client receives every message.created of its conversations, in sequence order.
        var drainDeadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < drainDeadline && users.Any(u => MissingLive(steady[u], conversationsOf[u], stored).Count > 0))
        {
            await Task.Delay(250);
        }

        var missedLive = 0;
        var caughtUp = 0;
        var undelivered = 0;
        var outOfOrder = 0;
        foreach (var user in users)
        {
            var missing = MissingLive(steady[user], conversationsOf[user], stored);
            missedLive += missing.Count;
            foreach (var (conversationId, sequences) in missing.GroupBy(m => m.ConversationId, m => m.Sequence).ToDictionary(g => g.Key, g => g.ToHashSet()))
            {
                // The client recipe: fetch after the last sequence seen without a gap.
                var seen = LiveSequences(steady[user].Received, conversationId);
                var lastGapless = 0L;
                while (seen.Contains(lastGapless + 1))
                {
                    lastGapless++;
                }

                var fetched = (await ReadAllAsync(clients[user], conversationId, lastGapless)).Select(m => m.Sequence).ToHashSet();
                caughtUp += sequences.Count(fetched.Contains);
                undelivered += sequences.Count(s => !fetched.Contains(s));
            }

            outOfOrder += OutOfOrder(steady[user].Received);
        }

        foreach (var (_, received) in churnClients)
        {
            outOfOrder += OutOfOrder(received);
        }

        var liveReceived = users.Sum(u => steady[u].Received.Count(r => r.Name == "message.created"));

        // Unread counts agree with the stored read watermarks.
        var unreadMismatches = 0;
        foreach (var user in users)
        {
            var counts = await Expect("unread_count (final)", clients[user].GetJsonAsync("/api/messaging/messages/unread_count/"), HttpStatusCode.OK);
            var reported = counts["conversations"]!.AsArray().ToDictionary(c => c.Str("conversationId"), c => c!["unreadCount"]!.GetValue<int>());
            foreach (var conversationId in conversationsOf[user])
            {
                var conversation = await Expect("conversation (final)", clients[user].GetJsonAsync($"/api/messaging/conversations/{conversationId}/"), HttpStatusCode.OK);
                var watermark = conversation["participants"]!.AsArray().Single(p => p.Str("userId") == user)!["lastReadMessageId"]?.GetValue<string>();
                var readUpTo = watermark is null ? 0 : stored[conversationId].Single(m => m.Id == watermark).Sequence;
                var expected = stored[conversationId].Count(m => m.Sequence > readUpTo && m.Sender != user);
                if (reported.GetValueOrDefault(conversationId) != expected || conversation["unreadCount"]!.GetValue<int>() != expected)
                {
                    unreadMismatches++;
                    Fault($"unread count of {user} in {conversationId}: reported {reported.GetValueOrDefault(conversationId)}, conversation {conversation["unreadCount"]}, expected {expected}");
                }
            }

            if (counts["total"]!.GetValue<int>() != reported.Values.Sum())
            {
                unreadMismatches++;
                Fault($"unread total of {user} is {counts["total"]}, the conversations add up to {reported.Values.Sum()}");
            }
        }

        // Everyone disconnects; the server's sockets go back to the baseline.
        foreach (var client in steady.Values)
        {
            await client.DisposeAsync();
            Count("signalr disconnect");
        }

        foreach (var client in clients.Values)
        {
            client.Dispose();
        }

        anonymous.Dispose();
        var socketsAfter = Proc.Sockets(pid);
        var settle = Stopwatch.StartNew();
        while (socketsAfter > socketsBaseline + SocketSlack && settle.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(250);
            socketsAfter = Proc.Sockets(pid);
        }

        var fdsAfter = Proc.FileDescriptors(pid);
        var serverErrors = server.Output.Where(l => l.StartsWith("fail:", StringComparison.Ordinal) || l.StartsWith("crit:", StringComparison.Ordinal)).ToList();

        // Memory: after a warm-up, the median RSS of the last third of the samples against the first third.
        var warmUp = Math.Min(10, Math.Max(4, duration.TotalSeconds / 5));
        var steadyRss = rss.Where(s => s.Seconds >= warmUp).Select(s => s.Kilobytes).ToList();
        var third = Math.Max(1, steadyRss.Count / 3);
        var firstThird = Median(steadyRss.Take(third));
        var lastThird = Median(steadyRss.Skip(steadyRss.Count - third));
        var growth = firstThird == 0 ? 0 : (lastThird - firstThird) / firstThird;
        var slope = Slope(rss.Where(s => s.Seconds >= warmUp).Select(s => (s.Seconds, s.Kilobytes / 1024.0)).ToList()) * 60;

        var figures = new
        {
            machine = new { processors = Environment.ProcessorCount, memoryMiB = Proc.MemTotalKilobytes() / 1024, os = Environment.OSVersion.VersionString, runtime = Environment.Version.ToString() },
            durationSeconds = Math.Round(loadSeconds, 1),
            users = Users,
            conversations = conversations.Count,
            requestsTried = new SortedDictionary<string, int>(_tried),
            requestsTotal = _tried.Where(t => !t.Key.StartsWith("signalr", StringComparison.Ordinal)).Sum(t => t.Value),
            requestsPerSecond = Math.Round(_tried.Where(t => !t.Key.StartsWith("signalr", StringComparison.Ordinal)).Sum(t => t.Value) / loadSeconds, 1),
            rateLimited = new SortedDictionary<string, int>(_rateLimited),
            faults = _faults.Count,
            faultSamples = _faults.Take(20).ToArray(),
            serverErrorLines = serverErrors.Count,
            messages = new { acknowledged = acknowledged.Count, stored = storedTotal, lost, conversationsWithGaps = gaps },
            events = new { messageCreatedReceivedLive = liveReceived, missedLive, caughtUpViaAfter = caughtUp, undelivered, outOfOrder, steadyClientReconnects = reconnects.Values.Sum(), churnClients = churnClients.Count },
            unreadMismatches,
            rssKiB = new
            {
                warmUpSeconds = warmUp,
                samples = rss.Count,
                first = rss.FirstOrDefault().Kilobytes,
                last = rss.LastOrDefault().Kilobytes,
                max = rss.Count == 0 ? 0 : rss.Max(s => s.Kilobytes),
                firstThirdMedian = firstThird,
                lastThirdMedian = lastThird,
                growthPercent = Math.Round(growth * 100, 1),
                slopeMiBPerMinute = Math.Round(slope, 2),
                series = rss.Select(s => s.Kilobytes).ToArray(),
            },
            sockets = new { baseline = socketsBaseline, peak = socketsPeak, after = socketsAfter },
            fileDescriptors = new { baseline = fdsBaseline, after = fdsAfter },
        };
        var json = JsonSerializer.Serialize(figures, new JsonSerializerOptions { WriteIndented = true });
        Directory.CreateDirectory(Path.Combine(Repository.Root, "artifacts"));
        await File.WriteAllTextAsync(Path.Combine(Repository.Root, "artifacts", "soak.json"), json);
        output.WriteLine(json);
        foreach (var line in serverErrors.Take(20))
        {
            output.WriteLine(line);
        }

        Assert.True(_faults.IsEmpty, $"{_faults.Count} faults, e.g.:\n{string.Join("\n", _faults.Take(10))}");
        Assert.Empty(serverErrors);
        Assert.True(acknowledged.Count > 0, "nothing was sent");
        Assert.Equal(0, lost);
        Assert.Equal(0, gaps);
        Assert.Equal(acknowledged.Count, storedTotal);
        Assert.Equal(0, undelivered);
        Assert.Equal(0, outOfOrder);
        Assert.True(missedLive == 0 || reconnects.Values.Sum() > 0, $"{missedLive} message.created events never reached a client that stayed connected");
        Assert.Equal(0, unreadMismatches);
        Assert.True(steadyRss.Count >= 3, $"only {steadyRss.Count} RSS samples after the warm-up");
        Assert.True(growth <= MaxRssGrowth, $"RSS grew {growth:P0} from the first third ({firstThird} KiB) to the last third ({lastThird} KiB) of the run");
        Assert.True(socketsAfter <= socketsBaseline + SocketSlack, $"the server holds {socketsAfter} sockets after every client left, {socketsBaseline} before the run");
    }

    private async Task UserLoopAsync(
        int index, string user, HttpClient client, HttpClient anonymous, string[] mine,
        ConcurrentDictionary<string, (string ConversationId, long Sequence)> acknowledged, ConcurrentDictionary<string, string> lastMessage, CancellationToken stop)
    {
        var random = new Random(index);
        var sent = new List<(string ClientMessageId, string Id, string ConversationId)>();
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var conversationId = mine[random.Next(mine.Length)];
            var roll = random.Next(100);
            try
            {
                if (roll < 35)
                {
                    var clientMessageId = $"{user}-{n}";
                    var message = await Expect("send", client.PostJsonAsync("/api/messaging/messages/", new { conversationId, text = $"soak {n} from {user}", clientMessageId }), HttpStatusCode.Created);
                    Acknowledge(message);
                    sent.Add((clientMessageId, message.Id(), conversationId));
                }
                else if (roll < 40 && sent.Count > 0)
                {
                    // A retry of an earlier send: the original message, never a second one.
                    var (clientMessageId, id, c) = sent[random.Next(sent.Count)];
                    var again = await Expect("send retry", client.PostJsonAsync("/api/messaging/messages/", new { conversationId = c, text = "retry", clientMessageId }), HttpStatusCode.OK);
                    if (again.Id() != id)
                    {
                        Fault($"retry of {clientMessageId} returned {again.Id()}, not {id}");
                    }
                }
                else if (roll < 50)
                {
                    var bytes = new byte[random.Next(1, 32 * 1024)];
                    random.NextBytes(bytes);
                    using var form = new MultipartFormDataContent { { new StringContent(conversationId), "conversationId" }, { new ByteArrayContent(bytes), "file", $"soak-{n}.bin" } };
                    Count("upload");
                    using var response = await client.PostAsync("/api/messaging/attachments/", form, CancellationToken.None);
                    var attachment = await BodyAsync("upload", response, HttpStatusCode.Created);
                    if (attachment is null)
                    {
                        continue;
                    }

                    var message = await Expect("send with attachment", client.PostJsonAsync("/api/messaging/messages/", new { conversationId, text = "", attachmentIds = new[] { attachment.Id() }, clientMessageId = $"{user}-{n}" }), HttpStatusCode.Created);
                    Acknowledge(message);
                    if (random.Next(2) == 0)
                    {
                        Count("download");
                        using var download = await anonymous.GetAsync(attachment.Str("downloadUrl"), CancellationToken.None);
                        var content = await download.Content.ReadAsByteArrayAsync(CancellationToken.None);
                        if (download.StatusCode != HttpStatusCode.OK || !content.AsSpan().SequenceEqual(bytes))
                        {
                            Fault($"download of {attachment.Id()}: {(int)download.StatusCode}, {content.Length} of {bytes.Length} bytes");
                        }
                    }
                }
                else if (roll < 65)
                {
                    object body = random.Next(2) == 0 || !lastMessage.TryGetValue(conversationId, out var last)
                        ? new { conversationId }
                        : new { messageIds = new[] { last } };
                    await Expect("mark_as_read", client.PostJsonAsync("/api/messaging/messages/mark_as_read/", body), HttpStatusCode.OK);
                }
                else if (roll < 75)
                {
                    await Expect("unread_count", client.GetJsonAsync("/api/messaging/messages/unread_count/"), HttpStatusCode.OK);
                }
                else if (roll < 85)
                {
                    await Expect("history", client.GetJsonAsync($"/api/messaging/conversations/{conversationId}/messages/?limit=50"), HttpStatusCode.OK);
                }
                else if (roll < 92)
                {
                    var after = Math.Max(0, acknowledged.Values.Where(a => a.ConversationId == conversationId).Select(a => a.Sequence).DefaultIfEmpty(0).Max() - random.Next(1, 40));
                    var page = await Expect("history after", client.GetJsonAsync($"/api/messaging/conversations/{conversationId}/messages/?after={after}&limit=100"), HttpStatusCode.OK);
                    var sequences = page["value"]?.AsArray().Select(m => m!["sequence"]!.GetValue<long>()).ToList() ?? [];
                    if (!sequences.SequenceEqual(Enumerable.Range(0, sequences.Count).Select(i => after + 1 + i)))
                    {
                        Fault($"?after={after} in {conversationId} answered sequences {string.Join(",", sequences.Take(10))}…, not {after + 1}, {after + 2}, …");
                    }
                }
                else if (roll < 96)
                {
                    await Expect("typing", client.PostJsonAsync($"/api/messaging/conversations/{conversationId}/typing/", new { isTyping = random.Next(2) == 0 }), HttpStatusCode.Accepted, allowRateLimit: true);
                }
                else
                {
                    await Expect("conversations", client.GetJsonAsync("/api/messaging/conversations/?limit=20"), HttpStatusCode.OK);
                }
            }
            catch (Exception exception)
            {
                // In-flight requests are never cancelled by the end of the run (a cancelled send could still
                // commit without being acknowledged), so a cancellation here is a client timeout: a fault.
                // An answer that is not what the API promises (or no answer) is a fault; the load goes on.
                Fault($"{user}: {exception.GetType().Name}: {exception.Message}");
            }

            await Task.Delay(random.Next(2, 12), CancellationToken.None);
        }

        void Acknowledge(JsonNode message)
        {
            var conversationId = message.Str("conversationId");
            acknowledged[message.Id()] = (conversationId, message["sequence"]!.GetValue<long>());
            lastMessage[conversationId] = message.Id();
        }
    }

    /// <summary>Counts the request, checks its status; a 429 (when allowed) is counted apart, anything else unexpected is a fault.</summary>
    private async Task<JsonNode> Expect(string kind, Task<(HttpStatusCode Status, JsonNode? Body)> call, HttpStatusCode expected, bool allowRateLimit = false)
    {
        Count(kind);
        var (status, body) = await call;
        if (status == HttpStatusCode.TooManyRequests && allowRateLimit)
        {
            _rateLimited.AddOrUpdate(kind, 1, (_, n) => n + 1);
            return new JsonObject();
        }

        if (status != expected)
        {
            var text = body?.ToJsonString() ?? "";
            Fault($"{kind}: {(int)status} instead of {(int)expected}: {text[..Math.Min(200, text.Length)]}");
            return new JsonObject();
        }

        return body ?? new JsonObject();
    }

    private async Task<JsonNode?> BodyAsync(string kind, HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != expected)
        {
            Fault($"{kind}: {(int)response.StatusCode} instead of {(int)expected}: {text[..Math.Min(200, text.Length)]}");
            return null;
        }

        return JsonNode.Parse(text);
    }

    private void Count(string kind) => _tried.AddOrUpdate(kind, 1, (_, n) => n + 1);

    private void Fault(string description) => _faults.Enqueue(description);

    private async Task<List<(string Id, long Sequence, string Sender)>> ReadAllAsync(HttpClient client, string conversationId, long after = 0)
    {
        var all = new List<(string Id, long Sequence, string Sender)>();
        while (true)
        {
            var page = await Expect("history after (final)", client.GetJsonAsync($"/api/messaging/conversations/{conversationId}/messages/?after={after}&limit=100"), HttpStatusCode.OK);
            var items = page["value"]?.AsArray().Select(m => (m.Id(), m!["sequence"]!.GetValue<long>(), m.Str("senderId"))).ToList() ?? [];
            if (items.Count == 0)
            {
                return all;
            }

            all.AddRange(items);
            after = items[^1].Item2;
        }
    }

    private static HashSet<long> LiveSequences(IEnumerable<(string Name, JsonElement Payload)> received, string conversationId) =>
        received.Where(r => r.Name == "message.created" && r.Payload.GetProperty("conversationId").GetString() == conversationId)
            .Select(r => r.Payload.GetProperty("sequence").GetInt64()).ToHashSet();

    private static List<(string ConversationId, long Sequence)> MissingLive(EventClient client, string[] conversationIds, Dictionary<string, List<(string Id, long Sequence, string Sender)>> stored)
    {
        var received = client.Received;
        var missing = new List<(string, long)>();
        foreach (var conversationId in conversationIds)
        {
            var seen = LiveSequences(received, conversationId);
            missing.AddRange(stored[conversationId].Where(m => !seen.Contains(m.Sequence)).Select(m => (conversationId, m.Sequence)));
        }

        return missing;
    }

    /// <summary>message.created events of one conversation must arrive in sequence order (a repeat of an earlier one is tolerated: delivery is at least once).</summary>
    private static int OutOfOrder(IEnumerable<(string Name, JsonElement Payload)> received)
    {
        var last = new Dictionary<string, long>();
        var violations = 0;
        foreach (var (name, payload) in received)
        {
            if (name != "message.created")
            {
                continue;
            }

            var conversationId = payload.GetProperty("conversationId").GetString()!;
            var sequence = payload.GetProperty("sequence").GetInt64();
            if (last.TryGetValue(conversationId, out var previous) && sequence < previous)
            {
                violations++;
            }

            last[conversationId] = Math.Max(previous, sequence);
        }

        return violations;
    }

    private static double Median(IEnumerable<long> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2.0;
    }

    /// <summary>Least-squares slope of y over x.</summary>
    private static double Slope(IReadOnlyList<(double X, double Y)> points)
    {
        if (points.Count < 2)
        {
            return 0;
        }

        var (mx, my) = (points.Average(p => p.X), points.Average(p => p.Y));
        var denominator = points.Sum(p => (p.X - mx) * (p.X - mx));
        return denominator == 0 ? 0 : points.Sum(p => (p.X - mx) * (p.Y - my)) / denominator;
    }

    private string Token(string userId) => TokenIssuer.Issue(
        new AuthOptions { SigningKey = TestServer.SigningKey, Issuer = TestServer.Issuer, Audience = TestServer.Audience }, _dataPath, userId, null, TimeSpan.FromHours(2));

    private static HttpClient Client(Uri baseAddress, string token)
    {
        var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>What Linux says about a process.</summary>
    private static class Proc
    {
        public static long RssKilobytes(int pid) => StatusField($"/proc/{pid}/status", "VmRSS:");

        public static long MemTotalKilobytes() => StatusField("/proc/meminfo", "MemTotal:");

        public static int Sockets(int pid) => Links(pid).Count(l => l.StartsWith("socket:", StringComparison.Ordinal));

        public static int FileDescriptors(int pid) => Links(pid).Count();

        private static IEnumerable<string> Links(int pid)
        {
            foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
            {
                string? target;
                try
                {
                    target = new FileInfo(fd).LinkTarget;
                }
                catch (IOException)
                {
                    continue; // closed while we looked
                }

                if (target is not null)
                {
                    yield return target;
                }
            }
        }

        private static long StatusField(string path, string field)
        {
            var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
    }
}
