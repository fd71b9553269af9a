using System.Text.Json;
using Messaging.Domain.Conversations;
using Messaging.Domain.Realtime;
using Messaging.Functions.Realtime.SignalRService;
using Messaging.Tests.Support;

namespace Messaging.Tests.SignalRService;

/// <summary>
/// One run of <see cref="DeliveryModelTests"/>: five connected users, two group conversations, then
/// the operations, checking after each one what every client connection received. Returns the first
/// violation, or null. Without <paramref name="checkConvergence"/> only leaks are looked for.
/// </summary>
internal sealed class DeliveryRun(FakeSignalRService service, DeliveryStore store, Func<IServiceProvider, IRealtimePublisher>? publisher, bool checkConvergence = true)
{
    private const int Users = 5;
    private readonly string[] _users = [.. Enumerable.Range(0, Users).Select(i => TestApi.NewUser($"u{i}"))];
    private readonly Dictionary<string, FakeClientConnection> _connections = new(StringComparer.Ordinal);
    private readonly Dictionary<FakeClientConnection, int> _checked = [];
    private readonly List<string> _conversationIds = [];
    private readonly Dictionary<string, List<(string Id, string Sender)>> _sent = new(StringComparer.Ordinal);
    private DeliveryWorld _world = null!;
    private bool _forgot;

    public async Task<string?> RunAsync(DeliveryOperation[] run)
    {
        service.Reset();
        await using var world = DeliveryWorld.Create(service, store, publisher);
        _world = world;
        service.OnConnected = user => _world.Healer.HealAsync(user, CancellationToken.None);
        foreach (var user in _users)
        {
            _connections[user] = await service.ConnectAsync(user);
        }

        _conversationIds.Add((await world.Conversations.StartGroupAsync(_users[0], "zero", [_users[1], _users[2], _users[3]], CancellationToken.None)).Value!.Id);
        _conversationIds.Add((await world.Conversations.StartGroupAsync(_users[1], "one", [_users[0], _users[4]], CancellationToken.None)).Value!.Id);

        for (var i = 0; i < run.Length; i++)
        {
            await ApplyAsync(run[i]);
            if (await CheckAudiencesAsync() is { } leak)
            {
                return $"after step {i} of [{string.Join(", ", run.Take(i + 1))}]: {leak}";
            }
        }

        if (!checkConvergence)
        {
            return null;
        }

        return await SettleAndCheckAsync() is { } failure ? $"after [{string.Join(", ", run)}]: {failure}" : null;
    }

    private async Task ApplyAsync(DeliveryOperation operation)
    {
        var user = _users[operation.User];
        var conversationId = _conversationIds[operation.Other % _conversationIds.Count];
        var conversation = await _world.Store.GetAsync(conversationId, CancellationToken.None);
        var owner = conversation?.Participants.FirstOrDefault(p => p.Role == ParticipantRole.Owner)?.UserId ?? user;
        switch (operation.Step)
        {
            case DeliveryStep.Send:
                var sent = await _world.Messages.SendAsync(user, conversationId, $"m-{Guid.NewGuid():N}", null, null, CancellationToken.None);
                if (sent.IsSuccess)
                {
                    Remember(conversationId, sent.Value!.Resource.Id, user);
                }

                break;
            case DeliveryStep.Edit when Latest(conversationId) is { } latest:
                await _world.Messages.EditAsync(latest.Sender, latest.Id, "edited", CancellationToken.None);
                break;
            case DeliveryStep.Delete when Latest(conversationId) is { } latest:
                await _world.Messages.DeleteAsync(latest.Sender, latest.Id, CancellationToken.None);
                break;
            case DeliveryStep.Add:
                await _world.Conversations.AddParticipantAsync(owner, conversationId, user, CancellationToken.None);
                break;
            case DeliveryStep.Remove:
                await _world.Conversations.RemoveParticipantAsync(owner, conversationId, user, CancellationToken.None);
                break;
            case DeliveryStep.Rename:
                await _world.Conversations.RenameAsync(owner, conversationId, $"t-{Guid.NewGuid():N}"[..10], CancellationToken.None);
                break;
            case DeliveryStep.Read:
                await _world.Messages.MarkReadAsync(user, null, conversationId, CancellationToken.None);
                break;
            case DeliveryStep.DeleteConversation:
                await _world.Conversations.DeleteAsync(owner, conversationId, CancellationToken.None);
                break;
            case DeliveryStep.Deliver:
                await _world.DeliverAsync(operation.Other + 1);
                break;
            case DeliveryStep.Redeliver:
                await _world.RedeliverAsync();
                break;
            case DeliveryStep.Refuse:
                service.FailWhen(Refusal(operation.User), 503, count: operation.Other + 1);
                break;
            case DeliveryStep.Forget:
                service.ForgetMappings();
                _forgot = true;
                break;
            case DeliveryStep.Reconnect:
                await ReconnectAsync(user);
                break;
            case DeliveryStep.Reconcile:
                await _world.Reconciler.ReconcilePendingNowAsync(CancellationToken.None);
                break;
        }
    }

    /// <summary>Which calls a refusal hits: memberships added or removed, group sends, user sends, or any call.</summary>
    private static Func<string, string, bool> Refusal(int kind) => kind switch
    {
        0 => (method, path) => method == "PUT",
        1 => (method, path) => method == "DELETE",
        2 => (method, path) => method == "POST" && path.Contains("/groups/", StringComparison.Ordinal),
        3 => (method, path) => method == "POST" && path.Contains("/users/", StringComparison.Ordinal),
        _ => (_, _) => true,
    };

    private async Task ReconnectAsync(string user)
    {
        service.Disconnect(_connections[user]);
        _connections[user] = await service.ConnectAsync(user);
    }

    private void Remember(string conversationId, string messageId, string sender)
    {
        if (!_sent.TryGetValue(conversationId, out var list))
        {
            _sent[conversationId] = list = [];
        }

        list.Add((messageId, sender));
    }

    private (string Id, string Sender)? Latest(string conversationId) =>
        _sent.TryGetValue(conversationId, out var list) && list.Count > 0 ? list[^1] : null;

    /// <summary>Every event received since the last check, about a conversation its user is not in now: a leak.</summary>
    private async Task<string?> CheckAudiencesAsync()
    {
        foreach (var (user, connection) in _connections)
        {
            var received = connection.Received;
            _checked.TryGetValue(connection, out var from);
            _checked[connection] = received.Count;
            foreach (var (target, argument) in received.Skip(from))
            {
                if (target == EventNames.ConversationDeleted)
                {
                    continue;
                }

                var conversationId = ConversationOf(target, argument);
                var conversation = await _world.Store.GetAsync(conversationId, CancellationToken.None);
                if (conversation is null || !conversation.HasParticipant(user))
                {
                    return $"{user} received {target} of {conversationId} without being a participant";
                }
            }
        }

        return null;
    }

    /// <summary>The service behaves again; clients reconnect if it lost their mappings; then every participant must hear a new message, in order.</summary>
    private async Task<string?> SettleAndCheckAsync()
    {
        service.StopFailing();
        if (_forgot)
        {
            foreach (var user in _users)
            {
                await ReconnectAsync(user);
            }
        }

        await _world.DeliverAllAsync();
        for (var round = 0; round < 5 && await _world.Reconciler.ReconcilePendingNowAsync(CancellationToken.None) > 0; round++)
        {
        }

        var live = new List<Conversation>();
        foreach (var conversationId in _conversationIds)
        {
            if (await _world.Store.GetAsync(conversationId, CancellationToken.None) is { Participants.Count: > 0 } conversation)
            {
                live.Add(conversation);
                await _world.Messages.SendAsync(conversation.Participants[0].UserId, conversationId, $"final-{conversationId}", null, null, CancellationToken.None);
            }
        }

        await _world.DeliverAllAsync();
        if (await CheckAudiencesAsync() is { } leak)
        {
            return leak;
        }

        foreach (var conversation in live)
        {
            foreach (var participant in conversation.Participants)
            {
                if (!_connections[participant.UserId].Received.Any(r => r.Target == EventNames.MessageCreated && r.Argument.GetProperty("text").GetString() == $"final-{conversation.Id}"))
                {
                    return $"{participant.UserId}, a connected participant, did not receive the last message of {conversation.Id}";
                }
            }

            var group = service.UsersOf(SignalRGroups.GroupFor(conversation.Id, conversation.MembershipEpoch));
            if (publisher is null && !group.SetEquals(conversation.Participants.Select(p => p.UserId)))
            {
                return $"the group of {conversation.Id} holds [{string.Join(", ", group)}], not its participants";
            }
        }

        return OutOfOrder();
    }

    /// <summary>Each connection's <c>message.created</c> of one conversation, repeats aside, in rising sequence.</summary>
    private string? OutOfOrder()
    {
        foreach (var (user, connection) in _connections)
        {
            var last = new Dictionary<string, long>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (target, argument) in connection.Received.Where(r => r.Target == EventNames.MessageCreated))
            {
                if (!seen.Add(argument.GetProperty("id").GetString()!))
                {
                    continue;
                }

                var conversationId = argument.GetProperty("conversationId").GetString()!;
                var sequence = argument.GetProperty("sequence").GetInt64();
                if (last.TryGetValue(conversationId, out var previous) && sequence < previous)
                {
                    return $"{user} received message {sequence} of {conversationId} after {previous}";
                }

                last[conversationId] = sequence;
            }
        }

        return null;
    }

    private static string ConversationOf(string target, JsonElement argument) =>
        target.StartsWith("conversation.", StringComparison.Ordinal)
            ? argument.GetProperty("id").GetString()!
            : argument.GetProperty("conversationId").GetString()!;
}
