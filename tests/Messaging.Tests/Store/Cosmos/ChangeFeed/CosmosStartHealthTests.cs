using System.Net;
using Messaging.Functions.Storage.Cosmos;
using Messaging.Tests.Store.Cosmos.Double;
using Messaging.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messaging.Tests.Store.Cosmos.ChangeFeed;

/// <summary>
/// The whole standalone server on the Cosmos DB store (the in-process double) while the change feed
/// processors cannot start: the API answers from the start, <c>/api/health</c> says degraded (200)
/// with the reason, and healthy once the store lets the processors start.
/// </summary>
public sealed class CosmosStartHealthTests : IAsyncLifetime
{
    // The emulator's published key: selects the Cosmos DB store; the double replaces the client's database.
    private const string EmulatorConnectionString =
        "AccountEndpoint=https://localhost:8081/;AccountKey=" + CosmosOptions.EmulatorAccountKey;

    private readonly TestServer _server = new();
    private readonly TaskCompletionSource _forbidden = new();
    private readonly TaskCompletionSource _unavailable = new();
    private readonly TaskCompletionSource _answers = new();
    private ScriptedStart _script = null!;

    public Task InitializeAsync()
    {
        _script = new ScriptedStart()
            .ThenFail(HttpStatusCode.Forbidden, _forbidden.Task)
            .ThenFail(HttpStatusCode.ServiceUnavailable, _unavailable.Task)
            .ThenSucceedAfter(_answers.Task);
        _server.Settings["CosmosDb:ConnectionString"] = EmulatorConnectionString;
        _server.ServiceOverrides = services =>
        {
            services.AddSingleton(sp =>
            {
                var options = sp.GetRequiredService<CosmosOptions>();
                return new CosmosStore(options, DoubleDatabase.ForStore(options));
            });
            var feed = services.Single(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(CosmosChangeFeedService));
            services.Remove(feed);
            services.AddHostedService(sp => new CosmosChangeFeedService(
                new CosmosOptions { StartRetryInitialDelay = TimeSpan.FromMilliseconds(10), StartRetryMaxDelay = TimeSpan.FromMilliseconds(50) },
                "test-instance",
                _script.StartAsync,
                sp.GetRequiredService<ChangeFeedStatus>(),
                TimeProvider.System,
                sp.GetRequiredService<ILogger<CosmosChangeFeedService>>()));
        };
        // A host whose start waited for the change feed would never get here (the store does not answer yet).
        return _server.InitializeAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task The_api_answers_while_the_feed_cannot_start_and_health_goes_from_degraded_to_ok()
    {
        var alice = TestApi.NewUser("alice");
        var client = _server.ClientFor(alice);

        // Still in the first attempt: the server started anyway.
        var (status, health) = await _server.ClientFor(null).GetJsonAsync("/api/health");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("degraded", health.Str("status"));
        var conversation = await client.CreateGroupAsync(TestApi.NewUser("bob"));

        _forbidden.SetResult();
        await ReasonEventuallyMentionsAsync("403");
        var (listed, _) = await client.GetJsonAsync("/api/messaging/conversations/");
        Assert.Equal(HttpStatusCode.OK, listed);

        _unavailable.SetResult();
        await ReasonEventuallyMentionsAsync("503");
        await client.SendMessageAsync(conversation.Id(), "sent while degraded");

        _answers.SetResult();
        await ChangeFeedStartTests.Eventually(() => _server.Services.GetRequiredService<ChangeFeedStatus>().IsRunning);
        (status, health) = await _server.ClientFor(null).GetJsonAsync("/api/health");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ok", health.Str("status"));
        Assert.Null(health!["reason"]);
        Assert.Equal(3, _script.Attempts);
    }

    private async Task ReasonEventuallyMentionsAsync(string statusCode)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var (status, health) = await _server.ClientFor(null).GetJsonAsync("/api/health");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("degraded", health.Str("status"));
            if (health.Str("reason").Contains(statusCode, StringComparison.Ordinal))
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Health never mentioned {statusCode}: {health.Str("reason")}");
            await Task.Delay(20);
        }
    }
}
