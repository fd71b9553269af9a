namespace Messaging.Functions.Storage.Sqlite;

/// <summary>Who shares a conversation with a user, for presence: one indexed lookup per candidate.</summary>
public sealed partial class SqliteConversationRepository
{
    public Task<IReadOnlySet<string>> ListCoParticipantsAsync(string userId, IReadOnlyCollection<string> candidates, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlySet<string>>(async connection =>
        {
            var shared = new HashSet<string>(StringComparer.Ordinal);
            foreach (var candidate in candidates.Distinct(StringComparer.Ordinal))
            {
                await using var command = connection.Command(
                    "SELECT EXISTS (SELECT 1 FROM participants me JOIN participants other ON other.conversation_id = me.conversation_id "
                    + "WHERE me.user_id = $me AND other.user_id = $other)",
                    null, ("$me", userId), ("$other", candidate));
                if (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 1)
                {
                    shared.Add(candidate);
                }
            }

            return shared;
        }, cancellationToken);
}
