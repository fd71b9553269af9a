using System.Reflection;
using Messaging.Domain.Common;
using Messaging.Functions.Diagnostics;
using Messaging.Functions.Http;
using Messaging.Functions.Storage;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Messaging.Functions.Endpoints;

/// <summary>
/// <c>GET /api/health</c>: 503 when the store does not answer (the instance can serve nothing);
/// 200 <c>{"status":"ok"}</c> when it does; 200 <c>{"status":"degraded","reason":…}</c> when it does
/// but real-time events are not flowing (the change feed processors are still starting). Degraded
/// is deliberately not an error status: a health check that evicts instances on non-2xx answers
/// would kill instances that serve the API well and restart the same wait (docs/decisions/0007).
/// </summary>
public sealed class SystemFunctions(IStoreHealth store, IEnumerable<IRealtimeFeedHealth> feeds, ILogger<SystemFunctions> logger)
{
    [AllowAnonymous]
    [Function("Health")]
    public async Task<IResult> Health(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest req, CancellationToken cancellationToken)
    {
        try
        {
            if (!await store.IsAvailableAsync(cancellationToken))
            {
                return ApiResults.ServiceUnavailable("The store does not answer.");
            }

            var degraded = feeds.Select(feed => feed.DegradedReason).FirstOrDefault(reason => reason is not null);
            return ApiResults.Ok(degraded is null ? new HealthBody("ok") : new HealthBody("degraded", degraded));
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Log.HealthCheckFailed(logger, exception);
            return ApiResults.ServiceUnavailable("The store does not answer.");
        }
    }

    [AllowAnonymous]
    [Function("OpenApi")]
    public IResult OpenApi(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi.json")] HttpRequest req)
    {
        var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("openapi.json");
        return stream is null
            ? ApiResults.Problem(Error.NotFound("The OpenAPI document"))
            : Results.Stream(stream, "application/json; charset=utf-8");
    }

    public sealed record HealthBody(
        string Status,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Reason = null);
}
