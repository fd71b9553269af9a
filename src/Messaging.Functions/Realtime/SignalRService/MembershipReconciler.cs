using System.Threading.Channels;
using Messaging.Domain.Conversations;
using Messaging.Functions.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messaging.Functions.Realtime.SignalRService;

/// <summary>
/// Retries group memberships that Azure SignalR Service refused, after the REST client's own quick
/// retries: with growing delays, each time against the committed state (the user must still be a
/// participant; the group is the one of the current membership epoch). A user whose membership
/// still fails after <see cref="MaxAttempts"/> is healed on their next connection (the upstream
/// <c>connected</c> event, <see cref="MembershipHealer"/>).
/// </summary>
public sealed class MembershipReconciler(
    IConversationRepository conversations, SignalRRestClient rest, TimeProvider time, ILogger<MembershipReconciler> logger) : BackgroundService
{
    public const int MaxAttempts = 8;

    /// <summary>Pending memberships held at most; beyond it the oldest are healed on reconnect only.</summary>
    public const int Capacity = 100_000;

    private static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(1);

    private readonly Channel<PendingMembership> _pending = Channel.CreateBounded<PendingMembership>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private readonly SignalRGroups _groups = new(rest);

    public void Enqueue(string conversationId, string userId) => Enqueue(new PendingMembership(conversationId, userId, 1, time.GetUtcNow() + FirstDelay));

    /// <summary>Tries one pending membership now; true when it is settled (added, or no longer needed).</summary>
    public async Task<bool> TryReconcileAsync(string conversationId, string userId, CancellationToken cancellationToken)
    {
        var conversation = await conversations.GetAsync(conversationId, cancellationToken);
        if (conversation is null || !conversation.HasParticipant(userId))
        {
            return true;
        }

        try
        {
            await _groups.AddUserAsync(SignalRGroups.GroupFor(conversation.Id, conversation.MembershipEpoch), userId, cancellationToken);
            return true;
        }
        catch (SignalRServiceException)
        {
            return false;
        }
    }

    /// <summary>Tries every pending membership once now, whatever its delay; those still failing stay pending. Returns how many remain.</summary>
    public async Task<int> ReconcilePendingNowAsync(CancellationToken cancellationToken)
    {
        var due = new List<PendingMembership>();
        while (_pending.Reader.TryRead(out var pending))
        {
            due.Add(pending);
        }

        var remaining = 0;
        foreach (var pending in due)
        {
            if (!await TryReconcileAsync(pending.ConversationId, pending.UserId, cancellationToken))
            {
                remaining++;
                Enqueue(pending with { Attempt = pending.Attempt + 1 });
            }
        }

        return remaining;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var pending in _pending.Reader.ReadAllAsync(stoppingToken))
        {
            var wait = pending.DueAt - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, stoppingToken);
            }

            bool settled;
            try
            {
                settled = await TryReconcileAsync(pending.ConversationId, pending.UserId, stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                Log.MembershipReconcileFailed(logger, exception, pending.ConversationId, pending.UserId, pending.Attempt);
                settled = false;
            }

            if (settled)
            {
                continue;
            }

            if (pending.Attempt >= MaxAttempts)
            {
                Log.MembershipLeftToReconnect(logger, pending.ConversationId, pending.UserId, pending.Attempt);
                continue;
            }

            var delay = TimeSpan.FromTicks(Math.Min(MaxDelay.Ticks, FirstDelay.Ticks << pending.Attempt));
            Enqueue(pending with { Attempt = pending.Attempt + 1, DueAt = time.GetUtcNow() + delay });
        }
    }

    private void Enqueue(PendingMembership pending)
    {
        Log.MembershipQueued(logger, pending.ConversationId, pending.UserId, pending.Attempt);
        _pending.Writer.TryWrite(pending);
    }

    private sealed record PendingMembership(string ConversationId, string UserId, int Attempt, DateTimeOffset DueAt);
}
