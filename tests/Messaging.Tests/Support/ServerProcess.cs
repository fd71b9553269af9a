using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Messaging.Tests.Support;

/// <summary>The standalone server as a separate OS process, so a test can kill it for real.</summary>
public sealed class ServerProcess : IDisposable
{
    private const int MaxOutputLines = 2000;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerProcess(Process process)
    {
        _process = process;
    }

    /// <summary>Where the server listens: the port it was given by the OS (it binds port 0 itself, so no other process can take the port first).</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The server's OS process id (the <c>dotnet</c> host running the app), for reading <c>/proc/&lt;pid&gt;</c>.</summary>
    public int ProcessId => _process.Id;

    /// <summary>The last lines the server wrote to stdout and stderr (at most 2,000).</summary>
    public IReadOnlyList<string> Output => [.. _output];

    /// <summary>The server built in the same configuration as the tests.</summary>
    public static string DllPath { get; } = Path.Combine(
        Repository.Root, "src", "Messaging.Functions", "bin",
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name, "net10.0", "Messaging.Functions.dll");

    public static async Task<ServerProcess> StartAsync(string dataPath, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet", [DllPath, "--urls", "http://127.0.0.1:0"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataPath,
        };
        start.Environment["Messaging__DataPath"] = dataPath;
        start.Environment["Auth__SigningKey"] = TestServer.SigningKey;
        start.Environment["Auth__Issuer"] = TestServer.Issuer;
        start.Environment["Auth__Audience"] = TestServer.Audience;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        // Kestrel's "Now listening on: <url>" line tells which port the OS gave the server.
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var server = new ServerProcess(process);
        process.Exited += (_, _) => server._listening.TrySetException(new InvalidOperationException("The server exited before it listened."));
        process.Start();
        process.OutputDataReceived += (_, line) => server.Record(line.Data);
        process.ErrorDataReceived += (_, line) => server.Record(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = TimeSpan.FromSeconds(30);
        var waited = Stopwatch.StartNew();
        try
        {
            server.BaseAddress = await server._listening.Task.WaitAsync(deadline);
        }
        catch (Exception exception) when (exception is TimeoutException or InvalidOperationException)
        {
            server.Dispose();
            throw new InvalidOperationException($"The server did not say where it listens within {deadline.TotalSeconds} s ({exception.Message}). Output:{Environment.NewLine}{string.Join(Environment.NewLine, server.Output)}");
        }

        using var probe = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        while (waited.Elapsed < deadline)
        {
            try
            {
                if ((await probe.GetAsync("/api/health")).StatusCode == HttpStatusCode.OK)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            if (process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with code {process.ExitCode}. Output:{Environment.NewLine}{string.Join(Environment.NewLine, server.Output)}");
            }

            await Task.Delay(100);
        }

        server.Dispose();
        throw new TimeoutException("The server did not become healthy within 30 s.");
    }

    /// <summary>SIGKILL: no shutdown, no flush, nothing in the process gets to run.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }

        _process.Dispose();
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        const string Marker = "Now listening on: ";
        var at = line.IndexOf(Marker, StringComparison.Ordinal);
        if (at >= 0 && Uri.TryCreate(line[(at + Marker.Length)..].Trim(), UriKind.Absolute, out var address))
        {
            _listening.TrySetResult(address);
        }

        while (_output.Count > MaxOutputLines && _output.TryDequeue(out _))
        {
        }
    }
}

public static class Repository
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Messaging.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Messaging.sln not found above the test folder.");
    }
}
