using System.Text.Json;
using Messaging.Domain.Attachments;
using Messaging.Domain.Common;
using Messaging.Domain.Conversations;
using Messaging.Domain.Messages;
using Messaging.Domain.Realtime;
using Messaging.Functions.Storage.Cosmos;

namespace Messaging.Tests.Store.Cosmos;

/// <summary>Documents ↔ aggregates, through JSON as Cosmos DB stores them; no server needed.</summary>
public sealed class CosmosDocumentMappingTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, 123, TimeSpan.Zero);

    private static T RoundTrip<T>(T document) =>
        JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(document, CosmosJson.Options), CosmosJson.Options)!;

    [Fact]
    public void Conversation_round_trips_with_roles_and_watermarks()
    {
        var conversation = Conversation.StartForTask("alice", "task-7", "Launch", ["bob", "carol"], T0, new MessagingLimits()).Value;
        conversation.MarkRead("bob", new ReadWatermark("m-3", 3, T0.AddMinutes(1)));
        conversation.AcceptVersion(4);

        var restored = RoundTrip(ConversationDocument.From(conversation, conversation.Id))
            .ToConversation(conversation.Participants.Reverse().Select(p => RoundTrip(ParticipantDocument.From(conversation.Id, p))));

        Assert.Equal(conversation.Id, restored.Id);
        Assert.Equal(ConversationType.Task, restored.Type);
        Assert.Equal("Launch", restored.Title);
        Assert.Equal("task-7", restored.TaskId);
        Assert.Equal("alice", restored.CreatedBy);
        Assert.Equal(T0, restored.CreatedAt);
        Assert.Equal(T0, restored.UpdatedAt);
        Assert.Equal(4, restored.Version);
        Assert.Equal(["alice", "bob", "carol"], restored.Participants.Select(p => p.UserId));
        Assert.True(restored.IsOwner("alice"));
        Assert.False(restored.IsOwner("bob"));
        Assert.Equal(new ReadWatermark("m-3", 3, T0.AddMinutes(1)), restored.FindParticipant("bob")!.Watermark);
        Assert.Null(restored.FindParticipant("carol")!.Watermark);
    }

    [Fact]
    public void Direct_conversation_keeps_its_pair_key()
    {
        var direct = Conversation.StartDirect("zed", "amy", T0).Value;
        var document = RoundTrip(ConversationDocument.From(direct, CosmosIds.Direct(direct.DirectKey!)));

        Assert.Equal("direct", document.Kind);
        Assert.Equal(direct.DirectKey, document.DirectKey);
        Assert.Equal(direct.DirectKey, document.ToConversation(direct.Participants.Select(p => ParticipantDocument.From(direct.Id, p))).DirectKey);
    }

    [Fact]
    public void Message_round_trips_including_attachments_edit_and_tombstone()
    {
        var info = new AttachmentInfo("a1", "report.pdf", "application/pdf", 1234, "alice", T0);
        var message = Message.Compose("c1", "alice", " hello ", [info], "client-1", T0, new MessagingLimits()).Value;
        message.Edit("alice", "edited", T0.AddSeconds(30), new MessagingLimits());

        var document = RoundTrip(MessageDocument.From(message, 42));
        var restored = document.ToMessage();

        Assert.Equal("message", document.Type);
        Assert.Equal(42, restored.Sequence);
        Assert.Equal("edited", restored.Text);
        Assert.Equal([info], restored.Attachments);
        Assert.Equal("client-1", restored.ClientMessageId);
        Assert.Equal(T0, restored.CreatedAt);
        Assert.Equal(T0.AddSeconds(30), restored.EditedAt);
        Assert.Null(restored.DeletedAt);

        message.Delete("alice", false, T0.AddMinutes(1));
        var tombstone = RoundTrip(MessageDocument.From(message, 42)).ToMessage();
        Assert.True(tombstone.IsDeleted);
        Assert.Equal("", tombstone.Text);
        Assert.Empty(tombstone.Attachments);
    }

    [Fact]
    public void Attachment_round_trips()
    {
        var attachment = Attachment.Restore(new AttachmentInfo("a1", "x.png", "image/png", 9, "bob", T0), "c1", "m1");
        var restored = RoundTrip(AttachmentDocument.From(attachment)).ToAttachment();

        Assert.Equal(attachment.Info, restored.Info);
        Assert.Equal("c1", restored.ConversationId);
        Assert.Equal("m1", restored.MessageId);
    }

    [Fact]
    public void Documents_are_camel_case_write_nulls_and_omit_an_unset_ttl()
    {
        var message = Message.Compose("c1", "alice", "hi", [], null, T0, new MessagingLimits()).Value;
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(MessageDocument.From(message, 1), CosmosJson.Options));
        var root = json.RootElement;

        Assert.Equal("c1", root.GetProperty("conversationId").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("deletedAt").ValueKind);
        Assert.Equal(T0.ToUnixTimeMilliseconds(), root.GetProperty("createdAt").GetInt64());

        using var counter = JsonDocument.Parse(JsonSerializer.Serialize(new CounterDocument { ConversationId = "c1", LastSequence = 3 }, CosmosJson.Options));
        Assert.False(counter.RootElement.TryGetProperty("ttl", out _));
        Assert.Equal("counter", counter.RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public void Derived_ids_are_deterministic_order_free_and_valid_cosmos_ids()
    {
        var ab = CosmosIds.Direct(Conversation.DirectPairKey("a/b", "c#d"));
        var ba = CosmosIds.Direct(Conversation.DirectPairKey("c#d", "a/b"));
        Assert.Equal(ab, ba);
        Assert.NotEqual(ab, CosmosIds.Direct(Conversation.DirectPairKey("a/b", "e")));
        Assert.NotEqual(CosmosIds.Task("t"), CosmosIds.Direct("t"));
        Assert.Equal(CosmosIds.ClientMessage("u", "x?"), CosmosIds.ClientMessage("u", "x?"));
        Assert.NotEqual(CosmosIds.ClientMessage("u1", "x"), CosmosIds.ClientMessage("u", "1x"));
        foreach (var id in new[] { ab, CosmosIds.Task("task/1"), CosmosIds.ClientMessage("u", new string('x', 100)) })
        {
            Assert.True(id.Length <= 255);
            Assert.DoesNotContain(id, c => c is '/' or '\\' or '?' or '#');
        }
    }

    [Fact]
    public void Each_change_record_announces_its_change_and_an_unknown_kind_announces_nothing()
    {
        Assert.Equal(new ConversationCreated("c1"), ChangeRecordDocument.ConversationCreated("c1", 1).ToChange());
        var changed = Assert.IsType<ConversationChanged>(ChangeRecordDocument.ConversationChanged("c1", ["dave"], ["erin"], 1).ToChange());
        Assert.Equal(["dave"], changed.AddedUserIds);
        Assert.Equal(["erin"], changed.RemovedUserIds);
        Assert.Equal(["bob"], Assert.IsType<ConversationRemoved>(ChangeRecordDocument.ConversationRemoved("c1", ["bob"], 1).ToChange()).FormerParticipantIds);
        Assert.Equal(new ReadWatermarkMoved("c1", "bob"), ChangeRecordDocument.Read("c1", "bob", 1).ToChange());
        Assert.Equal(new MessageCreated("c1", "m1"), ChangeRecordDocument.ForMessage("c1", ChangeRecordKinds.MessageCreated, "m1", 1).ToChange());
        Assert.Equal(new MessageEdited("c1", "m1"), ChangeRecordDocument.ForMessage("c1", ChangeRecordKinds.MessageEdited, "m1", 1).ToChange());
        Assert.Equal(new MessageDeleted("c1", "m1"), ChangeRecordDocument.ForMessage("c1", ChangeRecordKinds.MessageDeleted, "m1", 1).ToChange());

        var fromANewerWriter = ChangeRecordDocument.ConversationCreated("c1", 1);
        fromANewerWriter.Kind = "pinned";
        Assert.Null(fromANewerWriter.ToChange());
    }

    [Fact]
    public void A_change_record_shares_its_conversation_partition_and_expires()
    {
        using var record = JsonDocument.Parse(JsonSerializer.Serialize(ChangeRecordDocument.Read("c1", "bob", 5), CosmosJson.Options));
        Assert.Equal("c1", record.RootElement.GetProperty("pk").GetString());
        Assert.Equal("c1", record.RootElement.GetProperty("conversationId").GetString());
        Assert.Equal("change", record.RootElement.GetProperty("type").GetString());
        Assert.Equal(ChangeRecordDocument.TtlSeconds, record.RootElement.GetProperty("ttl").GetInt32());
    }
}
