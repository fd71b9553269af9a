using Messaging.Domain.Realtime;

namespace Messaging.Functions.Diagnostics;

/// <summary>Counts <c>messaging.events.published</c> (tag: event name) around the real publisher; one per successful send call.</summary>
public sealed class MeteredRealtimePublisher(IRealtimePublisher inner) : IRealtimePublisher
{
    public IRealtimePublisher Inner => inner;

    public async Task SendToConversationAsync(string conversationId, IReadOnlyCollection<string> participantIds, string eventName, object payload, CancellationToken cancellationToken)
    {
        await inner.SendToConversationAsync(conversationId, participantIds, eventName, payload, cancellationToken);
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

    public Task JoinConversationAsync(string conversationId, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) =>
        inner.JoinConversationAsync(conversationId, userIds, cancellationToken);

    public Task LeaveConversationAsync(string conversationId, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) =>
        inner.LeaveConversationAsync(conversationId, userIds, cancellationToken);
}
