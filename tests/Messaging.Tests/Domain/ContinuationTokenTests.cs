using Messaging.Domain.Common;

namespace Messaging.Tests.Domain;

public sealed class ContinuationTokenTests
{
    [Theory]
    [InlineData("1740830400123|0195a1b2c3d4")]
    [InlineData("42")]
    [InlineData("a")]
    [InlineData("ab")]
    [InlineData("abc")]
    [InlineData("ünïcødé|😀")]
    [InlineData("???>>>~~~")]
    public void Position_round_trips_through_encode_and_decode(string position)
    {
        var token = ContinuationToken.Encode(position);

        Assert.True(ContinuationToken.TryDecode(token, out var decoded));
        Assert.Equal(position, decoded);
    }

    [Fact]
    public void Encoded_token_is_url_safe()
    {
        var token = ContinuationToken.Encode("???>>>~~~\u00ff\u00fe");

        Assert.DoesNotContain('+', token);
        Assert.DoesNotContain('/', token);
        Assert.DoesNotContain('=', token);
        Assert.Equal(Uri.EscapeDataString(token), token);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("!!!!")]
    [InlineData("not a token")]
    [InlineData("a")]
    [InlineData("%%%")]
    [InlineData("/w")]
    public void Garbage_is_rejected_when_decoding(string? token)
    {
        Assert.False(ContinuationToken.TryDecode(token, out _));
    }

    [Fact]
    public void Token_is_rejected_when_it_is_not_utf8()
    {
        var token = Convert.ToBase64String([0xff, 0xfe, 0xc3]).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        Assert.False(ContinuationToken.TryDecode(token, out _));
    }

    [Fact]
    public void Token_is_rejected_when_longer_than_512_characters()
    {
        var token = ContinuationToken.Encode(new string('x', 600));

        Assert.False(ContinuationToken.TryDecode(token, out _));
    }
}
