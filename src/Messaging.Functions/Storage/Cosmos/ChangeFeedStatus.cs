using System.Globalization;
using Messaging.Functions.Diagnostics;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>What the change feed processors of this instance are doing, for the health endpoint.</summary>
public sealed class ChangeFeedStatus : IRealtimeFeedHealth
{
    private volatile string? _reason = "The change feed processors have not started yet: real-time events wait.";

    public string? DegradedReason => _reason;

    public bool IsRunning => _reason is null;

    internal void Retrying(int attempt, string error, TimeSpan delay) =>
        _reason = string.Create(
            CultureInfo.InvariantCulture,
            $"The change feed processors are not running: start attempt {attempt} failed ({error}); retrying in {Math.Ceiling(delay.TotalSeconds)} s. Real-time events wait; the API answers.");

    internal void Running() => _reason = null;

    internal void Stopped() => _reason = "The change feed processors are stopped (the instance is shutting down).";
}
