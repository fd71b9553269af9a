using Messaging.Domain.Attachments;
using Messaging.Domain.Common;
using Messaging.Tests.Support.Builders;

namespace Messaging.Tests.Domain;

public sealed class AttachmentTests
{
    [Theory]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("/etc/shadow", "shadow")]
    [InlineData("C:\\Users\\me\\report.pdf", "report.pdf")]
    [InlineData("..\\..\\windows\\win.ini", "win.ini")]
    [InlineData("dir/sub\\mixed/name.txt", "name.txt")]
    [InlineData("photo.png", "photo.png")]
    [InlineData("  spaced name.txt  ", "spaced name.txt")]
    public void Safe_file_name_keeps_only_the_base_name_when_the_name_has_a_path(string input, string expected)
    {
        Assert.Equal(expected, Attachment.SafeFileName(input));
    }

    [Theory]
    [InlineData("CON", "_CON")]
    [InlineData("con.txt", "_con.txt")]
    [InlineData("NUL", "_NUL")]
    [InlineData("nul.tar.gz", "_nul.tar.gz")]
    [InlineData("COM1.log", "_COM1.log")]
    [InlineData("lpt9", "_lpt9")]
    [InlineData("PRN.", "_PRN")]
    [InlineData("AUX ", "_AUX")]
    public void Safe_file_name_gets_a_prefix_when_the_name_is_reserved_on_windows(string input, string expected)
    {
        Assert.Equal(expected, Attachment.SafeFileName(input));
    }

    [Theory]
    [InlineData("CONSOLE.txt")]
    [InlineData("icon.png")]
    [InlineData("COM10.txt")]
    public void Safe_file_name_is_unchanged_when_the_name_only_resembles_a_reserved_name(string input)
    {
        Assert.Equal(input, Attachment.SafeFileName(input));
    }

    [Theory]
    [InlineData("a\u0000b\u0007c.txt", "abc.txt")]
    [InlineData("line\r\nbreak.txt", "linebreak.txt")]
    [InlineData("evil\u202Etxt.exe", "eviltxt.exe")]
    [InlineData("a\u200Bb\u2066c\u2069.txt", "abc.txt")]
    [InlineData("para\u2029graph\u2028.txt", "paragraph.txt")]
    [InlineData("what?<>|*:\".txt", "what.txt")]
    [InlineData("del\u007F.txt", "del.txt")]
    public void Safe_file_name_drops_control_format_and_reserved_characters(string input, string expected)
    {
        Assert.Equal(expected, Attachment.SafeFileName(input));
    }

    // Lone surrogates are passed as code units: xunit cannot serialize them inside strings.
    [Theory]
    [InlineData(0xD800)]
    [InlineData(0xDBFF)]
    [InlineData(0xDC00)]
    [InlineData(0xDFFF)]
    public void Safe_file_name_drops_lone_surrogates(int codeUnit)
    {
        var lone = (char)codeUnit;

        Assert.Equal("ab.txt", Attachment.SafeFileName($"a{lone}b.txt"));
        Assert.Equal("txt", Attachment.SafeFileName($"{lone}.txt"));
        Assert.Equal("file", Attachment.SafeFileName($"{lone}"));
    }

    [Theory]
    [InlineData("😀 party.png")]
    [InlineData("résumé.pdf")]
    [InlineData("日本語のファイル.txt")]
    [InlineData("👨‍👩‍👧.jpg")]
    public void Safe_file_name_keeps_emoji_and_other_scripts(string input)
    {
        // The family emoji is joined by U+200D ZERO WIDTH JOINER, a format character, which is dropped.
        var expected = input.Replace("\u200D", "", StringComparison.Ordinal);

        Assert.Equal(expected, Attachment.SafeFileName(input));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("...")]
    [InlineData("/")]
    [InlineData("dir/")]
    [InlineData("..\\")]
    [InlineData("\u202E\u0000")]
    public void Safe_file_name_is_file_when_nothing_is_left(string? input)
    {
        Assert.Equal("file", Attachment.SafeFileName(input));
    }

    [Fact]
    public void Safe_file_name_is_truncated_to_200_keeping_the_extension_when_very_long()
    {
        var result = Attachment.SafeFileName(new string('a', 500) + ".pdf");

        Assert.Equal(200, result.Length);
        Assert.EndsWith(".pdf", result, StringComparison.Ordinal);
        Assert.Equal(new string('a', 196) + ".pdf", result);
    }

    [Fact]
    public void Safe_file_name_is_truncated_without_the_extension_when_the_extension_is_itself_very_long()
    {
        var result = Attachment.SafeFileName("name." + new string('x', 300));

        Assert.Equal(200, result.Length);
        Assert.StartsWith("name.", result, StringComparison.Ordinal);
    }

    [Fact]
    public void Safe_file_name_of_exactly_200_characters_is_unchanged()
    {
        var name = new string('b', 196) + ".txt";

        Assert.Equal(name, Attachment.SafeFileName(name));
    }

    [Fact]
    public void Safe_file_name_does_not_split_an_emoji_when_truncating()
    {
        // 195 letters then emoji (two UTF-16 units each): the cut at 196 falls inside the first emoji.
        var input = new string('a', 195) + string.Concat(Enumerable.Repeat("😀", 10)) + ".txt";

        var result = Attachment.SafeFileName(input);

        Assert.True(result.Length <= 200);
        Assert.EndsWith(".txt", result, StringComparison.Ordinal);
        Assert.False(FileNames.HasLoneSurrogate(result), $"Lone surrogate in {result.Length}-char result.");
    }

    [Fact]
    public void Attachment_can_be_attached_when_own_unused_and_unbound()
    {
        Attachment attachment = AnAttachment.UploadedBy("alice");

        attachment.CanBeAttachedBy("alice", "c1").Ok();
    }

    [Fact]
    public void Attachment_can_be_attached_when_bound_to_the_same_conversation()
    {
        Attachment attachment = AnAttachment.UploadedBy("alice").For("c1");

        attachment.CanBeAttachedBy("alice", "c1").Ok();
    }

    [Fact]
    public void Attachment_is_invalid_and_reported_as_missing_when_uploaded_by_someone_else()
    {
        Attachment attachment = AnAttachment.UploadedBy("alice");

        var error = attachment.CanBeAttachedBy("bob", "c1").Failed(ErrorKind.Invalid);

        Assert.Contains("does not exist", error.Detail, StringComparison.Ordinal);
        Assert.Contains("attachmentIds", error.FieldErrors!.Keys);
    }

    [Fact]
    public void Attachment_is_invalid_when_already_used_by_a_message()
    {
        Attachment attachment = AnAttachment.UploadedBy("alice");
        attachment.AttachTo("c1", "m1");

        attachment.CanBeAttachedBy("alice", "c1").Failed(ErrorKind.Invalid);
    }

    [Fact]
    public void Attachment_is_invalid_when_bound_to_another_conversation()
    {
        Attachment attachment = AnAttachment.UploadedBy("alice").For("c1");

        attachment.CanBeAttachedBy("alice", "c2").Failed(ErrorKind.Invalid);
    }

    [Fact]
    public void Attach_to_records_conversation_and_message()
    {
        Attachment attachment = AnAttachment.UploadedBy("alice");

        attachment.AttachTo("c1", "m1");

        Assert.Equal("c1", attachment.ConversationId);
        Assert.Equal("m1", attachment.MessageId);
    }

    [Fact]
    public void Storage_key_is_derived_from_the_id()
    {
        Attachment attachment = AnAttachment.UploadedBy("alice");

        Assert.Equal($"attachments/{attachment.Id}", attachment.StorageKey);
        Assert.Equal(attachment.StorageKey, AttachmentStorageKey.For(attachment.Id));
    }
}

public static class FileNames
{
    public static bool HasLoneSurrogate(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return true;
            }
        }

        return false;
    }
}
