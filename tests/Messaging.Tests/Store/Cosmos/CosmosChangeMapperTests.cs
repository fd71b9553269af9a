using System.Text;
using Messaging.Domain.Realtime;
using Messaging.Functions.Storage.Cosmos;

namespace Messaging.Tests.Store.Cosmos;

/// <summary>
/// Change feed batches as the processor's stream handler receives them (latest-version mode: the
/// response body with its <c>Documents</c>, system properties included) → committed changes. Only
/// change records announce; the documents they describe pass through the same feed unannounced.
/// </summary>
public sealed class CosmosChangeMapperTests
{
    private const long Ts0 = 1_740_830_400;

    private static IReadOnlyList<System.Text.Json.JsonElement> Feed(string body) =>
        CosmosChangeMapper.ReadDocuments(new MemoryStream(Encoding.UTF8.GetBytes(body)));

    private static string Record(string id, string kind, string? messageId = null, string? userId = null, string[]? added = null, string[]? removed = null) =>
        System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["id"] = id,
            ["type"] = "change",
            ["pk"] = "c1",
            ["conversationId"] = "c1",
            ["kind"] = kind,
            ["messageId"] = messageId,
            ["userId"] = userId,
            ["added"] = added,
            ["removed"] = removed,
            ["at"] = 1,
            ["ttl"] = 86400,
            ["_rid"] = "x",
            ["_etag"] = "\"0000\"",
            ["_ts"] = Ts0,
            ["_lsn"] = 7,
        });

    [Fact]
    public void Message_batch_yields_its_records_in_feed_order_and_skips_the_documents_they_describe()
    {
        var body = $$"""
            { "_rid": "abc=", "Documents": [
                { "id": "counter", "type": "counter", "conversationId": "c1", "lastSequence": 2, "deleted": false, "_ts": {{Ts0}} },
                { "id": "m1", "type": "message", "conversationId": "c1", "senderId": "alice", "sequence": 1, "text": "hi", "_ts": {{Ts0}} },
                {{Record("change-1", "messageCreated", messageId: "m1")}},
                { "id": "cmid-0123", "type": "clientMessage", "conversationId": "c1", "messageId": "m2", "_ts": {{Ts0}} },
                {{Record("change-2", "messageCreated", messageId: "m2")}},
                {{Record("change-3", "messageEdited", messageId: "m1")}},
                {{Record("change-4", "messageDeleted", messageId: "m2")}}
              ], "_count": 7 }
            """;

        var changes = new CosmosChangeMapper().MapMessages(Feed(body)).Select(r => r.Change).ToList();

        Assert.Equal<CommittedChange>(
            [new MessageCreated("c1", "m1"), new MessageCreated("c1", "m2"), new MessageEdited("c1", "m1"), new MessageDeleted("c1", "m2")], changes);
    }

    [Fact]
    public void Conversation_records_announce_creation_membership_reads_and_removal_in_order()
    {
        var body = $"""
            [ {Record("change-1", "conversationCreated")},
              {Record("change-2", "conversationChanged", added: ["dave"], removed: [])},
              {Record("change-3", "read", userId: "bob")},
              {Record("change-4", "conversationChanged", added: [], removed: ["dave"])},
              {Record("change-5", "conversationRemoved", removed: ["alice", "bob"])} ]
            """;

        var changes = new CosmosChangeMapper().MapConversations(Feed(body)).Select(r => r.Change).ToList();

        Assert.Equal(5, changes.Count);
        Assert.Equal(new ConversationCreated("c1"), changes[0]);
        Assert.Equal(["dave"], Assert.IsType<ConversationChanged>(changes[1]).AddedUserIds);
        Assert.Equal(new ReadWatermarkMoved("c1", "bob"), changes[2]);
        Assert.Equal(["dave"], Assert.IsType<ConversationChanged>(changes[3]).RemovedUserIds);
        Assert.Equal(["alice", "bob"], Assert.IsType<ConversationRemoved>(changes[4]).FormerParticipantIds);
    }

    [Fact]
    public void Each_change_keeps_the_id_of_the_record_that_announced_it()
    {
        var batch = Feed($"[{Record("change-1", "read", userId: "bob")}, {Record("change-2", "read", userId: "carol")}]");

        Assert.Equal(["change-1", "change-2"], new CosmosChangeMapper().MapConversations(batch).Select(r => r.RecordId));
    }

    [Fact]
    public void A_record_of_a_kind_this_build_does_not_know_is_skipped_without_stopping_the_batch()
    {
        var body = $"""[ {Record("change-1", "pinned")}, {Record("change-2", "read", userId: "bob")} ]""";

        Assert.Equal<CommittedChange>([new ReadWatermarkMoved("c1", "bob")], new CosmosChangeMapper().MapConversations(Feed(body)).Select(r => r.Change));
    }
}
