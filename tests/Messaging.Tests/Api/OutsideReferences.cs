using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Messaging.Tests.Api;

/// <summary>A place in a repository file that points outside the repository.</summary>
public sealed record OutsideReference(string File, int Line, string Reference, string Reason)
{
    public override string ToString() => $"{File}:{Line}: {Reference} ({Reason})";
}

/// <summary>
/// Finds references a user who clones the repository cannot follow: the shared folder beside the
/// repository, absolute paths of the machine it was written on, the name of the contract that lived
/// outside it, and relative Markdown links or paths that climb above the repository root.
/// </summary>
public static partial class OutsideReferences
{
    // Built from pieces so that this file does not report itself.
    private const string SharedFolderPattern = @"\.\.[/\\]" + "shared" + @"\b";
    private const string MachineFolderPattern = @"(?<![\w.-])/" + "work" + "/";
    private const string OutsideContractPattern = @"\b" + "API" + @"\.md\b";

    private static readonly string[] SkippedFolders = ["bin", "obj", "node_modules", "dist", ".git", ".data", "artifacts", "TestResults"];

    [GeneratedRegex(SharedFolderPattern)]
    private static partial Regex SharedFolder();

    [GeneratedRegex(MachineFolderPattern)]
    private static partial Regex MachineFolder();

    [GeneratedRegex(OutsideContractPattern)]
    private static partial Regex OutsideContract();

    /// <summary>Inline links and images: <c>[text](target)</c>.</summary>
    [GeneratedRegex(@"\]\(\s*<?(?<target>[^)\s>]+)")]
    private static partial Regex MarkdownLink();

    /// <summary>Reference definitions: <c>[label]: target</c>.</summary>
    [GeneratedRegex(@"^\s{0,3}\[[^\]]+\]:\s*<?(?<target>[^\s>]+)")]
    private static partial Regex MarkdownReference();

    /// <summary>Relative paths in code spans: <c>`../somewhere`</c>.</summary>
    [GeneratedRegex(@"`(?<target>\.\.[/\\][^`\s]*)`")]
    private static partial Regex RelativePathInCode();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.-]*:")]
    private static partial Regex UriScheme();

    /// <summary>Every outside reference of one file's text; <paramref name="relativePath"/> uses '/' and is relative to <paramref name="repositoryRoot"/>.</summary>
    public static IEnumerable<OutsideReference> In(string repositoryRoot, string relativePath, string text)
    {
        var isMarkdown = relativePath.EndsWith(".md", StringComparison.OrdinalIgnoreCase);
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        for (var index = 0; index < lines.Length; index++)
        {
            var line = lines[index];
            var number = index + 1;
            foreach (Match match in SharedFolder().Matches(line))
            {
                yield return new OutsideReference(relativePath, number, match.Value, "the shared folder beside the repository");
            }

            foreach (Match match in MachineFolder().Matches(line))
            {
                yield return new OutsideReference(relativePath, number, match.Value, "an absolute path of the machine the repository was written on");
            }

            foreach (Match match in OutsideContract().Matches(line))
            {
                yield return new OutsideReference(relativePath, number, match.Value, "the contract kept outside the repository; the repository's own is docs/api.md");
            }

            if (!isMarkdown)
            {
                continue;
            }

            var targets = MarkdownLink().Matches(line)
                .Concat(MarkdownReference().Matches(line))
                .Concat(RelativePathInCode().Matches(line))
                .Select(match => match.Groups["target"].Value);
            foreach (var target in targets.Where(target => LeavesRepository(repositoryRoot, relativePath, target)))
            {
                yield return new OutsideReference(relativePath, number, target, "a link that resolves outside the repository root");
            }
        }
    }

    /// <summary>
    /// Whether a link target of the file resolves outside the root: relative targets from the file's
    /// folder, targets starting with '/' from the root (as on GitHub); web addresses and anchors stay
    /// inside, <c>file:</c> addresses never do.
    /// </summary>
    public static bool LeavesRepository(string repositoryRoot, string relativePath, string target)
    {
        if (target.StartsWith('#'))
        {
            return false;
        }

        if (UriScheme().IsMatch(target))
        {
            return target.StartsWith("file:", StringComparison.OrdinalIgnoreCase);
        }

        var path = Uri.UnescapeDataString(target.Split('#', '?')[0]).Replace('\\', '/');
        var root = Path.GetFullPath(repositoryRoot).TrimEnd(Path.DirectorySeparatorChar);
        var folder = path.StartsWith('/') ? root : Path.GetDirectoryName(Path.Combine(root, relativePath))!;
        var resolved = Path.GetFullPath(Path.Combine(folder, path.TrimStart('/')));
        return resolved != root && !resolved.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    /// <summary>
    /// The repository's text files relative to its root, with '/' separators: git's tracked files and
    /// its untracked files that are not ignored or, without git, every file outside build output,
    /// packages and data folders. Binary files (a NUL byte near the start) are left out.
    /// </summary>
    public static IReadOnlyList<string> TextFiles(string repositoryRoot) =>
        [.. (FromGit(repositoryRoot) ?? FromWalk(repositoryRoot)).Where(path => IsText(Path.Combine(repositoryRoot, path)))];

    private static List<string>? FromGit(string repositoryRoot)
    {
        try
        {
            var start = new ProcessStartInfo("git", ["-C", repositoryRoot, "ls-files", "-z", "--cached", "--others", "--exclude-standard"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var git = Process.Start(start);
            if (git is null)
            {
                return null;
            }

            var output = git.StandardOutput.ReadToEnd();
            git.WaitForExit();
            return git.ExitCode != 0
                ? null
                : [.. output.Split('\0', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal)
                    .Where(path => File.Exists(Path.Combine(repositoryRoot, path)))];
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static List<string> FromWalk(string repositoryRoot)
    {
        var files = new List<string>();
        var folders = new Stack<string>([repositoryRoot]);
        while (folders.TryPop(out var folder))
        {
            files.AddRange(Directory.EnumerateFiles(folder).Select(file => Path.GetRelativePath(repositoryRoot, file).Replace('\\', '/')));
            foreach (var child in Directory.EnumerateDirectories(folder).Where(child => !SkippedFolders.Contains(Path.GetFileName(child), StringComparer.Ordinal)))
            {
                folders.Push(child);
            }
        }

        return files;
    }

    private static bool IsText(string path)
    {
        using var stream = File.OpenRead(path);
        var start = new byte[8000];
        var read = stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        return Array.IndexOf(start, (byte)0, 0, read) < 0;
    }
}
