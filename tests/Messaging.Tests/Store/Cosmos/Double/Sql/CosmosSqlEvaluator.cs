using System.Text.Json;
using System.Text.Json.Nodes;

namespace Messaging.Tests.Store.Cosmos.Double.Sql;

/// <summary>
/// Evaluates a <see cref="SqlQuery"/> over JSON documents with Cosmos DB's semantics: a missing
/// property is <c>undefined</c>; comparing values of different types is <c>undefined</c> (so the
/// WHERE clause drops the document); AND/OR/NOT are three-valued; ORDER BY sorts across types as
/// undefined &lt; null &lt; false &lt; true &lt; numbers &lt; strings (see
/// https://learn.microsoft.com/azure/cosmos-db/nosql/query/order-by). Numbers are IEEE doubles.
/// </summary>
public static class CosmosSqlEvaluator
{
    public static List<JsonNode?> Execute(SqlQuery query, IEnumerable<JsonObject> documents, IReadOnlyDictionary<string, JsonNode?> parameters)
    {
        var rows = documents.Where(d => query.Where is null || Evaluate(query.Where, d, parameters) is true).ToList();
        if (query.Projections.Any(p => IsAggregate(p.Expression)))
        {
            if (query.OrderBy.Count > 0 || !query.Projections.All(p => IsAggregate(p.Expression)))
            {
                throw new NotSupportedException("The Cosmos DB double evaluates aggregates (COUNT, SUM) only as the whole projection, without ORDER BY.");
            }

            if (query.SelectValue)
            {
                return [ToNode(Aggregate((SqlCall)query.Projections[0].Expression, rows, parameters))];
            }

            // Several aggregates in one projection give one object, each under its alias or $1, $2 …
            // (https://learn.microsoft.com/azure/cosmos-db/nosql/query/select#examples).
            var aggregated = new JsonObject();
            for (var i = 0; i < query.Projections.Count; i++)
            {
                var value = Aggregate((SqlCall)query.Projections[i].Expression, rows, parameters);
                if (value is not SqlUndefined)
                {
                    aggregated[query.Projections[i].Alias ?? "$" + (i + 1)] = ToNode(value);
                }
            }

            return [aggregated];
        }

        if (query.OrderBy.Count > 0)
        {
            var comparer = Comparer<JsonObject>.Create((a, b) =>
            {
                foreach (var order in query.OrderBy)
                {
                    var compared = CompareForOrder(Evaluate(order.Expression, a, parameters), Evaluate(order.Expression, b, parameters));
                    if (compared != 0)
                    {
                        return order.Descending ? -compared : compared;
                    }
                }

                return 0;
            });
            rows = [.. rows.Order(comparer)];
        }

        if (query.Top is { } topExpression)
        {
            var top = Evaluate(topExpression, new JsonObject(), parameters) is double n && n >= 0 && n == Math.Floor(n)
                ? (int)n
                : throw new FormatException("TOP needs a non-negative integer.");
            rows = [.. rows.Take(top)];
        }

        var results = new List<JsonNode?>(rows.Count);
        foreach (var row in rows)
        {
            if (query.SelectStar)
            {
                results.Add(row.DeepClone());
            }
            else if (query.SelectValue)
            {
                var value = Evaluate(query.Projections[0].Expression, row, parameters);
                if (value is not SqlUndefined)
                {
                    results.Add(ToNode(value));
                }
            }
            else
            {
                var projected = new JsonObject();
                for (var i = 0; i < query.Projections.Count; i++)
                {
                    var projection = query.Projections[i];
                    var value = Evaluate(projection.Expression, row, parameters);
                    if (value is not SqlUndefined)
                    {
                        projected[projection.Alias ?? (projection.Expression as SqlProperty)?.Name ?? "$" + (i + 1)] = ToNode(value);
                    }
                }

                results.Add(projected);
            }
        }

        return results;
    }

    /// <summary>A value: <see cref="SqlUndefined"/>, null, bool, double, string, <see cref="JsonArray"/> or <see cref="JsonObject"/>.</summary>
    public static object? Evaluate(SqlExpr expression, JsonObject document, IReadOnlyDictionary<string, JsonNode?> parameters) => expression switch
    {
        SqlLiteral literal => literal.Value,
        SqlParameter parameter => parameters.TryGetValue(parameter.Name, out var node)
            ? FromNode(node)
            : throw new FormatException($"The query parameter {parameter.Name} is not defined."),
        SqlRoot => document,
        SqlProperty property => Evaluate(property.Source, document, parameters) is JsonObject source && source.TryGetPropertyValue(property.Name, out var child)
            ? FromNode(child)
            : SqlUndefined.Value,
        SqlUnary { Operator: "NOT" } not => Evaluate(not.Operand, document, parameters) is bool b ? !b : SqlUndefined.Value,
        SqlBinary { Operator: "AND" } and => And(Evaluate(and.Left, document, parameters), Evaluate(and.Right, document, parameters)),
        SqlBinary { Operator: "OR" } or => Or(Evaluate(or.Left, document, parameters), Evaluate(or.Right, document, parameters)),
        SqlBinary comparison => Compare(comparison.Operator, Evaluate(comparison.Left, document, parameters), Evaluate(comparison.Right, document, parameters)),
        SqlCall call => Call(call, document, parameters),

        // The ternary takes its true branch only when the condition is true; false, undefined or any other value takes the
        // false branch, as `p.onSale ? … : …` is `p.onSale = true` (https://learn.microsoft.com/azure/cosmos-db/nosql/query/ternary-coalesce-operators).
        SqlConditional conditional => Evaluate(conditional.Condition, document, parameters) is true
            ? Evaluate(conditional.WhenTrue, document, parameters)
            : Evaluate(conditional.WhenFalse, document, parameters),
        _ => throw new NotSupportedException($"The Cosmos DB double does not evaluate {expression}."),
    };

    // Arms typed as object: JsonNode's implicit conversions would otherwise turn the primitives back into nodes.
    public static object? FromNode(JsonNode? node) => node switch
    {
        null => (object?)null,
        JsonObject or JsonArray => (object)node,
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => (object)value.GetValue<string>(),
            JsonValueKind.Number => double.Parse(value.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => null,
        },
        _ => throw new NotSupportedException(node.GetType().Name),
    };

    public static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        JsonNode node => node.DeepClone(),
        bool b => JsonValue.Create(b),
        double d => JsonValue.Create(d),
        string s => JsonValue.Create(s),
        _ => throw new NotSupportedException(value.GetType().Name),
    };

    private static object And(object? left, object? right) =>
        left is false || right is false ? false : left is true && right is true ? true : SqlUndefined.Value;

    private static object Or(object? left, object? right) =>
        left is true || right is true ? true : left is false && right is false ? false : SqlUndefined.Value;

    private static object Compare(string op, object? left, object? right)
    {
        if (left is SqlUndefined || right is SqlUndefined)
        {
            return SqlUndefined.Value;
        }

        if (op is "=" or "!=")
        {
            if (TypeRank(left) != TypeRank(right) && !(left is bool && right is bool))
            {
                return SqlUndefined.Value;
            }

            var equal = left is JsonNode || right is JsonNode ? JsonNode.DeepEquals(ToNode(left), ToNode(right)) : Equals(left, right);
            return op == "=" ? equal : !equal;
        }

        int order;
        switch (left, right)
        {
            case (double a, double b):
                order = a.CompareTo(b);
                break;
            case (string a, string b):
                order = string.CompareOrdinal(a, b);
                break;
            case (bool a, bool b):
                order = a.CompareTo(b);
                break;
            case (null, null):
                order = 0;
                break;
            default:
                return SqlUndefined.Value;
        }

        return op switch
        {
            "<" => order < 0,
            "<=" => order <= 0,
            ">" => order > 0,
            ">=" => order >= 0,
            _ => throw new NotSupportedException($"The Cosmos DB double does not evaluate the operator {op}."),
        };
    }

    private static object? Call(SqlCall call, JsonObject document, IReadOnlyDictionary<string, JsonNode?> parameters)
    {
        var arguments = call.Arguments.Select(a => Evaluate(a, document, parameters)).ToList();
        return (call.Function, arguments.Count) switch
        {
            ("IS_NULL", 1) => arguments[0] is null,
            ("IS_DEFINED", 1) => arguments[0] is not SqlUndefined,
            ("ARRAY_CONTAINS", 2) => arguments[0] is JsonArray array
                ? array.Any(item => Compare("=", FromNode(item), arguments[1]) is true)
                : SqlUndefined.Value,
            ("COUNT" or "SUM", _) => throw new NotSupportedException($"{call.Function} is an aggregate: only as the projection."),
            _ => throw new NotSupportedException($"The Cosmos DB double does not evaluate {call.Function} with {arguments.Count} arguments."),
        };
    }

    private static bool IsAggregate(SqlExpr expression) => expression is SqlCall { Function: "COUNT" or "SUM" };

    /// <summary>
    /// COUNT counts the rows; SUM adds the numbers, leaving out undefined values, and is undefined when any value is a
    /// string, a boolean or null (https://learn.microsoft.com/azure/cosmos-db/nosql/query/sum).
    /// </summary>
    private static object? Aggregate(SqlCall call, List<JsonObject> rows, IReadOnlyDictionary<string, JsonNode?> parameters)
    {
        if (call.Function == "COUNT")
        {
            return (double)rows.Count;
        }

        var values = rows.Select(r => Evaluate(call.Arguments[0], r, parameters)).Where(v => v is not SqlUndefined).ToList();
        return values.All(v => v is double) ? values.Sum(v => (double)v!) : SqlUndefined.Value;
    }

    private static int TypeRank(object? value) => value switch
    {
        SqlUndefined => 0,
        null => 1,
        bool => 2,
        double => 3,
        string => 4,
        JsonArray => 5,
        _ => 6,
    };

    private static int CompareForOrder(object? a, object? b)
    {
        var rank = TypeRank(a).CompareTo(TypeRank(b));
        if (rank != 0)
        {
            return rank;
        }

        return (a, b) switch
        {
            (bool x, bool y) => x.CompareTo(y),
            (double x, double y) => x.CompareTo(y),
            (string x, string y) => string.CompareOrdinal(x, y),
            _ => 0,
        };
    }
}
