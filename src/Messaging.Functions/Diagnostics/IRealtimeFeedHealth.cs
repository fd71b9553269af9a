namespace Messaging.Functions.Diagnostics;

/// <summary>
/// Whether committed changes reach clients as events (for <c>GET /api/health</c>). A feed that is not
/// running makes the health <c>degraded</c> (HTTP 200, with the reason), never 503: the instance still
/// serves the API, and a platform health check that evicts instances on errors would only restart the
/// same wait (docs/decisions/0007-hosted-change-feed-processor.md).
/// </summary>
public interface IRealtimeFeedHealth
{
    /// <summary>Null while the feed runs; otherwise why events are not delivered (no secrets: error types and status codes only).</summary>
    string? DegradedReason { get; }
}
