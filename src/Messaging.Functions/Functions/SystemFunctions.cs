using System.Reflection;
using Messaging.Domain.Common;
using Messaging.Functions.Diagnostics;
using Messaging.Functions.Hosting;
using Messaging.Functions.Http;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Messaging.Functions.Functions;

public sealed class SystemFunctions(IStoreHealth store, ILogger<SystemFunctions> logger)
{
    [AllowAnonymous]
    [Function("Health")]
    public async Task<IResult> Health(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest req, CancellationToken cancellationToken)
    {
        try
        {
            return await store.IsAvailableAsync(cancellationToken)
                ? ApiResults.Ok(new HealthBody("ok"))
                : ApiResults.ServiceUnavailable("The store does not answer.");
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

    public sealed record HealthBody(string Status);
}
