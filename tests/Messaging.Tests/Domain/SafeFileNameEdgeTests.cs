using Messaging.Domain.Attachments;

namespace Messaging.Tests.Domain;

/// <summary>
/// Found by PropertyTests.Safe_file_name_is_never_empty_and_never_has_separators_or_control_characters
/// on some random seeds: trimming spaces, then dots, then spaces once could leave "." from a name
/// made of dots and spaces. Deterministic reproductions.
/// </summary>
public sealed class SafeFileNameEdgeTests
{
    [Theory]
    [InlineData(". . .")]
    [InlineData("\\/. .\u0085  .\uFEFF\uFFFD")]
    public void Dots_and_spaces_never_leave_a_dot_name(string input)
    {
        var name = Attachment.SafeFileName(input);
        Assert.NotEqual(".", name);
        Assert.NotEqual("..", name);
    }
}
