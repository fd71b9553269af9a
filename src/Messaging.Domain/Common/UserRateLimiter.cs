using System.Threading.RateLimiting;

namespace Messaging.Domain.Common;

/// <summary>The actions a user has a budget for (<see cref="MessagingLimits"/>).</summary>
public enum RateLimitedAction
{
    Send,
    Upload,
    Reaction,
}

/// <summary>
/// Per-user token buckets, one per user and action: a sustained rate with a burst on top. A caller
/// over its budget learns how long one token takes to come back, for <c>Retry-After</c>.
/// </summary>
public sealed class UserRateLimiter(MessagingLimits limits) : IDisposable
{
    private readonly PartitionedRateLimiter<(RateLimitedAction Action, string UserId)> _buckets =
        PartitionedRateLimiter.Create<(RateLimitedAction Action, string UserId), (RateLimitedAction, string)>(
            key => key.Action switch
            {
                RateLimitedAction.Send => Bucket(key, limits.SendsPerSecond, limits.SendBurst),
                RateLimitedAction.Upload => Bucket(key, limits.UploadsPerMinute / 60, limits.UploadBurst),
                RateLimitedAction.Reaction => Bucket(key, limits.ReactionsPerSecond, limits.ReactionBurst),
                _ => throw new ArgumentOutOfRangeException(nameof(key), key.Action, "No limit is configured for this action."),
            });

    public Outcome TryAcquire(RateLimitedAction action, string userId)
    {
        using var lease = _buckets.AttemptAcquire((action, userId));
        if (lease.IsAcquired)
        {
            return Outcome.Success;
        }

        // A token bucket's refusal always carries its Retry-After.
        _ = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait);
        var name = action.ToString().ToLowerInvariant();
        return Error.RateLimited($"Too many {name} requests; try again in {Math.Ceiling(wait.TotalSeconds)} s.") with { RetryAfter = wait };
    }

    public void Dispose() => _buckets.Dispose();

    // One token per period: the bucket refills continuously at the rate, and a refused caller is told
    // the period, the longest a token takes to come back. A rate or burst of 0 turns the limit off.
    private static RateLimitPartition<(RateLimitedAction, string)> Bucket((RateLimitedAction, string) key, double perSecond, int burst) =>
        perSecond <= 0 || burst <= 0
            ? RateLimitPartition.GetNoLimiter(key)
            : RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = burst,
                TokensPerPeriod = 1,
                ReplenishmentPeriod = TimeSpan.FromTicks(Math.Max(1, (long)Math.Round(TimeSpan.TicksPerSecond / perSecond))),
                QueueLimit = 0,
                AutoReplenishment = true,
            });
}
