using System.Diagnostics;
using Messaging.Domain.Common;
using Messaging.Functions.Auth;
using Messaging.Functions.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging;

namespace Messaging.Functions.Http;

/// <summary>
/// What runs around every function in both hosts: the <see cref="AuthGate"/> (CORS, preflight, the
/// token of protected functions), and the one place where an unexpected exception becomes a problem.
/// </summary>
public sealed class ApiPipeline(TokenValidator tokens, CorsPolicy cors, ILogger<ApiPipeline> logger)
{
    private readonly AuthGate _gate = new(tokens, cors, logger);

    public async Task InvokeAsync(HttpContext context, bool allowsAnonymous, Func<Task> next)
    {
        try
        {
            await _gate.InvokeAsync(context, allowsAnonymous, acceptsQueryToken: false, next);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
        catch (CosmosException exception) when ((int)exception.StatusCode == StatusCodes.Status429TooManyRequests && !context.Response.HasStarted)
        {
            // The SDK already retried for as long as it is allowed: the client is told when to come back, as for our own rate limits.
            var retryAfter = exception.RetryAfter is { } wait && wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(1);
            Log.CosmosThrottled(logger, context.Request.Method, context.Request.Path, (long)retryAfter.TotalMilliseconds);
            context.Response.Clear();
            await ApiResults.Problem(Error.RateLimited("The database is busy; retry later.") with { RetryAfter = retryAfter }).ExecuteAsync(context);
        }
        catch (ConcurrencyConflictException) when (!context.Response.HasStarted)
        {
            // The store's own retries ran out against concurrent writers; nothing was written, the client may retry.
            context.Response.Clear();
            await ApiResults.Problem(Error.Conflict("The resource kept changing while this request was applied; retry.")).ExecuteAsync(context);
        }
        catch (Exception exception)
        {
            var traceId = Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
            Log.UnhandledError(logger, exception, context.Request.Method, context.Request.Path, traceId);
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                await ApiResults.ServerError(traceId).ExecuteAsync(context);
            }
        }
    }
}
