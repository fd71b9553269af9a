using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Messaging.Bench;

/// <summary>
/// The floor server: bare Kestrel with raw WebSockets, no SignalR, no store. Runs as its own process
/// (<c>dotnet Messaging.Bench.dll floor-server --port N</c>) so that its memory and CPU are its own.
/// <c>/echo</c> echoes every message; <c>/sink</c> keeps a socket open and idle; <c>POST /broadcast?size=N</c>
/// writes one pre-serialized frame of N bytes to every sink socket.
/// </summary>
internal static class FloorServer
{
    public static async Task<int> RunAsync(string[] args)
    {
        var port = int.Parse(args.SkipWhile(a => a != "--port").Skip(1).First(), CultureInfo.InvariantCulture);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        app.UseWebSockets();
        var sinks = new ConcurrentDictionary<long, WebSocket>();
        var nextId = 0L;
        app.Map("/echo", async context =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[64 * 1024];
            while (socket.State == WebSocketState.Open)
            {
                var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    break;
                }

                await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, context.RequestAborted);
            }
        });
        app.Map("/sink", async context =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var id = Interlocked.Increment(ref nextId);
            sinks[id] = socket;
            var buffer = new byte[256];
            try
            {
                while (socket.State == WebSocketState.Open)
                {
                    var received = await socket.ReceiveAsync(buffer.AsMemory(), context.RequestAborted);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }
                }
            }
            catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or IOException)
            {
            }
            finally
            {
                sinks.TryRemove(id, out _);
            }
        });
        app.MapPost("/broadcast", async (HttpContext context) =>
        {
            var size = int.Parse(context.Request.Query["size"].ToString(), CultureInfo.InvariantCulture);
            var count = context.Request.Query.ContainsKey("count") ? int.Parse(context.Request.Query["count"].ToString(), CultureInfo.InvariantCulture) : 1;
            var frame = new byte[size];
            Array.Fill(frame, (byte)'x');
            var targets = sinks.Values.ToArray();
            for (var i = 0; i < count; i++)
            {
                await Task.WhenAll(targets.Select(s => s.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None)));
            }

            return targets.Length;
        });
        app.MapGet("/health", () => "ok");
        await app.StartAsync();
        Console.WriteLine("ready");
        using var stdin = Console.OpenStandardInput();
        await stdin.CopyToAsync(Stream.Null); // Ends when the parent closes stdin or exits.
        await app.StopAsync();
        return 0;
    }
}

/// <summary>The floor server as a child process, driven from the bench.</summary>
internal sealed class FloorProcess : IAsyncDisposable
{
    private readonly Process _process;

    private FloorProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public int Pid => _process.Id;

    public Uri Http => new($"http://127.0.0.1:{Port}");

    public Uri Ws(string path) => new($"ws://127.0.0.1:{Port}{path}");

    public static async Task<FloorProcess> StartAsync()
    {
        var port = ServerHost.FreePort();
        var dll = typeof(FloorServer).Assembly.Location;
        var process = Process.Start(new ProcessStartInfo("dotnet", [dll, "floor-server", "--port", port.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        if (line != "ready")
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("The floor server did not start.");
        }

        return new FloorProcess(process, port);
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    /// <summary>Round trip of one message of <paramref name="size"/> bytes over a raw WebSocket.</summary>
    public async Task<Samples> EchoAsync(int count, int size)
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(Ws("/echo"), CancellationToken.None);
        var payload = new byte[size];
        Array.Fill(payload, (byte)'x');
        var buffer = new byte[size + 16];
        var samples = new Samples();
        for (var i = 0; i < count + 50; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await socket.SendAsync(payload, WebSocketMessageType.Text, true, CancellationToken.None);
            var total = 0;
            while (total < size)
            {
                var received = await socket.ReceiveAsync(buffer.AsMemory(total), CancellationToken.None);
                total += received.Count;
            }

            if (i >= 50)
            {
                samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }

        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        return samples;
    }

    /// <summary>Opens <paramref name="count"/> idle sink sockets in parallel batches.</summary>
    public async Task<List<ClientWebSocket>> OpenSinksAsync(int count, int parallel = 64)
    {
        var sockets = new ConcurrentBag<ClientWebSocket>();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < count)
            {
                var socket = new ClientWebSocket();
                try
                {
                    await socket.ConnectAsync(Ws("/sink"), CancellationToken.None);
                    sockets.Add(socket);
                }
                catch (Exception exception) when (exception is WebSocketException or HttpRequestException)
                {
                    socket.Dispose();
                }
            }
        }));
        return [.. sockets];
    }

    public static async Task CloseAllAsync(IEnumerable<ClientWebSocket> sockets)
    {
        foreach (var chunk in sockets.Chunk(500))
        {
            await Task.WhenAll(chunk.Select(async s =>
            {
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    await s.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
                }
                catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
                {
                }
                finally
                {
                    s.Dispose();
                }
            }));
        }
    }

    /// <summary>
    /// One frame of <paramref name="size"/> bytes to every sink, <paramref name="rounds"/> times: the time from asking
    /// the server to broadcast until the last socket has the frame.
    /// </summary>
    public async Task<Samples> BroadcastAsync(IReadOnlyList<ClientWebSocket> sockets, int size, int rounds, int framesPerRound = 1)
    {
        using var http = new HttpClient { BaseAddress = Http };
        var samples = new Samples();
        for (var round = 0; round < rounds; round++)
        {
            var start = Stopwatch.GetTimestamp();
            var receiving = sockets.Select(async s =>
            {
                var buffer = new byte[size + 16];
                var total = 0;
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                for (var frame = 0; frame < framesPerRound; frame++)
                {
                    total = 0;
                    while (total < size)
                    {
                        total += (await s.ReceiveAsync(buffer.AsMemory(total), timeout.Token)).Count;
                    }
                }

                return Stopwatch.GetTimestamp();
            }).ToList();
            using (var response = await http.PostAsync($"/broadcast?size={size}&count={framesPerRound}", null))
            {
                response.EnsureSuccessStatusCode();
            }

            var arrivals = await Task.WhenAll(receiving);
            samples.Add(Stopwatch.GetElapsedTime(start, arrivals.Max()).TotalMilliseconds);
            await Task.Delay(100);
        }

        return samples;
    }
}

/// <summary>SQLite with the server's durability settings (WAL, synchronous=FULL), in-process, in the same temp folder.</summary>
internal static class SqliteFloor
{
    public static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = """
            PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
            CREATE TABLE IF NOT EXISTS m (id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, sequence INTEGER NOT NULL, text TEXT NOT NULL);
            CREATE UNIQUE INDEX IF NOT EXISTS m_seq ON m(conversation_id, sequence);
            """;
        pragma.ExecuteNonQuery();
        return connection;
    }

    /// <summary>The floor's one-row insert of a 200-character message; parameters 0 and 1 are id and sequence.</summary>
    private static SqliteCommand PrepareInsert(SqliteConnection connection)
    {
        var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO m (id, conversation_id, sequence, text) VALUES ($id, 'c', $seq, $text)";
        insert.Parameters.Add(new SqliteParameter("$id", ""));
        insert.Parameters.Add(new SqliteParameter("$seq", 0L));
        insert.Parameters.AddWithValue("$text", Seeder.Text(200, 1));
        return insert;
    }

    /// <summary>Latency of single-row insert transactions, in ms.</summary>
    public static Samples InsertLatency(string folder, int count)
    {
        var path = Path.Combine(folder, $"floor-{Guid.NewGuid():N}.db");
        using var connection = Open(path);
        using var insert = PrepareInsert(connection);
        var samples = new Samples();
        for (var i = 0; i < count + 20; i++)
        {
            var start = Stopwatch.GetTimestamp();
            using (var transaction = connection.BeginTransaction(deferred: false))
            {
                insert.Transaction = transaction;
                insert.Parameters[0].Value = Guid.CreateVersion7().ToString("N");
                insert.Parameters[1].Value = (long)i;
                insert.ExecuteNonQuery();
                transaction.Commit();
            }

            if (i >= 20)
            {
                samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }

        return samples;
    }

    /// <summary>Rows per second for <paramref name="seconds"/>, <paramref name="perTransaction"/> rows per transaction.</summary>
    public static double InsertRate(string folder, int perTransaction, double seconds)
    {
        var path = Path.Combine(folder, $"floor-{Guid.NewGuid():N}.db");
        using var connection = Open(path);
        using var insert = PrepareInsert(connection);
        var clock = Stopwatch.StartNew();
        long rows = 0;
        while (clock.Elapsed.TotalSeconds < seconds && rows < 10_000_000)
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            insert.Transaction = transaction;
            for (var i = 0; i < perTransaction; i++)
            {
                insert.Parameters[0].Value = Guid.CreateVersion7().ToString("N");
                insert.Parameters[1].Value = rows++;
                insert.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        return rows / clock.Elapsed.TotalSeconds;
    }
}
