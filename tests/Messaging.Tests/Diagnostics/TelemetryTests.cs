using System.Diagnostics;
using Messaging.Functions.Diagnostics;
using Messaging.Functions.Hosting;
using Messaging.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Messaging.Tests.Diagnostics;

/// <summary>A thread-safe list for the in-memory exporters (spans end on request threads while the test reads).</summary>
public sealed class LockedList<T> : ICollection<T>
{
    private readonly List<T> _items = [];

    public int Count
    {
        get
        {
            lock (_items)
            {
                return _items.Count;
            }
        }
    }

    public bool IsReadOnly => false;

    public T[] Snapshot()
    {
        lock (_items)
        {
            return [.. _items];
        }
    }

    public void Add(T item)
    {
        lock (_items)
        {
            _items.Add(item);
        }
    }

    public void Clear()
    {
        lock (_items)
        {
            _items.Clear();
        }
    }

    public bool Contains(T item)
    {
        lock (_items)
        {
            return _items.Contains(item);
        }
    }

    public void CopyTo(T[] array, int arrayIndex)
    {
        lock (_items)
        {
            _items.CopyTo(array, arrayIndex);
        }
    }

    public bool Remove(T item)
    {
        lock (_items)
        {
            return _items.Remove(item);
        }
    }

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)Snapshot()).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>The standalone server talking to a fake Azure SignalR Service, with in-memory trace and metric exporters.</summary>
public sealed class TelemetryFixture : IAsyncLifetime
{
    public FakeSignalRService Service { get; private set; } = null!;

    public TestServer Server { get; } = new();

    public LockedList<Activity> Spans { get; } = new();

    public LockedList<MetricSnapshot> Metrics { get; } = new();

    public LockedList<LogRecord> Logs { get; } = new();

    public async Task InitializeAsync()
    {
        Service = await FakeSignalRService.StartAsync();
        Server.Settings["AzureSignalRConnectionString"] = Service.ConnectionString;
        // Information records go to the exporter (the console stays at Warning).
        Server.Settings["Logging:OpenTelemetry:LogLevel:Default"] = "Information";
        Server.Telemetry = builder => builder
            .WithTracing(tracing => tracing.AddInMemoryExporter(Spans))
            .WithMetrics(metrics => metrics.AddInMemoryExporter(Metrics))
            .WithLogging(logging => logging.AddInMemoryExporter(Logs));
        await Server.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Service.DisposeAsync();
    }
}

[Collection(TelemetryListeners.Name)]
public sealed class TelemetryTests(TelemetryFixture fixture) : IClassFixture<TelemetryFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private TestServer Server => fixture.Server;

    [Fact]
    public async Task A_request_produces_an_incoming_http_span()
    {
        using var response = await Server.ClientFor(null).GetAsync(new Uri("/api/health", UriKind.Relative));

        // Other servers of the test run share the process's listeners: ours is told by its port.
        var span = await WaitForAsync(() => fixture.Spans.Snapshot().FirstOrDefault(a =>
            a.Kind == ActivityKind.Server
            && a.GetTagItem("url.path") as string == "/api/health"
            && Equals(a.GetTagItem("server.port"), Server.BaseAddress.Port)));

        Assert.Equal("GET", span.GetTagItem("http.request.method"));
        Assert.Equal((int)response.StatusCode, span.GetTagItem("http.response.status_code"));
        Assert.Equal("Microsoft.AspNetCore", span.Source.Name);
    }

    [Fact]
    public async Task A_sent_message_is_counted_and_its_events_published_with_a_rest_span()
    {
        var (alice, bob) = (TestApi.NewUser("alice"), TestApi.NewUser("bob"));
        var conversationId = (await Server.ClientFor(alice).CreateGroupAsync(bob)).Id();
        await Server.ClientFor(alice).SendMessageAsync(conversationId, "hello telemetry");
        var groupPath = $"/api/v1/hubs/messaging/groups/conversation_{conversationId}_0";
        await fixture.Service.WaitForAsync(r => r.Path == groupPath && r.Target == "message.created");

        // The REST call to the service: an outgoing HTTP span under the change's publication span.
        // (conversation.created goes to the same group; a span is exported when it ends, and the parent ends after its child.)
        var (rest, publication) = await WaitForAsync(() =>
        {
            var spans = fixture.Spans.Snapshot();
            return spans.Where(a => a.Kind == ActivityKind.Client && a.GetTagItem("http.request.method") as string == "POST"
                    && a.GetTagItem("url.full") is string url && url.EndsWith(groupPath, StringComparison.Ordinal))
                .Select(child => Tuple.Create(child, spans.FirstOrDefault(a => a.SpanId == child.ParentSpanId)))
                .FirstOrDefault(pair => pair.Item2?.DisplayName == "publish MessageCreated");
        });
        Assert.Equal(fixture.Service.Endpoint.Port, rest.GetTagItem("server.port"));
        Assert.Equal(MessagingMetrics.ActivitySourceName, publication!.Source.Name);

        var meters = Server.Services.GetRequiredService<MeterProvider>();
        await WaitForAsync(() =>
        {
            meters.ForceFlush();
            var sent = Sum(MessagingMetrics.MessagesSentName, (MessagingMetrics.ChannelTag, "http"));
            var published = Sum(MessagingMetrics.EventsPublishedName, (MessagingMetrics.EventNameTag, "message.created"));
            var durations = HistogramCount(MessagingMetrics.PublishDurationName, (MessagingMetrics.StoreTag, MessagingMetrics.Sqlite));
            var lags = HistogramCount(MessagingMetrics.ChangeFeedLagName, (MessagingMetrics.StoreTag, MessagingMetrics.Sqlite));
            return sent >= 1 && published >= 1 && durations >= 1 && lags >= 1 ? "ok" : null;
        });
    }

    [Fact]
    public async Task A_token_in_the_query_string_reaches_neither_the_exported_logs_nor_the_spans()
    {
        var secret = "secret-" + Guid.NewGuid().ToString("N");
        using var response = await Server.ClientFor(null).GetAsync(new Uri($"/api/messaging/conversations?access_token={secret}", UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);

        // The refusal is logged (and exported) with the path only.
        await WaitForAsync(() => fixture.Logs.Snapshot().FirstOrDefault(r =>
            r.FormattedMessage?.Contains("Rejected a request to /api/messaging/conversations", StringComparison.Ordinal) == true));
        var span = await WaitForAsync(() => fixture.Spans.Snapshot().FirstOrDefault(a =>
            a.Kind == ActivityKind.Server
            && a.GetTagItem("url.path") as string == "/api/messaging/conversations"
            && Equals(a.GetTagItem("server.port"), Server.BaseAddress.Port)
            && Equals(a.GetTagItem("http.response.status_code"), 401)));

        Assert.DoesNotContain(secret, span.GetTagItem("url.query") as string ?? "", StringComparison.Ordinal);
        Assert.DoesNotContain(span.TagObjects, tag => tag.Value?.ToString()?.Contains(secret, StringComparison.Ordinal) == true);
        Assert.DoesNotContain(fixture.Logs.Snapshot(), r =>
            r.FormattedMessage?.Contains(secret, StringComparison.Ordinal) == true
            || r.Attributes?.Any(a => a.Value?.ToString()?.Contains(secret, StringComparison.Ordinal) == true) == true);
        Assert.DoesNotContain(fixture.Logs.Snapshot(), r => r.CategoryName == Telemetry.RequestLogCategory);
    }

    [Fact]
    public void Without_an_exporter_setting_nothing_is_registered()
    {
        var configuration = Configuration(("Messaging:DataPath", Path.Combine(Path.GetTempPath(), "messaging-tests", Guid.NewGuid().ToString("N"))));
        Assert.False(TelemetrySettings.From(configuration).Enabled);

        var services = new ServiceCollection().AddLogging();
        services.AddMessaging(configuration, MessagingHost.Standalone);
        var before = services.Count;
        services.AddMessagingTelemetry(configuration);

        Assert.Equal(before, services.Count);
        Assert.DoesNotContain(services, d => IsOpenTelemetry(d.ServiceType) || IsOpenTelemetry(d.ImplementationType));
        using var provider = services.BuildServiceProvider();
        Assert.Null(provider.GetService<TracerProvider>());
        Assert.Null(provider.GetService<MeterProvider>());
        Assert.DoesNotContain(provider.GetServices<ILoggerProvider>(), p => IsOpenTelemetry(p.GetType()));
    }

    [Fact]
    public void The_connection_string_turns_on_azure_monitor_with_the_managed_identity()
    {
        const string connectionString = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/";
        var settings = TelemetrySettings.From(Configuration(
            (TelemetrySettings.ConnectionStringSetting, connectionString),
            (TelemetrySettings.AuthenticationStringSetting, "Authorization=AAD;ClientId=11111111-2222-3333-4444-555555555555"),
            (TelemetrySettings.ClientIdSetting, "not-this-one")));

        Assert.True(settings.AzureMonitor);
        Assert.True(settings.UseEntraId);
        Assert.Equal("11111111-2222-3333-4444-555555555555", settings.ManagedIdentityClientId);
        Assert.False(settings.Otlp);
        Assert.IsType<Azure.Identity.DefaultAzureCredential>(Telemetry.Credential(settings));

        // What the startup log says: the exporters, never the connection string.
        Assert.Equal("Azure Monitor (Entra ID)", settings.Describe());
        Assert.DoesNotContain("InstrumentationKey", settings.Describe(), StringComparison.OrdinalIgnoreCase);

        var services = new ServiceCollection().AddLogging();
        services.AddMessagingTelemetry(Configuration((TelemetrySettings.ConnectionStringSetting, connectionString)));
        Assert.Contains(services, d => d.ServiceType == typeof(TracerProvider));
        Assert.Contains(services, d => d.ServiceType == typeof(MeterProvider));
    }

    [Fact]
    public void Key_based_ingestion_and_otlp_are_read_from_their_standard_settings()
    {
        var keyOnly = TelemetrySettings.From(Configuration((TelemetrySettings.ConnectionStringSetting, "InstrumentationKey=x")));
        Assert.True(keyOnly.AzureMonitor);
        Assert.False(keyOnly.UseEntraId);

        var clientIdFromEnvironment = TelemetrySettings.From(Configuration(
            (TelemetrySettings.ConnectionStringSetting, "InstrumentationKey=x"),
            (TelemetrySettings.AuthenticationStringSetting, "Authorization=AAD"),
            (TelemetrySettings.ClientIdSetting, "client-id")));
        Assert.True(clientIdFromEnvironment.UseEntraId);
        Assert.Equal("client-id", clientIdFromEnvironment.ManagedIdentityClientId);

        var otlp = TelemetrySettings.From(Configuration((TelemetrySettings.OtlpEndpointSetting, "http://127.0.0.1:4317")));
        Assert.True(otlp.Otlp);
        Assert.False(otlp.AzureMonitor);
        Assert.Equal("OTLP", otlp.Describe());

        Assert.False(TelemetrySettings.From(Configuration((TelemetrySettings.OtlpEndpointSetting, " "), (TelemetrySettings.ConnectionStringSetting, ""))).Enabled);
    }

    private static bool IsOpenTelemetry(Type? type) =>
        type?.Assembly.GetName().Name is { } name && (name.StartsWith("OpenTelemetry", StringComparison.Ordinal) || name.StartsWith("Azure.Monitor", StringComparison.Ordinal));

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();

    private long Sum(string name, (string Key, string Value) tag) =>
        Points(name, tag).Sum(p => p.GetSumLong());

    private long HistogramCount(string name, (string Key, string Value) tag) =>
        Points(name, tag).Sum(p => p.GetHistogramCount());

    /// <summary>The points of the newest export of the metric (cumulative) that carry the tag.</summary>
    private List<MetricPoint> Points(string name, (string Key, string Value) tag)
    {
        var latest = fixture.Metrics.Snapshot().LastOrDefault(m => m.Name == name);
        if (latest is null)
        {
            return [];
        }

        var points = new List<MetricPoint>();
        foreach (var point in latest.MetricPoints)
        {
            foreach (var pair in point.Tags)
            {
                if (pair.Key == tag.Key && Equals(pair.Value, tag.Value))
                {
                    points.Add(point);
                    break;
                }
            }
        }

        return points;
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> probe)
        where T : class
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            if (probe() is { } found)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The expected telemetry did not arrive.");
            }

            await Task.Delay(50);
        }
    }
}
