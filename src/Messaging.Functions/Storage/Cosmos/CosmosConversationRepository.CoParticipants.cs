using Microsoft.Azure.Cosmos;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>Who shares a conversation with a user, for presence, without reading every conversation of each candidate.</summary>
public sealed partial class CosmosConversationRepository
{
    /// <summary>
    /// The user's own conversations (as <see cref="ListMembershipsAsync"/>), then per candidate one query
    /// in the candidate's membership partition (ids only) and, for the first conversation in common, a
    /// point read of the candidate's participant document: the membership mirror may outlive a removal.
    /// </summary>
    public async Task<IReadOnlySet<string>> ListCoParticipantsAsync(string userId, IReadOnlyCollection<string> candidates, CancellationToken cancellationToken)
    {
        var mine = (await ListMembershipsAsync(userId, cancellationToken)).Select(m => m.ConversationId).ToHashSet(StringComparer.Ordinal);
        var shared = new HashSet<string>(StringComparer.Ordinal);
        if (mine.Count == 0)
        {
            return shared;
        }

        foreach (var candidate in candidates.Distinct(StringComparer.Ordinal))
        {
            var theirs = await store.Memberships.QueryAsync<CandidateRow>(
                new QueryDefinition("SELECT c.conversationId FROM c WHERE c.userId = @u").WithParameter("@u", candidate), candidate, cancellationToken);
            foreach (var conversationId in theirs.Select(r => r.ConversationId).Where(mine.Contains))
            {
                if (await GetParticipantAsync(conversationId, candidate, cancellationToken) is not null)
                {
                    shared.Add(candidate);
                    break;
                }
            }
        }

        return shared;
    }

    private sealed record CandidateRow(string ConversationId);
}
