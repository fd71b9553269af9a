using Messaging.Domain.Presence;
using Messaging.Functions.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Messaging.Functions.Realtime;

/// <summary>
/// The standalone hub's connections as presence sees them: each one is recorded in this process's
/// <see cref="HubConnectionLiveness"/> (what the sweeper asks) and in the store. A failure to record
/// presence is logged and never costs the client its connection; the sweeper corrects the store.
/// </summary>
public sealed class HubPresence(PresenceService presence, HubConnectionLiveness liveness, ILogger<HubPresence> logger)
{
    /// <summary>
    /// Not cancelled with the connection: a client that leaves at once must still be recorded, or its
    /// close would find no connection to close and leave no <c>lastSeenAt</c>.
    /// </summary>
    public async Task OpenedAsync(string userId, string connectionId)
    {
        liveness.Opened(userId, connectionId);
        try
        {
            await presence.ConnectedAsync(userId, connectionId, CancellationToken.None);
        }
        catch (Exception exception)
        {
            Log.PresenceUpdateFailed(logger, exception, userId, "connected");
        }
    }

    public async Task ClosedAsync(string userId, string connectionId)
    {
        liveness.Closed(connectionId);
        try
        {
            // The connection's own token is cancelled by now; the record must still be written.
            await presence.DisconnectedAsync(userId, connectionId, CancellationToken.None);
        }
        catch (Exception exception)
        {
            Log.PresenceUpdateFailed(logger, exception, userId, "disconnected");
        }
    }
}
