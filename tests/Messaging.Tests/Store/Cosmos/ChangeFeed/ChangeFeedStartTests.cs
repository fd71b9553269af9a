using System.Net;
using Messaging.Functions.Storage.Cosmos;

namespace Messaging.Tests.Store.Cosmos.ChangeFeed;

/// <summary>The change feed processors start in the background, retried, without holding the host's start.</summary>
public sealed class ChangeFeedStartTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static readonly CosmosOptions FastRetries = new()
    {
        StartRetryInitialDelay = TimeSpan.FromMilliseconds(10),
        StartRetryMaxDelay = TimeSpan.FromMilliseconds(40),
    };

    private static CosmosChangeFeedService Service(ScriptedStart script, ChangeFeedStatus status, ListLogger logger) =>
        new(FastRetries, "instance-1", script.StartAsync, status, TimeProvider.System, logger);

    [Fact]
    public async Task Start_returns_while_the_store_hangs_and_health_is_degraded_until_the_processors_run()
    {
        var gate = new TaskCompletionSource();
        var script = new ScriptedStart().ThenSucceedAfter(gate.Task);
        var status = new ChangeFeedStatus();
        using var service = Service(script, status, new ListLogger());

        await service.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(1));

        Assert.False(status.IsRunning);
        Assert.NotNull(status.DegradedReason);
        gate.SetResult();
        await script.Started.Task.WaitAsync(Wait);
        await Eventually(() => status.IsRunning);
        Assert.Null(status.DegradedReason);
        await service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_403_then_a_503_at_start_are_retried_logged_and_reported_until_the_store_answers()
    {
        var (first, second, third) = (new TaskCompletionSource(), new TaskCompletionSource(), new TaskCompletionSource());
        var script = new ScriptedStart()
            .ThenFail(HttpStatusCode.Forbidden, first.Task)
            .ThenFail(HttpStatusCode.ServiceUnavailable, second.Task)
            .ThenSucceedAfter(third.Task);
        var status = new ChangeFeedStatus();
        var logger = new ListLogger();
        using var service = Service(script, status, logger);
        await service.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(1));

        first.SetResult();
        await Eventually(() => status.DegradedReason?.Contains("403", StringComparison.Ordinal) == true);
        second.SetResult();
        await Eventually(() => status.DegradedReason?.Contains("503", StringComparison.Ordinal) == true);
        Assert.False(status.IsRunning);
        third.SetResult();
        await Eventually(() => status.IsRunning);

        Assert.Equal(3, script.Attempts);
        var failures = logger.Entries.Where(e => e.Id.Id == 321).ToList();
        Assert.Equal(2, failures.Count);
        Assert.Contains("attempt 1: CosmosException 403", failures[0].Message, StringComparison.Ordinal);
        Assert.Contains("attempt 2: CosmosException 503", failures[1].Message, StringComparison.Ordinal);
        Assert.Contains(logger.Entries, e => e.Id.Id == 302 && e.Message.Contains("after 3 attempt(s)", StringComparison.Ordinal));
        await service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Stop_releases_what_the_successful_attempt_started()
    {
        var script = new ScriptedStart();
        var status = new ChangeFeedStatus();
        var logger = new ListLogger();
        using var service = Service(script, status, logger);
        await service.StartAsync(CancellationToken.None);
        await Eventually(() => status.IsRunning);

        await service.StopAsync(CancellationToken.None);

        Assert.Equal(1, script.Stops);
        Assert.False(status.IsRunning);
        Assert.Contains(logger.Entries, e => e.Id.Id == 322);
    }

    [Fact]
    public async Task Stop_while_the_store_keeps_failing_ends_the_retries_promptly()
    {
        var script = new ScriptedStart();
        for (var i = 0; i < 1000; i++)
        {
            script.ThenFail(HttpStatusCode.ServiceUnavailable);
        }

        var status = new ChangeFeedStatus();
        using var service = Service(script, status, new ListLogger());
        await service.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(1));
        await Eventually(() => script.Attempts >= 3);

        await service.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(2));
        var attempts = script.Attempts;
        await Task.Delay(200);

        Assert.Equal(attempts, script.Attempts);
        Assert.Equal(0, script.Stops);
        Assert.False(status.IsRunning);
    }

    [Theory]
    [InlineData(1, 0.5, 1000)]
    [InlineData(2, 0.5, 2000)]
    [InlineData(5, 0.5, 16000)]
    [InlineData(6, 0.5, 30000)]
    [InlineData(40, 0.5, 30000)]
    [InlineData(40, 0.0, 24000)]
    [InlineData(40, 1.0, 36000)]
    public void The_retry_delay_doubles_from_one_second_and_is_capped_at_thirty_with_jitter(int attempt, double random, int expectedMs)
    {
        var delay = CosmosChangeFeedService.RetryDelay(attempt, TimeSpan.FromSeconds(1), CosmosOptions.DefaultStartRetryMaxDelay, random);

        Assert.Equal(expectedMs, delay.TotalMilliseconds, 3);
    }

    internal static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not become true in time.");
            await Task.Delay(10);
        }
    }
}
