using System.Text;
using Messaging.Domain.Realtime;
using Messaging.Functions.Storage.Cosmos;

namespace Messaging.Tests.Store.Cosmos;

/// <summary>
/// Change feed batches as the processor's stream handler receives them (latest-version mode: the
/// response body with its <c>Documents</c>, system properties included) → committed changes.
/// </summary>
public sealed class CosmosChangeMapperTests
{
    // 2025-03-01T12:00:00Z
    private const long T0 = 1_740_830_400_000;
    private const long Ts0 = T0 / 1000;

    private static IReadOnlyList<System.Text.Json.JsonElement> Feed(string body) =>
        CosmosChangeMapper.ReadDocuments(new MemoryStream(Encoding.UTF8.GetBytes(body)));

    private static string Message(string id, long sequence, long createdAt, string editedAt = "null", string deletedAt = "null", long ts = Ts0) => $$"""
        { "id": "{{id}}", "type": "message", "conversationId": "c1", "senderId": "alice", "sequence": {{sequence}}, "text": "hi",
          "attachments": [], "clientMessageId": null, "createdAt": {{createdAt}}, "editedAt": {{editedAt}}, "deletedAt": {{deletedAt}},
          "_rid": "x", "_self": "x", "_etag": "\"0000\"", "_attachments": "attachments/", "_ts": {{ts}}, "_lsn": 7 }
        """;

    private static string Conversation(string changeJson, string participants = """[{"userId":"alice","role":"owner","joinedAt":0,"lastReadMessageId":null,"lastReadSequence":0,"lastReadAt":null}]""", long ts = Ts0, long updatedAt = T0) => $$"""
        { "id": "c1", "type": "conversation", "kind": "group", "title": "t", "taskId": null, "directKey": null, "createdBy": "alice",
          "createdAt": {{T0}}, "updatedAt": {{updatedAt}}, "version": 0, "participants": {{participants}},
          "lastChange": {{changeJson}}, "deleted": false, "formerParticipantIds": null, "_etag": "\"1\"", "_ts": {{ts}}, "_lsn": 9 }
        """;

    [Fact]
    public void Message_batch_yields_creations_in_feed_order_and_skips_counters_and_claims()
    {
        var body = $$"""
            { "_rid": "abc=", "Documents": [
                { "id": "counter", "type": "counter", "conversationId": "c1", "lastSequence": 2, "deleted": false, "_ts": {{Ts0}} },
                {{Message("m1", 1, T0)}},
                { "id": "cmid-0123", "type": "clientMessage", "conversationId": "c1", "messageId": "m2", "_ts": {{Ts0}} },
                {{Message("m2", 2, T0 + 5)}}
              ], "_count": 4 }
            """;

        var changes = new CosmosChangeMapper().MapMessages(Feed(body));

        Assert.Equal<CommittedChange>([new MessageCreated("c1", "m1"), new MessageCreated("c1", "m2")], changes);
    }

    [Fact]
    public void Edits_and_deletes_map_from_the_message_fields()
    {
        var late = T0 + 60_000;
        var changes = new CosmosChangeMapper().MapMessages(Feed($"[{Message("m1", 1, T0, editedAt: late.ToString())}, {Message("m2", 2, T0, editedAt: late.ToString(), deletedAt: (late + 1).ToString())}]"));

        Assert.Equal<CommittedChange>([new MessageEdited("c1", "m1"), new MessageDeleted("c1", "m2")], changes);
    }

    [Fact]
    public void An_edit_right_after_sending_also_announces_the_creation_the_feed_may_have_coalesced()
    {
        var changes = new CosmosChangeMapper().MapMessages(Feed($"[{Message("m1", 1, T0, editedAt: (T0 + 800).ToString())}]"));

        Assert.Equal<CommittedChange>([new MessageCreated("c1", "m1"), new MessageEdited("c1", "m1")], changes);
    }

    [Fact]
    public void Conversation_created_changed_read_and_removed()
    {
        var mapper = new CosmosChangeMapper();
        var created = Conversation($$"""{ "id": "ch1", "at": {{T0}}, "created": true, "changed": false, "added": [], "removed": [], "read": [] }""");
        var changed = Conversation($$"""{ "id": "ch2", "at": {{T0 + 9_000}}, "created": false, "changed": true, "added": ["dave"], "removed": ["bob"], "read": [] }""", ts: Ts0 + 9);
        var read = Conversation($$"""{ "id": "ch3", "at": {{T0 + 20_000}}, "created": false, "changed": false, "added": [], "removed": [], "read": ["alice"] }""", ts: Ts0 + 20);
        var removed = $$"""
            { "id": "c1", "type": "conversation", "kind": "group", "title": "t", "taskId": null, "directKey": null, "createdBy": "alice",
              "createdAt": {{T0}}, "updatedAt": {{T0}}, "version": 3, "participants": [],
              "lastChange": { "id": "ch4", "at": {{T0 + 30_000}}, "created": false, "changed": false, "added": [], "removed": [], "read": [] },
              "deleted": true, "formerParticipantIds": ["alice", "dave"], "ttl": 86400, "_ts": {{Ts0 + 30}} }
            """;

        Assert.Equal<CommittedChange>([new ConversationCreated("c1")], mapper.MapConversations(Feed($"[{created}]")));
        var change = Assert.IsType<ConversationChanged>(Assert.Single(mapper.MapConversations(Feed($"[{changed}]"))));
        Assert.Equal(["dave"], change.AddedUserIds);
        Assert.Equal(["bob"], change.RemovedUserIds);
        Assert.Equal<CommittedChange>([new ReadWatermarkMoved("c1", "alice")], mapper.MapConversations(Feed($"[{read}]")));
        var gone = Assert.IsType<ConversationRemoved>(Assert.Single(mapper.MapConversations(Feed($"{{\"Documents\":[{removed}]}}"))));
        Assert.Equal(["alice", "dave"], gone.FormerParticipantIds);
    }

    [Fact]
    public void Coalesced_creation_and_membership_change_announce_both()
    {
        var merged = Conversation($$"""{ "id": "ch9", "at": {{T0 + 1_000}}, "created": true, "changed": true, "added": ["dave"], "removed": ["bob"], "read": ["alice"] }""");

        var changes = new CosmosChangeMapper().MapConversations(Feed($"[{merged}]"));

        Assert.Collection(
            changes,
            c => Assert.Equal(new ConversationCreated("c1"), c),
            c => Assert.Equal(["bob"], Assert.IsType<ConversationChanged>(c).RemovedUserIds),
            c => Assert.Equal(new ReadWatermarkMoved("c1", "alice"), c));
    }

    [Fact]
    public void A_version_that_only_moved_activity_announces_nothing_again()
    {
        var mapper = new CosmosChangeMapper();
        var change = $$"""{ "id": "ch1", "at": {{T0}}, "created": false, "changed": true, "added": [], "removed": [], "read": [] }""";

        Assert.Single(mapper.MapConversations(Feed($"[{Conversation(change)}]")));

        // A new message moved updatedAt a second later: same announcement, already made by this process.
        Assert.Empty(mapper.MapConversations(Feed($"[{Conversation(change, ts: Ts0 + 1, updatedAt: T0 + 1_000)}]")));

        // After a restart (fresh memory), an activity-only version long after the change is recognised by age.
        Assert.Empty(new CosmosChangeMapper().MapConversations(Feed($"[{Conversation(change, ts: Ts0 + 600, updatedAt: T0 + 600_000)}]")));
    }

    [Fact]
    public void Other_document_types_in_the_conversations_feed_are_ignored()
    {
        var changes = new CosmosChangeMapper().MapConversations(Feed("""[{ "id": "x", "type": "somethingElse", "_ts": 1 }]"""));

        Assert.Empty(changes);
    }
}
