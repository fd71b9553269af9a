using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Messaging.Tests.Store.Cosmos.Double;

/// <summary>
/// Checks the double's query answers against @zeit/cosmosdb-query (npm, run by node): a query the
/// double evaluates wrongly, or one Cosmos SQL does not accept, fails the test that sent it.
/// Needs <c>npm ci</c> at the repository root, as the Azurite tests do.
/// </summary>
public static class IndependentQueryCheck
{
    public sealed record Outcome(int Checked, string Mismatches);

    public static async Task AssertAgreesAsync(IReadOnlyList<RecordedQuery> queries)
    {
        if (queries.Count == 0)
        {
            return;
        }

        var outcome = await RunAsync(queries);
        Assert.True(outcome.Mismatches == "[]", $"@zeit/cosmosdb-query disagrees with the Cosmos DB double on {outcome.Mismatches}");
    }

    public static async Task<Outcome> RunAsync(IReadOnlyList<RecordedQuery> queries)
    {
        var root = RepositoryRoot();
        var script = Path.Combine(root, "tests", "Messaging.Tests", "Store", "Cosmos", "cosmosdb-query-check.js");
        if (!Directory.Exists(Path.Combine(root, "node_modules", "@zeit", "cosmosdb-query")))
        {
            throw new InvalidOperationException("@zeit/cosmosdb-query is not installed: run `npm ci` at the repository root.");
        }

        var input = Path.Combine(Path.GetTempPath(), $"cosmos-queries-{Guid.NewGuid():N}.json");
        try
        {
            var cases = new JsonArray([.. queries.Select(q => (JsonNode)new JsonObject
            {
                ["query"] = q.Text,
                ["parameters"] = new JsonArray([.. q.Parameters.Select(p => (JsonNode)new JsonObject { ["name"] = p.Name, ["value"] = p.Value?.DeepClone() })]),
                ["documents"] = new JsonArray([.. q.Documents.Select(d => (JsonNode)d.DeepClone())]),
                ["expected"] = new JsonArray([.. q.Results.Select(r => r?.DeepClone())]),
                ["ordered"] = q.Text.Contains("ORDER BY", StringComparison.OrdinalIgnoreCase),
            })]);
            await File.WriteAllTextAsync(input, cases.ToJsonString());
            using var node = Process.Start(new ProcessStartInfo("node", [script, input])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = root,
            }) ?? throw new InvalidOperationException("node did not start.");
            var output = node.StandardOutput.ReadToEndAsync();
            var error = node.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await node.WaitForExitAsync(timeout.Token);
            using var report = JsonDocument.Parse(await output is { Length: > 0 } text ? text : throw new InvalidOperationException($"node failed: {await error}"));
            return new Outcome(report.RootElement.GetProperty("checked").GetInt32(), report.RootElement.GetProperty("mismatches").GetRawText());
        }
        finally
        {
            File.Delete(input);
        }
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Messaging.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No Messaging.sln above {AppContext.BaseDirectory}.");
    }
}
