using Messaging.Domain.Realtime;

namespace Messaging.Functions.Diagnostics;

/// <summary>Counts <c>messaging.events.published</c> (tag: event name) around the real publisher; one per successful send call.</summary>
public sealed class MeteredRealtimePublisher(IRealtimePublisher inner) : IRealtimePublisher
{
    public IRealtimePublisher Inner => inner;

    public async Task SendToConversationAsync(ConversationAudience audience, string eventName, object payload, CancellationToken cancellationToken)
    {
        await inner.SendToConversationAsync(audience, eventName, payload, cancellationToken);
        MessagingMetrics.RecordPublished(eventName);
    }

    public async Task SendToUsersAsync(IReadOnlyCollection<string> userIds, string eventName, object payload, CancellationToken cancellationToken)
    {
        await inner.SendToUsersAsync(userIds, eventName, payload, cancellationToken);
        if (userIds.Count > 0)
        {
            MessagingMetrics.RecordPublished(eventName);
        }
    }

    public async Task SendToConversationsAsync(IReadOnlyList<ConversationAudience> audiences, string eventName, object payload, CancellationToken cancellationToken)
    {
        await inner.SendToConversationsAsync(audiences, eventName, payload, cancellationToken);
        if (audiences.Count > 0)
        {
            MessagingMetrics.RecordPublished(eventName);
        }
    }

    public Task JoinConversationAsync(ConversationAudience audience, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) =>
        inner.JoinConversationAsync(audience, userIds, cancellationToken);

    public Task LeaveConversationAsync(ConversationAudience audience, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) =>
        inner.LeaveConversationAsync(audience, userIds, cancellationToken);
}
