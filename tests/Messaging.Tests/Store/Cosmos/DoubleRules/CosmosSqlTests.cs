using System.Text.Json.Nodes;
using Messaging.Tests.Store.Cosmos.Double;
using Messaging.Tests.Store.Cosmos.Double.Sql;

namespace Messaging.Tests.Store.Cosmos.DoubleRules;

/// <summary>The double's Cosmos SQL evaluator on the shapes of query the adapter sends.</summary>
public sealed class CosmosSqlTests
{
    private static readonly JsonObject[] Documents =
    [
        new() { ["id"] = "a", ["userId"] = "u", ["updatedAt"] = 3L, ["sequence"] = 1, ["deletedAt"] = null, ["tags"] = new JsonArray("x") },
        new() { ["id"] = "b", ["userId"] = "u", ["updatedAt"] = 3L, ["sequence"] = 2 },
        new() { ["id"] = "c", ["userId"] = "v", ["updatedAt"] = 5L, ["sequence"] = 3, ["deletedAt"] = 9 },
    ];

    private static List<string> Run(string sql, params (string Name, JsonNode? Value)[] parameters) =>
        [.. CosmosSqlEvaluator.Execute(CosmosSqlParser.Parse(sql), Documents, parameters.ToDictionary(p => p.Name, p => p.Value)).Select(r => r?.ToJsonString() ?? "null")];

    [Fact]
    public void Top_with_a_parameter_and_two_order_keys_pages_newest_first()
    {
        Assert.Equal(
            ["""{"id":"c","updatedAt":5}""", """{"id":"b","updatedAt":3}"""],
            Run("SELECT TOP @n c.id, c.updatedAt FROM c ORDER BY c.updatedAt DESC, c.id DESC", ("@n", JsonValue.Create(2))));
    }

    [Fact]
    public void Keyset_condition_with_or_and_parentheses_selects_rows_before_the_position()
    {
        Assert.Equal(
            ["\"a\""],
            Run("SELECT VALUE c.id FROM c WHERE c.userId = @u AND (c.updatedAt < @at OR (c.updatedAt = @at AND c.id < @id))", ("@u", "u"), ("@at", JsonValue.Create(3L)), ("@id", "b")));
    }

    [Fact]
    public void Sum_adds_numbers_and_leaves_out_undefined_values()
    {
        // https://learn.microsoft.com/azure/cosmos-db/nosql/query/sum: an undefined argument is not included.
        Assert.Equal(["6"], Run("SELECT VALUE SUM(c.sequence) FROM c"));
        Assert.Equal(["9"], Run("SELECT VALUE SUM(c.deletedAt) FROM c WHERE IS_DEFINED(c.deletedAt) AND NOT IS_NULL(c.deletedAt)"));
    }

    [Fact]
    public void Sum_is_undefined_when_a_value_is_null_a_string_or_a_boolean()
    {
        // https://learn.microsoft.com/azure/cosmos-db/nosql/query/sum: a string, boolean or null argument makes the whole SUM undefined.
        Assert.Equal(["{}"], Run("SELECT SUM(c.deletedAt) AS total FROM c"));
        Assert.Equal(["{}"], Run("SELECT SUM(c.userId) AS total FROM c"));
    }

    [Fact]
    public void Several_aggregates_in_one_projection_answer_one_object_under_their_aliases()
    {
        Assert.Equal(["""{"rows":3,"total":6}"""], Run("SELECT COUNT(1) AS rows, SUM(c.sequence) AS total FROM c"));
        Assert.Equal(["""{"$1":3,"$2":6}"""], Run("SELECT COUNT(1), SUM(c.sequence) FROM c"));
    }

    [Fact]
    public void Ternary_takes_the_true_branch_only_when_the_condition_is_true()
    {
        // https://learn.microsoft.com/azure/cosmos-db/nosql/query/ternary-coalesce-operators: `c.x ? a : b` is `c.x = true ? a : b`,
        // so false and undefined (a missing array in ARRAY_CONTAINS) take the false branch.
        Assert.Equal(["1", "0", "0"], Run("SELECT VALUE ARRAY_CONTAINS(c.tags, 'x') ? 1 : 0 FROM c ORDER BY c.sequence"));
        Assert.Equal(["1"], Run("SELECT VALUE SUM(ARRAY_CONTAINS(c.tags, @t) ? 1 : 0) FROM c", ("@t", "x")));
    }

    [Fact]
    public void Count_counts_rows_where_is_null_holds_and_a_missing_property_is_not_null()
    {
        Assert.Equal(["1"], Run("SELECT VALUE COUNT(1) FROM c WHERE IS_NULL(c.deletedAt)"));
        Assert.Equal(["""{"$1":3}"""], Run("SELECT COUNT(1) FROM c"));
    }

    [Fact]
    public void Comparing_values_of_different_types_is_undefined_and_drops_the_row_even_under_not()
    {
        Assert.Empty(Run("SELECT * FROM c WHERE c.sequence = '1'"));
        Assert.Empty(Run("SELECT * FROM c WHERE NOT (c.sequence = '1')"));
        Assert.Equal(2, Run("SELECT * FROM c WHERE c.id != @x", ("@x", "a")).Count);
    }

    [Fact]
    public void Is_defined_and_array_contains_work_on_missing_properties()
    {
        Assert.Equal(["\"a\"", "\"c\""], Run("SELECT VALUE c.id FROM c WHERE IS_DEFINED(c.deletedAt) ORDER BY c.id"));
        Assert.Equal(["\"a\""], Run("SELECT VALUE c.id FROM c WHERE ARRAY_CONTAINS(c.tags, 'x')"));
    }

    [Fact]
    public void A_patch_filter_predicate_is_a_from_clause()
    {
        var predicate = CosmosSqlParser.ParsePredicate("FROM c WHERE c.updatedAt < 4");
        Assert.Equal(2, CosmosSqlEvaluator.Execute(predicate, Documents, new Dictionary<string, JsonNode?>()).Count);
    }

    [Theory]
    [InlineData("SELECT * FROM c JOIN t IN c.tags")]
    [InlineData("SELECT * FROM c WHERE c.id IN ('a', 'b')")]
    [InlineData("SELECT * FROM c WHERE STARTSWITH(c.id, 'a')")]
    [InlineData("SELECT * FROM c WHERE c.sequence + 1 > 2")]
    [InlineData("SELECT DISTINCT c.id FROM c")]
    [InlineData("SELECT * FROM c OFFSET 1 LIMIT 1")]
    public void Syntax_the_double_does_not_evaluate_is_refused_loudly(string sql) =>
        Assert.Throws<NotSupportedException>(() => Run(sql));

    [Theory]
    [InlineData("SELEC * FROM c")]
    [InlineData("SELECT * FROM c WHERE x.id = 'a'")]
    [InlineData("SELECT * FROM c WHERE c.id = @missing")]
    public void A_typo_is_an_error(string sql) =>
        Assert.ThrowsAny<FormatException>(() => Run(sql));
}

/// <summary>The independent engine really judges: a wrong answer or a query Cosmos SQL rejects fails the check.</summary>
public sealed class IndependentQueryCheckTests
{
    private static RecordedQuery Case(string sql, params JsonNode?[] results) =>
        new(sql, [("@u", JsonValue.Create("u"))], [new JsonObject { ["id"] = "a", ["userId"] = "u" }, new JsonObject { ["id"] = "b", ["userId"] = "v" }], results);

    [Fact]
    public async Task Agreeing_answers_pass_and_a_wrong_answer_or_a_typo_is_reported()
    {
        var outcome = await IndependentQueryCheck.RunAsync([
            Case("SELECT VALUE c.id FROM c WHERE c.userId = @u", JsonValue.Create("a")),
            Case("SELECT VALUE c.id FROM c WHERE c.userId = @u", JsonValue.Create("b")),
            Case("SELECT VALUE c.id FROM c WHERE c.userId == @u", JsonValue.Create("a")),
        ]);

        Assert.Equal(3, outcome.Checked);
        var mismatches = JsonNode.Parse(outcome.Mismatches)!.AsArray();
        Assert.Equal(2, mismatches.Count);
        Assert.Equal("[\"a\"]", mismatches[0]!["actual"]!.ToJsonString());
        Assert.NotNull(mismatches[1]!["error"]);
    }
}
