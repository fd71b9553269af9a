using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Messaging.Bench;

/// <summary>The standalone server as a separate process on a loopback port, configured through environment variables.</summary>
internal sealed class ServerHost : IAsyncDisposable
{
    public const string SigningKey = "bench-signing-key-that-is-at-least-32-bytes-long!";
    public const string Issuer = "messaging-bench";
    public const string Audience = "messaging";

    private readonly Process _process;

    private ServerHost(Process process, Uri baseAddress, string dataPath)
    {
        _process = process;
        BaseAddress = baseAddress;
        DataPath = dataPath;
    }

    public Uri BaseAddress { get; }

    public string DataPath { get; }

    public string DatabasePath => Path.Combine(DataPath, "messaging.db");

    public int Pid => _process.Id;

    private static readonly List<string> Created = [];

    public static string NewDataPath(string scenario)
    {
        var path = Path.Combine(Path.GetTempPath(), "messaging-bench", $"{scenario}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        lock (Created)
        {
            Created.Add(path);
        }

        return path;
    }

    /// <summary>Deletes the data folders this run created (a 10,000,000-message S4 file is several GB).</summary>
    public static void DeleteDataPaths()
    {
        lock (Created)
        {
            foreach (var path in Created)
            {
                try
                {
                    Directory.Delete(path, recursive: true);
                }
                catch (IOException)
                {
                }
            }

            Created.Clear();
        }
    }

    public static string ServerDll(string repoRoot) =>
        Path.Combine(repoRoot, "src", "Messaging.Functions", "bin", "Release", "net10.0", "Messaging.Functions.dll");

    /// <summary>Builds the server in Release when its dll is missing.</summary>
    public static async Task EnsureBuiltAsync(string repoRoot)
    {
        if (File.Exists(ServerDll(repoRoot)))
        {
            return;
        }

        Fmt.Log("Building src/Messaging.Functions (Release) ...");
        using var build = Process.Start(new ProcessStartInfo("dotnet", ["build", "-c", "Release", Path.Combine(repoRoot, "src", "Messaging.Functions")])
        {
            UseShellExecute = false,
            WorkingDirectory = repoRoot,
        })!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await build.WaitForExitAsync(timeout.Token);
        if (build.ExitCode != 0 || !File.Exists(ServerDll(repoRoot)))
        {
            throw new InvalidOperationException("Building the server failed.");
        }
    }

    public static async Task<ServerHost> StartAsync(string repoRoot, string dataPath)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", [ServerDll(repoRoot), "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataPath,
        };
        start.Environment["Messaging__DataPath"] = dataPath;
        start.Environment["Auth__SigningKey"] = SigningKey;
        start.Environment["Auth__Issuer"] = Issuer;
        start.Environment["Auth__Audience"] = Audience;
        start.Environment["Logging__LogLevel__Default"] = "Warning";

        // The benchmark measures capacity, not the per-user abuse limits: lift them.
        start.Environment["Messaging__SendsPerSecond"] = "0";
        start.Environment["Messaging__UploadsPerMinute"] = "0";
        start.Environment["Messaging__ReactionsPerSecond"] = "0";
        start.Environment["Messaging__MaxConnectionsPerUser"] = "1000000";
        start.Environment["Messaging__MaxParticipants"] = "100000";
        // Diagnostics: BENCH_SERVER_X=value reaches the server as X=value (e.g. BENCH_SERVER_DOTNET_PerfMapEnabled=1 for perf).
        foreach (var (key, value) in Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>().Select(e => ((string)e.Key, e.Value as string)))
        {
            if (key.StartsWith("BENCH_SERVER_", StringComparison.Ordinal))
            {
                start.Environment[key["BENCH_SERVER_".Length..]] = value;
            }
        }

        var process = Process.Start(start)!;
        var errors = new StringBuilder();
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (errors)
            {
                if (e.Data is not null && errors.Length < 20_000)
                {
                    errors.AppendLine(e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var host = new ServerHost(process, new Uri($"http://127.0.0.1:{port}"), dataPath);
        using var probe = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if ((await probe.GetAsync("/api/health")).StatusCode == HttpStatusCode.OK)
                {
                    Fmt.Log($"server pid {process.Id} on {host.BaseAddress}, data {dataPath}");
                    return host;
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
                throw new InvalidOperationException($"The server exited with code {process.ExitCode}: {errors}");
            }

            await Task.Delay(100);
        }

        await host.DisposeAsync();
        throw new TimeoutException("The server did not become healthy within 60 s.");
    }

    /// <summary>Starts the server once so that it creates its schema, then stops it, so the bench can seed the file directly.</summary>
    public static async Task MigrateAsync(string repoRoot, string dataPath)
    {
        await using var server = await StartAsync(repoRoot, dataPath);
        await server.StopAsync();
    }

    /// <summary>SIGTERM, a graceful stop; SIGKILL after 10 s.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false }))
        {
            await kill!.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>HS256 tokens with the bench server's key, issuer and audience, minted in-process.</summary>
internal static class Tokens
{
    private static readonly JsonWebTokenHandler Handler = new();
    private static readonly SigningCredentials Credentials = new(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(ServerHost.SigningKey)), SecurityAlgorithms.HmacSha256);

    public static string For(string userId)
    {
        var now = DateTime.UtcNow;
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([new Claim("sub", userId)]),
            Issuer = ServerHost.Issuer,
            Audience = ServerHost.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddHours(3),
            SigningCredentials = Credentials,
        });
    }
}

/// <summary>HTTP plumbing for the API: one pooled handler, a bearer token per request.</summary>
internal sealed class Api : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _client;

    public Api(Uri baseAddress, int maxConnections = 512)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseProxy = false,
            AllowAutoRedirect = false,
        };
        _client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, object? body = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, Json));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }

        return await _client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
    }

    public async Task<JsonElement> GetJsonAsync(string path, string token, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, path, token, null, cancellationToken);
        response.EnsureSuccessStatusCode();
        return JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync(cancellationToken), Json);
    }

    public void Dispose() => _client.Dispose();
}

/// <summary>The slice of a message.created payload the bench needs; the rest is skipped by the deserializer.</summary>
internal sealed record MessageEvent(string Id, string ConversationId, string SenderId, long Sequence, string? ClientMessageId);

/// <summary>Stock SignalR .NET clients, connected as docs/api.md shows (negotiate base, bearer token).</summary>
internal static class Realtime
{
    public static HubConnection Build(Uri baseAddress, string token, Action<MessageEvent> onMessage)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(baseAddress, "/api/messaging"), options => options.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Critical))
            .Build();
        connection.ServerTimeout = TimeSpan.FromMinutes(2);
        connection.On<MessageEvent>("message.created", onMessage);
        return connection;
    }

    /// <summary>Connects many clients in parallel batches; returns the started connections (failures are counted, not thrown).</summary>
    public static async Task<(List<HubConnection> Connections, int Failed)> ConnectManyAsync(
        Uri baseAddress, IReadOnlyList<string> userIds, Func<int, Action<MessageEvent>> handlerFor, int parallel, TimeSpan budget)
    {
        var connections = new HubConnection?[userIds.Count];
        var failed = 0;
        using var timeout = new CancellationTokenSource(budget);
        var next = -1;
        var workers = Enumerable.Range(0, parallel).Select(async _ =>
        {
            while (true)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= userIds.Count || timeout.IsCancellationRequested)
                {
                    return;
                }

                var connection = Build(baseAddress, Tokens.For(userIds[i]), handlerFor(i));
                try
                {
                    await connection.StartAsync(timeout.Token);
                    connections[i] = connection;
                }
                catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException or IOException or InvalidOperationException or System.Net.WebSockets.WebSocketException)
                {
                    Interlocked.Increment(ref failed);
                    await connection.DisposeAsync();
                }
            }
        });
        await Task.WhenAll(workers);
        return ([.. connections.Where(c => c is not null).Select(c => c!)], connections.Count(c => c is null));
    }

    public static async Task DisposeAllAsync(IEnumerable<HubConnection> connections)
    {
        var all = connections.ToList();
        for (var i = 0; i < all.Count; i += 200)
        {
            await Task.WhenAll(all.Skip(i).Take(200).Select(c => c.DisposeAsync().AsTask()));
        }
    }
}
