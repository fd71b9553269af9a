using Messaging.Domain.Common;
using Messaging.Domain.Messages;
using Messaging.Domain.Presence;
using Messaging.Domain.Realtime;
using Messaging.Functions.Storage.Sqlite;
using Messaging.Tests.Support;
using Messaging.Tests.Support.Builders;
using Microsoft.Data.Sqlite;

namespace Messaging.Tests.Store;

/// <summary>A database written by an older build opens with its data intact and its schema brought up to date.</summary>
public sealed class SqliteMigrationTests : IDisposable
{
    private const string UnreadQuery = """
        SELECT p.conversation_id, p.last_read_sequence,
               (SELECT count(*) FROM messages m
                WHERE m.conversation_id = p.conversation_id AND m.sequence > p.last_read_sequence
                  AND m.sender_id <> $u AND m.deleted_at IS NULL)
        FROM participants p WHERE p.user_id = $u
        """;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "messaging-migration-tests", Guid.NewGuid().ToString("N"));

    private string DatabasePath => Path.Combine(_folder, "messaging.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        TemporaryFolder.DeleteQuietly(_folder);
    }

    [Fact]
    public async Task Version_3_database_gets_the_unread_indexes_and_keeps_its_data()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = AGroup.OwnedBy(alice).With(bob).Build();
        using (var database = new SqliteDatabase(DatabasePath))
        {
            await new SqliteConversationRepository(database).AddAsync(group, CancellationToken.None);
            var message = Message.Compose(group.Id, alice, "hello", [], null, Time.At(1), new MessagingLimits()).Ok();
            await new SqliteMessageRepository(database).AppendAsync(message, CancellationToken.None);
        }

        // What a version 3 build left behind: the user index without the watermark, no unread index.
        Execute("""
            DROP INDEX participants_by_rank;
            DROP INDEX participants_by_join;
            DROP INDEX messages_unread;
            DROP INDEX participants_by_user;
            CREATE INDEX participants_by_user ON participants(user_id, conversation_id);
            ALTER TABLE conversations DROP COLUMN membership_epoch;
            DROP TABLE presence;
            DROP TABLE reactions;
            DROP TABLE reaction_counts;
            ALTER TABLE changes DROP COLUMN detail;
            DELETE FROM schema_version WHERE version >= 4;
            """ + UndoVersion8);
        Assert.DoesNotContain("COVERING INDEX messages_unread", Plan(bob), StringComparison.Ordinal);

        using (var database = new SqliteDatabase(DatabasePath))
        {
            var messages = new SqliteMessageRepository(database);
            Assert.Equal(1, await messages.CountUnreadAsync(group.Id, bob, 0, CancellationToken.None));
        }

        Assert.Equal((long)SqliteMigrations.LatestVersion, Scalar("SELECT max(version) FROM schema_version"));
        Assert.Equal(2L, Scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('reactions', 'reaction_counts')"));
        Assert.Equal(2L, Scalar("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN ('participants_by_rank', 'participants_by_join')"));
        var plan = Plan(bob);
        Assert.Contains("COVERING INDEX participants_by_user", plan, StringComparison.Ordinal);
        Assert.Contains("COVERING INDEX messages_unread", plan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_6_outbox_rows_not_yet_dispatched_are_read_as_the_changes_they_recorded()
    {
        using (new SqliteDatabase(DatabasePath))
        {
        }

        // What a version 6 build left in the outbox: kinds spelled like event names.
        Execute("""
            DROP TABLE reactions;
            DROP TABLE reaction_counts;
            ALTER TABLE changes DROP COLUMN detail;
            INSERT INTO changes (kind, conversation_id, subject_id, user_ids) VALUES
                ('message.created', 'c1', 'm1', NULL),
                ('message.edited', 'c1', 'm1', NULL),
                ('message.deleted', 'c1', 'm1', NULL),
                ('read.moved', 'c1', 'bob', NULL),
                ('conversation.created', 'c1', NULL, NULL),
                ('conversation.changed', 'c1', NULL, '[["carol"],["dave"]]'),
                ('conversation.removed', 'c1', NULL, '[["alice","bob"]]');
            DROP TABLE presence;
            DELETE FROM schema_version WHERE version >= 7;
            """ + UndoVersion8);

        using var database = new SqliteDatabase(DatabasePath);
        var changes = await database.ReadAsync(connection => SqliteChangeLog.ReadAfterAsync(connection, 0, 10, CancellationToken.None), CancellationToken.None);

        Assert.Equal(
            ["MessageCreated", "MessageEdited", "MessageDeleted", "ReadWatermarkMoved", "ConversationCreated", "ConversationChanged", "ConversationRemoved"],
            changes.Select(c => c.Change.GetType().Name));
        Assert.Equal(["dave"], Assert.IsType<ConversationChanged>(changes[5].Change).RemovedUserIds);
        Assert.Empty(Scalar("SELECT group_concat(kind) FROM changes WHERE kind LIKE '%.%'") as string ?? "");
    }

    [Fact]
    public void Database_from_a_newer_build_is_refused()
    {
        using (new SqliteDatabase(DatabasePath))
        {
        }

        Execute("INSERT INTO schema_version (version) VALUES (99);");

        var error = Assert.Throws<InvalidOperationException>(() => new SqliteDatabase(DatabasePath));
        Assert.Contains("schema version 99", error.Message, StringComparison.Ordinal);
    }

    // What a version 7 build had: no replies, mentions or metadata (issue 16).
    private const string UndoVersion8 = """

        DROP INDEX messages_replies;
        DROP TABLE mentions;
        ALTER TABLE messages DROP COLUMN reply_to_id;
        ALTER TABLE messages DROP COLUMN reply_count;
        ALTER TABLE messages DROP COLUMN mentions;
        ALTER TABLE messages DROP COLUMN metadata;
        ALTER TABLE conversations DROP COLUMN metadata;
        DELETE FROM schema_version WHERE version >= 8;
        """;

    [Fact]
    public async Task Version_7_database_keeps_its_messages_which_have_no_replies_mentions_or_metadata()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = AGroup.OwnedBy(alice).With(bob).Build();
        Message message;
        using (var database = new SqliteDatabase(DatabasePath))
        {
            await new SqliteConversationRepository(database).AddAsync(group, CancellationToken.None);
            message = Message.Compose(group.Id, alice, "hello", [], null, Time.At(1), new MessagingLimits()).Ok();
            await new SqliteMessageRepository(database).AppendAsync(message, CancellationToken.None);
        }

        Execute("""
            DROP TABLE presence;
            DROP TABLE reactions;
            DROP TABLE reaction_counts;
            ALTER TABLE changes DROP COLUMN detail;
            """ + UndoVersion8);

        using (var database = new SqliteDatabase(DatabasePath))
        {
            var stored = await new SqliteMessageRepository(database).GetAsync(message.Id, CancellationToken.None);
            Assert.Equal("hello", stored!.Text);
            Assert.Null(stored.ReplyToId);
            Assert.Equal(0, stored.ReplyCount);
            Assert.Empty(stored.Mentions);
            Assert.Equal(0, stored.Metadata.Count);
            Assert.Equal(0, (await new SqliteConversationRepository(database).GetAsync(group.Id, CancellationToken.None))!.Metadata.Count);
        }
    }

    [Fact]
    public async Task Version_10_presence_rows_read_back_with_no_closed_connections_and_save_again()
    {
        var user = Some.User("alice");
        using (var database = new SqliteDatabase(DatabasePath))
        {
            var online = new PresenceState(user, [new ConnectionLease("c1", Time.At(100))], null, true, null, []);
            Assert.True(await new SqlitePresenceRepository(database).TrySaveAsync(online, null, CancellationToken.None));
        }

        // What a version 10 build left behind: presence rows without the closed-connection list.
        Execute("""
            ALTER TABLE presence DROP COLUMN closed;
            DELETE FROM schema_version WHERE version >= 11;
            """);

        using (var database = new SqliteDatabase(DatabasePath))
        {
            var presence = new SqlitePresenceRepository(database);
            var read = await presence.GetAsync(user, CancellationToken.None);
            Assert.Equal(["c1"], read!.State.Connections.Select(c => c.ConnectionId));
            Assert.Empty(read.State.Closed);
            Assert.True(await presence.TrySaveAsync(read.State.Disconnect("c1", Time.At(5)), read.Version, CancellationToken.None));
            Assert.Empty((await presence.GetAsync(user, CancellationToken.None))!.State.Connections);
        }

        Assert.Equal((long)SqliteMigrations.LatestVersion, Scalar("SELECT max(version) FROM schema_version"));
    }

    [Fact]
    public void Unread_and_mention_counts_each_read_an_index_range_after_the_watermark()
    {
        using (new SqliteDatabase(DatabasePath))
        {
        }

        var plan = Plan("bob", $"SELECT p.conversation_id, {SqliteMessageRepository.UnreadCount}, {SqliteMessageRepository.MentionCount} FROM participants p WHERE p.user_id = $u");

        Assert.Contains("COVERING INDEX messages_unread", plan, StringComparison.Ordinal);
        Assert.Contains("SEARCH x USING PRIMARY KEY (user_id=? AND conversation_id=? AND sequence>?)", plan, StringComparison.Ordinal);
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private void Execute(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private object? Scalar(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private string Plan(string userId, string query = UnreadQuery)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + query;
        command.Parameters.AddWithValue("$u", userId);
        using var reader = command.ExecuteReader();
        var lines = new List<string>();
        while (reader.Read())
        {
            lines.Add(reader.GetString(3));
        }

        return string.Join('\n', lines);
    }
}
