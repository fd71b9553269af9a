namespace Messaging.Tests.Api;

/// <summary>A pipe table of a Markdown document: its header cells and its rows of cells.</summary>
public sealed record MarkdownTable(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows)
{
    /// <summary>
    /// The first table after the line <paramref name="heading"/> (for example <c>## Routes</c>) and
    /// before the next heading of any level; throws when there is none.
    /// </summary>
    public static MarkdownTable FirstAfterHeading(string markdown, string heading)
    {
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        var start = Array.FindIndex(lines, line => line.TrimEnd() == heading);
        if (start < 0)
        {
            throw new InvalidOperationException($"The heading '{heading}' is missing.");
        }

        var tableLines = lines
            .Skip(start + 1)
            .TakeWhile(line => !line.StartsWith('#'))
            .SkipWhile(line => !IsTableLine(line))
            .TakeWhile(IsTableLine)
            .ToList();
        if (tableLines.Count < 2 || !IsSeparator(tableLines[1]))
        {
            throw new InvalidOperationException($"No table follows the heading '{heading}'.");
        }

        return new MarkdownTable(Cells(tableLines[0]), [.. tableLines.Skip(2).Select(Cells)]);
    }

    /// <summary>The cells of a column, by its header (case-insensitive).</summary>
    public IEnumerable<string> Column(string name)
    {
        var index = Header.ToList().FindIndex(cell => cell.Equals(name, StringComparison.OrdinalIgnoreCase));
        if (index < 0)
        {
            throw new InvalidOperationException($"The table has no column '{name}'; its columns are: {string.Join(", ", Header)}.");
        }

        return Rows.Select(row => index < row.Count ? row[index] : "");
    }

    private static bool IsTableLine(string line) => line.TrimStart().StartsWith('|');

    private static bool IsSeparator(string line) => Cells(line).All(cell => cell.Length > 0 && cell.Trim(':').All(c => c == '-'));

    /// <summary>The cells of one row; an escaped pipe (<c>\|</c>) stays inside its cell.</summary>
    private static List<string> Cells(string line)
    {
        var cells = new List<string>();
        var current = new System.Text.StringBuilder();
        var trimmed = line.Trim();
        for (var i = 1; i < trimmed.Length; i++)
        {
            if (trimmed[i] == '\\' && i + 1 < trimmed.Length && trimmed[i + 1] == '|')
            {
                current.Append('|');
                i++;
            }
            else if (trimmed[i] == '|')
            {
                cells.Add(current.ToString().Trim());
                current.Clear();
            }
            else
            {
                current.Append(trimmed[i]);
            }
        }

        if (current.ToString().Trim() is { Length: > 0 } last)
        {
            cells.Add(last);
        }

        return cells;
    }
}
