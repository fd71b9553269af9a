using System.Collections.Concurrent;
using Messaging.Domain.Common;
using Messaging.Domain.Conversations;
using Messaging.Domain.Realtime;

namespace Messaging.Domain.Application;

/// <summary>
/// Typing indicators: never stored, they expire 10 s after the last start. A client may repeat
/// starts to stay visible; rebroadcasts are coalesced to one every few seconds per user and
/// conversation, and a client that floods gets rate-limited.
/// </summary>
/// <remarks>Whatever the size of the group: the typist's place is one point read, and only a rebroadcast reads the audience (ids only).</remarks>
public sealed class TypingService(ConversationService conversationService, IConversationRepository conversations, IRealtimePublisher publisher, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan RebroadcastInterval = TimeSpan.FromSeconds(3);
    public const int MaxCallsPerWindow = 20;
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<(string UserId, string ConversationId), TypingState> _states = new();

    public async Task<Result<TypingIndicatorEvent>> SetTypingAsync(string userId, string? conversationId, bool isTyping, CancellationToken cancellationToken)
    {
        if (!Ids.IsWellFormed(conversationId))
        {
            return Error.Invalid("conversationId", "conversationId is required.");
        }

        if (await conversationService.FindParticipantAsync(userId, conversationId!, cancellationToken) is null)
        {
            return Error.ConversationNotFound;
        }

        var now = time.Now();
        PruneIfLarge(now);
        var state = _states.GetOrAdd((userId, conversationId!), _ => new TypingState());
        bool broadcast;
        TypingIndicatorEvent indicator;
        lock (state)
        {
            if (!state.Admit(now, out var retryAfter))
            {
                return Error.RateLimited($"Too many typing updates; try again in {Math.Ceiling(retryAfter.TotalSeconds)} s.") with { RetryAfter = retryAfter };
            }

            var visible = state.ExpiresAt > now;
            if (isTyping)
            {
                broadcast = !visible || now - state.LastBroadcast >= RebroadcastInterval;
                state.ExpiresAt = now + Lifetime;
                if (broadcast)
                {
                    state.LastBroadcast = now;
                }
            }
            else
            {
                broadcast = visible;
                state.ExpiresAt = now;
            }

            indicator = new TypingIndicatorEvent(conversationId!, userId, isTyping, isTyping ? state.ExpiresAt : now);
        }

        if (broadcast && await conversations.GetAudienceAsync(conversationId!, cancellationToken) is { } audience)
        {
            var others = audience.ParticipantIds.Where(id => id != userId).ToList();
            await publisher.SendToUsersAsync(others, EventNames.TypingIndicator, indicator, cancellationToken);
        }

        return indicator;
    }

    private void PruneIfLarge(DateTimeOffset now)
    {
        if (_states.Count < 10_000)
        {
            return;
        }

        foreach (var (key, state) in _states)
        {
            if (state.ExpiresAt < now - Window)
            {
                _states.TryRemove(key, out _);
            }
        }
    }

    private sealed class TypingState
    {
        private DateTimeOffset _windowStart;
        private int _calls;

        public DateTimeOffset ExpiresAt { get; set; }

        public DateTimeOffset LastBroadcast { get; set; }

        public bool Admit(DateTimeOffset now, out TimeSpan retryAfter)
        {
            if (now - _windowStart >= Window)
            {
                _windowStart = now;
                _calls = 0;
            }

            retryAfter = _windowStart + Window - now;
            return ++_calls <= MaxCallsPerWindow;
        }
    }
}
