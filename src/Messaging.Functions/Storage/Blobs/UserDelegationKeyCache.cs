using Azure.Storage.Blobs.Models;

namespace Messaging.Functions.Storage.Blobs;

/// <summary>
/// One user delegation key for all user-delegation SAS URLs, fetched on first use and renewed
/// once 75% of its lifetime has passed, so every URL signed with it stays valid for its full
/// lifetime (the key outlives it by at least a quarter of the key's lifetime).
/// </summary>
internal sealed class UserDelegationKeyCache(
    Func<DateTimeOffset, CancellationToken, Task<UserDelegationKey>> fetch, TimeProvider time, TimeSpan lifetime)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile Entry? _current;

    public async ValueTask<UserDelegationKey> GetAsync(CancellationToken cancellationToken)
    {
        if (_current is { } current && time.GetUtcNow() < current.RenewAt)
        {
            return current.Key;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            if (_current is { } fresh && now < fresh.RenewAt)
            {
                return fresh.Key;
            }

            var key = await fetch(now.Add(lifetime), cancellationToken);
            _current = new Entry(key, now.Add(lifetime * 0.75));
            return key;
        }
        finally
        {
            _gate.Release();
        }
    }

    private sealed record Entry(UserDelegationKey Key, DateTimeOffset RenewAt);
}
