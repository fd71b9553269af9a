namespace Messaging.Tests.Store.Cosmos.Double;

/// <summary>A clock the test moves by hand (TTL expiry, timestamps).</summary>
public sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}
