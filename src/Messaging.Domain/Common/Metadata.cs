using System.Collections.ObjectModel;
using System.Text;
using System.Text.RegularExpressions;

namespace Messaging.Domain.Common;

/// <summary>
/// The integrating product's own data on a conversation or a message: a flat map of strings, stored and
/// returned as given, never interpreted. At most <see cref="MaxKeys"/> keys matching <c>[A-Za-z0-9_.-]{1,64}</c>,
/// each value at most <see cref="MaxValueLength"/> characters (Unicode scalar values), and at most
/// <see cref="MaxTotalBytes"/> in all, counted as the UTF-8 bytes of every key and value.
/// </summary>
public sealed partial class Metadata
{
    public const int MaxKeys = 16;
    public const int MaxKeyLength = 64;
    public const int MaxValueLength = 512;
    public const int MaxTotalBytes = 4096;

    public static readonly Metadata Empty = new(new Dictionary<string, string>(StringComparer.Ordinal));

    private Metadata(Dictionary<string, string> values) => Values = new ReadOnlyDictionary<string, string>(values);

    public IReadOnlyDictionary<string, string> Values { get; }

    public int Count => Values.Count;

    /// <summary>Validates a map given by a client; <paramref name="field"/> names it in the error.</summary>
    public static Result<Metadata> Create(IReadOnlyDictionary<string, string?>? values, string field = "metadata")
    {
        if (values is null || values.Count == 0)
        {
            return Empty;
        }

        if (values.Count > MaxKeys)
        {
            return Error.Invalid(field, $"{field} has at most {MaxKeys} keys.");
        }

        var totalBytes = 0;
        var accepted = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in values)
        {
            if (!KeyPattern().IsMatch(key))
            {
                return Error.Invalid(field, $"{field} keys must match [A-Za-z0-9_.-]{{1,{MaxKeyLength}}}.");
            }

            if (value is null)
            {
                return Error.Invalid(field, $"{field} values must be strings.");
            }

            if (value.EnumerateRunes().Count() > MaxValueLength || !IsWellFormed(value))
            {
                return Error.Invalid(field, $"{field} values must be at most {MaxValueLength} characters of valid text.");
            }

            totalBytes += Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(value);
            accepted[key] = value;
        }

        if (totalBytes > MaxTotalBytes)
        {
            return Error.Invalid(field, $"{field} must be at most {MaxTotalBytes} bytes in all (UTF-8 of keys and values).");
        }

        return new Metadata(accepted);
    }

    /// <summary>Rebuilds stored metadata; no rules are checked.</summary>
    public static Metadata Restore(IReadOnlyDictionary<string, string>? values) =>
        values is null || values.Count == 0 ? Empty : new Metadata(new Dictionary<string, string>(values, StringComparer.Ordinal));

    // A lone surrogate has no UTF-8 form: it would not come back as it was given.
    private static bool IsWellFormed(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return false;
            }
        }

        return true;
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();
}
