using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Messaging.Domain.Common;

namespace Messaging.Domain.Messages;

/// <summary>
/// What a user reacts with: one emoji or a short name (<c>[a-z0-9_+-]{1,32}</c>, e.g. <c>+1</c> or
/// <c>party_parrot</c>). An emoji is exactly one extended grapheme cluster (so 👍🏽 and a family ZWJ
/// sequence are one reaction) that is an emoji by the Unicode emoji properties (<see cref="Emoji"/>):
/// a symbol with text presentation by default (©, ❤) only with VS16 (©️, ❤️).
/// Reactions are compared as given.
/// </summary>
public sealed partial record Reaction
{
    public const int MaxNameLength = 32;

    /// <summary>Long enough for any emoji sequence in use (the longest ZWJ sequences are under 40 UTF-16 units).</summary>
    public const int MaxEmojiLength = 64;

    private Reaction(string value) => Value = value;

    public string Value { get; }

    public override string ToString() => Value;

    public static Result<Reaction> Parse(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return Invalid();
        }

        if (NamePattern().IsMatch(value) || IsOneEmoji(value))
        {
            return new Reaction(value);
        }

        return Invalid();
    }

    private static Error Invalid() =>
        Error.Invalid("reaction", $"reaction must be one emoji or a name of 1 to {MaxNameLength} characters among a-z, 0-9, _, + and -.");

    private static bool IsOneEmoji(string value)
    {
        if (value.Length > MaxEmojiLength || new StringInfo(value).LengthInTextElements != 1)
        {
            return false;
        }

        // A lone surrogate enumerates as U+FFFD, itself a symbol (So): neither is an emoji.
        var runes = value.EnumerateRunes().ToList();
        if (runes.Contains(Rune.ReplacementChar))
        {
            return false;
        }

        return Emoji.IsOne(runes);
    }

    [GeneratedRegex("^[a-z0-9_+-]{1,32}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
