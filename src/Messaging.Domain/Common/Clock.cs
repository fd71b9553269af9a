namespace Messaging.Domain.Common;

public static class Clock
{
    /// <summary>Now, truncated to milliseconds: the precision every store keeps, so what is returned equals what is read back.</summary>
    public static DateTimeOffset Now(this TimeProvider time)
    {
        var now = time.GetUtcNow();
        return new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
    }
}
