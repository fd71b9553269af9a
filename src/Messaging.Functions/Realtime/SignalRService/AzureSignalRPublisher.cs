using System.Collections.Concurrent;
using System.Text.Json;
using Messaging.Domain.Realtime;
using Messaging.Functions.Http;

namespace Messaging.Functions.Realtime.SignalRService;

/// <summary>
/// Publishes through Azure SignalR Service's data-plane REST API (v1). Each conversation is a group
/// (<c>conversation_{id}</c>) whose members are <em>users</em>, so membership covers every
/// connection of the user, current and future: a conversation event is one call, whatever the
/// number of participants. The body <c>{ target, arguments: [payload] }</c> is serialized once per call.
/// </summary>
public sealed class AzureSignalRPublisher(SignalRRestClient rest) : IRealtimePublisher
{
    /// <summary>Concurrent calls when one event goes to several users or users join or leave.</summary>
    public const int MaxConcurrentCalls = 8;

    private static readonly string HubPath = $"/api/v1/hubs/{SignalRRestClient.Hub}";

    public static string GroupFor(string conversationId) => $"conversation_{conversationId}";

    public Task SendToConversationAsync(string conversationId, IReadOnlyCollection<string> participantIds, string eventName, object payload, CancellationToken cancellationToken) =>
        rest.SendAsync(HttpMethod.Post, GroupPath(conversationId), null, Body(eventName, payload), cancellationToken);

    public Task SendToUsersAsync(IReadOnlyCollection<string> userIds, string eventName, object payload, CancellationToken cancellationToken)
    {
        if (userIds.Count == 0)
        {
            return Task.CompletedTask;
        }

        var body = Body(eventName, payload);
        return ForEachUserAsync(userIds, (user, token) => rest.SendAsync(HttpMethod.Post, $"{HubPath}/users/{SignalRRestClient.Segment(user)}", null, body, token), cancellationToken);
    }

    public Task JoinConversationAsync(string conversationId, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) =>
        ForEachUserAsync(userIds, (user, token) => rest.SendAsync(HttpMethod.Put, MemberPath(conversationId, user), null, null, token), cancellationToken);

    public Task LeaveConversationAsync(string conversationId, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) =>
        ForEachUserAsync(userIds, (user, token) => rest.SendAsync(HttpMethod.Delete, MemberPath(conversationId, user), null, null, token), cancellationToken);

    /// <summary>The REST body: <c>{ "target": eventName, "arguments": [payload] }</c> in the API's JSON shape.</summary>
    public static ReadOnlyMemory<byte> Body(string eventName, object payload) =>
        JsonSerializer.SerializeToUtf8Bytes(new PayloadMessage(eventName, [payload]), ApiJson.Options);

    private static string GroupPath(string conversationId) => $"{HubPath}/groups/{SignalRRestClient.Segment(GroupFor(conversationId))}";

    private static string MemberPath(string conversationId, string userId) => $"{GroupPath(conversationId)}/users/{SignalRRestClient.Segment(userId)}";

    /// <summary>Runs one call per user, a few at a time; every user is tried, then the failures are thrown together.</summary>
    private static async Task ForEachUserAsync(IReadOnlyCollection<string> userIds, Func<string, CancellationToken, Task<byte[]>> call, CancellationToken cancellationToken)
    {
        if (userIds.Count == 0)
        {
            return;
        }

        if (userIds.Count == 1)
        {
            await call(userIds.First(), cancellationToken);
            return;
        }

        var failures = new ConcurrentQueue<Exception>();
        var options = new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentCalls, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(userIds.Distinct(StringComparer.Ordinal), options, async (user, token) =>
        {
            try
            {
                await call(user, token);
            }
            catch (SignalRServiceException exception)
            {
                failures.Enqueue(exception);
            }
        });

        if (!failures.IsEmpty)
        {
            throw new AggregateException("Some Azure SignalR Service calls failed.", failures);
        }
    }

    private sealed record PayloadMessage(string Target, object[] Arguments);
}
