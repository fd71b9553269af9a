using Microsoft.AspNetCore.Http;

namespace Messaging.Functions.Realtime;

/// <summary><c>{ url, accessToken }</c>: where and how the caller's SignalR client connects.</summary>
public sealed record NegotiateResponse(string Url, string AccessToken);

/// <summary>Answers <c>POST /api/messaging/negotiate</c> for the SignalR in use.</summary>
public interface INegotiator
{
    /// <summary>Null when this host has no SignalR to connect to.</summary>
    Task<NegotiateResponse?> NegotiateAsync(HttpRequest request, string userId, CancellationToken cancellationToken);
}

/// <summary>
/// The standalone hub: the client is redirected to <see cref="MessagingHub.Path"/> on the same
/// server and presents its own bearer token there, which the hub validates like any API call.
/// </summary>
public sealed class StandaloneHubNegotiator : INegotiator
{
    public Task<NegotiateResponse?> NegotiateAsync(HttpRequest request, string userId, CancellationToken cancellationToken)
    {
        var authorization = request.Headers.Authorization.ToString();
        var token = authorization["Bearer ".Length..].Trim();
        return Task.FromResult<NegotiateResponse?>(new NegotiateResponse($"{request.Scheme}://{request.Host}{request.PathBase}{MessagingHub.Path}", token));
    }
}

/// <summary>The Functions host without Azure SignalR Service has no hub to offer.</summary>
public sealed class NoNegotiator : INegotiator
{
    public Task<NegotiateResponse?> NegotiateAsync(HttpRequest request, string userId, CancellationToken cancellationToken) => Task.FromResult<NegotiateResponse?>(null);
}
