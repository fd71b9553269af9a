namespace Messaging.Tests.Support.Builders;

/// <summary>Fixed, millisecond-precise instants: what every store keeps, so round-trips compare equal.</summary>
public static class Time
{
    public static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, 123, TimeSpan.Zero);

    public static DateTimeOffset At(int seconds) => T0.AddSeconds(seconds);
}
