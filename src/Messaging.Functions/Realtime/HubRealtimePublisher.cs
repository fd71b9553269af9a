using Messaging.Domain.Realtime;
using Microsoft.AspNetCore.SignalR;

namespace Messaging.Functions.Realtime;

/// <summary>
/// Publishes through the standalone server's own hub, addressing users: every connection of a
/// participant receives the event, including conversations joined after it connected, and the
/// audience is always the committed participant list, so membership needs no bookkeeping. Each
/// user's connections are found through the user's own group (<see cref="MessagingHub.UserGroup"/>),
/// a lookup, where <c>Clients.Users</c> would test every connection of the server for every event.
/// </summary>
public sealed class HubRealtimePublisher(IHubContext<MessagingHub> hub) : IRealtimePublisher
{
    public Task SendToConversationAsync(ConversationAudience audience, string eventName, object payload, CancellationToken cancellationToken) =>
        SendToUsersAsync(audience.ParticipantIds, eventName, payload, cancellationToken);

    public Task SendToUsersAsync(IReadOnlyCollection<string> userIds, string eventName, object payload, CancellationToken cancellationToken) =>
        userIds.Count == 0 ? Task.CompletedTask : hub.Clients.Groups([.. userIds.Select(MessagingHub.UserGroup)]).SendAsync(eventName, payload, cancellationToken);

    /// <summary>The participants of every audience, each once: one send to their user groups, so nobody receives the event twice.</summary>
    public Task SendToConversationsAsync(IReadOnlyList<ConversationAudience> audiences, string eventName, object payload, CancellationToken cancellationToken) =>
        SendToUsersAsync(audiences.SelectMany(a => a.ParticipantIds).ToHashSet(StringComparer.Ordinal), eventName, payload, cancellationToken);

    public Task JoinConversationAsync(ConversationAudience audience, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task LeaveConversationAsync(ConversationAudience audience, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>For a host with no SignalR configured (the Functions host without Azure SignalR Service): events are not pushed; clients poll with <c>?after=</c>.</summary>
public sealed class NoRealtimePublisher : IRealtimePublisher
{
    public Task SendToConversationAsync(ConversationAudience audience, string eventName, object payload, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task SendToUsersAsync(IReadOnlyCollection<string> userIds, string eventName, object payload, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task JoinConversationAsync(ConversationAudience audience, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task LeaveConversationAsync(ConversationAudience audience, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) => Task.CompletedTask;
}
