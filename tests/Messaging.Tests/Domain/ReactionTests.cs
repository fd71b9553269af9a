using Messaging.Domain.Common;
using Messaging.Domain.Messages;

namespace Messaging.Tests.Domain;

public sealed class ReactionTests
{
    [Theory]
    [InlineData("👍")]
    [InlineData("👍🏽")] // skin-tone modifier: one grapheme cluster
    [InlineData("👨‍👩‍👧‍👦")] // family ZWJ sequence of four people
    [InlineData("🏳️‍🌈")] // flag, variation selector, ZWJ
    [InlineData("🇫🇷")] // regional indicator pair
    [InlineData("🏴󠁧󠁢󠁳󠁣󠁴󠁿")] // subdivision flag with tag characters
    [InlineData("❤️")] // a text-default symbol made emoji by VS16
    [InlineData("©️")]
    [InlineData("👩‍👩‍👧")]
    [InlineData("1️⃣")] // keycap
    [InlineData("#⃣")] // keycap without VS16
    [InlineData("☝🏽")] // a text-default base with a skin tone
    [InlineData("🏴‍☠️")]
    [InlineData("🎉")]
    public void One_emoji_is_a_reaction_whatever_its_code_points(string emoji)
    {
        var parsed = Reaction.Parse(emoji);

        Assert.True(parsed.IsSuccess, parsed.Error?.Detail);
        Assert.Equal(emoji, parsed.Value.Value);
    }

    [Theory]
    [InlineData("+1")]
    [InlineData("thumbsup")]
    [InlineData("party_parrot")]
    [InlineData("-1")]
    [InlineData("a")]
    [InlineData("abcdefghijklmnopqrstuvwxyz012345")] // 32
    public void A_short_lower_case_name_is_a_reaction(string name) => Assert.True(Reaction.Parse(name).IsSuccess);

    [Theory]
    [InlineData("👍👍")] // two emoji
    [InlineData("👍🎉")]
    [InlineData("abc def")]
    [InlineData("ThumbsUp")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456")] // 33
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("é")] // a letter, not a symbol
    [InlineData("\u0000")]
    [InlineData("\ud83d")] // a lone surrogate
    [InlineData("\ufffd")]
    [InlineData("👍\u200b")] // zero width space after it
    [InlineData("<script>")]
    [InlineData("©")] // symbols with text presentation by default, alone
    [InlineData("™")]
    [InlineData("°")] // a symbol that is no emoji at all
    [InlineData("°\ufe0f")]
    [InlineData("♠")]
    [InlineData("❤")]
    [InlineData("☺")]
    [InlineData("→")]
    [InlineData("👍\ufe0e")] // text presentation asked for
    [InlineData("🇫")] // half a flag
    [InlineData("🏽")] // a skin tone alone
    [InlineData("a/b")]
    [InlineData("%F0%9F%91%8D")] // still percent-encoded
    [InlineData("smile\n")] // a name with a line break after it
    public void Anything_else_is_400_naming_the_reaction(string value)
    {
        var parsed = Reaction.Parse(value);

        Assert.False(parsed.IsSuccess);
        Assert.Equal(ErrorKind.Invalid, parsed.Error.Kind);
        Assert.Contains("reaction", parsed.Error.FieldErrors!.Keys);
    }

    [Fact]
    public void Null_is_not_a_reaction() => Assert.False(Reaction.Parse(null).IsSuccess);

    [Fact]
    public void Reactions_are_ordered_most_given_first_then_first_given_first()
    {
        var t0 = DateTimeOffset.UnixEpoch;
        var ordered = MessageReactions.Order(
        [
            new ReactionCount("late", 2, t0.AddSeconds(30)),
            new ReactionCount("👍", 1, t0.AddSeconds(1)),
            new ReactionCount("early", 2, t0.AddSeconds(10)),
            new ReactionCount("top", 5, t0.AddSeconds(40)),
            new ReactionCount("gone", 0, t0),
        ]);

        Assert.Equal(["top", "early", "late", "👍"], ordered.Select(r => r.Reaction));
    }
}
