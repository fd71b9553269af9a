using System.Text.Json;
using Messaging.Domain.Realtime;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// Turns the documents of a change feed batch (latest-version mode: each changed document once, in
/// its newest version, in order within a partition key) into <see cref="CommittedChange"/>s.
/// </summary>
public sealed class CosmosChangeMapper
{
    /// <summary>An announcement older than this, relative to the document version carrying it, was delivered with an earlier version.</summary>
    public const long MaxAnnouncementAgeMs = 60_000;

    private const int RememberedChanges = 10_000;
    private readonly Queue<string> _announcedOrder = new();
    private readonly HashSet<string> _announced = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly MessageLocator? _locator;

    public CosmosChangeMapper()
    {
    }

    internal CosmosChangeMapper(MessageLocator locator) => _locator = locator;

    /// <summary>The documents of a change feed response body (<c>{ "Documents": [ ... ] }</c>), or of a plain JSON array.</summary>
    public static IReadOnlyList<JsonElement> ReadDocuments(Stream feedBody)
    {
        using var parsed = JsonDocument.Parse(feedBody);
        var root = parsed.RootElement;
        var documents = root.ValueKind == JsonValueKind.Array ? root : root.GetProperty("Documents");
        return [.. documents.EnumerateArray().Select(d => d.Clone())];
    }

    /// <summary>Changes announced by documents of the <c>conversations</c> container.</summary>
    public IReadOnlyList<CommittedChange> MapConversations(IEnumerable<JsonElement> documents)
    {
        var changes = new List<CommittedChange>();
        foreach (var element in documents)
        {
            if (!element.TryGetProperty("type", out var type) || type.GetString() != DocumentTypes.Conversation)
            {
                continue;
            }

            var document = element.Deserialize<ConversationDocument>(CosmosJson.Options)!;

            if (document.Deleted)
            {
                if (document.LastChange is null || FirstAnnouncement(document.LastChange.Id))
                {
                    changes.Add(new ConversationRemoved(document.Id, document.FormerParticipantIds ?? []));
                }

                continue;
            }

            var change = document.LastChange;
            if (change is null || !FirstAnnouncement(change.Id))
            {
                continue;
            }

            // A version written only to move "most recent activity" carries an announcement that an earlier version already made.
            if (ServerTimestampMs(element) is { } writtenAt && writtenAt - change.At > MaxAnnouncementAgeMs)
            {
                continue;
            }

            if (change.Created)
            {
                changes.Add(new ConversationCreated(document.Id));
                if (change.Removed.Count > 0)
                {
                    changes.Add(new ConversationChanged(document.Id, [], [.. change.Removed]));
                }
            }
            else if (change.Changed)
            {
                changes.Add(new ConversationChanged(document.Id, [.. change.Added], [.. change.Removed]));
            }

            changes.AddRange(change.Read.Select(user => new ReadWatermarkMoved(document.Id, user)));
        }

        return changes;
    }

    /// <summary>
    /// Changes announced by documents of the <c>messages</c> container. An edit or delete soon after the
    /// message was created also announces the creation, in case the feed coalesced both versions.
    /// </summary>
    public IReadOnlyList<CommittedChange> MapMessages(IEnumerable<JsonElement> documents)
    {
        var changes = new List<CommittedChange>();
        foreach (var element in documents)
        {
            if (!element.TryGetProperty("type", out var type) || type.GetString() != DocumentTypes.Message)
            {
                continue;
            }

            var document = element.Deserialize<MessageDocument>(CosmosJson.Options)!;
            _locator?.Remember(document.Id, document.ConversationId);
            var changedAt = document.DeletedAt ?? document.EditedAt;
            if (changedAt is null || changedAt.Value - document.CreatedAt <= ConversationChangeDocument.MergeWindowMs)
            {
                changes.Add(new MessageCreated(document.ConversationId, document.Id));
            }

            if (document.DeletedAt is not null)
            {
                changes.Add(new MessageDeleted(document.ConversationId, document.Id));
            }
            else if (document.EditedAt is not null)
            {
                changes.Add(new MessageEdited(document.ConversationId, document.Id));
            }
        }

        return changes;
    }

    private static long? ServerTimestampMs(JsonElement document) =>
        document.TryGetProperty("_ts", out var ts) && ts.TryGetInt64(out var seconds) ? seconds * 1000 : null;

    private bool FirstAnnouncement(string changeId)
    {
        lock (_gate)
        {
            if (!_announced.Add(changeId))
            {
                return false;
            }

            _announcedOrder.Enqueue(changeId);
            if (_announcedOrder.Count > RememberedChanges)
            {
                _announced.Remove(_announcedOrder.Dequeue());
            }

            return true;
        }
    }
}
