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

    // 360-379: first run of the standalone server.
    [LoggerMessage(EventId = 360, Level = LogLevel.Information, Message = "Ready: open {Url} in a browser. Development sign-in is {SignIn}: {SignInReason}")]
    public static partial void Ready(ILogger logger, string url, string signIn, string signInReason);

    [LoggerMessage(EventId = 361, Level = LogLevel.Warning, Message = "The web client is not built (web/dist): / answers a page that says what to install; with Node.js on the PATH, the next build builds it")]
    public static partial void WebClientNotBuilt(ILogger logger);

    // 100+: Blob storage for attachments.
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Attachments in Blob storage at {ContainerUri} ({Authentication}; create container: {CreateContainer})")]
    public static partial void BlobStore(ILogger logger, string containerUri, string authentication, bool createContainer);

    [LoggerMessage(EventId = 101, Level = LogLevel.Error, Message = "Blob storage {Operation} failed for container {Container}, blob {BlobName}: HTTP {Status} {ErrorCode}")]
    public static partial void BlobOperationFailed(ILogger logger, Exception exception, string operation, string container, string blobName, int status, string errorCode);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Upload to container {Container}, blob {BlobName} exceeded {MaxBytes} bytes; nothing was committed")]
    public static partial void BlobUploadTooLarge(ILogger logger, string container, string blobName, long maxBytes);

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Cosmos DB store: database {Database} at {Account}")]
    public static partial void CosmosStore(ILogger logger, string database, string account);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Cosmos DB database {Database} and its containers exist (CosmosDb:CreateIfNotExists)")]
    public static partial void CosmosContainersEnsured(ILogger logger, string database);

    [LoggerMessage(EventId = 302, Level = LogLevel.Information, Message = "Change feed processors started as {Instance} after {Attempts} attempt(s), polling every {PollIntervalMs} ms; leases renewed every {RenewMs} ms, expire after {ExpirationMs} ms, acquired every {AcquireMs} ms")]
    public static partial void ChangeFeedStarted(ILogger logger, string instance, int attempts, long pollIntervalMs, long renewMs, long expirationMs, long acquireMs);

    [LoggerMessage(EventId = 303, Level = LogLevel.Error, Message = "Change feed processor {Processor} failed on lease {LeaseToken}")]
    public static partial void ChangeFeedError(ILogger logger, Exception exception, string processor, string leaseToken);

    [LoggerMessage(EventId = 305, Level = LogLevel.Warning, Message = "Message {MessageId} of conversation {ConversationId} was committed, but moving the conversation's most recent activity failed; list order lags until its next activity")]
    public static partial void CosmosActivityNotMoved(ILogger logger, Exception exception, string messageId, string conversationId);

    [LoggerMessage(EventId = 304, Level = LogLevel.Warning, Message = "Message {MessageId} of conversation {ConversationId} was committed, but its locator could not be made permanent; it expires in a day unless a lookup by id keeps it first")]
    public static partial void CosmosLocatorNotKept(ILogger logger, Exception exception, string messageId, string conversationId);

    [LoggerMessage(EventId = 306, Level = LogLevel.Warning, Message = "Cosmos DB throttled {Method} {Path} after the SDK's retries (retry after {RetryAfterMs} ms): answered 429")]
    public static partial void CosmosThrottled(ILogger logger, string method, string path, long retryAfterMs);

    [LoggerMessage(EventId = 307, Level = LogLevel.Warning, Message = "Conversation {ConversationId} was committed, but the membership row of {UserId} could not be {Action}; the participant list still decides what the user sees")]
    public static partial void CosmosMembershipRowNotWritten(ILogger logger, Exception exception, string conversationId, string userId, string action);

    // Change feed start, stop and dead letters: 320-339.
    [LoggerMessage(EventId = 320, Level = LogLevel.Information, Message = "Starting the change feed processors of database {Database} in the background; the API answers meanwhile")]
    public static partial void ChangeFeedStarting(ILogger logger, string database);

    [LoggerMessage(EventId = 321, Level = LogLevel.Warning, Message = "Starting the change feed processors failed (attempt {Attempt}: {Error}); retrying in {DelayMs} ms, real-time events wait")]
    public static partial void ChangeFeedStartFailed(ILogger logger, Exception exception, int attempt, string error, long delayMs);

    [LoggerMessage(EventId = 322, Level = LogLevel.Information, Message = "Change feed processors of {Instance} stopped; their leases were released for other instances")]
    public static partial void ChangeFeedStopped(ILogger logger, string instance);

    [LoggerMessage(EventId = 323, Level = LogLevel.Error, Message = "Dead-lettered a change feed record ({Stage}) of container {Container}, document {DocumentId}, lease {LeaseToken}: {ErrorType}; record {DeadLetterId}; the batch goes on")]
    public static partial void ChangeDeadLettered(ILogger logger, Exception exception, string stage, string container, string documentId, string leaseToken, string errorType, string deadLetterId);

    [LoggerMessage(EventId = 324, Level = LogLevel.Warning, Message = "Fan-out of {Kind} of conversation {ConversationId} (lease {LeaseToken}, container {Container}) failed transiently, round {Round}; retrying in {DelayMs} ms")]
    public static partial void ChangeFanOutRetrying(ILogger logger, Exception exception, string leaseToken, string container, string kind, string conversationId, int round, long delayMs);

    [LoggerMessage(EventId = 325, Level = LogLevel.Warning, Message = "Stopping the change feed processors of {Instance} failed; their leases expire instead")]
    public static partial void ChangeFeedStopFailed(ILogger logger, Exception exception, string instance);

    // Cosmos DB purge of deleted conversations: 340-359.
    [LoggerMessage(EventId = 340, Level = LogLevel.Information, Message = "Conversation purger started as {Owner}: pages of {PageSize} documents, {PauseMs} ms between pages")]
    public static partial void PurgerStarted(ILogger logger, string owner, int pageSize, long pauseMs);

    [LoggerMessage(EventId = 341, Level = LogLevel.Information, Message = "Purging deleted conversation {ConversationId} from phase {Phase}")]
    public static partial void PurgeResumed(ILogger logger, string conversationId, string phase);

    [LoggerMessage(EventId = 343, Level = LogLevel.Information, Message = "Purged conversation {ConversationId}: {Messages} message document(s) and {Attachments} attachment(s) deleted")]
    public static partial void PurgeFinished(ILogger logger, string conversationId, long messages, long attachments);

    [LoggerMessage(EventId = 344, Level = LogLevel.Warning, Message = "Cosmos DB throttled the purge of conversation {ConversationId}; waiting {PauseMs} ms and slowing down")]
    public static partial void PurgeThrottled(ILogger logger, string conversationId, long pauseMs);

    [LoggerMessage(EventId = 345, Level = LogLevel.Error, Message = "Purging deleted conversations failed; trying again in {DelayMs} ms")]
    public static partial void PurgeFailed(ILogger logger, Exception exception, long delayMs);

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

    [LoggerMessage(EventId = 206, Level = LogLevel.Warning, Message = "Group membership of user {UserId} in conversation {ConversationId} failed; reconciling (attempt {Attempt})")]
    public static partial void MembershipQueued(ILogger logger, string conversationId, string userId, int attempt);

    [LoggerMessage(EventId = 207, Level = LogLevel.Warning, Message = "Reconciling the group membership of user {UserId} in conversation {ConversationId} failed (attempt {Attempt})")]
    public static partial void MembershipReconcileFailed(ILogger logger, Exception exception, string conversationId, string userId, int attempt);

    [LoggerMessage(EventId = 208, Level = LogLevel.Error, Message = "Group membership of user {UserId} in conversation {ConversationId} still failing after {Attempt} attempts; it is set again on the user's next connection")]
    public static partial void MembershipLeftToReconnect(ILogger logger, string conversationId, string userId, int attempt);

    [LoggerMessage(EventId = 209, Level = LogLevel.Debug, Message = "Set the groups of user {UserId} on connect: {Conversations} conversation(s), {Failed} failed and queued")]
    public static partial void MembershipsHealed(ILogger logger, string userId, int conversations, int failed);
}
