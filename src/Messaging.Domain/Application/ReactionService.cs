using Messaging.Domain.Common;
using Messaging.Domain.Messages;

namespace Messaging.Domain.Application;

/// <summary>Use cases of reactions: a participant adds or removes their own reaction to a message.</summary>
public sealed class ReactionService(
    IMessageRepository messages,
    IReactionRepository reactions,
    ConversationService conversationService,
    ResourceMapper mapper,
    TimeProvider time,
    MessagingLimits limits,
    UserRateLimiter rateLimiter)
{
    /// <summary>Adds the caller's reaction (idempotent); the message as the caller sees it afterwards.</summary>
    public async Task<Result<MessageResource>> AddAsync(string userId, string messageId, string? reaction, CancellationToken cancellationToken)
    {
        var target = await TargetAsync(userId, messageId, reaction, cancellationToken);
        if (!target.IsSuccess)
        {
            return target.Error;
        }

        var (message, parsed) = target.Value;
        if (message.IsDeleted)
        {
            return DeletedConflict;
        }

        var added = await reactions.AddAsync(message, userId, parsed, limits.MaxDistinctReactions, time.Now(), cancellationToken);
        return added.Status switch
        {
            ReactionStatus.MessageDeleted => DeletedConflict,
            ReactionStatus.TooManyDistinct => Error.Conflict($"A message carries at most {limits.MaxDistinctReactions} distinct reactions."),
            ReactionStatus.NotParticipant => Error.MessageNotFound, // removed since the check above

            _ => await mapper.ToResourceAsync(message, userId, cancellationToken),
        };
    }

    /// <summary>Removes the caller's own reaction if present (idempotent, also on a tombstone, which has none).</summary>
    public async Task<Result<MessageResource>> RemoveAsync(string userId, string messageId, string? reaction, CancellationToken cancellationToken)
    {
        var target = await TargetAsync(userId, messageId, reaction, cancellationToken);
        if (!target.IsSuccess)
        {
            return target.Error;
        }

        var (message, parsed) = target.Value;
        if (!message.IsDeleted && (await reactions.RemoveAsync(message, userId, parsed, time.Now(), cancellationToken)).Status == ReactionStatus.NotParticipant)
        {
            return Error.MessageNotFound; // removed since the check above
        }

        return await mapper.ToResourceAsync(message, userId, cancellationToken);
    }

    private static Error DeletedConflict => Error.Conflict("The message was deleted; it can no longer be reacted to.");

    /// <summary>What adding and removing both check first: the reaction's form, the caller's budget, and a message the caller may see.</summary>
    private async Task<Result<(Message Message, Reaction Reaction)>> TargetAsync(string userId, string messageId, string? reaction, CancellationToken cancellationToken)
    {
        var parsed = Reaction.Parse(reaction);
        if (!parsed.IsSuccess)
        {
            return parsed.Error;
        }

        // Adds and removals share one bucket per user, over REST and the hub alike.
        if (rateLimiter.TryAcquire(RateLimitedAction.Reaction, userId) is { IsSuccess: false } refused)
        {
            return refused.Error;
        }

        return await FindVisibleAsync(userId, messageId, cancellationToken) is { } message
            ? (message, parsed.Value)
            : Error.MessageNotFound;
    }

    /// <summary>The message when the caller is a participant of its conversation; otherwise null, as for a message that does not exist.</summary>
    private async Task<Message?> FindVisibleAsync(string userId, string messageId, CancellationToken cancellationToken)
    {
        if (!Ids.IsWellFormed(messageId) || await messages.GetAsync(messageId, cancellationToken) is not { } message)
        {
            return null;
        }

        return await conversationService.FindParticipantAsync(userId, message.ConversationId, cancellationToken) is null ? null : message;
    }
}
