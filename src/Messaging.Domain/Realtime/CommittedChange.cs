namespace Messaging.Domain.Realtime;

/// <summary>
/// A state change that a store has committed. Stores report them in commit order (the SQLite
/// outbox, the Cosmos DB change feed); <see cref="ChangeFanOut"/> turns them into events.
/// </summary>
public abstract record CommittedChange(string ConversationId);

public sealed record MessageCreated(string ConversationId, string MessageId) : CommittedChange(ConversationId);

public sealed record MessageEdited(string ConversationId, string MessageId) : CommittedChange(ConversationId);

public sealed record MessageDeleted(string ConversationId, string MessageId) : CommittedChange(ConversationId);

public sealed record ReadWatermarkMoved(string ConversationId, string UserId) : CommittedChange(ConversationId);

public sealed record ConversationCreated(string ConversationId) : CommittedChange(ConversationId);

/// <summary>Title, roles or membership changed; <paramref name="RemovedUserIds"/> lost access, <paramref name="AddedUserIds"/> gained it.</summary>
public sealed record ConversationChanged(string ConversationId, IReadOnlyList<string> AddedUserIds, IReadOnlyList<string> RemovedUserIds) : CommittedChange(ConversationId);

public sealed record ConversationRemoved(string ConversationId, IReadOnlyList<string> FormerParticipantIds) : CommittedChange(ConversationId);

/// <summary>
/// A user's reaction was added or removed; <paramref name="Count"/> is how many gave it after the change,
/// or null when the store committed the change without knowing it (a Cosmos DB counter incremented
/// under contention): the fan-out then reads the count when it sends the event.
/// </summary>
public sealed record ReactionChanged(string ConversationId, string MessageId, string UserId, string Reaction, int? Count, bool Added) : CommittedChange(ConversationId);
