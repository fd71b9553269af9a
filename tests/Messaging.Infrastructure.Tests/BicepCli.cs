using System.Diagnostics;
using System.Reflection;

namespace Messaging.Infrastructure.Tests;

/// <summary>Runs the Bicep CLI restored from NuGet (Azure.Bicep.CommandLine.linux-x64).</summary>
internal static class BicepCli
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        public string AllOutput => StandardOutput + StandardError;
    }

    public static string RepositoryRoot { get; } = Metadata("RepositoryRoot");

    public static string MainTemplate { get; } = Path.Combine(RepositoryRoot, "infra", "main.bicep");

    public static Result Run(params string[] arguments)
    {
        var executable = Executable();
        var startInfo = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // No telemetry, no update checks: the CLI must work offline.
        startInfo.Environment["BICEP_TELEMETRY_ENABLED"] = "false";
        startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"could not start {executable}");
        var standardError = process.StandardError.ReadToEndAsync();
        var standardOutput = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish in 3 minutes");
        }

        return new Result(process.ExitCode, standardOutput, standardError.GetAwaiter().GetResult());
    }

    private static string Executable()
    {
        var path = Metadata("BicepPath");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                "The Bicep CLI was not restored; run `dotnet restore` (package Azure.Bicep.CommandLine.linux-x64).", path);
        }

        // NuGet extraction drops the executable bit.
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            if ((mode & UnixFileMode.UserExecute) == 0)
            {
                File.SetUnixFileMode(path, mode | execute);
            }
        }

        return path;
    }

    private static string Metadata(string key) =>
        typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == key)?.Value is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"assembly metadata {key} is missing (see the test project file)");
}
