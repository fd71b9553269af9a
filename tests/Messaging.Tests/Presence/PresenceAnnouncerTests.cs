using System.Collections.Concurrent;
using Messaging.Domain.Common;
using Messaging.Domain.Conversations;
using Messaging.Domain.Presence;
using Messaging.Domain.Realtime;
using Messaging.Tests.Support;

namespace Messaging.Tests.Presence;

/// <summary>
/// An announcement reads the audiences of the user's conversations a bounded number at a time, not one
/// after the other, and still sends once, to every conversation that has someone else in it.
/// </summary>
public sealed class PresenceAnnouncerTests
{
    [Fact]
    public async Task The_audiences_of_a_users_many_conversations_are_read_several_at_once_but_no_more_than_the_bound()
    {
        var conversations = new SlowAudiences(Enumerable.Range(0, 60).Select(i => $"conversation-{i}").ToList());
        var publisher = new AnnouncementCount();

        await new PresenceAnnouncer(conversations, publisher).AnnounceAsync(PresenceState.New("alice") with { AnnouncedOnline = true }, CancellationToken.None);

        Assert.InRange(conversations.MostAtOnce, 2, PresenceAnnouncer.MaxConcurrentReads);
        Assert.Equal(60, conversations.Reads);
        Assert.Equal(1, publisher.Sends);
        Assert.Equal(59, publisher.Audiences);
    }

    /// <summary>The user is in every conversation; each audience takes a moment to read; the last conversation has no one else.</summary>
    private sealed class SlowAudiences(IReadOnlyList<string> conversationIds) : IConversationRepository
    {
        private readonly NoConversations _none = new();
        private int _inFlight;
        private int _mostAtOnce;
        private int _reads;

        public int MostAtOnce => _mostAtOnce;

        public int Reads => _reads;

        public Task<IReadOnlyList<Membership>> ListMembershipsAsync(string userId, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<Membership>>([.. conversationIds.Select(id => new Membership(id, 0))]);

        public async Task<ConversationAudience?> GetAudienceAsync(string conversationId, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref _inFlight);
            InterlockedMax(ref _mostAtOnce, now);
            await Task.Delay(20, cancellationToken);
            Interlocked.Decrement(ref _inFlight);
            Interlocked.Increment(ref _reads);
            return new ConversationAudience(conversationId, 0, conversationId == conversationIds[^1] ? ["alice"] : ["alice", "bob"]);
        }

        public Task<Conversation?> GetAsync(string conversationId, CancellationToken cancellationToken) => _none.GetAsync(conversationId, cancellationToken);

        public Task<ConversationView?> GetViewAsync(string conversationId, string? viewerId, CancellationToken cancellationToken) =>
            _none.GetViewAsync(conversationId, viewerId, cancellationToken);

        public Task<Participant?> GetParticipantAsync(string conversationId, string userId, CancellationToken cancellationToken) =>
            _none.GetParticipantAsync(conversationId, userId, cancellationToken);

        public Task<Result<Page<Participant>>> ListParticipantsAsync(string conversationId, int limit, string? continuationToken, CancellationToken cancellationToken) =>
            _none.ListParticipantsAsync(conversationId, limit, continuationToken, cancellationToken);

        public Task<Result<Page<ConversationView>>> ListForParticipantAsync(string userId, int limit, string? continuationToken, CancellationToken cancellationToken) =>
            _none.ListForParticipantAsync(userId, limit, continuationToken, cancellationToken);

        public Task AddAsync(Conversation conversation, CancellationToken cancellationToken) => _none.AddAsync(conversation, cancellationToken);

        public Task<(Conversation Conversation, bool Created)> GetOrAddDirectAsync(Conversation candidate, CancellationToken cancellationToken) =>
            _none.GetOrAddDirectAsync(candidate, cancellationToken);

        public Task<(Conversation Conversation, bool Created)> GetOrAddForTaskAsync(Conversation candidate, CancellationToken cancellationToken) =>
            _none.GetOrAddForTaskAsync(candidate, cancellationToken);

        public Task UpdateAsync(Conversation conversation, CancellationToken cancellationToken) => _none.UpdateAsync(conversation, cancellationToken);

        public Task<(ReadWatermark? Watermark, bool Moved)> AdvanceWatermarkAsync(
            string conversationId, string userId, ReadWatermark watermark, CancellationToken cancellationToken) =>
            _none.AdvanceWatermarkAsync(conversationId, userId, watermark, cancellationToken);

        public Task<IReadOnlyList<string>> DeleteAsync(string conversationId, CancellationToken cancellationToken) => _none.DeleteAsync(conversationId, cancellationToken);

        public Task<IReadOnlySet<string>> ListCoParticipantsAsync(string userId, IReadOnlyCollection<string> candidates, CancellationToken cancellationToken) =>
            _none.ListCoParticipantsAsync(userId, candidates, cancellationToken);

        private static void InterlockedMax(ref int target, int value)
        {
            for (var seen = target; value > seen; seen = target)
            {
                if (Interlocked.CompareExchange(ref target, value, seen) == seen)
                {
                    return;
                }
            }
        }
    }

    private sealed class AnnouncementCount : IRealtimePublisher
    {
        private readonly ConcurrentQueue<int> _sends = new();

        public int Sends => _sends.Count;

        public int Audiences => _sends.Sum();

        public Task SendToConversationsAsync(IReadOnlyList<ConversationAudience> audiences, string eventName, object payload, CancellationToken cancellationToken)
        {
            _sends.Enqueue(audiences.Count);
            return Task.CompletedTask;
        }

        public Task SendToConversationAsync(ConversationAudience audience, string eventName, object payload, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("Presence sends to all the user's conversations at once.");

        public Task SendToUsersAsync(IReadOnlyCollection<string> userIds, string eventName, object payload, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("Presence never enumerates co-participants.");

        public Task JoinConversationAsync(ConversationAudience audience, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task LeaveConversationAsync(ConversationAudience audience, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
