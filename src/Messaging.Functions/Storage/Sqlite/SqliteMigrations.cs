using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Messaging.Functions.Storage.Sqlite;

/// <summary>The embedded database's schema, one numbered step per change, applied when the database opens.</summary>
internal static class SqliteMigrations
{
    // Each step runs in its own transaction and records its version, so a database is brought up
    // from whatever version it has.
    private static readonly (int Version, string Sql)[] Steps =
    [
        (1, """
                CREATE TABLE conversations (
                    id TEXT PRIMARY KEY,
                    type INTEGER NOT NULL,
                    title TEXT,
                    task_id TEXT UNIQUE,
                    direct_key TEXT UNIQUE,
                    created_by TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    last_sequence INTEGER NOT NULL DEFAULT 0,
                    version INTEGER NOT NULL
                );
                CREATE TABLE participants (
                    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                    user_id TEXT NOT NULL,
                    role INTEGER NOT NULL,
                    joined_at INTEGER NOT NULL,
                    last_read_message_id TEXT,
                    last_read_sequence INTEGER NOT NULL DEFAULT 0,
                    last_read_at INTEGER,
                    PRIMARY KEY (conversation_id, user_id)
                ) WITHOUT ROWID;
                CREATE INDEX participants_by_user ON participants(user_id, conversation_id);
                CREATE INDEX conversations_by_activity ON conversations(updated_at DESC, id DESC);
                CREATE TABLE messages (
                    id TEXT PRIMARY KEY,
                    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                    sequence INTEGER NOT NULL,
                    sender_id TEXT NOT NULL,
                    text TEXT NOT NULL,
                    attachments TEXT NOT NULL,
                    client_message_id TEXT,
                    created_at INTEGER NOT NULL,
                    edited_at INTEGER,
                    deleted_at INTEGER
                );
                CREATE UNIQUE INDEX messages_by_sequence ON messages(conversation_id, sequence);
                CREATE UNIQUE INDEX messages_by_client_id ON messages(conversation_id, sender_id, client_message_id) WHERE client_message_id IS NOT NULL;
                CREATE TABLE attachments (
                    id TEXT PRIMARY KEY,
                    file_name TEXT NOT NULL,
                    content_type TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    uploaded_by TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    conversation_id TEXT,
                    message_id TEXT
                );
                CREATE INDEX attachments_by_conversation ON attachments(conversation_id) WHERE conversation_id IS NOT NULL;
            """),
        // The outbox: every committed change, in commit order, for the real-time fan-out.
        (2, """
                CREATE TABLE changes (
                    position INTEGER PRIMARY KEY AUTOINCREMENT,
                    kind TEXT NOT NULL,
                    conversation_id TEXT NOT NULL,
                    subject_id TEXT,
                    user_ids TEXT
                );
                CREATE TABLE change_cursor (id INTEGER PRIMARY KEY CHECK (id = 1), position INTEGER NOT NULL);
                INSERT INTO change_cursor (id, position) VALUES (1, 0);
            """),
        // When each change was recorded (Unix ms), for the change feed lag and publish duration metrics; null in older rows.
        (3, """
                ALTER TABLE changes ADD COLUMN recorded_at INTEGER;
            """),
        // Covering indexes for unread counts: the watermark comes from the user's index entry and
        // each count reads only index entries after it, never the message rows (docs/performance.md).
        (4, """
                DROP INDEX participants_by_user;
                CREATE INDEX participants_by_user ON participants(user_id, conversation_id, last_read_sequence);
                CREATE INDEX messages_unread ON messages(conversation_id, sequence, sender_id, deleted_at);
            """),
        // The membership epoch: moves whenever someone loses access; real-time audiences are keyed by it (decision 0006).
        (5, """
                ALTER TABLE conversations ADD COLUMN membership_epoch INTEGER NOT NULL DEFAULT 0;
            """),
        // Large groups: the participants a conversation resource lists (owners, then earliest joiners) and the participant
        // list in join order, each read from an index in a bounded number of rows whatever the group's size.
        (6, """
                CREATE INDEX participants_by_rank ON participants(conversation_id, role, joined_at, user_id);
                CREATE INDEX participants_by_join ON participants(conversation_id, joined_at, user_id);
            """),
        // Outbox kinds name the change, no longer the event they look like (message.edited fans out as message.updated).
        (7, """
                UPDATE changes SET kind = CASE kind
                    WHEN 'message.created' THEN 'messageCreated'
                    WHEN 'message.edited' THEN 'messageEdited'
                    WHEN 'message.deleted' THEN 'messageDeleted'
                    WHEN 'read.moved' THEN 'read'
                    WHEN 'conversation.created' THEN 'conversationCreated'
                    WHEN 'conversation.changed' THEN 'conversationChanged'
                    WHEN 'conversation.removed' THEN 'conversationRemoved'
                    ELSE kind END;
            """),
        // Replies, mentions and metadata (issue 16): a reply names its parent, the parent counts its live replies; each
        // mention of another user is a row keyed like the unread range (user, conversation, sequence), so mention counts
        // read index entries after the watermark only; metadata is a JSON object.
        (8, """
                ALTER TABLE messages ADD COLUMN reply_to_id TEXT;
                ALTER TABLE messages ADD COLUMN reply_count INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE messages ADD COLUMN mentions TEXT;
                ALTER TABLE messages ADD COLUMN metadata TEXT;
                CREATE INDEX messages_replies ON messages(conversation_id, reply_to_id, sequence) WHERE reply_to_id IS NOT NULL;
                CREATE TABLE mentions (
                    user_id TEXT NOT NULL,
                    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                    sequence INTEGER NOT NULL,
                    message_id TEXT NOT NULL,
                    PRIMARY KEY (user_id, conversation_id, sequence)
                ) WITHOUT ROWID;
                CREATE INDEX mentions_by_message ON mentions(message_id);
                ALTER TABLE conversations ADD COLUMN metadata TEXT;
            """),
        // Reactions: one row per (message, user, reaction) and a counter per distinct reaction of a message, so a reaction
        // is a small write and counts are never counted at read time; `detail` carries a change's own data (reactions).
        (9, """
                CREATE TABLE reactions (
                    message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
                    user_id TEXT NOT NULL,
                    reaction TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (message_id, user_id, reaction)
                ) WITHOUT ROWID;
                CREATE TABLE reaction_counts (
                    message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
                    reaction TEXT NOT NULL,
                    count INTEGER NOT NULL,
                    first_at INTEGER NOT NULL,
                    PRIMARY KEY (message_id, reaction)
                ) WITHOUT ROWID;
                ALTER TABLE changes ADD COLUMN detail TEXT;
            """),
        // Presence: one row per user seen on real time, so that lastSeenAt outlives a restart; next_check_at is when the sweeper looks again.
        (10, """
                CREATE TABLE presence (
                    user_id TEXT PRIMARY KEY,
                    connections TEXT NOT NULL,
                    last_seen_at INTEGER,
                    announced_online INTEGER NOT NULL,
                    offline_due_at INTEGER,
                    next_check_at INTEGER,
                    version INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX presence_due ON presence(next_check_at) WHERE next_check_at IS NOT NULL;
            """),
        // Presence: connections whose disconnected came before their connected, so the late connected is ignored.
        (11, """
                ALTER TABLE presence ADD COLUMN closed TEXT NOT NULL DEFAULT '[]';
            """),
    ];

    public static int LatestVersion => Steps[^1].Version;

    /// <summary>Puts the database in WAL mode and brings its schema up to the latest version.</summary>
    public static void Apply(string connectionString, string databasePath)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL;";
        command.ExecuteNonQuery();
        command.CommandText = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);";
        command.ExecuteNonQuery();
        command.CommandText = "SELECT coalesce(max(version), 0) FROM schema_version;";
        var current = Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        var latest = Steps[^1].Version;
        if (current > latest)
        {
            throw new InvalidOperationException($"The database at {databasePath} has schema version {current}, newer than this build knows ({latest}).");
        }

        foreach (var (version, sql) in Steps.Where(m => m.Version > current))
        {
            using var transaction = connection.BeginTransaction();
            command.Transaction = transaction;
            command.CommandText = $"{sql}\nINSERT INTO schema_version (version) VALUES ({version.ToString(CultureInfo.InvariantCulture)});";
            command.ExecuteNonQuery();
            transaction.Commit();
        }
    }
}
