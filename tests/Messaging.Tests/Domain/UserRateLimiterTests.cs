using Messaging.Domain.Common;
using Messaging.Tests.Support.Builders;

namespace Messaging.Tests.Domain;

public sealed class UserRateLimiterTests
{
    [Fact]
    public void Past_the_burst_a_caller_is_refused_and_told_how_long_one_token_takes_to_come_back()
    {
        using var limiter = new UserRateLimiter(new MessagingLimits { SendsPerSecond = 0.5, SendBurst = 3 });

        var outcomes = Enumerable.Range(0, 4).Select(_ => limiter.TryAcquire(RateLimitedAction.Send, "alice")).ToList();

        Assert.Equal([true, true, true, false], outcomes.Select(o => o.IsSuccess));
        var refused = outcomes[3].Failed(ErrorKind.RateLimited);
        Assert.Equal(TimeSpan.FromSeconds(2), refused.RetryAfter);
        Assert.Equal("Too many send requests; try again in 2 s.", refused.Detail);
    }

    [Fact]
    public void Uploads_are_counted_per_minute()
    {
        using var limiter = new UserRateLimiter(new MessagingLimits { UploadsPerMinute = 6, UploadBurst = 1 });

        Assert.True(limiter.TryAcquire(RateLimitedAction.Upload, "alice").IsSuccess);
        var refused = limiter.TryAcquire(RateLimitedAction.Upload, "alice").Failed(ErrorKind.RateLimited);

        Assert.Equal(TimeSpan.FromSeconds(10), refused.RetryAfter);
        Assert.StartsWith("Too many upload requests", refused.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_user_and_action_has_its_own_bucket()
    {
        using var limiter = new UserRateLimiter(new MessagingLimits { SendsPerSecond = 0.01, SendBurst = 1, UploadsPerMinute = 0.6, UploadBurst = 1 });

        Assert.True(limiter.TryAcquire(RateLimitedAction.Send, "alice").IsSuccess);
        Assert.False(limiter.TryAcquire(RateLimitedAction.Send, "alice").IsSuccess);

        Assert.True(limiter.TryAcquire(RateLimitedAction.Send, "bob").IsSuccess);
        Assert.True(limiter.TryAcquire(RateLimitedAction.Upload, "alice").IsSuccess);
    }

    [Theory]
    [InlineData(0, 30)]
    [InlineData(10, 0)]
    public void A_rate_or_burst_of_zero_turns_the_limit_off(double perSecond, int burst)
    {
        using var limiter = new UserRateLimiter(new MessagingLimits { SendsPerSecond = perSecond, SendBurst = burst });

        Assert.All(Enumerable.Range(0, 1000), _ => Assert.True(limiter.TryAcquire(RateLimitedAction.Send, "alice").IsSuccess));
    }

    [Fact]
    public async Task A_retry_once_the_retry_after_has_passed_is_admitted()
    {
        using var limiter = new UserRateLimiter(new MessagingLimits { SendsPerSecond = 5, SendBurst = 1 });
        Assert.True(limiter.TryAcquire(RateLimitedAction.Send, "alice").IsSuccess);
        var wait = limiter.TryAcquire(RateLimitedAction.Send, "alice").Failed(ErrorKind.RateLimited).RetryAfter!.Value;

        // The partitioned limiter refills its buckets on a 100 ms heartbeat, a timer that a loaded machine
        // can delay: the client retries after Retry-After and then a few times more, as a client would.
        await Task.Delay(wait);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        var admitted = limiter.TryAcquire(RateLimitedAction.Send, "alice").IsSuccess;
        while (!admitted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            admitted = limiter.TryAcquire(RateLimitedAction.Send, "alice").IsSuccess;
        }

        Assert.True(admitted);
    }
}
