using System.Diagnostics;

namespace Messaging.Tests.Support;

/// <summary>The standalone server run as a separate process until it exits by itself: what a person sees when the start fails.</summary>
public sealed record ServerRun(int ExitCode, string StandardOutput, string StandardError)
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>Stack trace lines ("   at Namespace.Type.Method(…)") in stdout or stderr.</summary>
    public IEnumerable<string> StackTraceLines =>
        $"{StandardOutput}\n{StandardError}".Split('\n').Where(line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal) && line.Contains('(', StringComparison.Ordinal));

    public IReadOnlyList<string> ErrorLines => StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <param name="workingDirectory">The current directory of the server (its default data folder is ./.data there).</param>
    /// <param name="environment">Settings; an empty value removes the variable inherited from the test process.</param>
    /// <param name="args">The command line.</param>
    public static async Task<ServerRun> UntilExitAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [ServerProcess.DllPath, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment)
        {
            if (value.Length == 0)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"The server did not exit within {Deadline.TotalSeconds} s. Output:{Environment.NewLine}{await output}{await error}");
        }

        return new ServerRun(process.ExitCode, await output, await error);
    }
}
