using System.Text.Json;
using Microsoft.Azure.Cosmos;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>Who shares a conversation with a user, for presence, in a fixed number of calls whatever the number of candidates.</summary>
public sealed partial class CosmosConversationRepository
{
    /// <summary>
    /// The user's membership ids (one query in their partition), then one query of the candidates' memberships
    /// restricted to those conversations (<c>ARRAY_CONTAINS</c> on <c>userId</c>, range-indexed in memberships, and on
    /// <c>id</c>, which is the conversation id and always indexed: https://learn.microsoft.com/azure/cosmos-db/query/array-contains,
    /// https://learn.microsoft.com/azure/cosmos-db/index-policy), then one ReadMany of the header and both participant
    /// documents of one shared conversation per candidate: the membership mirror may outlive a removal, so the
    /// participant documents decide. The candidates whose pair turned out stale have all their other shared
    /// conversations read in one more ReadMany (rare: the mirror lags only a failed write or a pending purge), so a
    /// request makes at most five calls.
    /// </summary>
    public async Task<IReadOnlySet<string>> ListCoParticipantsAsync(string userId, IReadOnlyCollection<string> candidates, CancellationToken cancellationToken)
    {
        var shared = new HashSet<string>(StringComparer.Ordinal);
        var others = candidates.Where(c => c != userId).Distinct(StringComparer.Ordinal).ToArray();
        var mine = others.Length == 0 ? [] : await store.Memberships.QueryAsync<CandidateRow>(
            new QueryDefinition("SELECT c.conversationId FROM c WHERE c.userId = @u").WithParameter("@u", userId), userId, cancellationToken);
        if (mine.Count == 0)
        {
            return shared;
        }

        var pairs = await store.Memberships.QueryAsync<PairRow>(
            new QueryDefinition("SELECT c.userId, c.conversationId FROM c WHERE ARRAY_CONTAINS(@users, c.userId) AND ARRAY_CONTAINS(@conversations, c.id)")
                .WithParameter("@users", others).WithParameter("@conversations", mine.Select(m => m.ConversationId).Where(CosmosIds.CanBeDocumentId).ToArray()),
            null, cancellationToken);
        var byCandidate = pairs.GroupBy(p => p.UserId, StringComparer.Ordinal).ToList();
        shared.UnionWith(await ConfirmAsync(userId, [.. byCandidate.Select(g => g.First())], cancellationToken));
        var rest = byCandidate.Where(g => !shared.Contains(g.Key)).SelectMany(g => g.Skip(1)).ToList();
        if (rest.Count > 0)
        {
            shared.UnionWith(await ConfirmAsync(userId, rest, cancellationToken));
        }

        return shared;
    }

    /// <summary>The candidates of <paramref name="pairs"/> whose conversation is live and lists both them and the user.</summary>
    private async Task<IEnumerable<string>> ConfirmAsync(string userId, IReadOnlyList<PairRow> pairs, CancellationToken cancellationToken)
    {
        var items = pairs.SelectMany(p => new[] { (p.ConversationId, p.ConversationId), (ParticipantDocument.IdOf(userId), p.ConversationId), (ParticipantDocument.IdOf(p.UserId), p.ConversationId) })
            .Distinct().Select(i => (i.Item1, new PartitionKey(i.Item2))).ToList();
        var read = await store.Conversations.ReadManyItemsAsync<JsonElement>(items, cancellationToken: cancellationToken);
        var live = new HashSet<string>(StringComparer.Ordinal);
        var listed = new HashSet<(string ConversationId, string UserId)>();
        foreach (var item in read.Resource)
        {
            switch (item.TryGetProperty("type", out var type) ? type.GetString() : null)
            {
                case DocumentTypes.Conversation when item.Deserialize<ConversationDocument>(CosmosJson.Options) is { Deleted: false } header:
                    live.Add(header.Id);
                    break;
                case DocumentTypes.Participant when item.Deserialize<ParticipantDocument>(CosmosJson.Options) is { } participant:
                    listed.Add((participant.ConversationId, participant.UserId));
                    break;
            }
        }

        return pairs.Where(p => live.Contains(p.ConversationId) && listed.Contains((p.ConversationId, userId)) && listed.Contains((p.ConversationId, p.UserId)))
            .Select(p => p.UserId);
    }

    private sealed record CandidateRow(string ConversationId);

    private sealed record PairRow(string UserId, string ConversationId);
}
