using Messaging.Tests.Support;

namespace Messaging.Tests.Hosting;

/// <summary>The start-up log ends with the URL to open and whether development sign-in is on.</summary>
[Trait(TestCategories.Name, TestCategories.Slow)]
public sealed class ReadyLineTests : IDisposable
{
    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "messaging-ready", Guid.NewGuid().ToString("N"));

    public ReadyLineTests() => Directory.CreateDirectory(_dataPath);

    public void Dispose() => TemporaryFolder.DeleteQuietly(_dataPath);

    [Theory]
    [InlineData("", "Development sign-in is on: generated development key, loopback only")]
    [InlineData(TestServer.SigningKey, "Development sign-in is off: Auth__SigningKey is configured")]
    public async Task Ready_line_names_the_bound_URL_and_the_sign_in_state(string signingKey, string expected)
    {
        using var server = await ServerProcess.StartAsync(_dataPath, new Dictionary<string, string>
        {
            ["Auth__SigningKey"] = signingKey,
            ["Auth__Issuer"] = "",
            ["Logging__LogLevel__Messaging.Standalone"] = "Information",
        });

        var ready = await WaitForLineAsync(server, "Ready: open ");
        Assert.Contains($"Ready: open {server.BaseAddress} in a browser.", ready);
        Assert.Contains(expected, ready);
        Assert.DoesNotContain(TestServer.SigningKey, string.Join('\n', server.Output));
    }

    private static async Task<string> WaitForLineAsync(ServerProcess server, string marker)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (server.Output.FirstOrDefault(line => line.Contains(marker, StringComparison.Ordinal)) is { } line)
            {
                return line;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"No line with \"{marker}\". Output:{Environment.NewLine}{string.Join(Environment.NewLine, server.Output)}");
    }
}
