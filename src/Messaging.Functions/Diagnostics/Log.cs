using Microsoft.Extensions.Logging;

namespace Messaging.Functions.Diagnostics;

internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Unhandled error in {Method} {Path} (trace {TraceId})")]
    public static partial void UnhandledError(ILogger logger, Exception exception, string method, string path, string traceId);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Rejected a request to {Path}: {Reason}")]
    public static partial void Unauthenticated(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "No authentication is configured: development mode with a generated signing key under {DataPath}")]
    public static partial void DevelopmentAuth(ILogger logger, string dataPath);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Embedded store at {DatabasePath}")]
    public static partial void EmbeddedStore(ILogger logger, string databasePath);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Health check failed")]
    public static partial void HealthCheckFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Could not delete attachment content {StorageKey}")]
    public static partial void ContentDeleteFailed(ILogger logger, Exception exception, string storageKey);

    [LoggerMessage(EventId = 7, Level = LogLevel.Error, Message = "Change dispatch failed after position {Position}; retrying")]
    public static partial void DispatchFailed(ILogger logger, Exception exception, long position);

    [LoggerMessage(EventId = 8, Level = LogLevel.Error, Message = "Dropped change {Position} ({Kind}) of conversation {ConversationId} after repeated failures")]
    public static partial void ChangeDropped(ILogger logger, Exception exception, long position, string kind, string conversationId);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "Real time is off: no SignalR is configured for this host, events are not pushed")]
    public static partial void RealtimeDisabled(ILogger logger);

    // Azure SignalR Service: 200-249.
    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Real time through Azure SignalR Service at {Endpoint} ({AuthType})")]
    public static partial void SignalRServiceConfigured(ILogger logger, string endpoint, string authType);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "Azure SignalR Service {Method} {Path} failed transiently ({Reason}); retry {Attempt}")]
    public static partial void SignalRRetrying(ILogger logger, string method, string path, string reason, int attempt);

    [LoggerMessage(EventId = 202, Level = LogLevel.Error, Message = "Azure SignalR Service {Method} {Path} failed: {Outcome} after {Attempts} attempt(s)")]
    public static partial void SignalRRequestFailed(ILogger logger, Exception? exception, string method, string path, string outcome, int attempts);

    [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "Rejected an upstream call to {Path}: {Reason}")]
    public static partial void UpstreamRejected(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 204, Level = LogLevel.Error, Message = "Upstream invocation {Target} of user {UserId} failed unexpectedly")]
    public static partial void UpstreamInvocationFailed(ILogger logger, Exception exception, string target, string userId);

    [LoggerMessage(EventId = 205, Level = LogLevel.Warning, Message = "Azure SignalR Service with a managed identity: upstream calls are refused until {Setting} is set (and the SignalR resource's upstream auth uses that resource)")]
    public static partial void UpstreamAuthNotConfigured(ILogger logger, string setting);
}
