using System.Diagnostics;
using Messaging.Functions.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Messaging.Tests.Diagnostics;

/// <summary>
/// Tests that listen to the app's activity source. OpenTelemetry records a span when any listener
/// samples it, so a provider of another test class running at the same time would make spans
/// "sampled" here too: these classes run alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryListeners
{
    public const string Name = "Telemetry listeners";
}

/// <summary><c>Telemetry__TraceSampleRatio</c>: the worker's own sampler, the one that applies in OpenTelemetry mode.</summary>
[Collection(TelemetryListeners.Name)]
public sealed class TelemetrySamplingTests
{
    // Spans of the app's own source, started here as the app starts them.
    private static readonly ActivitySource Source = new(MessagingMetrics.ActivitySourceName);

    [Theory]
    [InlineData(null, 1.0)]
    [InlineData("0.25", 0.25)]
    [InlineData("0", 0.0)]
    [InlineData("1", 1.0)]
    public void The_ratio_is_read_from_its_setting(string? value, double expected)
    {
        Assert.Equal(expected, TelemetrySettings.From(Configuration(value)).TraceSampleRatio);
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("-0.1")]
    [InlineData("10%")]
    public void A_ratio_outside_zero_to_one_fails_at_start(string value)
    {
        Assert.Throws<InvalidOperationException>(() => TelemetrySettings.From(Configuration(value)));
    }

    [Fact]
    public void Ratio_one_keeps_every_trace_and_zero_keeps_none()
    {
        Assert.Equal(200, ExportedRootSpans("1", 200));
        Assert.Equal(0, ExportedRootSpans("0", 200));
    }

    [Fact]
    public void A_fractional_ratio_keeps_about_that_share_of_traces()
    {
        var kept = Enumerable.Range(0, 4000).Count(_ => Decide(0.25, parent: default) == SamplingDecision.RecordAndSample);

        // 1,000 expected; the bounds are more than seven standard deviations (27.4) away.
        Assert.InRange(kept, 800, 1200);
    }

    [Theory]
    [InlineData(ActivityTraceFlags.Recorded)]
    [InlineData(ActivityTraceFlags.None)]
    public void A_remote_parents_sampled_flag_does_not_override_the_ratio(ActivityTraceFlags flags)
    {
        for (var i = 0; i < 100; i++)
        {
            var traceId = ActivityTraceId.CreateRandom();
            var remote = new ActivityContext(traceId, ActivitySpanId.CreateRandom(), flags, isRemote: true);

            Assert.Equal(SamplingDecision.Drop, Decide(0.0, remote, traceId));
            Assert.Equal(SamplingDecision.RecordAndSample, Decide(1.0, remote, traceId));
        }
    }

    [Fact]
    public void Children_of_a_kept_trace_are_kept_with_it()
    {
        var exported = new LockedList<Activity>();
        using var provider = Provider("0.5", exported);

        for (var i = 0; i < 100; i++)
        {
            using var root = Source.StartActivity("root");
            using var child = Source.StartActivity("child");
        }

        provider.GetRequiredService<TracerProvider>().ForceFlush();
        var byTrace = exported.GroupBy(a => a.TraceId).ToList();
        Assert.NotEmpty(byTrace);
        Assert.All(byTrace, trace => Assert.Equal(2, trace.Count()));
    }

    private static SamplingDecision Decide(double ratio, ActivityContext parent, ActivityTraceId? traceId = null) =>
        Telemetry.Sampler(ratio).ShouldSample(new SamplingParameters(parent, traceId ?? ActivityTraceId.CreateRandom(), "span", ActivityKind.Server)).Decision;

    private static int ExportedRootSpans(string ratio, int count)
    {
        var exported = new LockedList<Activity>();
        using var provider = Provider(ratio, exported);
        for (var i = 0; i < count; i++)
        {
            using var span = Source.StartActivity("root");
        }

        provider.GetRequiredService<TracerProvider>().ForceFlush();
        return exported.Count;
    }

    private static ServiceProvider Provider(string ratio, LockedList<Activity> exported)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddMessagingTelemetry(Configuration(ratio), additionalExporters: builder => builder.WithTracing(t => t.AddInMemoryExporter(exported)));
        var provider = services.BuildServiceProvider();
        provider.GetRequiredService<TracerProvider>();
        return provider;
    }

    private static IConfiguration Configuration(string? ratio) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [TelemetrySettings.TraceSampleRatioSetting] = ratio }).Build();
}
