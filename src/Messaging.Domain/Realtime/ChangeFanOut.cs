using Messaging.Domain.Application;
using Messaging.Domain.Conversations;
using Messaging.Domain.Messages;

namespace Messaging.Domain.Realtime;

/// <summary>
/// Turns committed changes into the events of the API and their audiences. It reads the committed
/// state, so an event never announces something that did not happen, and the audience is always the
/// committed participant list (with its membership epoch); a change whose subject is already gone
/// produces nothing (a later change covers it).
/// </summary>
public sealed class ChangeFanOut(
    IConversationRepository conversations,
    IMessageRepository messages,
    IReactionRepository reactions,
    ConversationService conversationService,
    ResourceMapper mapper,
    IRealtimePublisher publisher)
{
    public const int MaxAttempts = 3;

    /// <summary>
    /// Handles the change, retrying failures a few times. Returns the last failure when it gives
    /// up, for the caller to log with its position: one poisoned change must not stop the rest,
    /// and clients recover what they missed with <c>?after=&lt;sequence&gt;</c>.
    /// </summary>
    public async Task<Exception?> HandleWithRetriesAsync(CommittedChange change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await HandleAsync(change, cancellationToken);
                return null;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                if (attempt >= MaxAttempts)
                {
                    return exception;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), cancellationToken);
            }
        }
    }

    public async Task HandleAsync(CommittedChange change, CancellationToken cancellationToken)
    {
        switch (change)
        {
            case MessageCreated created:
                await PublishMessageAsync(created.ConversationId, created.MessageId, EventNames.MessageCreated, cancellationToken);
                break;
            case MessageEdited edited:
                await PublishMessageAsync(edited.ConversationId, edited.MessageId, EventNames.MessageUpdated, cancellationToken);
                break;
            case MessageDeleted deleted:
                await PublishMessageAsync(deleted.ConversationId, deleted.MessageId, EventNames.MessageDeleted, cancellationToken);
                break;
            case ReadWatermarkMoved moved:
                await PublishReadAsync(moved, cancellationToken);
                break;
            case ConversationCreated created:
                await PublishConversationAsync(created.ConversationId, [], [], EventNames.ConversationCreated, cancellationToken);
                break;
            case ConversationChanged changed:
                await PublishConversationAsync(changed.ConversationId, changed.AddedUserIds, changed.RemovedUserIds, EventNames.ConversationUpdated, cancellationToken);
                break;
            case ReactionChanged reaction:
                await PublishReactionAsync(reaction, cancellationToken);
                break;
            case ConversationRemoved removed:
                // The conversation is gone, so no audience of it exists any more: nothing else is sent to it.
                await publisher.SendToUsersAsync(removed.FormerParticipantIds, EventNames.ConversationDeleted, new ConversationDeletedEvent(removed.ConversationId), cancellationToken);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(change), change.GetType().Name, "Unknown change.");
        }
    }

    private async Task PublishMessageAsync(string conversationId, string messageId, string eventName, CancellationToken cancellationToken)
    {
        // Only the audience, not the whole conversation: participant ids and epoch.
        var audience = await conversations.GetAudienceAsync(conversationId, cancellationToken);
        var message = audience is null ? null : await messages.GetAsync(messageId, cancellationToken);
        if (audience is null || message is null)
        {
            return;
        }

        // message.created carries no reactions without reading them: any given since then follow as reaction.added, in commit order.
        var payload = eventName == EventNames.MessageCreated
            ? await mapper.ToNewResourceAsync(message, null, cancellationToken)
            : await mapper.ToResourceAsync(message, cancellationToken);
        await publisher.SendToConversationAsync(audience, eventName, payload, cancellationToken);
    }

    /// <summary>
    /// The payload is the change itself (the count after it), so later reactions cannot make it lie; the audience is read now.
    /// A change committed without its count gets the count now: this change's and any committed since, so the
    /// last event of a kind still carries its current count.
    /// </summary>
    private async Task PublishReactionAsync(ReactionChanged change, CancellationToken cancellationToken)
    {
        if (await conversations.GetAudienceAsync(change.ConversationId, cancellationToken) is not { } audience)
        {
            return;
        }

        var count = change.Count ?? await CurrentCountAsync(change, cancellationToken);
        var payload = new ReactionEvent(change.ConversationId, change.MessageId, change.UserId, change.Reaction, count);
        await publisher.SendToConversationAsync(audience, change.Added ? EventNames.ReactionAdded : EventNames.ReactionRemoved, payload, cancellationToken);
    }

    private async Task<int> CurrentCountAsync(ReactionChanged change, CancellationToken cancellationToken)
    {
        var all = await reactions.GetAsync(change.ConversationId, [change.MessageId], null, cancellationToken);
        return all.TryGetValue(change.MessageId, out var found) ? found.Counts.FirstOrDefault(c => c.Reaction == change.Reaction)?.Count ?? 0 : 0;
    }

    private async Task PublishReadAsync(ReadWatermarkMoved moved, CancellationToken cancellationToken)
    {
        var conversation = await conversations.GetAsync(moved.ConversationId, cancellationToken);
        if (conversation?.FindParticipant(moved.UserId)?.Watermark is not { } watermark)
        {
            return;
        }

        var payload = new MessageReadEvent(conversation.Id, moved.UserId, watermark.MessageId, watermark.ReadAt);
        await publisher.SendToConversationAsync(ConversationAudience.Of(conversation), EventNames.MessageRead, payload, cancellationToken);
    }

    /// <summary>
    /// Each audience of a conversation change is its own step (who left, who joined, the group), and
    /// a step the service refuses does not cost the others their event: every step is tried, then
    /// the failures are thrown together, so the change is retried (a retry repeats the steps that
    /// succeeded; clients take an event twice as they take it once). Leaving cannot let a removed
    /// user hear the update: the group it goes to is the new membership epoch's.
    /// </summary>
    private async Task PublishConversationAsync(
        string conversationId, IReadOnlyList<string> added, IReadOnlyList<string> removed, string eventName, CancellationToken cancellationToken)
    {
        var conversation = await conversations.GetAsync(conversationId, cancellationToken);
        var failures = new List<Exception>();
        async Task StepAsync(Func<Task> step)
        {
            try
            {
                await step();
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                failures.Add(exception);
            }
        }

        if (removed.Count > 0)
        {
            // Told only while still out: a user removed and added back since then is a participant again.
            var stillOut = conversation is null ? removed : [.. removed.Where(user => !conversation.HasParticipant(user))];
            await StepAsync(() => publisher.SendToUsersAsync(stillOut, EventNames.ConversationDeleted, new ConversationDeletedEvent(conversationId), cancellationToken));
            if (conversation is not null && stillOut.Count > 0)
            {
                await StepAsync(() => publisher.LeaveConversationAsync(ConversationAudience.Of(conversation), stillOut, cancellationToken));
            }
        }

        if (conversation is not null)
        {
            var audience = ConversationAudience.Of(conversation);
            IReadOnlyCollection<string> joining = eventName == EventNames.ConversationCreated
                ? audience.ParticipantIds
                : [.. added.Where(conversation.HasParticipant)];
            if (joining.Count > 0)
            {
                await StepAsync(() => publisher.JoinConversationAsync(audience, joining, cancellationToken));
            }

            // One payload for the whole group (no per-user unread count), read once.
            await StepAsync(async () =>
            {
                var resource = await conversationService.ToSharedResourceAsync(conversation, cancellationToken);
                await publisher.SendToConversationAsync(audience, eventName, resource, cancellationToken);
            });
        }

        if (failures.Count == 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failures[0]);
        }

        if (failures.Count > 1)
        {
            throw new AggregateException($"Publishing the change of conversation {conversationId} failed in {failures.Count} steps.", failures);
        }
    }
}
