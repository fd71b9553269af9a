using System.Collections.Concurrent;
using System.Text.Json;
using Messaging.Domain.Realtime;
using Messaging.Functions.Http;

namespace Messaging.Functions.Realtime.SignalRService;

/// <summary>
/// The calls of Azure SignalR Service's data-plane REST API v1 that real time uses
/// (https://learn.microsoft.com/azure/azure-signalr/swagger/signalr-data-plane-rest-v1): send to a
/// group, send to a user, add a user to a group, remove a user from a group. A conversation's group
/// is keyed by its membership epoch: <c>conversation_{id}_{epoch}</c> (decision 0006).
/// </summary>
public sealed class SignalRGroups(SignalRRestClient rest)
{
    /// <summary>Concurrent calls when one operation touches several users.</summary>
    public const int MaxConcurrentCalls = 16;

    private static readonly string HubPath = $"/api/v1/hubs/{SignalRRestClient.Hub}";

    public static string GroupFor(string conversationId, long membershipEpoch) =>
        $"conversation_{conversationId}_{membershipEpoch.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    public static string GroupFor(ConversationAudience audience) => GroupFor(audience.ConversationId, audience.MembershipEpoch);

    /// <summary>The REST body: <c>{ "target": eventName, "arguments": [payload] }</c> in the API's JSON shape.</summary>
    public static ReadOnlyMemory<byte> Body(string eventName, object payload) =>
        JsonSerializer.SerializeToUtf8Bytes(new PayloadMessage(eventName, [payload]), ApiJson.Options);

    public Task SendToGroupAsync(string group, ReadOnlyMemory<byte> body, CancellationToken cancellationToken) =>
        rest.SendAsync(HttpMethod.Post, GroupPath(group), null, body, cancellationToken);

    public Task SendToUserAsync(string userId, ReadOnlyMemory<byte> body, CancellationToken cancellationToken) =>
        rest.SendAsync(HttpMethod.Post, $"{HubPath}/users/{SignalRRestClient.Segment(userId)}", null, body, cancellationToken);

    public Task AddUserAsync(string group, string userId, CancellationToken cancellationToken) =>
        rest.SendAsync(HttpMethod.Put, MemberPath(group, userId), null, null, cancellationToken);

    public Task RemoveUserAsync(string group, string userId, CancellationToken cancellationToken) =>
        rest.SendAsync(HttpMethod.Delete, MemberPath(group, userId), null, null, cancellationToken);

    /// <summary>Runs one call per user, a few at a time; every user is tried. Returns the users whose call failed for good.</summary>
    public static async Task<IReadOnlyList<string>> ForEachUserAsync(
        IEnumerable<string> userIds, Func<string, CancellationToken, Task> call, CancellationToken cancellationToken)
    {
        var failed = new ConcurrentQueue<string>();
        var options = new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentCalls, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(userIds.Distinct(StringComparer.Ordinal), options, async (user, token) =>
        {
            try
            {
                await call(user, token);
            }
            catch (SignalRServiceException)
            {
                failed.Enqueue(user);
            }
        });
        return [.. failed];
    }

    private static string GroupPath(string group) => $"{HubPath}/groups/{SignalRRestClient.Segment(group)}";

    private static string MemberPath(string group, string userId) => $"{GroupPath(group)}/users/{SignalRRestClient.Segment(userId)}";

    private sealed record PayloadMessage(string Target, object[] Arguments);
}
