using System.Diagnostics;
using Messaging.Tests.Support;

namespace Messaging.Tests.Hosting;

/// <summary>The README's commands, as a user types them: `dotnet run` is the standalone server, not `func start`.</summary>
[Trait(TestCategories.Name, TestCategories.Slow)]
public sealed class DotnetRunTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "messaging-run", Guid.NewGuid().ToString("N"));

    public DotnetRunTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        TemporaryFolder.DeleteQuietly(_folder);
    }

    [Fact]
    public async Task Token_command_prints_exactly_one_jwt_that_the_server_in_the_same_folder_accepts()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var start = new ProcessStartInfo("dotnet", ["run", "--no-build", "-c", configuration, "--project", Path.Combine(Repository.Root, "src", "Messaging.Functions"), "--", "token", "alice", "--name", "Alice"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _folder,
        };
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, errors);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var token = Assert.Single(lines);
        Assert.Equal(3, token.Split('.').Length);

        // With no configuration the token command and the server agree on the key generated under ./.data.
        Assert.True(File.Exists(Path.Combine(_folder, ".data", "dev-signing-key")));
        using var server = await ServerProcess.StartAsync(Path.Combine(_folder, ".data"), new Dictionary<string, string>
        {
            ["Auth__SigningKey"] = "",
            ["Auth__Issuer"] = "",
            ["Auth__Audience"] = "",
        });
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/api/messaging/conversations/")).StatusCode);
    }
}
