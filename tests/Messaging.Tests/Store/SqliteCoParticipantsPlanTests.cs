using Messaging.Functions.Storage.Sqlite;
using Messaging.Tests.Support;

namespace Messaging.Tests.Store;

/// <summary>
/// <c>GET /presence/</c> on SQLite: who shares a conversation with the caller is one statement that walks the
/// candidates' memberships and probes the caller's by primary key, so its cost follows the candidates (at
/// most 100), never the caller's conversations times the candidates.
/// </summary>
public sealed class SqliteCoParticipantsPlanTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "messaging-coparticipants-plan", Guid.NewGuid().ToString("N"));
    private readonly SqliteDatabase _database;

    public SqliteCoParticipantsPlanTests() => _database = new SqliteDatabase(Path.Combine(_folder, "messaging.db"));

    public void Dispose()
    {
        _database.Dispose();
        TemporaryFolder.DeleteQuietly(_folder);
    }

    [Fact]
    public async Task Co_participants_are_one_statement_driven_by_the_candidates_with_the_callers_rows_found_by_primary_key()
    {
        var plan = await _database.ReadAsync(async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "EXPLAIN QUERY PLAN " + SqliteConversationRepository.CoParticipantsSql;
            command.Parameters.AddWithValue("$me", "caller");
            command.Parameters.AddWithValue("$candidates", "[\"a\",\"b\"]");
            await using var reader = await command.ExecuteReaderAsync();
            var steps = new List<string>();
            while (await reader.ReadAsync())
            {
                steps.Add(reader.GetString(3));
            }

            return steps;
        }, CancellationToken.None);

        Assert.Contains(plan, s => s.StartsWith("SEARCH other USING", StringComparison.Ordinal) && s.Contains("(user_id=?", StringComparison.Ordinal));
        Assert.Contains(plan, s => s.StartsWith("SEARCH me USING", StringComparison.Ordinal) && s.Contains("(conversation_id=? AND user_id=?)", StringComparison.Ordinal));
        Assert.True(
            plan.FindIndex(s => s.StartsWith("SEARCH other", StringComparison.Ordinal)) < plan.FindIndex(s => s.StartsWith("SEARCH me", StringComparison.Ordinal)),
            string.Join(" | ", plan));
    }
}
