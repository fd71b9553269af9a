using System.Net;
using Messaging.Domain.Presence;

namespace Messaging.Functions.Realtime.SignalRService;

/// <summary>
/// Asks Azure SignalR Service whether a client connection still exists, for the presence sweeper
/// (a <c>disconnected</c> upstream event may never arrive): <c>GET /api/v1/hubs/{hub}/connections/{connectionId}</c>
/// answers 200 when it exists and 404 when it does not (data-plane REST API v1, "Check if the
/// connection with the given connectionId exists",
/// https://learn.microsoft.com/azure/azure-signalr/swagger/signalr-data-plane-rest-v1; the later
/// API versions spell it <c>HEAD /api/hubs/{hub}/connections/{connectionId}</c>). Anything else
/// (after the client's retries of a transient failure) is "cannot tell now".
/// </summary>
public sealed class SignalRConnectionLiveness(SignalRRestClient rest) : IConnectionLiveness
{
    public async Task<bool?> IsOpenAsync(string userId, string connectionId, CancellationToken cancellationToken)
    {
        try
        {
            await rest.SendAsync(HttpMethod.Get, $"/api/v1/hubs/{SignalRRestClient.Hub}/connections/{SignalRRestClient.Segment(connectionId)}", null, null, cancellationToken);
            return true;
        }
        catch (SignalRServiceException exception) when (exception.Status == HttpStatusCode.NotFound)
        {
            return false;
        }
        catch (SignalRServiceException)
        {
            return null;
        }
    }
}
