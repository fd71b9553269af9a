using System.Text.RegularExpressions;
using Messaging.Functions.Storage.Cosmos;
using Messaging.Tests.Support;

namespace Messaging.Tests.Store.Cosmos;

/// <summary>
/// Containers index only what the queries use (each indexed path costs RU on every write), and
/// nothing a query filters or sorts on is left out (an ORDER BY on an excluded path is refused by
/// the service, and a filter on one scans the partition). The double does not model indexing, so
/// this reads the adapter's query texts.
/// </summary>
public sealed partial class CosmosIndexingTests
{
    [Fact]
    public void Every_property_a_query_of_the_adapter_filters_or_sorts_on_is_indexed()
    {
        var indexed = CosmosStore.IndexedPaths.Values.SelectMany(paths => paths).Select(path => path.TrimStart('/').Replace("/?", "", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        var queried = QueriedProperties().ToList();

        Assert.NotEmpty(queried);
        var unindexed = queried.Where(property => property != "id" && !indexed.Contains(property)).ToList();
        Assert.True(unindexed.Count == 0, $"queried but not indexed: {string.Join(", ", unindexed)}");
    }

    /// <summary>
    /// The test above pools every container's paths, so a filter on a path indexed only in another container passed it
    /// (the co-participant query filtered memberships on conversationId, indexed in messages and attachments only). A
    /// query whose container shows in the code just before it (<c>store.Memberships.QueryAsync(</c> and the like, or a
    /// <c>Container</c> parameter named after one) is checked against that container's own paths; <c>id</c> is indexed in
    /// every container (https://learn.microsoft.com/azure/cosmos-db/index-policy: "id and _ts are always indexed").
    /// </summary>
    [Fact]
    public void Every_property_a_query_filters_or_sorts_on_is_indexed_in_the_container_it_runs_on()
    {
        var checkedQueries = 0;
        var unindexed = new List<string>();
        foreach (var (container, query) in QueriesWithTheirContainer())
        {
            checkedQueries++;
            var paths = CosmosStore.IndexedPaths[container].Select(path => path.TrimStart('/').Replace("/?", "", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
            var afterFrom = query[(query.IndexOf(" FROM c", StringComparison.Ordinal) + " FROM c".Length)..];
            unindexed.AddRange(Property().Matches(afterFrom).Select(m => m.Groups[1].Value.Replace('.', '/')).Where(p => p != "id" && !paths.Contains(p)).Select(p => $"{container}: {p} in {query}"));
        }

        Assert.True(checkedQueries >= 10, $"only {checkedQueries} queries could be matched to their container");
        Assert.True(unindexed.Count == 0, string.Join(Environment.NewLine, unindexed));
    }

    private static IEnumerable<(string Container, string Query)> QueriesWithTheirContainer()
    {
        var folder = Path.Combine(Repository.Root, "src", "Messaging.Functions", "Storage", "Cosmos");
        foreach (var file in Directory.EnumerateFiles(folder, "*.cs"))
        {
            var text = File.ReadAllText(file);
            foreach (Match literal in QueryLiteral().Matches(text))
            {
                var before = text[Math.Max(0, literal.Index - 160)..literal.Index];
                var container = ContainerReference().Matches(before).LastOrDefault()?.Groups[1].Value.ToLowerInvariant();
                if (container is not null && CosmosStore.IndexedPaths.ContainsKey(container))
                {
                    yield return (container, literal.Value);
                }
            }
        }
    }

    [Fact]
    public void Every_indexed_property_is_used_by_a_query()
    {
        var queried = QueriedProperties().ToHashSet(StringComparer.Ordinal);
        var unused = CosmosStore.IndexedPaths.Values.SelectMany(paths => paths)
            .Select(path => path.TrimStart('/').Replace("/?", "", StringComparison.Ordinal))
            .Where(property => !queried.Contains(property))
            .ToList();

        Assert.True(unused.Count == 0, $"indexed but never queried: {string.Join(", ", unused)}");
    }

    [Fact]
    public void The_bicep_containers_index_the_same_paths_and_composites_as_the_code()
    {
        var bicep = File.ReadAllText(Path.Combine(Repository.Root, "infra", "modules", "cosmos.bicep"));
        foreach (var (container, paths) in CosmosStore.IndexedPaths)
        {
            var start = bicep.IndexOf($"name: '{container}'", StringComparison.Ordinal);
            Assert.True(start >= 0, $"cosmos.bicep has no container {container}");
            var next = bicep.IndexOf("\n    name: ", start + 1, StringComparison.Ordinal);
            var block = bicep[start..(next < 0 ? bicep.Length : next)];
            var included = block[block.IndexOf("includedPaths", StringComparison.Ordinal)..block.IndexOf("excludedPaths", StringComparison.Ordinal)];

            Assert.Equal(paths.Order(StringComparer.Ordinal), BicepPath().Matches(included).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal));
            var composites = block.Contains("compositeIndexes", StringComparison.Ordinal) ? block[block.IndexOf("compositeIndexes", StringComparison.Ordinal)..] : "";
            var expected = CosmosStore.CompositeIndexes[container]
                .Select(index => string.Join(",", index.Select(c => $"{c.Path} {c.Order.ToString().ToLowerInvariant()}")));
            var inBicep = composites.Split("]\n        [").Where(group => group.Contains("path:", StringComparison.Ordinal))
                .Select(group => string.Join(",", BicepComposite().Matches(group).Select(m => $"{m.Groups[1].Value} {m.Groups[2].Value}")));
            Assert.Equal(expected, inBicep);
        }
    }

    /// <summary>
    /// The service refuses an ORDER BY on several properties without a composite index of the same paths in
    /// the same (or all reversed) order (https://learn.microsoft.com/azure/cosmos-db/index-policy#composite-indexes);
    /// and a composite index no query sorts on costs RU on every write.
    /// </summary>
    [Fact]
    public void Every_order_by_on_several_properties_has_its_composite_index_and_every_composite_index_has_its_order_by()
    {
        var orderings = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Repository.Root, "src", "Messaging.Functions", "Storage", "Cosmos"), "*.cs"))
        {
            foreach (Match literal in QueryLiteral().Matches(File.ReadAllText(file)))
            {
                if (OrderBy().Match(literal.Value) is { Success: true } orderBy && orderBy.Groups[1].Value.Contains(',', StringComparison.Ordinal))
                {
                    orderings.Add(string.Join(",", orderBy.Groups[1].Value.Split(',').Select(key => key.Trim().Split(' ')).Select(key => $"/{key[0][2..]} {(key is [_, "DESC"] ? "descending" : "ascending")}")));
                }
            }
        }

        var composites = CosmosStore.CompositeIndexes.Values.SelectMany(indexes => indexes)
            .Select(index => string.Join(",", index.Select(c => $"{c.Path} {c.Order.ToString().ToLowerInvariant()}"))).ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(orderings);
        var missing = orderings.Where(ordering => !composites.Contains(ordering) && !composites.Contains(Reversed(ordering))).ToList();
        Assert.True(missing.Count == 0, $"ORDER BY without a composite index: {string.Join("; ", missing)}");

        // (conversationId, sequence) serves "WHERE conversationId = ... ORDER BY sequence" (a filter then a sort, same documentation).
        var unused = composites.Where(index => !index.StartsWith("/conversationId ", StringComparison.Ordinal))
            .Where(index => !orderings.Contains(index) && !orderings.Contains(Reversed(index))).ToList();
        Assert.True(unused.Count == 0, $"composite index no ORDER BY uses: {string.Join("; ", unused)}");
    }

    private static string Reversed(string ordering) => string.Join(",", ordering.Split(',').Select(key => key.EndsWith(" ascending", StringComparison.Ordinal)
        ? key.Replace(" ascending", " descending", StringComparison.Ordinal)
        : key.Replace(" descending", " ascending", StringComparison.Ordinal)));

    /// <summary>The properties after <c>FROM c</c> (WHERE and ORDER BY) in the adapter's query texts.</summary>
    private static IEnumerable<string> QueriedProperties()
    {
        var folder = Path.Combine(Repository.Root, "src", "Messaging.Functions", "Storage", "Cosmos");
        foreach (var file in Directory.EnumerateFiles(folder, "*.cs"))
        {
            foreach (Match literal in QueryLiteral().Matches(File.ReadAllText(file)))
            {
                var afterFrom = literal.Value[(literal.Value.IndexOf(" FROM c", StringComparison.Ordinal) + " FROM c".Length)..];
                foreach (Match property in Property().Matches(afterFrom))
                {
                    yield return property.Groups[1].Value.Replace('.', '/');
                }
            }
        }
    }

    [GeneratedRegex(@"path: '([^']+)'")]
    private static partial Regex BicepPath();

    [GeneratedRegex(@"path: '([^']+)'\s+order: '([a-z]+)'")]
    private static partial Regex BicepComposite();

    [GeneratedRegex(@"ORDER BY ((?:c\.[A-Za-z]+(?: (?:ASC|DESC))?(?:, )?)+)")]
    private static partial Regex OrderBy();

    [GeneratedRegex("\"SELECT [^\"]* FROM c[^\"]*\"")]
    private static partial Regex QueryLiteral();

    [GeneratedRegex(@"\b(?:store\.)?(Conversations|Memberships|Messages|Attachments|conversations|memberships|messages|attachments)\.QueryAsync<")]
    private static partial Regex ContainerReference();

    [GeneratedRegex(@"\bc\.([A-Za-z]+(?:\.[A-Za-z]+)*)")]
    private static partial Regex Property();
}
