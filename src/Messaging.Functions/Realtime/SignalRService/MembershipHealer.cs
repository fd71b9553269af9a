using Messaging.Domain.Conversations;
using Messaging.Functions.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Messaging.Functions.Realtime.SignalRService;

/// <summary>
/// Sets a user's conversation groups from the committed participant list when a connection of
/// theirs opens (the upstream <c>connected</c> event), so mappings the service lost or never got
/// are back before the user misses more than the gap they fetch with <c>?after=</c> anyway.
/// Every connect heals, even one right after another: the service may have lost the mappings in
/// between, and a connect is the only sign of it we get.
/// </summary>
public sealed class MembershipHealer(
    IConversationRepository conversations, SignalRRestClient rest, MembershipReconciler reconciler, ILogger<MembershipHealer> logger)
{
    private readonly SignalRGroups _groups = new(rest);

    public async Task HealAsync(string userId, CancellationToken cancellationToken)
    {
        var memberships = await conversations.ListMembershipsAsync(userId, cancellationToken);
        var failed = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = SignalRGroups.MaxConcurrentCalls, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(memberships, options, async (membership, token) =>
        {
            // One conversation that cannot be read or put just now is left to the reconciler; the others still heal.
            try
            {
                var conversation = await conversations.GetAsync(membership.ConversationId, token);
                if (conversation is null || !conversation.HasParticipant(userId))
                {
                    return;
                }

                await _groups.AddUserAsync(SignalRGroups.GroupFor(conversation.Id, conversation.MembershipEpoch), userId, token);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !token.IsCancellationRequested)
            {
                Interlocked.Increment(ref failed);
                reconciler.Enqueue(membership.ConversationId, userId);
            }
        });
        Log.MembershipsHealed(logger, userId, memberships.Count, failed);
    }
}
