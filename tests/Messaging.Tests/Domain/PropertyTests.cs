using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Messaging.Domain.Attachments;
using Messaging.Domain.Common;
using Messaging.Domain.Conversations;
using Messaging.Domain.Messages;
using Messaging.Tests.Support.Builders;

namespace Messaging.Tests.Domain;

/// <summary>Generators biased towards the inputs the rules care about.</summary>
public static class DomainArbitraries
{
    private static readonly char[] Interesting =
    [
        'a', 'Z', '0', '.', '.', ' ', '\t', '\n', '\r', '\0', '\u0007', '\u007f', '\u0085', '/', '/', '\\', '\\', ':', '*', '?', '"', '<', '>', '|',
        '\u00a0', '\u2028', '\u2029', '\u200b', '\u200d', '\u202e', '\u2066', '\ufeff', '\ufffd', '\ud800', '\udc00', '\ud83d', '\ude00', 'é', '日',
    ];

    public static Arbitrary<string> Strings() =>
        Gen.Frequency(
                (3, Gen.Elements(Interesting)),
                (1, ArbMap.Default.GeneratorFor<char>()))
            .ArrayOf()
            .Select(chars => new string(chars))
            .ToArbitrary();

    public static Arbitrary<long[]> Sequences() =>
        Gen.Choose(0, 50).Select(i => (long)i).ArrayOf().ToArbitrary();
}

public sealed class PropertyTests
{
    private const int MaxLength = 12;
    private static readonly MessagingLimits Limits = new() { MaxMessageLength = MaxLength };

    [Property(Arbitrary = [typeof(DomainArbitraries)], MaxTest = 300)]
    public bool Watermark_never_moves_back_whatever_the_sequence_of_mark_read_calls(long[] sequences)
    {
        var group = AGroup.OwnedBy("alice").With("bob").Build();
        long highest = 0;
        foreach (var sequence in sequences)
        {
            var before = group.FindParticipant("bob")!.Watermark;
            var moved = group.MarkRead("bob", new ReadWatermark($"m{sequence}", sequence, Time.At((int)sequence)));
            var after = group.FindParticipant("bob")!;

            if (moved != sequence > highest)
            {
                return false;
            }

            if (!moved && !ReferenceEquals(before, after.Watermark))
            {
                return false;
            }

            highest = Math.Max(highest, sequence);
            if (after.LastReadSequence != highest)
            {
                return false;
            }
        }

        return true;
    }

    [Property(Arbitrary = [typeof(DomainArbitraries)], MaxTest = 500)]
    public bool Safe_file_name_is_never_empty_and_never_has_separators_or_control_characters(string? input)
    {
        var name = Attachment.SafeFileName(input);

        return name.Length > 0
            && !name.Contains('/', StringComparison.Ordinal)
            && !name.Contains('\\', StringComparison.Ordinal)
            && !name.Any(char.IsControl)
            && name != "."
            && name != "..";
    }

    [Property(Arbitrary = [typeof(DomainArbitraries)], MaxTest = 500, EndSize = 30)]
    public bool Compose_accepts_exactly_the_texts_whose_trimmed_length_is_within_the_limit(string? text)
    {
        var result = Message.Compose("c1", "alice", text, [], null, Time.T0, Limits);
        var trimmed = (text ?? "").Trim();
        var expected = trimmed.Length is >= 1 and <= MaxLength && !trimmed.Contains('\0', StringComparison.Ordinal);

        return result.IsSuccess == expected && (!result.IsSuccess || result.Value.Text == trimmed);
    }
}
