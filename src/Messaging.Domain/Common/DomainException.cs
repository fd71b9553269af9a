namespace Messaging.Domain.Common;

/// <summary>
/// Thrown by a store when an optimistic concurrency check fails: somebody else changed the
/// aggregate between read and write. Services reload and retry.
/// </summary>
public sealed class ConcurrencyConflictException(string message) : Exception(message);
