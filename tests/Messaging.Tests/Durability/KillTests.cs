using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Messaging.Functions.Auth;
using Messaging.Tests.Support;

namespace Messaging.Tests.Durability;

[Trait(TestCategories.Name, TestCategories.Slow)]
public sealed class KillTests : IDisposable
{
    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "messaging-kill", Guid.NewGuid().ToString("N"));

    public KillTests() => Directory.CreateDirectory(_dataPath);

    public void Dispose()
    {
        TemporaryFolder.DeleteQuietly(_dataPath);
    }

    private HttpClient ClientFor(ServerProcess server, string userId)
    {
        var auth = new AuthOptions { SigningKey = TestServer.SigningKey, Issuer = TestServer.Issuer, Audience = TestServer.Audience };
        var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TokenIssuer.Issue(auth, _dataPath, userId, null, TimeSpan.FromHours(1)));
        return client;
    }

    [Theory]
    [InlineData(150)]
    [InlineData(400)]
    [InlineData(900)]
    public async Task Every_acknowledged_message_survives_sigkill_with_gapless_sequences(int killAfterMilliseconds)
    {
        var (alice, bob) = ("alice", "bob");
        string conversationId;
        var acknowledged = new ConcurrentDictionary<string, long>();
        var firstAcknowledged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (var server = await ServerProcess.StartAsync(_dataPath))
        {
            conversationId = (await ClientFor(server, alice).CreateGroupAsync(bob)).Id();
            using var stop = new CancellationTokenSource();
            var senders = Enumerable.Range(0, 4).Select(sender => Task.Run(async () =>
            {
                using var client = ClientFor(server, sender % 2 == 0 ? alice : bob);
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    try
                    {
                        using var response = await client.PostAsJsonAsync("/api/messaging/messages/", new { conversationId, text = $"s{sender}-{i}", clientMessageId = $"s{sender}-{i}" });
                        if (response.StatusCode == HttpStatusCode.Created)
                        {
                            var body = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
                            acknowledged[body.Id()] = body["sequence"]!.GetValue<long>();
                            firstAcknowledged.TrySetResult();
                        }
                    }
                    catch (HttpRequestException)
                    {
                        return;
                    }
                    catch (TaskCanceledException)
                    {
                        return;
                    }
                }
            })).ToList();
            // The kill lands mid-stream: its delay counts from the first acknowledged send (a loaded machine may take a while to answer the first).
            await firstAcknowledged.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await Task.Delay(killAfterMilliseconds);
            server.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(senders);
        }

        Assert.NotEmpty(acknowledged);
        using var restarted = await ServerProcess.StartAsync(_dataPath);
        var client = ClientFor(restarted, alice);
        var stored = new List<(string Id, long Sequence)>();
        var after = 0L;
        while (true)
        {
            var (_, page) = await client.GetJsonAsync($"/api/messaging/conversations/{conversationId}/messages/?after={after}&limit=100");
            var items = page!["value"]!.AsArray().Select(m => (m.Id(), m!["sequence"]!.GetValue<long>())).ToList();
            if (items.Count == 0)
            {
                break;
            }

            stored.AddRange(items);
            after = items[^1].Item2;
        }

        Assert.All(acknowledged, ack => Assert.Contains((ack.Key, ack.Value), stored));
        Assert.Equal(Enumerable.Range(1, stored.Count).Select(i => (long)i), stored.Select(s => s.Sequence));
        Assert.Equal(stored.Count, stored.Select(s => s.Id).Distinct().Count());
    }
}
