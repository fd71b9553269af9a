using System.Diagnostics;
using Azure.Storage.Blobs;
using Messaging.Tests.Support;

namespace Messaging.Tests.Blobs;

/// <summary>
/// Azurite's Blob service from the repository's npm dependencies (package.json), on a loopback
/// port the OS gives it (it binds port 0 and says which port it got, so no other process can take
/// the port first), with a temporary folder; stopped on dispose. Missing Azurite fails the tests.
/// </summary>
public sealed partial class AzuriteFixture : IAsyncLifetime
{
    /// <summary>Azurite's well-known development account key (public, documented by Microsoft).</summary>
    public const string AccountName = "devstoreaccount1";
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly string _location = Path.Combine(Path.GetTempPath(), "messaging-azurite", Guid.NewGuid().ToString("N"));
    private readonly List<string> _output = [];
    private Process? _process;
    private TaskCompletionSource<int> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Port { get; private set; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint=http://127.0.0.1:{Port}/{AccountName};";

    public BlobServiceClient Service => new(ConnectionString);

    public async Task InitializeAsync()
    {
        var root = RepositoryRoot();
        var azurite = Path.Combine(root, "node_modules", ".bin", OperatingSystem.IsWindows() ? "azurite-blob.cmd" : "azurite-blob");
        if (!File.Exists(azurite))
        {
            throw new InvalidOperationException($"Azurite is not installed ({azurite} is missing): run npm ci at the repository root ({root}).");
        }

        Directory.CreateDirectory(_location);

        for (var attempt = 1; ; attempt++)
        {
            if (await TryStartAsync(azurite, root))
            {
                return;
            }

            if (attempt == 2)
            {
                string output;
                lock (_output)
                {
                    output = string.Join(Environment.NewLine, _output);
                }

                throw new InvalidOperationException($"Azurite did not start within {StartTimeout.TotalSeconds} s. Output:{Environment.NewLine}{output}");
            }
        }
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        TemporaryFolder.DeleteQuietly(_location);
    }

    /// <summary>A new empty container with a unique name.</summary>
    public async Task<BlobContainerClient> NewContainerAsync()
    {
        var container = Service.GetBlobContainerClient($"test-{Guid.NewGuid():N}");
        await container.CreateAsync();
        return container;
    }

    private async Task<bool> TryStartAsync(string azurite, string root)
    {
        var start = new ProcessStartInfo(azurite)
        {
            WorkingDirectory = root,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
        {
            "--blobHost", "127.0.0.1", "--blobPort", "0",
            "--location", _location, "--silent", "--skipApiVersionCheck", "--loose",
        })
        {
            start.ArgumentList.Add(argument);
        }

        _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.Exited += (_, _) => _listening.TrySetResult(0);
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {azurite}.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        try
        {
            Port = await _listening.Task.WaitAsync(StartTimeout);
        }
        catch (TimeoutException)
        {
            Port = 0;
        }

        if (Port > 0)
        {
            return true;
        }

        await StopAsync();
        return false;
    }

    private async Task StopAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception exception) when (exception is InvalidOperationException or TimeoutException)
        {
        }
        finally
        {
            process.Dispose();
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }

        // "Azurite Blob service successfully listens on http://127.0.0.1:35059"
        var match = ListeningLine().Match(line);
        if (match.Success)
        {
            _listening.TrySetResult(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"listens on https?://[^\s:]+:(\d+)")]
    private static partial System.Text.RegularExpressions.Regex ListeningLine();

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Messaging.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No Messaging.sln above {AppContext.BaseDirectory}.");
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "azurite";
}
