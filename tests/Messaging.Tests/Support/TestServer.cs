using System.Net.Http.Headers;
using Messaging.Functions.Auth;
using Messaging.Functions.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Messaging.Tests.Support;

/// <summary>The standalone server on a loopback port with its own data folder and signing key.</summary>
public sealed class TestServer : IAsyncLifetime
{
    public const string SigningKey = "test-signing-key-that-is-at-least-32-bytes-long";
    public const string Issuer = "messaging-tests";
    public const string Audience = "messaging";

    private WebApplication? _app;

    public string DataPath { get; } = Path.Combine(Path.GetTempPath(), "messaging-tests", Guid.NewGuid().ToString("N"));

    public Uri BaseAddress { get; private set; } = null!;

    public Dictionary<string, string?> Settings { get; } = new();

    /// <summary>More telemetry exporters (in-memory), set before the server starts.</summary>
    public Action<OpenTelemetry.IOpenTelemetryBuilder>? Telemetry { get; set; }

    /// <summary>Replaces services after the messaging services are registered, set before the server starts (a store double).</summary>
    public Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? ServiceOverrides { get; set; }

    public IServiceProvider Services => _app!.Services;

    public AuthOptions Auth => new() { SigningKey = SigningKey, Issuer = Issuer, Audience = Audience };

    public Task InitializeAsync() => StartAsync("http://127.0.0.1:0");

    /// <summary>Stops the server and starts a new one on the same port and data folder, as a restart would.</summary>
    public async Task RestartAsync()
    {
        await _app!.DisposeAsync();
        await StartAsync(BaseAddress.ToString().TrimEnd('/'));
    }

    private async Task StartAsync(string url)
    {
        _app = StandaloneServer.Build(["--urls", url], configuration =>
        {
            var settings = new Dictionary<string, string?>
            {
                ["Messaging:DataPath"] = DataPath,
                ["Auth:SigningKey"] = SigningKey,
                ["Auth:Issuer"] = Issuer,
                ["Auth:Audience"] = Audience,
                ["Cors:AllowedOrigins"] = "https://app.example",
                ["Messaging:MaxAttachmentBytes"] = (1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Logging:LogLevel:Default"] = "Warning",
            };
            foreach (var (key, value) in Settings)
            {
                settings[key] = value;
            }

            configuration.AddInMemoryCollection(settings);
        }, Telemetry, ServiceOverrides);
        await _app.StartAsync();
        BaseAddress = new Uri(_app.Urls.First());
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        TemporaryFolder.DeleteQuietly(DataPath);
    }

    public string TokenFor(string userId, string? name = null) =>
        TokenIssuer.Issue(Auth, DataPath, userId, name, TimeSpan.FromHours(1));

    /// <summary>An HTTP client acting as the given user (or anonymous when null).</summary>
    public HttpClient ClientFor(string? userId)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        if (userId is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TokenFor(userId));
        }

        return client;
    }
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<TestServer>
{
    public const string Name = "server";
}
