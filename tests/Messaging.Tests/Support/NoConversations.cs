using Messaging.Domain.Common;
using Messaging.Domain.Conversations;

namespace Messaging.Tests.Support;

/// <summary>A conversation store that holds nothing: for pieces tested on their own that only look conversations up.</summary>
public sealed class NoConversations : IConversationRepository
{
    public Task<Conversation?> GetAsync(string conversationId, CancellationToken cancellationToken) => Task.FromResult<Conversation?>(null);

    public Task<ConversationView?> GetViewAsync(string conversationId, string? viewerId, CancellationToken cancellationToken) => Task.FromResult<ConversationView?>(null);

    public Task<Participant?> GetParticipantAsync(string conversationId, string userId, CancellationToken cancellationToken) => Task.FromResult<Participant?>(null);

    public Task<Result<Page<Participant>>> ListParticipantsAsync(string conversationId, int limit, string? continuationToken, CancellationToken cancellationToken) =>
        Task.FromResult(Result<Page<Participant>>.Success(new Page<Participant>([], null)));

    public Task<Result<Page<ConversationView>>> ListForParticipantAsync(string userId, int limit, string? continuationToken, CancellationToken cancellationToken) =>
        Task.FromResult(Result<Page<ConversationView>>.Success(new Page<ConversationView>([], null)));

    public Task<IReadOnlyList<Membership>> ListMembershipsAsync(string userId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Membership>>([]);

    public Task AddAsync(Conversation conversation, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<(Conversation Conversation, bool Created)> GetOrAddDirectAsync(Conversation candidate, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<(Conversation Conversation, bool Created)> GetOrAddForTaskAsync(Conversation candidate, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task UpdateAsync(Conversation conversation, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<(ReadWatermark? Watermark, bool Moved)> AdvanceWatermarkAsync(string conversationId, string userId, ReadWatermark watermark, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<IReadOnlyList<string>> DeleteAsync(string conversationId, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlySet<string>> ListCoParticipantsAsync(string userId, IReadOnlyCollection<string> candidates, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlySet<string>>(new HashSet<string>());
}
