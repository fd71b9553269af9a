using System.Net;
using System.Net.Sockets;
using Messaging.Functions.Hosting;
using Messaging.Tests.Support;

namespace Messaging.Tests.Hosting;

/// <summary>
/// Startup mistakes end the real process with one clear line on stderr and a non-zero exit code,
/// no stack trace, and never the value of a secret setting.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Slow)]
public sealed class StartupMistakeTests : IDisposable
{
    private const string Secret = "s3cret-value-that-must-not-be-printed";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "messaging-startup", Guid.NewGuid().ToString("N"));

    public StartupMistakeTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => TemporaryFolder.DeleteQuietly(_folder);

    [Fact]
    public async Task Port_in_use_is_one_line_naming_the_address()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;

        var run = await RunAsync(new Dictionary<string, string>(), "--urls", $"http://127.0.0.1:{port}");

        var line = AssertOneLineFailure(run);
        Assert.Contains($"127.0.0.1:{port}", line);
        Assert.Contains("address already in use", line);
        Assert.Contains("--urls", line);
    }

    [Fact]
    public async Task Signing_key_under_32_bytes_is_one_line_without_the_key()
    {
        var run = await RunAsync(new Dictionary<string, string> { ["Auth__SigningKey"] = "short-s3cret" });

        var line = AssertOneLineFailure(run);
        Assert.Contains("Auth__SigningKey must be at least 32 bytes", line);
        Assert.DoesNotContain("short-s3cret", run.StandardOutput + run.StandardError);
    }

    [Theory]
    [InlineData(StartupChecks.CosmosConnectionSetting, $"AccountEndpoint={Secret};AccountKey=c2VjcmV0")]
    [InlineData(StartupChecks.CosmosConnectionSetting, $"AccountEndpoint=https://x.documents.azure.com:443/;AccountKey=not base64 {Secret}")]
    [InlineData(StartupChecks.CosmosConnectionSetting, $"{Secret} without any equals sign")]
    [InlineData(MessagingServices.SignalRConnectionSetting, $"Endpoint=https://x.service.signalr.net;{Secret};Version=1.0;")]
    [InlineData(MessagingServices.SignalRConnectionSetting, $"Endpoint={Secret};AccessKey=abc;Version=1.0;")]
    [InlineData(StartupChecks.AttachmentsConnectionSetting, $"not a connection string {Secret}")]
    public async Task Malformed_connection_string_is_one_line_naming_the_setting_not_its_value(string setting, string value)
    {
        var run = await RunAsync(new Dictionary<string, string> { [setting] = value });

        var line = AssertOneLineFailure(run);
        Assert.Contains(setting, line);
        Assert.DoesNotContain(Secret, run.StandardOutput + run.StandardError);
    }

    [Theory]
    [InlineData("a-file", "is a file, not a folder")]
    [InlineData("a-file/data", "cannot be used")]
    public async Task Data_folder_that_cannot_be_a_folder_is_one_line_naming_it(string dataPath, string reason)
    {
        File.WriteAllText(Path.Combine(_folder, "a-file"), "not a folder");
        var fullPath = Path.Combine(_folder, dataPath);

        var run = await RunAsync(new Dictionary<string, string> { ["Messaging__DataPath"] = fullPath });

        var line = AssertOneLineFailure(run);
        Assert.Contains(fullPath, line);
        Assert.Contains("Messaging__DataPath", line);
        Assert.Contains(reason, line);
    }

    [SkippableFact]
    public async Task Data_folder_this_user_cannot_read_is_one_line_naming_it()
    {
        Skip.If(OperatingSystem.IsWindows() || Environment.UserName == "root", "root reads every folder; the cases above cover the same check");
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var locked = Path.Combine(_folder, "locked");
        Directory.CreateDirectory(locked);
        File.SetUnixFileMode(locked, UnixFileMode.None);
        try
        {
            var run = await RunAsync(new Dictionary<string, string> { ["Messaging__DataPath"] = locked });

            var line = AssertOneLineFailure(run);
            Assert.Contains(locked, line);
            Assert.Contains("Messaging__DataPath", line);
        }
        finally
        {
            File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private Task<ServerRun> RunAsync(Dictionary<string, string> environment, params string[] args)
    {
        // A fresh start: nothing configured but what the case sets.
        foreach (var inherited in new[] { "Auth__SigningKey", "Auth__Authority", "CosmosDb__ConnectionString", "CosmosDb__Endpoint", "AzureSignalRConnectionString", "Attachments__ConnectionString", "Attachments__BlobServiceUri" })
        {
            environment.TryAdd(inherited, "");
        }

        environment.TryAdd("Messaging__DataPath", Path.Combine(_folder, ".data"));
        return ServerRun.UntilExitAsync(_folder, environment, args.Length > 0 ? args : ["--urls", "http://127.0.0.1:0"]);
    }

    private static string AssertOneLineFailure(ServerRun run)
    {
        Assert.True(run.ExitCode != 0, $"The server exited with 0. Output: {run.StandardOutput}{run.StandardError}");
        Assert.Empty(run.StackTraceLines);
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("messaging: ", line);
        return line;
    }
}
