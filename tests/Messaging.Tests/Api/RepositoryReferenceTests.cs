using Messaging.Tests.Support;

namespace Messaging.Tests.Api;

/// <summary>The repository is self-contained: no file points at documents or paths that a clone does not have.</summary>
public sealed class RepositoryReferenceTests
{
    // A root that only serves path arithmetic; nothing is read from it.
    private static readonly string SomeRoot = Path.Combine(Path.GetTempPath(), "some-repository");

    // Built from pieces so that this file does not report itself.
    private static readonly string SharedContractPath = string.Concat("..", "/shared/", "API", ".md");
    private static readonly string MachinePath = string.Concat("/", "work", "/main/README.md");

    [Fact]
    public void No_repository_file_points_outside_the_repository()
    {
        var files = OutsideReferences.TextFiles(Repository.Root);
        var found = files
            .SelectMany(file => OutsideReferences.In(Repository.Root, file, File.ReadAllText(Path.Combine(Repository.Root, file))))
            .Select(reference => reference.ToString())
            .ToList();

        Assert.Contains("docs/api.md", files);
        Assert.Empty(found);
    }

    [Fact]
    public void Path_into_the_shared_folder_is_reported_with_its_file_and_line()
    {
        var found = OutsideReferences.In(SomeRoot, "src/Service.cs", $"namespace X;\n// The contract is {SharedContractPath}.\n").ToList();

        Assert.Equal(("src/Service.cs", 2), (found.First().File, found.First().Line));
    }

    [Fact]
    public void Absolute_path_of_the_writing_machine_is_reported()
    {
        Assert.NotEmpty(OutsideReferences.In(SomeRoot, "infra/main.bicep", $"// see {MachinePath}"));
    }

    [Fact]
    public void Name_of_the_contract_kept_outside_is_reported()
    {
        Assert.NotEmpty(OutsideReferences.In(SomeRoot, "tests/Some.cs", string.Concat("/// <summary>Routes of ", "API", ".md.</summary>")));
    }

    [Theory]
    [InlineData("docs/guide.md", "See [the other project](../../other/README.md).")]
    [InlineData("README.md", "See [the parent](../README.md).")]
    [InlineData("docs/guide.md", "[contract]: ../../contract.md")]
    [InlineData("docs/guide.md", "The file `../../notes.txt` holds it.")]
    [InlineData("docs/guide.md", "[a local file](file:///etc/hosts)")]
    public void Markdown_link_that_climbs_above_the_root_is_reported(string file, string line)
    {
        Assert.NotEmpty(OutsideReferences.In(SomeRoot, file, line));
    }

    [Theory]
    [InlineData("docs/guide.md", "See [the README](../README.md#real-time) and [a record](decisions/0001-x.md).")]
    [InlineData("README.md", "See [the API](docs/api.md), [the site](https://example.com/work/a) and [above](#top).")]
    [InlineData("docs/guide.md", "[root-relative](/docs/api.md)")]
    [InlineData("src/Attachment.cs", "[InlineData(\"../../etc/passwd\")] // hostile input, not a link")]
    public void Links_and_paths_inside_the_repository_are_accepted(string file, string line)
    {
        Assert.Empty(OutsideReferences.In(SomeRoot, file, line));
    }
}
