using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Messaging.Tests.Support;

/// <summary>The standalone server as a separate OS process, so a test can kill it for real.</summary>
public sealed class ServerProcess : IDisposable
{
    private const int MaxOutputLines = 2000;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ServerProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>The server's OS process id (the <c>dotnet</c> host running the app), for reading <c>/proc/&lt;pid&gt;</c>.</summary>
    public int ProcessId => _process.Id;

    /// <summary>The last lines the server wrote to stdout and stderr (at most 2,000).</summary>
    public IReadOnlyList<string> Output => [.. _output];

    public static async Task<ServerProcess> StartAsync(string dataPath, IReadOnlyDictionary<string, string>? environment = null)
    {
        var port = FreePort();
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var dll = Path.Combine(Repository.Root, "src", "Messaging.Functions", "bin", configuration, "net10.0", "Messaging.Functions.dll");
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
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
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, line) => server.Record(line.Data);
        process.ErrorDataReceived += (_, line) => server.Record(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var probe = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
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
                throw new InvalidOperationException($"The server exited with code {process.ExitCode}.");
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
        while (_output.Count > MaxOutputLines && _output.TryDequeue(out _))
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
