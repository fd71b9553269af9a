using System.Net;
using Messaging.Functions.Realtime.SignalRService;
using Microsoft.Extensions.Logging.Abstractions;

namespace Messaging.Tests.SignalRService;

/// <summary>
/// The fake service's rules for connection existence (REST API v1, "Check if the connection with the
/// given connectionId exists": <c>GET /api/v1/hubs/{hub}/connections/{connectionId}</c>, 200 or 404,
/// https://learn.microsoft.com/azure/azure-signalr/swagger/signalr-data-plane-rest-v1) and for the
/// <c>disconnected</c> upstream event (https://learn.microsoft.com/azure/azure-signalr/concept-upstream),
/// each with the app's <see cref="SignalRConnectionLiveness"/> as the client.
/// </summary>
public sealed class FakeServiceConnectionCheckTests : IAsyncLifetime
{
    private FakeSignalRService _service = null!;
    private SignalRConnectionLiveness _liveness = null!;
    private HttpClient _raw = null!;

    public async Task InitializeAsync()
    {
        _service = await FakeSignalRService.StartAsync();
        var connection = SignalRConnectionString.Parse(_service.ConnectionString);
        var rest = new SignalRRestClient(connection, new SignalRTokens(connection, null, TimeProvider.System), new Clients(), NullLogger<SignalRRestClient>.Instance)
        {
            Backoff = [TimeSpan.FromMilliseconds(10)],
        };
        _liveness = new SignalRConnectionLiveness(rest);
        _raw = new HttpClient { BaseAddress = _service.Endpoint };
    }

    public async Task DisposeAsync()
    {
        _raw.Dispose();
        await _service.DisposeAsync();
    }

    [Fact]
    public async Task A_connection_exists_while_open_and_not_once_closed_with_or_without_telling_the_app()
    {
        var told = await _service.ConnectAsync("alice");
        var untold = await _service.ConnectAsync("alice");
        Assert.True(await _liveness.IsOpenAsync("alice", told.ConnectionId, CancellationToken.None));
        Assert.False(await _liveness.IsOpenAsync("alice", "never-opened", CancellationToken.None));

        var disconnected = new List<string>();
        _service.OnDisconnected = connection =>
        {
            disconnected.Add(connection.ConnectionId);
            return Task.CompletedTask;
        };
        await _service.DisconnectAsync(told);
        _service.Disconnect(untold);

        Assert.False(await _liveness.IsOpenAsync("alice", told.ConnectionId, CancellationToken.None));
        Assert.False(await _liveness.IsOpenAsync("alice", untold.ConnectionId, CancellationToken.None));
        Assert.Equal([told.ConnectionId], disconnected);
        Assert.Equal(4, _service.Calls[ServiceCallKind.CheckConnection]);
    }

    [Fact]
    public async Task A_connection_check_needs_the_signed_token_and_the_GET_method()
    {
        var connection = await _service.ConnectAsync("bob");
        var path = $"/api/v1/hubs/messaging/connections/{connection.ConnectionId}";

        using var anonymous = await _raw.GetAsync(path);
        using var head = await _raw.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        Assert.Contains(_service.Refused, r => r.Refusal == "unknown route" && r.Method == "HEAD");
    }

    [Fact]
    public async Task A_refused_connection_check_is_an_answer_of_cannot_tell()
    {
        var connection = await _service.ConnectAsync("carol");
        _service.FailWhen((method, _) => method == "GET", 503);

        Assert.Null(await _liveness.IsOpenAsync("carol", connection.ConnectionId, CancellationToken.None));

        _service.StopFailing();
        Assert.True(await _liveness.IsOpenAsync("carol", connection.ConnectionId, CancellationToken.None));
    }

    private sealed class Clients : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new() { Timeout = TimeSpan.FromSeconds(5) };
    }
}
