using Messaging.Functions.Auth;
using Messaging.Functions.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Messaging.Functions.Http;

/// <summary>
/// The gate in front of every function and of the standalone hub: CORS headers, the answer to a
/// preflight, and the bearer token (a 401 problem without one).
/// </summary>
public sealed class AuthGate(TokenValidator tokens, CorsPolicy cors, ILogger logger)
{
    /// <param name="context">The request.</param>
    /// <param name="allowsAnonymous">No token is needed (health, the OpenAPI document, the upstream that authenticates itself).</param>
    /// <param name="acceptsQueryToken">The token may come as <c>access_token</c> in the query string: the hub's WebSockets cannot send headers.</param>
    /// <param name="next">What runs behind the gate, with <see cref="HttpContext.User"/> set.</param>
    public async Task InvokeAsync(HttpContext context, bool allowsAnonymous, bool acceptsQueryToken, Func<Task> next)
    {
        cors.Apply(context);
        if (HttpMethods.IsOptions(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        if (!allowsAnonymous)
        {
            var validation = acceptsQueryToken && context.Request.Query.TryGetValue("access_token", out var queryToken)
                ? await tokens.ValidateAsync(queryToken.ToString())
                : await tokens.ValidateAuthorizationHeaderAsync(context.Request.Headers.Authorization.ToString());
            if (!validation.IsValid)
            {
                Log.Unauthenticated(logger, context.Request.Path, validation.Failure!);
                await ApiResults.Unauthorized(validation.Failure!).ExecuteAsync(context);
                return;
            }

            context.User = validation.Principal!;
        }

        await next();
    }
}
