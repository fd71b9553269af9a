using System.Text.Json;

namespace Messaging.Functions.Storage.Sqlite;

/// <summary>Who shares a conversation with a user, for presence: one statement for all the candidates.</summary>
public sealed partial class SqliteConversationRepository
{
    /// <summary>
    /// Per candidate (a JSON array in <c>$candidates</c>), their memberships by index until the first conversation whose
    /// (conversation, caller) primary key exists: the cost follows the candidates' memberships, up to the first shared
    /// one, never the caller's conversations. CROSS JOIN keeps SQLite from starting at the caller's rows.
    /// </summary>
    internal const string CoParticipantsSql =
        "SELECT c.value FROM json_each($candidates) AS c WHERE EXISTS (SELECT 1 FROM participants AS other "
        + "CROSS JOIN participants AS me ON me.conversation_id = other.conversation_id AND me.user_id = $me WHERE other.user_id = c.value)";

    public Task<IReadOnlySet<string>> ListCoParticipantsAsync(string userId, IReadOnlyCollection<string> candidates, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlySet<string>>(async connection =>
        {
            var shared = new HashSet<string>(StringComparer.Ordinal);
            await using var command = connection.Command(
                CoParticipantsSql, null, ("$me", userId), ("$candidates", JsonSerializer.Serialize(candidates.Distinct(StringComparer.Ordinal))));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                shared.Add(reader.GetString(0));
            }

            return shared;
        }, cancellationToken);
}
