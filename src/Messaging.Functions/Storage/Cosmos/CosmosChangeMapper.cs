using System.Text.Json;
using Messaging.Domain.Realtime;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// Turns the documents of a change feed batch into <see cref="CommittedChange"/>s. Only change
/// records (<see cref="ChangeRecordDocument"/>) announce anything: the feed in latest-version mode
/// shows each document once, in its newest version, so an aggregate's own document cannot say what
/// happened to it between two reads of the feed; a record is written once and never changes. The
/// feed is at-least-once (a lease moved before its checkpoint hands a batch over again), so each
/// record is announced once per process.
/// </summary>
public sealed class CosmosChangeMapper
{
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

    /// <summary>Changes announced by the records of the <c>conversations</c> container (conversations created, changed, deleted; read positions).</summary>
    public IReadOnlyList<CommittedChange> MapConversations(IEnumerable<JsonElement> documents) => MapRecords(documents);

    /// <summary>Changes announced by the records of the <c>messages</c> container (messages created, edited, deleted).</summary>
    public IReadOnlyList<CommittedChange> MapMessages(IEnumerable<JsonElement> documents) => MapRecords(documents);

    private List<CommittedChange> MapRecords(IEnumerable<JsonElement> documents)
    {
        var changes = new List<CommittedChange>();
        foreach (var element in documents)
        {
            if (!element.TryGetProperty("type", out var type) || type.GetString() != DocumentTypes.Change)
            {
                continue;
            }

            var record = element.Deserialize<ChangeRecordDocument>(CosmosJson.Options)!;
            if (record.MessageId is { } messageId)
            {
                _locator?.Remember(messageId, record.ConversationId);
            }

            if (record.ToChange() is { } change && FirstAnnouncement(record.Id))
            {
                changes.Add(change);
            }
        }

        return changes;
    }

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
