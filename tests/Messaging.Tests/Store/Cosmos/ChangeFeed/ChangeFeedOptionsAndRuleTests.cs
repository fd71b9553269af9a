using System.Net;
using System.Text.Json;
using Messaging.Functions.Diagnostics;
using Messaging.Functions.Hosting;
using Messaging.Functions.Realtime.SignalRService;
using Messaging.Functions.Storage.Cosmos;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Messaging.Tests.Store.Cosmos.ChangeFeed;

public sealed class ChangeFeedOptionsAndRuleTests
{
    private const string Endpoint = "https://acct.documents.azure.com:443/";

    private static CosmosOptions Read(Dictionary<string, string?> settings)
    {
        settings["CosmosDb:Endpoint"] = Endpoint;
        return CosmosOptions.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())!;
    }

    [Fact]
    public void Lease_timings_default_to_a_takeover_within_seconds()
    {
        var options = Read([]);

        Assert.Equal(TimeSpan.FromSeconds(5), options.LeaseRenewInterval);
        Assert.Equal(TimeSpan.FromSeconds(5), options.LeaseAcquireInterval);
        Assert.Equal(TimeSpan.FromSeconds(20), options.LeaseExpirationInterval);
        Assert.Equal(TimeSpan.FromSeconds(30), options.StartRetryMaxDelay);
        Assert.Equal(TimeSpan.FromDays(14), options.DeadLetterTimeToLive);
        Assert.Equal(TimeSpan.FromSeconds(60), options.FanOutRetryBudget);
        // A released lease is taken at the next acquire; a crashed instance's after expiry + acquire.
        Assert.True(options.LeaseExpirationInterval + options.LeaseAcquireInterval <= TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void Lease_timings_and_budgets_are_read_in_seconds()
    {
        var options = Read(new()
        {
            ["CosmosDb:LeaseRenewIntervalSeconds"] = "2",
            ["CosmosDb:LeaseAcquireIntervalSeconds"] = "3",
            ["CosmosDb:LeaseExpirationIntervalSeconds"] = "8.5",
            ["CosmosDb:StartRetryMaxDelaySeconds"] = "10",
            ["CosmosDb:DeadLetterTtlSeconds"] = "3600",
            ["CosmosDb:FanOutRetryBudgetSeconds"] = "15",
        });

        Assert.Equal(TimeSpan.FromSeconds(2), options.LeaseRenewInterval);
        Assert.Equal(TimeSpan.FromSeconds(3), options.LeaseAcquireInterval);
        Assert.Equal(TimeSpan.FromSeconds(8.5), options.LeaseExpirationInterval);
        Assert.Equal(TimeSpan.FromSeconds(10), options.StartRetryMaxDelay);
        Assert.Equal(TimeSpan.FromHours(1), options.DeadLetterTimeToLive);
        Assert.Equal(TimeSpan.FromSeconds(15), options.FanOutRetryBudget);
    }

    [Theory]
    [InlineData("LeaseRenewIntervalSeconds", "0")]
    [InlineData("LeaseRenewIntervalSeconds", "-1")]
    [InlineData("LeaseRenewIntervalSeconds", "soon")]
    [InlineData("LeaseRenewIntervalSeconds", "15")] // expiry 20 s < 2 × renew
    [InlineData("LeaseAcquireIntervalSeconds", "30")] // longer than the expiry
    [InlineData("LeaseExpirationIntervalSeconds", "NaN")]
    [InlineData("StartRetryMaxDelaySeconds", "0.5")] // shorter than the first delay (1 s)
    [InlineData("DeadLetterTtlSeconds", "0.2")]
    [InlineData("FanOutRetryBudgetSeconds", "0")]
    public void Settings_that_cannot_work_fail_at_start(string key, string value)
    {
        var failure = Assert.Throws<InvalidOperationException>(() => Read(new() { ["CosmosDb:" + key] = value }));

        Assert.Contains("CosmosDb:", failure.Message, StringComparison.Ordinal);
    }

    public static TheoryData<Exception, bool> Failures => new()
    {
        { new CosmosException("unavailable", HttpStatusCode.ServiceUnavailable, 0, "a", 1), true },
        { new CosmosException("throttled", (HttpStatusCode)429, 0, "a", 1), true },
        { new CosmosException("role not yet propagated", HttpStatusCode.Forbidden, 0, "a", 1), true },
        { new CosmosException("timeout", HttpStatusCode.RequestTimeout, 0, "a", 1), true },
        { new CosmosException("bad request", HttpStatusCode.BadRequest, 0, "a", 1), false },
        { new SignalRServiceException("down", HttpStatusCode.BadGateway), true },
        { new SignalRServiceException("no answer", null), true },
        { new SignalRServiceException("bad group name", HttpStatusCode.BadRequest), false },
        { new HttpRequestException("connection refused"), true },
        { new TimeoutException(), true },
        { new InvalidOperationException("wrapping", new HttpRequestException("reset")), true },
        { new JsonException("not a conversation"), false },
        { new InvalidOperationException("bug"), false },
        { new ArgumentOutOfRangeException("change"), false },
        { new NullReferenceException(), false },
        { new FormatException(), false },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Dependency_outages_are_transient_and_everything_else_is_poison(Exception failure, bool transient) =>
        Assert.Equal(transient, ChangeFailureRule.IsTransient(failure));
}

public sealed class ChangeFeedHealthWiringTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        settings["Messaging:DataPath"] = Path.Combine(Path.GetTempPath(), "messaging-tests", Guid.NewGuid().ToString("N"));
        settings["Auth:SigningKey"] = "test-signing-key-that-is-at-least-32-bytes-long";
        var services = new ServiceCollection().AddLogging();
        services.AddMessaging(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), MessagingHost.Functions);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void The_cosmos_store_reports_its_change_feed_to_the_health_endpoint_and_the_embedded_store_reports_none()
    {
        using var cosmos = Build(new() { ["CosmosDb:ConnectionString"] = "AccountEndpoint=https://localhost:8081/;AccountKey=" + CosmosOptions.EmulatorAccountKey });
        using var embedded = Build([]);

        var feed = Assert.Single(cosmos.GetServices<IRealtimeFeedHealth>());
        Assert.Same(cosmos.GetRequiredService<ChangeFeedStatus>(), feed);
        Assert.NotNull(feed.DegradedReason); // not started yet
        Assert.Empty(embedded.GetServices<IRealtimeFeedHealth>());
    }
}
