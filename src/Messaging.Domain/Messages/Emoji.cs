using System.Text;

namespace Messaging.Domain.Messages;

/// <summary>
/// Whether a string is one emoji as Unicode Technical Standard #51 defines them: a keycap, a flag (two
/// regional indicators), or a ZWJ sequence of elements, each an emoji presentation character or a
/// text-default emoji character followed by VS16 (U+FE0F), optionally with a skin-tone modifier or,
/// for the black flag, a tag sequence (subdivision flags).
/// .NET exposes no emoji property (Rune and CharUnicodeInfo give the general category only, and So
/// also holds ©, ™, °, ♠), so the Emoji_Presentation and Emoji ranges below are written out from
/// the Unicode emoji data file (emoji-data.txt, Unicode 15.1); the pictographic blocks of plane 1
/// are taken whole with VS16, so emoji added later in them are accepted.
/// </summary>
internal static class Emoji
{
    private const int Zwj = 0x200D;
    private const int Vs16 = 0xFE0F;
    private const int Keycap = 0x20E3;

    // Emoji_Presentation=Yes: shown as emoji without VS16.
    private static readonly (int From, int To)[] Presentation =
    [
        (0x231A, 0x231B), (0x23E9, 0x23EC), (0x23F0, 0x23F0), (0x23F3, 0x23F3), (0x25FD, 0x25FE), (0x2614, 0x2615),
        (0x2648, 0x2653), (0x267F, 0x267F), (0x2693, 0x2693), (0x26A1, 0x26A1), (0x26AA, 0x26AB), (0x26BD, 0x26BE),
        (0x26C4, 0x26C5), (0x26CE, 0x26CE), (0x26D4, 0x26D4), (0x26EA, 0x26EA), (0x26F2, 0x26F3), (0x26F5, 0x26F5),
        (0x26FA, 0x26FA), (0x26FD, 0x26FD), (0x2705, 0x2705), (0x270A, 0x270B), (0x2728, 0x2728), (0x274C, 0x274C),
        (0x274E, 0x274E), (0x2753, 0x2755), (0x2757, 0x2757), (0x2795, 0x2797), (0x27B0, 0x27B0), (0x27BF, 0x27BF),
        (0x2B1B, 0x2B1C), (0x2B50, 0x2B50), (0x2B55, 0x2B55),
        (0x1F004, 0x1F004), (0x1F0CF, 0x1F0CF), (0x1F18E, 0x1F18E), (0x1F191, 0x1F19A), (0x1F201, 0x1F201),
        (0x1F21A, 0x1F21A), (0x1F22F, 0x1F22F), (0x1F232, 0x1F236), (0x1F238, 0x1F23A), (0x1F250, 0x1F251),
        (0x1F300, 0x1F320), (0x1F32D, 0x1F335), (0x1F337, 0x1F37C), (0x1F37E, 0x1F393), (0x1F3A0, 0x1F3CA),
        (0x1F3CF, 0x1F3D3), (0x1F3E0, 0x1F3F0), (0x1F3F4, 0x1F3F4), (0x1F3F8, 0x1F43E), (0x1F440, 0x1F440),
        (0x1F442, 0x1F4FC), (0x1F4FF, 0x1F53D), (0x1F54B, 0x1F54E), (0x1F550, 0x1F567), (0x1F57A, 0x1F57A),
        (0x1F595, 0x1F596), (0x1F5A4, 0x1F5A4), (0x1F5FB, 0x1F64F), (0x1F680, 0x1F6C5), (0x1F6CC, 0x1F6CC),
        (0x1F6D0, 0x1F6D2), (0x1F6D5, 0x1F6D7), (0x1F6DC, 0x1F6DF), (0x1F6EB, 0x1F6EC), (0x1F6F4, 0x1F6FC),
        (0x1F7E0, 0x1F7EB), (0x1F7F0, 0x1F7F0), (0x1F90C, 0x1F93A), (0x1F93C, 0x1F945), (0x1F947, 0x1F9FF),
        (0x1FA70, 0x1FAFF),
    ];

    // Emoji=Yes with text presentation by default: an emoji only with VS16 (©️, ❤️, ☺️).
    private static readonly (int From, int To)[] TextDefault =
    [
        (0x00A9, 0x00A9), (0x00AE, 0x00AE), (0x203C, 0x203C), (0x2049, 0x2049), (0x2122, 0x2122), (0x2139, 0x2139),
        (0x2194, 0x2199), (0x21A9, 0x21AA), (0x2328, 0x2328), (0x23CF, 0x23CF), (0x23ED, 0x23EF), (0x23F1, 0x23F2),
        (0x23F8, 0x23FA), (0x24C2, 0x24C2), (0x25AA, 0x25AB), (0x25B6, 0x25B6), (0x25C0, 0x25C0), (0x25FB, 0x25FC),
        (0x2600, 0x2604), (0x260E, 0x260E), (0x2611, 0x2611), (0x2618, 0x2618), (0x261D, 0x261D), (0x2620, 0x2620),
        (0x2622, 0x2623), (0x2626, 0x2626), (0x262A, 0x262A), (0x262E, 0x262F), (0x2638, 0x263A), (0x2640, 0x2640),
        (0x2642, 0x2642), (0x265F, 0x2660), (0x2663, 0x2663), (0x2665, 0x2666), (0x2668, 0x2668), (0x267B, 0x267B),
        (0x267E, 0x267E), (0x2692, 0x2692), (0x2694, 0x2697), (0x2699, 0x2699), (0x269B, 0x269C), (0x26A0, 0x26A0),
        (0x26A7, 0x26A7), (0x26B0, 0x26B1), (0x26C8, 0x26C8), (0x26CF, 0x26CF), (0x26D1, 0x26D1), (0x26D3, 0x26D3),
        (0x26E9, 0x26E9), (0x26F0, 0x26F1), (0x26F4, 0x26F4), (0x26F7, 0x26F9), (0x2702, 0x2702), (0x2708, 0x2709),
        (0x270C, 0x270D), (0x270F, 0x270F), (0x2712, 0x2712), (0x2714, 0x2714), (0x2716, 0x2716), (0x271D, 0x271D),
        (0x2721, 0x2721), (0x2733, 0x2734), (0x2744, 0x2744), (0x2747, 0x2747), (0x2763, 0x2764), (0x27A1, 0x27A1),
        (0x2934, 0x2935), (0x2B05, 0x2B07), (0x3030, 0x3030), (0x303D, 0x303D), (0x3297, 0x3297), (0x3299, 0x3299),
        (0x1F000, 0x1FAFF), // the pictographic blocks of plane 1 (🌡️, 🏳️, 🕊️ ...); VS16 asks for emoji presentation
    ];

    public static bool IsOne(IReadOnlyList<Rune> runes) => IsKeycap(runes) || IsFlag(runes) || IsZwjSequence(runes);

    private static bool IsKeycap(IReadOnlyList<Rune> runes) =>
        runes.Count is 2 or 3
        && runes[0].Value is >= '0' and <= '9' or '#' or '*'
        && runes[^1].Value == Keycap
        && (runes.Count == 2 || runes[1].Value == Vs16);

    private static bool IsFlag(IReadOnlyList<Rune> runes) => runes.Count == 2 && runes.All(r => r.Value is >= 0x1F1E6 and <= 0x1F1FF);

    private static bool IsZwjSequence(IReadOnlyList<Rune> runes)
    {
        var i = 0;
        while (true)
        {
            if (!IsElement(runes, ref i))
            {
                return false;
            }

            if (i == runes.Count)
            {
                return true;
            }

            if (runes[i].Value != Zwj)
            {
                return false;
            }

            i++;
        }
    }

    /// <summary>One element of a ZWJ sequence, from <paramref name="i"/>; moves <paramref name="i"/> past it.</summary>
    private static bool IsElement(IReadOnlyList<Rune> runes, ref int i)
    {
        if (i >= runes.Count || IsRegionalIndicatorOrModifier(runes[i].Value))
        {
            return false;
        }

        var baseValue = runes[i++].Value;
        if (i < runes.Count && runes[i].Value is >= 0x1F3FB and <= 0x1F3FF)
        {
            // A skin tone makes a modifier sequence, shown as emoji whatever the base's default (☝🏽).
            i++;
            return In(Presentation, baseValue) || In(TextDefault, baseValue);
        }

        var withVs16 = i < runes.Count && runes[i].Value == Vs16;
        if (withVs16)
        {
            i++;
        }

        if (!(In(Presentation, baseValue) || (withVs16 && In(TextDefault, baseValue))))
        {
            return false;
        }

        if (baseValue == 0x1F3F4 && i < runes.Count && runes[i].Value is >= 0xE0020 and <= 0xE007E)
        {
            // A subdivision flag: tag characters, then the cancel tag.
            while (i < runes.Count && runes[i].Value is >= 0xE0020 and <= 0xE007E)
            {
                i++;
            }

            return i < runes.Count && runes[i++].Value == 0xE007F;
        }

        return true;
    }

    private static bool IsRegionalIndicatorOrModifier(int value) => value is >= 0x1F1E6 and <= 0x1F1FF or >= 0x1F3FB and <= 0x1F3FF;

    private static bool In((int From, int To)[] ranges, int value) => ranges.Any(r => value >= r.From && value <= r.To);
}
