using System.Collections.Concurrent;
using Messaging.Functions.Hosting;
using Messaging.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Messaging.Tests.Security;

public sealed class TokenLoggingTests
{
    [Fact]
    public async Task No_log_line_carries_a_token_even_at_debug_level()
    {
        var dataPath = Path.Combine(Path.GetTempPath(), "messaging-tests", Guid.NewGuid().ToString("N"));
        var captured = new ConcurrentQueue<string>();
        await using var app = StandaloneServer.Build(["--urls", "http://127.0.0.1:0"], configuration => configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:DataPath"] = dataPath,
            ["Auth:SigningKey"] = TestServer.SigningKey,
            ["Auth:Issuer"] = TestServer.Issuer,
            ["Auth:Audience"] = TestServer.Audience,
            ["Logging:LogLevel:Default"] = "Debug",
        }));
        app.Services.GetRequiredService<ILoggerFactory>().AddProvider(new CapturingProvider(captured));
        await app.StartAsync();
        var baseAddress = new Uri(app.Urls.First());
        var token = TestTokens.Hs256(TestTokens.Claims("alice"));

        await using (var client = await EventClient.ConnectAsync(baseAddress, () => token))
        {
            using var http = new HttpClient { BaseAddress = baseAddress };
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            await http.GetAsync("/api/messaging/conversations/");
            await http.GetAsync($"/api/messaging/conversations/?access_token={token}");
        }

        await app.StopAsync();
        Assert.NotEmpty(captured);
        var signature = token.Split('.')[2];
        Assert.DoesNotContain(captured, line => line.Contains(signature, StringComparison.Ordinal));
        TemporaryFolder.DeleteQuietly(dataPath);
    }

    private sealed class CapturingProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, lines);

        public void Dispose()
        {
        }
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{category}: {formatter(state, exception)} {exception}");
    }
}
