using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Messaging.Tests.Store.Cosmos.Double;

/// <summary>One query the double evaluated: its text and parameters, the documents it ran over and what the double answered.</summary>
public sealed record RecordedQuery(string Text, IReadOnlyList<(string Name, JsonNode? Value)> Parameters, IReadOnlyList<JsonObject> Documents, IReadOnlyList<JsonNode?> Results);

/// <summary>The queries (and patch filter predicates, as <c>SELECT * FROM c WHERE …</c>) the double evaluated, for the independent engine to check.</summary>
public sealed class QueryLog
{
    private readonly ConcurrentQueue<RecordedQuery> _queries = new();

    public IReadOnlyList<RecordedQuery> Queries => [.. _queries];

    public void Record(string text, IReadOnlyList<(string Name, JsonNode? Value)> parameters, IReadOnlyList<JsonObject> documents, IReadOnlyList<JsonNode?> results) =>
        _queries.Enqueue(new RecordedQuery(
            text,
            [.. parameters.Select(p => (p.Name, p.Value?.DeepClone()))],
            [.. documents.Select(d => (JsonObject)d.DeepClone())],
            [.. results.Select(r => r?.DeepClone())]));
}
