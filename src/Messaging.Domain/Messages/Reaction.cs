using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Messaging.Domain.Common;

namespace Messaging.Domain.Messages;

/// <summary>
/// What a user reacts with: one emoji or a short name (<c>[a-z0-9_+-]{1,32}</c>, e.g. <c>+1</c> or
/// <c>party_parrot</c>). An emoji is exactly one extended grapheme cluster (so 👍🏽 and a family ZWJ
/// sequence are one reaction) that starts with a pictographic symbol (Unicode category So, which
/// includes the regional indicators of flags) or is a keycap (0-9, # or * with U+20E3), and holds
/// nothing but such symbols, skin-tone modifiers, variation selectors, ZWJ and tag characters.
/// Reactions are compared as given: ❤ and ❤️ (with U+FE0F) are two reactions.
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

        if (IsKeycap(runes))
        {
            return true;
        }

        return Rune.GetUnicodeCategory(runes[0]) == UnicodeCategory.OtherSymbol && runes.All(IsEmojiPart);
    }

    private static bool IsKeycap(List<Rune> runes) =>
        runes.Count is 2 or 3
        && runes[0].Value is >= '0' and <= '9' or '#' or '*'
        && runes[^1].Value == 0x20E3
        && (runes.Count == 2 || runes[1].Value == 0xFE0F);

    private static bool IsEmojiPart(Rune rune) =>
        Rune.GetUnicodeCategory(rune) == UnicodeCategory.OtherSymbol
        || rune.Value is >= 0x1F3FB and <= 0x1F3FF // skin-tone modifiers
        || rune.Value is 0xFE0F or 0xFE0E // variation selectors
        || rune.Value == 0x200D // zero width joiner
        || rune.Value is >= 0xE0020 and <= 0xE007F; // tags (subdivision flags)

    [GeneratedRegex("^[a-z0-9_+-]{1,32}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
