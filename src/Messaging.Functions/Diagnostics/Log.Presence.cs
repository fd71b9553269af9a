using Microsoft.Extensions.Logging;

namespace Messaging.Functions.Diagnostics;

/// <summary>Presence (EventIds 400–419).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Warning, Message = "Presence of user {UserId} not updated on {ConnectionEvent}; the sweeper corrects it")]
    public static partial void PresenceUpdateFailed(ILogger logger, Exception exception, string userId, string connectionEvent);

    [LoggerMessage(EventId = 401, Level = LogLevel.Warning, Message = "Presence sweep failed; retrying on the next tick")]
    public static partial void PresenceSweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 402, Level = LogLevel.Debug, Message = "Presence sweep looked at {Examined} user(s), announced {Offline} offline")]
    public static partial void PresenceSwept(ILogger logger, int examined, int offline);

    [LoggerMessage(EventId = 403, Level = LogLevel.Warning, Message = "Upstream {ConnectionEvent} event without a user or connection id; presence not updated")]
    public static partial void PresenceEventIncomplete(ILogger logger, string connectionEvent);
}
