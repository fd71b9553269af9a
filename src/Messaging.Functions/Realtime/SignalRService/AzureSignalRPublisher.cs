using System.Collections.Concurrent;
using Messaging.Domain.Realtime;

namespace Messaging.Functions.Realtime.SignalRService;

/// <summary>
/// Publishes through Azure SignalR Service. A conversation event is one call to the group of the
/// audience's membership epoch, whatever the number of participants. That group only ever holds
/// users who were participants during that epoch, and an epoch ends whenever anyone loses access,
/// so a removed user is never in the group an event goes to, whatever the service answered to
/// their removal (decision 0006). A group is filled from the committed participant list the first
/// time this instance sends to it; memberships that fail go to the <see cref="MembershipReconciler"/>.
/// </summary>
public sealed class AzureSignalRPublisher(SignalRGroups groups, MembershipReconciler reconciler) : IRealtimePublisher
{
    /// <summary>Remembered filled groups; past this many the memory is dropped and groups are filled again on use.</summary>
    public const int MaxRememberedGroups = 100_000;

    private readonly ConcurrentDictionary<string, long> _filled = new(StringComparer.Ordinal);

    public async Task SendToConversationAsync(ConversationAudience audience, string eventName, object payload, CancellationToken cancellationToken)
    {
        await EnsureFilledAsync(audience, cancellationToken);
        await groups.SendToGroupAsync(SignalRGroups.GroupFor(audience), SignalRGroups.Body(eventName, payload), cancellationToken);
    }

    public async Task SendToUsersAsync(IReadOnlyCollection<string> userIds, string eventName, object payload, CancellationToken cancellationToken)
    {
        if (userIds.Count == 0)
        {
            return;
        }

        var body = SignalRGroups.Body(eventName, payload);
        var failed = await SignalRGroups.ForEachUserAsync(userIds, (user, token) => groups.SendToUserAsync(user, body, token), cancellationToken);
        if (failed.Count > 0)
        {
            throw new SignalRServiceException($"Sending {eventName} failed for {failed.Count} of {userIds.Count} user(s).", null);
        }
    }

    public async Task JoinConversationAsync(ConversationAudience audience, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken)
    {
        if (!await EnsureFilledAsync(audience, cancellationToken))
        {
            await AddAsync(audience, userIds, cancellationToken);
        }
    }

    /// <summary>Takes the users out of the previous epoch's group: cleanup only, since that group is never sent to again.</summary>
    public async Task LeaveConversationAsync(ConversationAudience audience, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken)
    {
        if (audience.MembershipEpoch == 0)
        {
            return;
        }

        var previous = SignalRGroups.GroupFor(audience.ConversationId, audience.MembershipEpoch - 1);
        await SignalRGroups.ForEachUserAsync(userIds, (user, token) => groups.RemoveUserAsync(previous, user, token), cancellationToken);
    }

    /// <summary>Forgets which groups this instance filled, e.g. after the service lost its state.</summary>
    public void ForgetFilledGroups() => _filled.Clear();

    /// <summary>Fills the epoch's group from the committed participants unless this instance already did; true when it filled it now.</summary>
    private async Task<bool> EnsureFilledAsync(ConversationAudience audience, CancellationToken cancellationToken)
    {
        if (_filled.TryGetValue(audience.ConversationId, out var epoch) && epoch == audience.MembershipEpoch)
        {
            return false;
        }

        await AddAsync(audience, audience.ParticipantIds, cancellationToken);
        if (_filled.Count >= MaxRememberedGroups)
        {
            _filled.Clear();
        }

        _filled[audience.ConversationId] = audience.MembershipEpoch;
        return true;
    }

    private async Task AddAsync(ConversationAudience audience, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken)
    {
        var group = SignalRGroups.GroupFor(audience);
        var failed = await SignalRGroups.ForEachUserAsync(userIds, (user, token) => groups.AddUserAsync(group, user, token), cancellationToken);
        foreach (var user in failed)
        {
            reconciler.Enqueue(audience.ConversationId, user);
        }
    }
}
