using Messaging.Domain.Common;
using Messaging.Domain.Messages;
using Messaging.Functions.Storage.Sqlite;
using Messaging.Tests.Support;
using Messaging.Tests.Support.Builders;
using Microsoft.Data.Sqlite;

namespace Messaging.Tests.Store;

/// <summary>The reader connections that keep their prepared statements between reads.</summary>
public sealed class SqliteDatabaseTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "messaging-database-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        TemporaryFolder.DeleteQuietly(_folder);
    }

    [Fact]
    public async Task Many_parallel_reads_and_writes_see_every_committed_message()
    {
        using var database = new SqliteDatabase(Path.Combine(_folder, "messaging.db"));
        var (conversations, messages) = (new SqliteConversationRepository(database), new SqliteMessageRepository(database));
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        var group = AGroup.OwnedBy(alice).With(bob).Build();
        await conversations.AddAsync(group, CancellationToken.None);

        // More concurrent readers than the idle pool keeps, each reading while others write.
        await Parallel.ForEachAsync(Enumerable.Range(0, 64), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, token) =>
        {
            var message = Message.Compose(group.Id, alice, $"m{i}", [], null, Time.At(i), new MessagingLimits()).Ok();
            await messages.AppendAsync(message, token);
            Assert.NotNull(await messages.GetAsync(message.Id, token));
            Assert.NotNull(await conversations.GetAsync(group.Id, token));
        });

        Assert.Equal(64, await messages.CountUnreadAsync(group.Id, bob, 0, CancellationToken.None));
    }

    [Fact]
    public async Task A_read_that_fails_midway_leaves_the_next_reads_working()
    {
        using var database = new SqliteDatabase(Path.Combine(_folder, "messaging.db"));
        var conversations = new SqliteConversationRepository(database);
        var group = AGroup.OwnedBy(Some.User("alice")).With(Some.User("bob")).Build();
        await conversations.AddAsync(group, CancellationToken.None);

        for (var i = 0; i < 20; i++)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => database.ReadAsync<int>(async connection =>
            {
                await using var statement = connection.Command("SELECT id FROM conversations WHERE id = $id", null, ("$id", group.Id));
                await using var reader = await statement.ExecuteReaderAsync();
                await reader.ReadAsync();
                throw new InvalidOperationException("the caller failed while its reader was open");
            }, CancellationToken.None));

            Assert.Equal(group.Id, (await conversations.GetAsync(group.Id, CancellationToken.None))!.Id);
        }
    }

    [Fact]
    public async Task The_same_statement_runs_again_on_a_kept_connection_with_new_parameters()
    {
        using var database = new SqliteDatabase(Path.Combine(_folder, "messaging.db"));
        var conversations = new SqliteConversationRepository(database);
        var groups = Enumerable.Range(0, 5).Select(_ => AGroup.OwnedBy(Some.User("alice")).With(Some.User("bob")).Build()).ToList();
        foreach (var group in groups)
        {
            await conversations.AddAsync(group, CancellationToken.None);
        }

        // One reader at a time: every read reuses the same kept connection and its statements.
        foreach (var group in groups)
        {
            Assert.Equal(group.Id, (await conversations.GetAsync(group.Id, CancellationToken.None))!.Id);
        }

        Assert.Null(await conversations.GetAsync(Guid.NewGuid().ToString("N"), CancellationToken.None));
    }

    [Fact]
    public async Task The_same_statement_run_again_while_its_reader_is_open_gets_a_command_of_its_own()
    {
        using var database = new SqliteDatabase(Path.Combine(_folder, "messaging.db"));
        var conversations = new SqliteConversationRepository(database);
        var groups = Enumerable.Range(0, 3).Select(_ => AGroup.OwnedBy(Some.User("alice")).With(Some.User("bob")).Build()).ToList();
        foreach (var group in groups)
        {
            await conversations.AddAsync(group, CancellationToken.None);
        }

        const string sql = "SELECT id FROM conversations WHERE id >= $from ORDER BY id";
        var first = groups.Select(g => g.Id).Order(StringComparer.Ordinal).First();
        var pairs = await database.ReadAsync(async connection =>
        {
            var seen = new List<(string Outer, int Inner)>();
            await using var outer = connection.Command(sql, null, ("$from", first));
            await using var outerReader = await outer.ExecuteReaderAsync();
            while (await outerReader.ReadAsync())
            {
                var id = outerReader.GetString(0);
                await using var inner = connection.Command(sql, null, ("$from", id));
                await using var innerReader = await inner.ExecuteReaderAsync();
                var count = 0;
                while (await innerReader.ReadAsync())
                {
                    count++;
                }

                seen.Add((id, count));
            }

            return seen;
        }, CancellationToken.None);

        Assert.Equal([3, 2, 1], pairs.Select(p => p.Inner));
    }
}
