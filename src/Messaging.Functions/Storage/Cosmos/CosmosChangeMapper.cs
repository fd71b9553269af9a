using System.Text.Json;
using Messaging.Domain.Realtime;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// Turns the documents of a change feed batch into <see cref="CommittedChange"/>s. Only change
/// records (<see cref="ChangeRecordDocument"/>) announce anything: the feed in latest-version mode
/// shows each document once, in its newest version, so an aggregate's own document cannot say what
/// happened to it between two reads of the feed; a record is written once and never changes. Each
/// change keeps its record's id, so that a record the feed hands over again is recognised
/// (<see cref="AnnouncedChanges"/>).
/// </summary>
public sealed class CosmosChangeMapper
{
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
    public IReadOnlyList<RecordedChange> MapConversations(IEnumerable<JsonElement> documents) => MapRecords(documents);

    /// <summary>Changes announced by the records of the <c>messages</c> container (messages created, edited, deleted).</summary>
    public IReadOnlyList<RecordedChange> MapMessages(IEnumerable<JsonElement> documents) => MapRecords(documents);

    private List<RecordedChange> MapRecords(IEnumerable<JsonElement> documents)
    {
        var changes = new List<RecordedChange>();
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

            if (record.ToChange() is { } change)
            {
                changes.Add(new RecordedChange(record.Id, change));
            }
        }

        return changes;
    }
}

/// <summary>A committed change and the id of the change record that announced it.</summary>
public sealed record RecordedChange(string RecordId, CommittedChange Change);
