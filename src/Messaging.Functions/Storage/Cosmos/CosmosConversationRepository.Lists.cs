using System.Globalization;
using Messaging.Domain.Common;
using Messaging.Domain.Conversations;
using Microsoft.Azure.Cosmos;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>The per-user lists: the conversation list (small and large groups merged on one keyset) and the memberships of unread counts.</summary>
public sealed partial class CosmosConversationRepository
{
    /// <summary>
    /// Small groups come ordered from their memberships (one query in the user's partition, keyset on
    /// (updatedAt, id)); large groups' memberships carry no activity, so their headers say when they
    /// were last active (one ReadMany). Both are merged on the same keyset (decision 0010).
    /// </summary>
    public async Task<Result<Page<ConversationView>>> ListForParticipantAsync(string userId, int limit, string? continuationToken, CancellationToken cancellationToken)
    {
        (long UpdatedAt, string Id)? before = null;
        if (continuationToken is not null)
        {
            if (!ContinuationToken.TryDecode(continuationToken, out var position)
                || position.Split('|') is not [var at, var id]
                || !long.TryParse(at, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
            {
                return Error.Invalid("continuationToken", "The continuation token is not valid.");
            }

            before = (parsed, id);
        }

        // Composite index (updatedAt DESC, id DESC) on memberships.
        var sql = before is null
            ? "SELECT TOP @n c.id, c.updatedAt FROM c WHERE c.userId = @u AND c.large = false ORDER BY c.updatedAt DESC, c.id DESC"
            : "SELECT TOP @n c.id, c.updatedAt FROM c WHERE c.userId = @u AND c.large = false AND (c.updatedAt < @at OR (c.updatedAt = @at AND c.id < @id)) ORDER BY c.updatedAt DESC, c.id DESC";
        var query = new QueryDefinition(sql).WithParameter("@n", limit + 1).WithParameter("@u", userId);
        if (before is { } keyset)
        {
            query = query.WithParameter("@at", keyset.UpdatedAt).WithParameter("@id", keyset.Id);
        }

        var small = store.Memberships.QueryAsync<ListRow>(query, userId, cancellationToken, limit + 1);
        var large = LargeRowsAsync(userId, before, cancellationToken);
        var rows = (await small).Concat(await large)
            .OrderByDescending(r => r.UpdatedAt).ThenByDescending(r => r.Id, StringComparer.Ordinal)
            .Take(limit + 1)
            .ToList();
        var pageRows = rows.Take(limit).ToList();
        var items = new List<ConversationView>(pageRows.Count);
        if (pageRows.Count > 0)
        {
            var visible = await store.Conversations.ReadVisibleAsync(userId, pageRows.Select(r => r.Id), cancellationToken);
            foreach (var row in pageRows.Where(r => visible.ContainsKey(r.Id)))
            {
                var (header, participant) = visible[row.Id];
                items.Add(await store.Conversations.ViewAsync(header, participant, cancellationToken));
            }
        }

        var next = rows.Count > limit
            ? ContinuationToken.Encode($"{pageRows[^1].UpdatedAt.ToString(CultureInfo.InvariantCulture)}|{pageRows[^1].Id}")
            : null;
        return Result<Page<ConversationView>>.Success(new Page<ConversationView>(items, next));
    }

    public async Task<IReadOnlyList<Membership>> ListMembershipsAsync(string userId, CancellationToken cancellationToken)
    {
        var rows = await store.Memberships.QueryAsync<MembershipRow>(
            new QueryDefinition("SELECT c.conversationId FROM c WHERE c.userId = @u").WithParameter("@u", userId), userId, cancellationToken);

        // A row can outlive its removal (the mirror is written after the conversation): the participant documents decide, and hold the read position.
        var visible = await store.Conversations.ReadVisibleAsync(userId, rows.Select(r => r.ConversationId), cancellationToken);
        return [.. rows.Where(r => visible.ContainsKey(r.ConversationId)).Select(r => new Membership(r.ConversationId, visible[r.ConversationId].Participant.LastReadSequence))];
    }

    /// <summary>The user's large groups before the keyset position, with the activity of their headers.</summary>
    private async Task<List<ListRow>> LargeRowsAsync(string userId, (long UpdatedAt, string Id)? before, CancellationToken cancellationToken)
    {
        var ids = await store.Memberships.QueryAsync<MembershipRow>(
            new QueryDefinition("SELECT c.conversationId FROM c WHERE c.userId = @u AND c.large = true").WithParameter("@u", userId), userId, cancellationToken);
        if (ids.Count == 0)
        {
            return [];
        }

        var headers = await store.Conversations.ReadManyItemsAsync<ConversationDocument>(
            [.. ids.Select(r => (r.ConversationId, new PartitionKey(r.ConversationId)))], cancellationToken: cancellationToken);
        return [.. headers.Resource
            .Where(h => h is { Type: DocumentTypes.Conversation, Deleted: false })
            .Select(h => new ListRow(h.Id, h.UpdatedAt))
            .Where(r => before is not { } keyset || r.UpdatedAt < keyset.UpdatedAt || (r.UpdatedAt == keyset.UpdatedAt && string.CompareOrdinal(r.Id, keyset.Id) < 0))];
    }

    private sealed record ListRow(string Id, long UpdatedAt);

    private sealed record MembershipRow(string ConversationId);
}
