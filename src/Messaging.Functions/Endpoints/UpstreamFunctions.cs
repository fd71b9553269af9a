using Messaging.Domain.Common;
using Messaging.Domain.Presence;
using Messaging.Functions.Diagnostics;
using Messaging.Functions.Http;
using Messaging.Functions.Realtime;
using Messaging.Functions.Realtime.SignalRService;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace Messaging.Functions.Endpoints;

/// <summary>
/// Azure SignalR Service (serverless) upstream: <c>connected</c>/<c>disconnected</c> events and client
/// invocations. Not behind the bearer check: the service authenticates itself (see
/// <see cref="UpstreamAuthenticator"/>). An invocation runs <see cref="ClientInvocations"/> as the user of
/// <c>X-ASRS-User-Id</c> and is answered with a <see cref="CompletionResult"/>; a non-blocking
/// invocation (no invocationId) is answered with an empty 200. The message itself is parsed by
/// <see cref="UpstreamMessage"/>: this function authenticates, picks the category, invokes and answers.
/// </summary>
public sealed class UpstreamFunctions(
    UpstreamAuthenticator authenticator, ClientInvocations invocations, ILogger<UpstreamFunctions> logger,
    MembershipHealer? healer = null, PresenceService? presence = null)
{
    public const string UserIdHeader = "X-ASRS-User-Id";
    public const string ConnectionIdHeader = "X-ASRS-Connection-Id";
    /// <summary>The service sends at most 1 MB per message.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    [Function("SignalRUpstream")]
    [AllowAnonymous]
    public async Task<IResult> Upstream(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "messaging/upstream/{hub}/{category}/{event}")] HttpRequest req,
        string hub, string category, string @event, CancellationToken cancellationToken)
    {
        if (await authenticator.ValidateAsync(req) is { } failure)
        {
            Log.UpstreamRejected(logger, req.Path, failure);
            return ApiResults.Unauthorized(failure);
        }

        if (!string.Equals(hub, SignalRRestClient.Hub, StringComparison.OrdinalIgnoreCase))
        {
            return ApiResults.Problem(new Error(ErrorKind.NotFound, $"Hub '{hub}' is not served here."));
        }

        if (string.Equals(category, "connections", StringComparison.OrdinalIgnoreCase))
        {
            return await ConnectionEventAsync(req, @event, cancellationToken);
        }

        if (!string.Equals(category, "messages", StringComparison.OrdinalIgnoreCase))
        {
            return ApiResults.Problem(Error.Invalid("category", $"Unknown category '{category}'."));
        }

        return await InvokeAsync(req, @event, cancellationToken);
    }

    /// <summary>
    /// A new connection: the user's groups are set again from the committed participant lists, so
    /// mappings the service lost heal on every connect. Conversation groups hold users, so for them
    /// nothing is needed when a connection closes. Both events keep presence (the connection id is
    /// in <c>X-ASRS-Connection-Id</c>, https://learn.microsoft.com/azure/azure-signalr/concept-upstream).
    /// </summary>
    private async Task<IResult> ConnectionEventAsync(HttpRequest req, string @event, CancellationToken cancellationToken)
    {
        var userId = req.Headers[UserIdHeader].ToString();
        switch (@event.ToUpperInvariant())
        {
            case "CONNECTED":
                if (healer is not null && userId.Length > 0)
                {
                    await healer.HealAsync(userId, cancellationToken);
                }

                await PresenceAsync(req, "connected", userId, (p, c) => p.ConnectedAsync(userId, c, CancellationToken.None));
                return Results.Ok();
            case "DISCONNECTED":
                await PresenceAsync(req, "disconnected", userId, (p, c) => p.DisconnectedAsync(userId, c, CancellationToken.None));
                return Results.Ok();
            default:
                return ApiResults.Problem(Error.Invalid("event", $"Unknown connection event '{@event}'."));
        }
    }

    /// <summary>
    /// Presence from a connection event, written even if the service stops waiting (it does not
    /// redeliver). The event is answered 200 even when this fails: the presence sweeper corrects what was missed.
    /// </summary>
    private async Task PresenceAsync(HttpRequest req, string connectionEvent, string userId, Func<PresenceService, string, Task> update)
    {
        if (presence is null)
        {
            return;
        }

        if (userId.Length == 0 || req.Headers[ConnectionIdHeader].ToString() is not { Length: > 0 } connectionId)
        {
            Log.PresenceEventIncomplete(logger, connectionEvent);
            return;
        }

        try
        {
            await update(presence, connectionId);
        }
        catch (Exception exception)
        {
            Log.PresenceUpdateFailed(logger, exception, userId, connectionEvent);
        }
    }

    private async Task<IResult> InvokeAsync(HttpRequest req, string @event, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(req.ContentType, out var media) || !media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return ApiResults.Problem(new Error(ErrorKind.UnsupportedMediaType, "Only the JSON hub protocol is supported (Content-Type: application/json)."));
        }

        if (await RequestBody.ReadBytesAsync(req, MaxBodyBytes, cancellationToken) is not { } body)
        {
            return ApiResults.Problem(Error.TooLarge($"The message exceeds {MaxBodyBytes} bytes."));
        }

        var parsed = UpstreamMessage.Parse(body);
        if (!parsed.IsSuccess)
        {
            return ApiResults.Problem(parsed.Error);
        }

        var message = parsed.Value;
        if (message.IsPing)
        {
            return Results.Ok();
        }

        if (!string.Equals(message.Target, @event, StringComparison.OrdinalIgnoreCase))
        {
            return ApiResults.Problem(Error.Invalid("target", "The invocation's target differs from the event of the URL."));
        }

        var result = await InvokeAsUserAsync(req.Headers[UserIdHeader].ToString(), message, cancellationToken);
        return message.InvocationId is { } invocationId ? new CompletionResult(invocationId, result) : Results.Ok();
    }

    private async Task<Result<object?>> InvokeAsUserAsync(string userId, UpstreamMessage message, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(userId))
        {
            return new Error(ErrorKind.Invalid, "Not authenticated.");
        }

        try
        {
            return await invocations.InvokeAsync(userId, message.Target, message.Argument, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.UpstreamInvocationFailed(logger, exception, message.Target, userId);
            return new Error(ErrorKind.Invalid, "An unexpected error occurred.");
        }
    }
}
