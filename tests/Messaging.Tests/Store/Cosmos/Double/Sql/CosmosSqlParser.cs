using System.Globalization;

namespace Messaging.Tests.Store.Cosmos.Double.Sql;

/// <summary>A parsed Cosmos DB for NoSQL query (the subset the adapter sends).</summary>
public sealed record SqlQuery(
    SqlExpr? Top,
    bool SelectValue,
    bool SelectStar,
    IReadOnlyList<SqlProjection> Projections,
    string Alias,
    SqlExpr? Where,
    IReadOnlyList<SqlOrder> OrderBy);

public sealed record SqlProjection(SqlExpr Expression, string? Alias);

public sealed record SqlOrder(SqlExpr Expression, bool Descending);

public abstract record SqlExpr;

public sealed record SqlLiteral(object? Value) : SqlExpr;

public sealed record SqlParameter(string Name) : SqlExpr;

public sealed record SqlRoot(string Alias) : SqlExpr;

public sealed record SqlProperty(SqlExpr Source, string Name) : SqlExpr;

public sealed record SqlUnary(string Operator, SqlExpr Operand) : SqlExpr;

public sealed record SqlBinary(string Operator, SqlExpr Left, SqlExpr Right) : SqlExpr;

public sealed record SqlCall(string Function, IReadOnlyList<SqlExpr> Arguments) : SqlExpr;

public sealed record SqlConditional(SqlExpr Condition, SqlExpr WhenTrue, SqlExpr WhenFalse) : SqlExpr;

/// <summary>
/// Tokenizer and recursive-descent parser for the Cosmos SQL subset the double evaluates:
/// <c>SELECT [TOP n|@p] (* | VALUE e | e [AS a], …) FROM c [WHERE e] [ORDER BY e [ASC|DESC], …]</c>,
/// with AND/OR/NOT, comparisons, literals, parameters, property paths and IS_NULL, IS_DEFINED,
/// ARRAY_CONTAINS, the ternary <c>? :</c> and the aggregates COUNT and SUM. Anything else throws <see cref="NotSupportedException"/>, so a query the
/// double cannot judge never passes silently. A patch filter predicate is <c>FROM c WHERE e</c>.
/// </summary>
public sealed class CosmosSqlParser
{
    private static readonly HashSet<string> Functions = new(StringComparer.OrdinalIgnoreCase) { "IS_NULL", "IS_DEFINED", "ARRAY_CONTAINS", "COUNT", "SUM" };
    private static readonly HashSet<string> Unsupported = new(StringComparer.OrdinalIgnoreCase)
    {
        "JOIN", "IN", "BETWEEN", "LIKE", "GROUP", "OFFSET", "LIMIT", "DISTINCT", "EXISTS", "ARRAY", "UDF", "HAVING",
    };

    private readonly List<string> _tokens;
    private readonly string _text;
    private int _at;
    private string _alias = "";

    private CosmosSqlParser(string text)
    {
        _text = text;
        _tokens = Tokenize(text);
    }

    public static SqlQuery Parse(string text)
    {
        return new CosmosSqlParser(text).ParseQuery(predicateOnly: false);
    }

    /// <summary>A conditional patch's filter predicate, <c>FROM c WHERE …</c>, as a query selecting the document.</summary>
    public static SqlQuery ParsePredicate(string text) => new CosmosSqlParser(text).ParseQuery(predicateOnly: true);

    private SqlQuery ParseQuery(bool predicateOnly)
    {
        SqlExpr? top = null;
        var value = false;
        var star = predicateOnly;
        var projections = new List<SqlProjection>();
        if (!predicateOnly)
        {
            Expect("SELECT");
            if (Accept("TOP"))
            {
                top = Peek().StartsWith('@') ? new SqlParameter(Next()) : new SqlLiteral(Number(Next()));
            }

            if (Accept("*"))
            {
                star = true;
            }
            else
            {
                value = Accept("VALUE");
                _alias = "";
                do
                {
                    var start = _at;
                    projections.Add(new SqlProjection(new SqlDeferred(start), null));
                    SkipExpression();
                    if (Accept("AS"))
                    {
                        projections[^1] = projections[^1] with { Alias = Next() };
                    }
                }
                while (!value && Accept(","));
            }
        }

        Expect("FROM");
        _alias = Next();
        if (!IsIdentifier(_alias))
        {
            throw Syntax($"an alias after FROM, found '{_alias}'");
        }

        // Projections were skipped until the alias was known; parse them now.
        var end = _at;
        for (var i = 0; i < projections.Count; i++)
        {
            _at = ((SqlDeferred)projections[i].Expression).Start;
            projections[i] = projections[i] with { Expression = ParseExpression() };
        }

        _at = end;
        var where = Accept("WHERE") ? ParseExpression() : null;
        var order = new List<SqlOrder>();
        if (Accept("ORDER"))
        {
            Expect("BY");
            do
            {
                var expression = ParseExpression();
                var descending = Accept("DESC");
                if (!descending)
                {
                    Accept("ASC");
                }

                order.Add(new SqlOrder(expression, descending));
            }
            while (Accept(","));
        }

        if (_at < _tokens.Count)
        {
            throw UnsupportedAt(Peek());
        }

        return new SqlQuery(top, value, star, projections, _alias, where, order);
    }

    private SqlExpr ParseExpression()
    {
        var condition = ParseOr();
        if (!Accept("?"))
        {
            return condition;
        }

        var whenTrue = ParseExpression();
        Expect(":");
        return new SqlConditional(condition, whenTrue, ParseExpression());
    }

    private SqlExpr ParseOr()
    {
        var left = ParseAnd();
        while (Accept("OR"))
        {
            left = new SqlBinary("OR", left, ParseAnd());
        }

        return left;
    }

    private SqlExpr ParseAnd()
    {
        var left = ParseNot();
        while (Accept("AND"))
        {
            left = new SqlBinary("AND", left, ParseNot());
        }

        return left;
    }

    private SqlExpr ParseNot() => Accept("NOT") ? new SqlUnary("NOT", ParseNot()) : ParseComparison();

    private SqlExpr ParseComparison()
    {
        var left = ParsePrimary();
        if (Peek() is "=" or "!=" or "<>" or "<" or "<=" or ">" or ">=")
        {
            var op = Next();
            return new SqlBinary(op == "<>" ? "!=" : op, left, ParsePrimary());
        }

        if (Peek() is "+" or "-" or "*" or "/" or "%" or "||" or "??" or "&" or "|" or "^")
        {
            throw UnsupportedAt(Peek());
        }

        return left;
    }

    private SqlExpr ParsePrimary()
    {
        var token = Next();
        SqlExpr expression;
        if (token == "(")
        {
            expression = ParseExpression();
            Expect(")");
        }
        else if (token.StartsWith('@'))
        {
            expression = new SqlParameter(token);
        }
        else if (token.StartsWith('\'') || token.StartsWith('"'))
        {
            expression = new SqlLiteral(token[1..^1]);
        }
        else if (token == "-" || char.IsAsciiDigit(token[0]))
        {
            expression = new SqlLiteral(token == "-" ? -Number(Next()) : Number(token));
        }
        else if (token.Equals("true", StringComparison.Ordinal) || token.Equals("false", StringComparison.Ordinal))
        {
            expression = new SqlLiteral(token == "true");
        }
        else if (token.Equals("null", StringComparison.Ordinal))
        {
            expression = new SqlLiteral(null);
        }
        else if (token.Equals("undefined", StringComparison.Ordinal))
        {
            expression = new SqlLiteral(SqlUndefined.Value);
        }
        else if (Peek() == "(" && Functions.Contains(token))
        {
            Next();
            var arguments = new List<SqlExpr>();
            if (!Accept(")"))
            {
                do
                {
                    arguments.Add(ParseExpression());
                }
                while (Accept(","));
                Expect(")");
            }

            expression = new SqlCall(token.ToUpperInvariant(), arguments);
        }
        else if (Peek() == "(" || Unsupported.Contains(token) || !IsIdentifier(token))
        {
            throw UnsupportedAt(token);
        }
        else if (token == _alias)
        {
            expression = new SqlRoot(token);
        }
        else
        {
            throw Syntax($"identifier '{token}' could not be resolved (the alias is '{_alias}')");
        }

        while (Peek() is "." or "[")
        {
            if (Next() == ".")
            {
                expression = new SqlProperty(expression, Identifier(Next()));
            }
            else
            {
                var index = Next();
                if (!(index.StartsWith('"') || index.StartsWith('\'')))
                {
                    throw UnsupportedAt(index);
                }

                expression = new SqlProperty(expression, index[1..^1]);
                Expect("]");
            }
        }

        return expression;
    }

    private void SkipExpression()
    {
        var depth = 0;
        while (_at < _tokens.Count)
        {
            var token = Peek();
            if (depth == 0 && (token == "," || token.Equals("FROM", StringComparison.OrdinalIgnoreCase) || token.Equals("AS", StringComparison.OrdinalIgnoreCase)))
            {
                return;
            }

            depth += token is "(" or "[" ? 1 : token is ")" or "]" ? -1 : 0;
            _at++;
        }
    }

    private string Identifier(string token) => IsIdentifier(token) ? token : throw Syntax($"a property name, found '{token}'");

    private static bool IsIdentifier(string token) => token.Length > 0 && (char.IsLetter(token[0]) || token[0] == '_') && token.All(c => char.IsLetterOrDigit(c) || c == '_');

    private static double Number(string token) =>
        double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : throw new FormatException($"'{token}' is not a number.");

    private string Peek() => _at < _tokens.Count ? _tokens[_at] : "";

    private string Next() => _at < _tokens.Count ? _tokens[_at++] : throw Syntax("more text, found the end of the query");

    private bool Accept(string keyword)
    {
        if (_at < _tokens.Count && _tokens[_at].Equals(keyword, StringComparison.OrdinalIgnoreCase))
        {
            _at++;
            return true;
        }

        return false;
    }

    private void Expect(string keyword)
    {
        if (!Accept(keyword))
        {
            throw Syntax($"'{keyword}', found '{Peek()}'");
        }
    }

    private FormatException Syntax(string expected) => new($"Cosmos SQL syntax error: expected {expected} in: {_text}");

    private NotSupportedException UnsupportedAt(string token) =>
        new($"The Cosmos DB double does not evaluate '{token}' in: {_text}. Extend tests/Messaging.Tests/Store/Cosmos/Double/Sql before the adapter sends it.");

    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            var start = i;
            if (c is '\'' or '"')
            {
                i = text.IndexOf(c, i + 1);
                if (i < 0)
                {
                    throw new FormatException($"Cosmos SQL syntax error: unterminated string in: {text}");
                }

                if (text[start..i].Contains('\\', StringComparison.Ordinal))
                {
                    throw new NotSupportedException($"The Cosmos DB double does not evaluate escapes in string literals: {text}");
                }

                i++;
            }
            else if (char.IsLetter(c) || c == '_' || c == '@')
            {
                i++;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }
            }
            else if (char.IsAsciiDigit(c))
            {
                while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] is '.' or 'e' or 'E'))
                {
                    i++;
                }
            }
            else if (i + 1 < text.Length && text.Substring(i, 2) is "!=" or "<>" or "<=" or ">=" or "||" or "??")
            {
                i += 2;
            }
            else
            {
                i++;
            }

            tokens.Add(text[start..i]);
        }

        return tokens;
    }

    /// <summary>A projection whose parsing waits until FROM names the alias.</summary>
    private sealed record SqlDeferred(int Start) : SqlExpr;
}

/// <summary>Cosmos SQL's <c>undefined</c>: a missing property, or a comparison of values of different types.</summary>
public sealed class SqlUndefined
{
    public static readonly SqlUndefined Value = new();

    private SqlUndefined()
    {
    }

    public override string ToString() => "undefined";
}
