using System.Collections.Concurrent;

namespace Messaging.Domain.Common;

/// <summary>
/// Per-user token buckets: a sustained rate with a burst on top. A caller over its budget learns
/// when the next token arrives, for <c>Retry-After</c>.
/// </summary>
public sealed class UserRateLimiter(TimeProvider time)
{
    private const int PruneThreshold = 100_000;
    private readonly ConcurrentDictionary<(string Action, string UserId), Bucket> _buckets = new();

    public Outcome TryAcquire(string action, string userId, double perSecond, int burst)
    {
        if (perSecond <= 0 || burst <= 0)
        {
            return Outcome.Success;
        }

        var now = time.GetTimestamp();
        if (_buckets.Count > PruneThreshold)
        {
            Prune(now);
        }

        var bucket = _buckets.GetOrAdd((action, userId), _ => new Bucket(burst, now));
        lock (bucket)
        {
            var elapsed = time.GetElapsedTime(bucket.Updated, now).TotalSeconds;
            bucket.Tokens = Math.Min(burst, bucket.Tokens + (elapsed * perSecond));
            bucket.Updated = now;
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                return Outcome.Success;
            }

            var wait = TimeSpan.FromSeconds((1 - bucket.Tokens) / perSecond);
            return Error.RateLimited($"Too many {action} requests; try again in {Math.Ceiling(wait.TotalSeconds)} s.") with { RetryAfter = wait };
        }
    }

    // Buckets idle for a minute are full again and carry no state worth keeping.
    private void Prune(long now)
    {
        foreach (var (key, bucket) in _buckets)
        {
            if (time.GetElapsedTime(bucket.Updated, now) > TimeSpan.FromMinutes(1))
            {
                _buckets.TryRemove(key, out _);
            }
        }
    }

    private sealed class Bucket(double tokens, long updated)
    {
        public double Tokens { get; set; } = tokens;

        public long Updated { get; set; } = updated;
    }
}
